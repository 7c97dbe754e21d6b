// A grammY bot for emulator/node_test.go, with grammY's defaults except
// for the API root, which points at the Herald emulator. It answers /start
// with an inline keyboard; when the button is pressed it answers the
// callback query, edits the message, sends a photo and a document from
// Buffers and downloads both back. It polls with bot.start(), or in
// webhook mode serves webhookCallback(bot, "http") on node's http server
// and calls setWebhook. See harness.mjs for the environment and the report.
import http from "node:http";
import { Bot, InlineKeyboard, InputFile, webhookCallback } from "grammy";
import { close, finish, listen, setup } from "./harness.mjs";

const h = setup("grammy", "grammY");
const { report } = h;
const bot = new Bot(h.token, { client: { apiRoot: h.apiRoot } });

bot.command("start", async (ctx) => {
  const sent = await ctx.reply(h.greeting(ctx.from.first_name), {
    reply_markup: new InlineKeyboard().text("Press me", "pressed"),
  });
  report.start = { from: ctx.from.id, chat: ctx.chat.id, reply_id: sent.message_id };
});

bot.callbackQuery("pressed", async (ctx) => {
  await ctx.answerCallbackQuery({ text: "Pressed!" });
  const edited = await ctx.editMessageText("You pressed the button.");
  report.edit = { message_id: edited.message_id, text: edited.text };
  const photo = await ctx.replyWithPhoto(new InputFile(h.photo, "my photo (ü).png"), { caption: h.photoCaption });
  const doc = await ctx.replyWithDocument(new InputFile(h.doc, "notes.txt"), { caption: h.docCaption });
  await h.files(photo, doc, async (fileID) => `${h.apiRoot}/file/bot${h.token}/${(await ctx.api.getFile(fileID)).file_path}`);
  h.done();
});

bot.catch((err) => h.fail(err.error ?? err));

try {
  await bot.init(); // getMe
  report.me = { id: bot.botInfo.id, username: bot.botInfo.username, is_bot: bot.botInfo.is_bot };
  if (h.mode === "webhook") {
    const server = http.createServer(webhookCallback(bot, "http"));
    const base = await listen(server);
    await bot.api.setWebhook(`${base}/grammy`);
    await h.stopped;
    await h.settled();
    await close(server);
  } else {
    h.stopped.then(() => h.settled()).then(() => bot.stop()).catch((err) => (report.stop_error = String(err)));
    await bot.start(); // resolves once bot.stop() has ended polling
  }
} catch (err) {
  report.error = String(err);
}
finish(report);
