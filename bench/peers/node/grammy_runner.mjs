// The peer bench's echo bot written with grammY and @grammyjs/runner: the
// same handler as grammy.mjs, with updates fetched and handled
// concurrently by run(bot). The runner only polls, so there is no webhook
// mode.
import { Bot } from "grammy";
import { run } from "@grammyjs/runner";
import { log, readEnv, sleep } from "./env.mjs";

const env = readEnv();
if (env.mode !== "polling") {
  log("ERROR", "the runner only supports long polling");
  process.exit(2);
}
const bot = new Bot(env.token, { client: { apiRoot: env.apiURL } });

bot.on("message:text", async (ctx) => {
  await sleep(env.workMs);
  await ctx.reply(ctx.message.text);
});
bot.catch((err) => log("ERROR", "handler", err.error ?? err));

const runner = run(bot);
const stop = () => {
  if (runner.isRunning()) runner.stop();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
