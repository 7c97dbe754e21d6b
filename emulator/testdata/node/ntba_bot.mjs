// A small node-telegram-bot-api (2.x) bot for emulator/node_test.go, with
// the library's defaults except for the API root, which points at the
// Herald emulator.
//
// Environment: HERALD_API_ROOT (the emulator's URL), HERALD_TOKEN and
// HERALD_PHOTO (a PNG file). The bot answers /start with an inline
// keyboard. When the button is pressed it answers the callback query,
// edits the message, sends the photo from a stream and downloads it back.
// On SIGTERM or SIGINT it stops polling and prints one JSON line of what
// happened.
import { createReadStream, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { Bot, InlineKeyboardBuilder, InputFile } from "node-telegram-bot-api";

const { HERALD_API_ROOT: apiRoot, HERALD_TOKEN: token, HERALD_PHOTO: photoPath } = process.env;
if (!apiRoot || !token || !photoPath) {
  console.error("usage: HERALD_API_ROOT=url HERALD_TOKEN=token HERALD_PHOTO=file.png node ntba_bot.mjs");
  process.exit(2);
}

const report = { library: "node-telegram-bot-api", done: false };
const bot = new Bot(token, { apiRoot });

bot.command("start", async (ctx) => {
  const sent = await ctx.reply(`Hello, ${ctx.from.first_name}!`, {
    reply_markup: new InlineKeyboardBuilder().text("Press me", "pressed").build(),
  });
  report.start = { from: ctx.from.id, chat: ctx.chatId, reply_id: sent.message_id };
});

bot.on("callback_query", async (ctx) => {
  const { data, message } = ctx.callbackQuery;
  if (data !== "pressed") return;
  await ctx.answerCallbackQuery({ text: "Pressed!" });
  const edited = await ctx.api.editMessageText({
    chat_id: message.chat.id,
    message_id: message.message_id,
    text: "You pressed the button.",
  });
  report.edit = { message_id: edited.message_id, text: edited.text };
  const stream = Readable.toWeb(createReadStream(photoPath));
  const sent = await ctx.api.sendPhoto({
    chat_id: message.chat.id,
    photo: new InputFile(stream, { filename: "my photo (ü).png", contentType: "image/png" }),
    caption: "a photo from node-telegram-bot-api",
  });
  const size = sent.photo.at(-1);
  const file = await ctx.api.getFile({ file_id: size.file_id });
  const res = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`);
  const download = Buffer.from(await res.arrayBuffer());
  report.photo = {
    message_id: sent.message_id, file_id: size.file_id, width: size.width, height: size.height,
    downloaded_same: res.ok && download.equals(readFileSync(photoPath)),
  };
  report.done = true;
});

bot.catch((err) => {
  report.error = String(err);
  console.error("handler failed:", err);
});

let stopped = false;
function stop(signal) {
  if (stopped) return;
  stopped = true;
  report.stopped_by = signal;
  bot.stop();
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

try {
  const me = await bot.api.getMe();
  report.me = { id: me.id, username: me.username, is_bot: me.is_bot };
  if (!stopped) await bot.startPolling(); // resolves once bot.stop() has ended polling
} catch (err) {
  report.error = String(err);
}
console.log(JSON.stringify(report));
process.exitCode = report.done && !report.error ? 0 : 1;
