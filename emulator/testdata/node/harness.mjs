// What the Node client bots of emulator/node_test.go share: their
// environment, the report each prints as one JSON line when it ends, the
// check of a download against the upload, and a loopback HTTP server for
// webhook mode. Nothing here speaks the Bot API: each bot does that with
// its own library.
//
// Environment: HERALD_API_ROOT (the emulator's URL), HERALD_TOKEN,
// HERALD_MODE (polling or webhook), HERALD_PHOTO (a PNG file) and
// HERALD_DOC (a document to upload).
import { readFileSync } from "node:fs";

export function setup(library, displayName) {
  const env = process.env;
  const h = {
    apiRoot: env.HERALD_API_ROOT,
    token: env.HERALD_TOKEN,
    mode: env.HERALD_MODE || "polling",
    photoPath: env.HERALD_PHOTO,
    docPath: env.HERALD_DOC,
    report: { library, mode: env.HERALD_MODE || "polling", done: false },
    greeting: (name) => `Hello, ${name}!`,
    photoCaption: `a photo from ${displayName}`,
    docCaption: `a document from ${displayName}`,
  };
  if (!h.apiRoot || !h.token || !h.photoPath || !h.docPath || !["polling", "webhook"].includes(h.mode)) {
    console.error("usage: HERALD_API_ROOT=url HERALD_TOKEN=token HERALD_MODE=polling|webhook HERALD_PHOTO=file.png HERALD_DOC=file node <bot>.mjs");
    process.exit(2);
  }
  // finished resolves when the conversation is over: done() or fail().
  let over;
  h.finished = new Promise((resolve) => (over = resolve));
  h.done = () => {
    h.report.done = true;
    over();
  };
  h.fail = (err) => {
    h.report.error = String(err);
    console.error("handler failed:", err);
    over();
  };
  // settled waits for the conversation to be over, or ms at most: a
  // signal may come while a handler still downloads.
  h.settled = (ms = 5000) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      h.finished.then(() => {
        clearTimeout(timer); // a pending timer would keep node running
        resolve();
      });
    });
  // files records the photo and the document messages the bot sent, and
  // whether each downloads back as uploaded; link(fileID) resolves to the
  // file's URL, by the library's getFile.
  h.files = async (photo, doc, link) => {
    const size = photo.photo.at(-1);
    h.report.photo = {
      message_id: photo.message_id, file_id: size.file_id, width: size.width, height: size.height,
      downloaded_same: await downloaded(await link(size.file_id), h.photo),
    };
    h.report.document = {
      message_id: doc.message_id, file_id: doc.document.file_id,
      downloaded_same: await downloaded(await link(doc.document.file_id), h.doc),
    };
  };
  h.photo = readFileSync(h.photoPath);
  h.doc = readFileSync(h.docPath);
  // stopped resolves with the signal's name on the first SIGTERM or SIGINT.
  h.stopped = new Promise((resolve) => {
    const stop = (signal) => {
      h.report.stopped_by = signal;
      resolve(signal);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  return h;
}

// downloaded reports whether url serves exactly the bytes of expected.
export async function downloaded(url, expected) {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return res.ok && body.equals(expected);
}

// listen starts server on 127.0.0.1 (the emulator delivers webhooks to
// loopback only) at a free port and returns its base URL.
export function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

// close stops server and waits for it.
export function close(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}

// finish prints the report and sets the exit code.
export function finish(report) {
  console.log(JSON.stringify(report));
  process.exitCode = report.done && !report.error && !report.stop_error ? 0 : 1;
}
