// A small grammY bot for emulator/node_test.go, with grammY's defaults
// except for the API root, which points at the Herald emulator.
//
// Environment: HERALD_API_ROOT (the emulator's URL), HERALD_TOKEN and
// HERALD_PHOTO (a PNG file). The bot answers /start with an inline
// keyboard. When the button is pressed it answers the callback query,
// edits the message, sends the photo from a Buffer and downloads it back.
// On SIGTERM or SIGINT it stops polling and prints one JSON line of what
// happened.
import { readFileSync } from "node:fs";
import { Bot, InlineKeyboard, InputFile } from "grammy";

const { HERALD_API_ROOT: apiRoot, HERALD_TOKEN: token, HERALD_PHOTO: photoPath } = process.env;
if (!apiRoot || !token || !photoPath) {
  console.error("usage: HERALD_API_ROOT=url HERALD_TOKEN=token HERALD_PHOTO=file.png node grammy_bot.mjs");
  process.exit(2);
}

const report = { library: "grammy", done: false };
const bot = new Bot(token, { client: { apiRoot } });

bot.command("start", async (ctx) => {
  const sent = await ctx.reply(`Hello, ${ctx.from.first_name}!`, {
    reply_markup: new InlineKeyboard().text("Press me", "pressed"),
  });
  report.start = { from: ctx.from.id, chat: ctx.chat.id, reply_id: sent.message_id };
});

bot.callbackQuery("pressed", async (ctx) => {
  await ctx.answerCallbackQuery({ text: "Pressed!" });
  const edited = await ctx.editMessageText("You pressed the button.");
  report.edit = { message_id: edited.message_id, text: edited.text };
  const upload = readFileSync(photoPath);
  const sent = await ctx.replyWithPhoto(new InputFile(upload, "my photo (ü).png"), { caption: "a photo from grammY" });
  const size = sent.photo.at(-1);
  const file = await ctx.api.getFile(size.file_id);
  const res = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`);
  const download = Buffer.from(await res.arrayBuffer());
  report.photo = {
    message_id: sent.message_id, file_id: size.file_id, width: size.width, height: size.height,
    downloaded_same: res.ok && download.equals(upload),
  };
  report.done = true;
});

bot.catch((err) => {
  report.error = String(err.error ?? err);
  console.error("handler failed:", err.error ?? err);
});

let stopped = false;
function stop(signal) {
  if (stopped) return;
  stopped = true;
  report.stopped_by = signal;
  if (bot.isRunning()) bot.stop().catch((err) => (report.stop_error = String(err)));
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

try {
  await bot.init(); // getMe
  report.me = { id: bot.botInfo.id, username: bot.botInfo.username, is_bot: bot.botInfo.is_bot };
  if (!stopped) await bot.start(); // resolves once bot.stop() has ended polling
} catch (err) {
  report.error = String(err);
}
console.log(JSON.stringify(report));
process.exitCode = report.done && !report.error ? 0 : 1;
