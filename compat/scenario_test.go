package compat

import (
	"bytes"
	"context"
	"fmt"

	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// The conversation every client has with the emulator's user Ann: the
// bot answers /start with a greeting and one inline button; when the
// button is pressed it answers the callback query, edits the message
// (which removes the button), uploads a photo and a document, and
// downloads both back through getFile and the file URL.
const (
	token          = "123456:AAEcompatSuite-token_of_the_emulat0" // 35 characters after the colon, as telego checks
	botID          = 123456
	startText      = "/start"
	buttonText     = "Press me"
	buttonData     = "pressed"
	answerText     = "Pressed!"
	editedText     = "You pressed the button."
	photoName      = "picture.png"
	docName        = "notes.txt"
	photoW, photoH = 12, 7
)

var ann = tg.User{ID: 1001, FirstName: "Ann", Username: "ann"}

// mode is how the bot under test receives its updates.
type mode string

const (
	polling mode = "polling" // getUpdates, the client's own loop
	webhook mode = "webhook" // setWebhook to a server the test starts for the client
)

// A starter starts one client's bot in mode m against f's emulator and
// returns a function that stops it. For a webhook the starter calls
// setWebhook, with the client's own method, before it returns or in the
// background.
type starter func(t *testing.T, f *fixture, m mode) (stop func())

// conform has the bot of start go through the conversation, by long
// polling and by webhook, each against a new emulator.
func conform(t *testing.T, library string, start starter) {
	for _, m := range []mode{polling, webhook} {
		t.Run(string(m), func(t *testing.T) {
			f := newFixture(t, library)
			stop := start(t, f, m)
			f.converse(m)
			stop()
			f.checkNoFailures()
		})
	}
}

// fixture is one run of the conversation: an emulator with Telegram's
// limits served on 127.0.0.1, the files the bot uploads, and what the bot
// reports back. The bots call its exported methods from any goroutine.
type fixture struct {
	t   *testing.T
	srv *emutest.Server

	Library string // named in the captions
	Token   string
	APIURL  string // the emulator's base URL, the only setting the clients get
	Photo   []byte // a photoW×photoH PNG
	Doc     []byte // a text document

	mu        sync.Mutex
	failures  []string
	me        *tg.User
	downloads map[string][]byte // by kind: "photo", "document"
}

func newFixture(t *testing.T, library string) *fixture {
	srv := emutest.Start(t, emulator.Options{})
	f := &fixture{
		t: t, srv: srv,
		Library: library,
		Token:   token,
		APIURL:  srv.URL,
		Photo:   pngOf(t, photoW, photoH),
		Doc:     []byte("Herald conformance suite: a document uploaded by " + library + ".\n"),

		downloads: make(map[string][]byte),
	}
	t.Cleanup(func() {
		if t.Failed() {
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, s := range f.failures {
				t.Logf("the %s bot reported: %s", library, s)
			}
		}
	})
	return f
}

// Greeting is the bot's answer to /start from a user named first.
func (f *fixture) Greeting(first string) string { return "Hello, " + first + "!" }

// PhotoCaption is the caption of the bot's photo.
func (f *fixture) PhotoCaption() string { return "a photo from " + f.Library }

// DocCaption is the caption of the bot's document.
func (f *fixture) DocCaption() string { return "a document from " + f.Library }

// Fail records that the bot's step failed; the test fails after the
// conversation, or shows it if the conversation timed out.
func (f *fixture) Fail(step string, err error) {
	msg := strings.ReplaceAll(fmt.Sprintf("%s: %v", step, err), f.Token, "<token>")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, msg)
}

// Started records the bot's own user, as getMe gave it to the client.
func (f *fixture) Started(id int64, isBot bool, username string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.me = &tg.User{ID: id, IsBot: isBot, Username: username}
}

// Downloaded records the bytes the bot downloaded of its photo or
// document ("photo", "document").
func (f *fixture) Downloaded(kind string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downloads[kind] = data
}

// Serve serves h on 127.0.0.1 (the emulator delivers webhooks to
// loopback only) until the test ends, and returns its base URL.
func (f *fixture) Serve(h http.Handler) string {
	s := httptest.NewServer(h)
	f.t.Cleanup(s.Close)
	return s.URL
}

