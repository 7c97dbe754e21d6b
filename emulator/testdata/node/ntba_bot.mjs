// A node-telegram-bot-api (2.x) bot for emulator/node_test.go, with the
// library's defaults except for the API root, which points at the Herald
// emulator. It answers /start with an inline keyboard; when the button is
// pressed it answers the callback query, edits the message, sends a photo
// from a stream and a document from bytes, and downloads both back. It
// polls with startPolling(), or in webhook mode serves
// createWebhookServer(bot) and calls setWebhook. See harness.mjs for the
// environment and the report.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { Bot, InlineKeyboardBuilder, InputFile } from "node-telegram-bot-api";
import { createWebhookServer } from "node-telegram-bot-api/node";
import { close, finish, listen, setup } from "./harness.mjs";

const h = setup("node-telegram-bot-api", "node-telegram-bot-api");
const { report } = h;
const bot = new Bot(h.token, { apiRoot: h.apiRoot });

bot.command("start", async (ctx) => {
  const sent = await ctx.reply(h.greeting(ctx.from.first_name), {
    reply_markup: new InlineKeyboardBuilder().text("Press me", "pressed").build(),
  });
  report.start = { from: ctx.from.id, chat: ctx.chatId, reply_id: sent.message_id };
});

bot.on("callback_query", async (ctx) => {
  const { data, message } = ctx.callbackQuery;
  if (data !== "pressed") return;
  await ctx.answerCallbackQuery({ text: "Pressed!" });
  const chat_id = message.chat.id;
  const edited = await ctx.api.editMessageText({ chat_id, message_id: message.message_id, text: "You pressed the button." });
  report.edit = { message_id: edited.message_id, text: edited.text };
  const stream = Readable.toWeb(createReadStream(h.photoPath));
  const photo = await ctx.api.sendPhoto({
    chat_id,
    photo: new InputFile(stream, { filename: "my photo (ü).png", contentType: "image/png" }),
    caption: h.photoCaption,
  });
  const doc = await ctx.api.sendDocument({
    chat_id,
    document: new InputFile(new Uint8Array(h.doc), { filename: "notes.txt" }),
    caption: h.docCaption,
  });
  await h.files(photo, doc, async (file_id) => `${h.apiRoot}/file/bot${h.token}/${(await ctx.api.getFile({ file_id })).file_path}`);
  h.done();
});

bot.catch((err) => h.fail(err));

try {
  const me = await bot.api.getMe();
  report.me = { id: me.id, username: me.username, is_bot: me.is_bot };
  if (h.mode === "webhook") {
    // The library's webhook handler requires a secret token by default.
    const secretToken = randomBytes(16).toString("hex");
    const server = createWebhookServer(bot, { path: "/ntba", secretToken });
    const base = await listen(server);
    await bot.api.setWebhook({ url: `${base}/ntba`, secret_token: secretToken });
    await h.stopped;
    await h.settled();
    await close(server);
  } else {
    h.stopped.then(() => h.settled()).then(() => bot.stop());
    await bot.startPolling(); // resolves once bot.stop() has ended polling
  }
} catch (err) {
  report.error = String(err);
}
finish(report);
