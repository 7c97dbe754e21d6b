// The environment every peer bot reads (see ../README.md), for the grammY
// bots.
export function readEnv() {
  const env = {
    token: process.env.BOT_TOKEN ?? "",
    apiURL: (process.env.API_URL ?? "").replace(/\/+$/, ""),
    mode: process.env.MODE || "polling",
    listen: process.env.WEBHOOK_LISTEN ?? "",
    webhookURL: process.env.WEBHOOK_URL ?? "",
    workMs: parseWork(process.env.WORK || "0s"),
  };
  if (!env.token) fail("BOT_TOKEN is empty");
  if (!env.apiURL) fail("API_URL is empty");
  if (env.mode !== "polling" && env.mode !== "webhook") fail(`MODE=${env.mode}: want polling or webhook`);
  if (env.mode === "webhook" && (!env.listen || !env.webhookURL)) fail("webhook mode needs WEBHOOK_LISTEN and WEBHOOK_URL");
  return env;
}

// parseWork reads a Go duration made of one or more number+unit parts
// (0s, 2ms, 1.5s, 1m30s) and returns milliseconds.
export function parseWork(s) {
  const units = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
  if (s === "0") return 0;
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const m = part.exec(s);
    if (!m) fail(`WORK=${s}: not a duration`);
    ms += Number(m[1]) * units[m[2]];
    at = part.lastIndex;
  }
  if (at === 0) fail(`WORK=${s}: not a duration`);
  return ms;
}

// sleep resolves after ms milliseconds (at once for 0).
export function sleep(ms) {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

// log writes one line in the shape of Go's slog text handler to stderr,
// without the token.
export function log(level, msg, err) {
  const token = process.env.BOT_TOKEN;
  let line = `time=${new Date().toISOString()} level=${level} msg=${JSON.stringify(msg)}`;
  if (err !== undefined) line += ` error=${JSON.stringify(String(err?.message ?? err))}`;
  if (token) line = line.split(token).join("<token>");
  process.stderr.write(line + "\n");
}

function fail(msg) {
  log("ERROR", "bad environment", msg);
  process.exit(1);
}