// FreeAddr returns a 127.0.0.1 address with a port that was free a
// moment ago, for a client that starts its own webhook server.
func (f *fixture) FreeAddr() string {
	f.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WaitListening waits until something accepts connections on addr.
func (f *fixture) WaitListening(addr string) {
	f.t.Helper()
	emutest.Until(f.t, emutest.Wait, "a webhook server on "+addr, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
}

// stats returns the emulator's counters for the bot.
func (f *fixture) stats() emulator.Stats {
	f.t.Helper()
	st, err := f.srv.Emu.Stats(f.Token)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

// converse has Ann go through the conversation and checks each step
// from the emulator's side and from the bot's.
func (f *fixture) converse(m mode) {
	t := f.t
	t.Helper()
	first := "getUpdates"
	if m == webhook {
		first = "setWebhook"
	}
	emutest.Until(t, emutest.Wait, "the bot's first "+first, func() bool {
		st, err := f.srv.Emu.Stats(f.Token)
		return err == nil && st.Requests[first] > 0
	})

	// Start-up and the inline keyboard.
	chat := f.srv.Chat(t, f.Token, ann)
	reply := chat.SendWait(startText, f.Greeting(ann.FirstName))
	if reply.Text != f.Greeting(ann.FirstName) {
		t.Fatalf("reply to /start = %q", reply.Text)
	}
	kb := emutest.Keyboard(reply)
	if len(kb) != 1 || len(kb[0]) != 1 || kb[0][0].Text != buttonText || kb[0][0].CallbackData != buttonData {
		t.Fatalf("keyboard of the reply = %s", reply.ReplyMarkup)
	}

	// The callback query and its answer.
	if got := chat.Press(reply, buttonText); got != answerText {
		t.Fatalf("answer to the press = %q, want %q", got, answerText)
	}

	// The edit, in place, without the keyboard.
	edited := chat.WaitEdited(reply.MessageID, editedText)
	if edited.Text != editedText || edited.EditDate == 0 || len(edited.ReplyMarkup) != 0 {
		t.Fatalf("edited message = %+v", edited)
	}

	// The uploads.
	photo := chat.WaitBot(reply.MessageID, f.PhotoCaption())
	if len(photo.Photo) != 1 || photo.Photo[0].Width != photoW || photo.Photo[0].Height != photoH {
		t.Fatalf("photo message = %+v", photo)
	}
	doc := chat.WaitBot(photo.MessageID, f.DocCaption())
	if doc.Document == nil || doc.Document.FileSize != int64(len(f.Doc)) {
		t.Fatalf("document message = %+v", doc)
	}

	// The downloads, by the bot, of what it uploaded.
	emutest.Until(t, emutest.Wait, "the bot's downloads", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.downloads) == 2
	})
	f.mu.Lock()
	gotPhoto, gotDoc, me := f.downloads["photo"], f.downloads["document"], f.me
	f.mu.Unlock()
	if !bytes.Equal(gotPhoto, f.Photo) {
		t.Errorf("downloaded photo: %d bytes, not the %d uploaded", len(gotPhoto), len(f.Photo))
	}
	if !bytes.Equal(gotDoc, f.Doc) {
		t.Errorf("downloaded document = %q, want %q", gotDoc, f.Doc)
	}
	if me == nil || me.ID != botID || !me.IsBot || me.Username == "" {
		t.Errorf("getMe as the client saw it = %+v", me)
	}

	// Nothing else in the chat: every update was handled once.
	if tr := chat.Transcript(); len(tr) != 4 {
		t.Errorf("transcript has %d messages, want 4 (/start, the edited reply, the photo, the document):\n%s", len(tr), emutest.Dump(tr))
	}

	// The emulator's account: every update confirmed, every method of the
	// conversation called, and no request refused. Checked before the
	// stop, which may cut a long poll short.
	emutest.Until(t, emutest.Wait, "both updates to be confirmed", func() bool {
		st := f.stats()
		return st.UpdatesConfirmed == 2 && st.UpdatesPending == 0
	})
	st := f.stats()
	t.Logf("%s by %s: requests %v", f.Library, m, st.Requests)
	for _, method := range []string{"getMe", first, "sendMessage", "answerCallbackQuery", "editMessageText", "sendPhoto", "sendDocument", "getFile"} {
		if st.Requests[method] == 0 {
			t.Errorf("%s made no %s request", f.Library, method)
		}
	}
	if m == webhook && st.Requests["getUpdates"] != 0 {
		t.Errorf("%s called getUpdates %d times while its webhook was set", f.Library, st.Requests["getUpdates"])
	}
	if st.Errors != 0 {
		t.Errorf("%d of %s's requests were refused (stats %+v)", st.Errors, f.Library, st)
	}
}

// checkNoFailures fails the test for every step the bot reported failed.
func (f *fixture) checkNoFailures() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.failures {
		f.t.Errorf("the %s bot failed: %s", f.Library, s)
	}
	f.failures = nil
}

// pngOf returns a w×h PNG.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, G: 30, B: 90, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fetch GETs url, for the clients that give a file's URL but do not
// download it themselves.
func fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{resp.Status}
	}
	return io.ReadAll(resp.Body)
}

// statusError is a download's HTTP status other than 200.
type statusError struct{ status string }

func (e *statusError) Error() string { return "download: " + e.status }
