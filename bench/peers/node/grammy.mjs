// The peer bench's echo bot written with grammY: it answers every text
// message with the same text, after WORK. Long polling with bot.start(),
// or a webhook served by node's http server through webhookCallback.
import { createServer } from "node:http";
import { Bot, webhookCallback } from "grammy";
import { log, readEnv, sleep } from "./env.mjs";

const env = readEnv();
const bot = new Bot(env.token, { client: { apiRoot: env.apiURL } });

bot.on("message:text", async (ctx) => {
  await sleep(env.workMs);
  await ctx.reply(ctx.message.text);
});
bot.catch((err) => log("ERROR", "handler", err.error ?? err));

if (env.mode === "webhook") {
  const path = new URL(env.webhookURL).pathname;
  const secret = "peerbench-" + Math.random().toString(36).slice(2);
  const callback = webhookCallback(bot, "http", { secretToken: secret });
  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    callback(req, res).catch((err) => {
      log("ERROR", "webhook", err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const [host, port] = splitHostPort(env.listen);
  server.listen(port, host, async () => {
    try {
      await bot.api.setWebhook(env.webhookURL, { secret_token: secret });
    } catch (err) {
      log("ERROR", "setWebhook", err);
      process.exit(1);
    }
  });
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} else {
  process.once("SIGTERM", () => bot.stop());
  process.once("SIGINT", () => bot.stop());
  bot.start().catch((err) => {
    log("ERROR", "polling", err);
    process.exit(1);
  });
}

function splitHostPort(hp) {
  const i = hp.lastIndexOf(":");
  return [hp.slice(0, i).replace(/^\[|\]$/g, "") || "127.0.0.1", Number(hp.slice(i + 1))];
}
