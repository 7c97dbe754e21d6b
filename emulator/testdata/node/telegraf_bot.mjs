// A Telegraf (4.x) bot for emulator/node_test.go, with Telegraf's defaults
// except for the API root, which points at the Herald emulator. It
// answers /start with an inline keyboard; when the button is pressed it
// answers the callback query, edits the message, sends a photo and a
// document from Buffers and downloads both through getFileLink. It polls
// with bot.launch(), or in webhook mode serves bot.webhookCallback() on
// node's http server and calls setWebhook (createWebhook and launch's
// webhook option always register an https:// URL). See harness.mjs for the
// environment and the report.
import http from "node:http";
import { Markup, Telegraf } from "telegraf";
import { close, finish, listen, setup } from "./harness.mjs";

const h = setup("telegraf", "Telegraf");
const { report } = h;
const bot = new Telegraf(h.token, { telegram: { apiRoot: h.apiRoot } });

bot.start(async (ctx) => {
  const sent = await ctx.reply(h.greeting(ctx.from.first_name), Markup.inlineKeyboard([Markup.button.callback("Press me", "pressed")]));
  report.start = { from: ctx.from.id, chat: ctx.chat.id, reply_id: sent.message_id };
});

bot.action("pressed", async (ctx) => {
  await ctx.answerCbQuery("Pressed!");
  const edited = await ctx.editMessageText("You pressed the button.");
  report.edit = { message_id: edited.message_id, text: edited.text };
  const photo = await ctx.replyWithPhoto({ source: h.photo, filename: "my photo (ü).png" }, { caption: h.photoCaption });
  const doc = await ctx.replyWithDocument({ source: h.doc, filename: "notes.txt" }, { caption: h.docCaption });
  await h.files(photo, doc, (fileID) => ctx.telegram.getFileLink(fileID));
  h.done();
});

bot.catch((err) => h.fail(err));

try {
  const me = await bot.telegram.getMe();
  bot.botInfo = me;
  report.me = { id: me.id, username: me.username, is_bot: me.is_bot };
  if (h.mode === "webhook") {
    const server = http.createServer(bot.webhookCallback("/telegraf"));
    const base = await listen(server);
    await bot.telegram.setWebhook(`${base}/telegraf`);
    await h.stopped;
    await h.settled();
    await close(server);
  } else {
    h.stopped.then(async (signal) => {
      await h.settled();
      bot.stop(signal);
    });
    await bot.launch(); // resolves once bot.stop() has ended polling
  }
} catch (err) {
  report.error = String(err);
}
finish(report);
