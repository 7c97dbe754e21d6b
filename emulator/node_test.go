package emulator

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald/tg"
)

// The Node clients are tested by running small bots (testdata/node/*.mjs)
// with node against an emulator on 127.0.0.1. Their packages are pinned
// in testdata/node/package-lock.json and installed with
//
//	npm ci --prefix emulator/testdata/node
//
// Without node or node_modules the tests skip, except under CI=true,
// where they fail.

const (
	nodeDir         = "testdata/node"
	nodeInstallHint = "to run the Node client tests, install Node.js 18 or later and run `npm ci --prefix emulator/testdata/node` from the repository root"
	nodeRunTimeout  = 60 * time.Second // hard limit for one node process
	nodeEventWait   = 20 * time.Second // for each step of a bot's conversation
)

// Each Node client runs the same conversation, by long polling and by
// webhook (the script serves the webhook on 127.0.0.1 and calls
// setWebhook itself): getMe, /start answered with an inline keyboard, the
// press answered (answerCallbackQuery) and the message edited, a photo and
// a document uploaded as multipart and downloaded back through getFile
// and the file URL.

// TestNodeGrammY drives grammY (npm grammy) with its defaults, except
// for the API root: bot.start() or webhookCallback(bot, "http"), JSON
// requests, multipart uploads from Buffers.
func TestNodeGrammY(t *testing.T) {
	testNodeBot(t, "grammy_bot.mjs", "grammy", "grammY")
}

// TestNodeTelegramBotAPI drives node-telegram-bot-api 2.x with its
// defaults, except for the API root: startPolling() or
// createWebhookServer(bot), form-encoded requests, a streamed multipart
// photo upload.
func TestNodeTelegramBotAPI(t *testing.T) {
	testNodeBot(t, "ntba_bot.mjs", "node-telegram-bot-api", "node-telegram-bot-api")
}

// TestNodeTelegraf drives Telegraf 4.x with its defaults, except for the
// API root: bot.launch() or bot.webhookCallback() (which answers some
// calls, answerCallbackQuery among them, in the webhook's HTTP response),
// JSON requests, multipart uploads from Buffers, getFileLink.
func TestNodeTelegraf(t *testing.T) {
	testNodeBot(t, "telegraf_bot.mjs", "telegraf", "Telegraf")
}

// nodeReport is the JSON line a bot script prints when it ends.
type nodeReport struct {
	Library   string `json:"library"`
	Mode      string `json:"mode"`
	Done      bool   `json:"done"`
	StoppedBy string `json:"stopped_by"`
	Error     string `json:"error"`
	StopError string `json:"stop_error"`
	Me        struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
		IsBot    bool   `json:"is_bot"`
	} `json:"me"`
	Start struct {
		From    int64 `json:"from"`
		Chat    int64 `json:"chat"`
		ReplyID int64 `json:"reply_id"`
	} `json:"start"`
	Edit struct {
		MessageID int64  `json:"message_id"`
		Text      string `json:"text"`
	} `json:"edit"`
	Photo struct {
		MessageID int64  `json:"message_id"`
		FileID    string `json:"file_id"`
		Width     int64  `json:"width"`
		Height    int64  `json:"height"`
		// DownloadedSame: getFile and /file/bot… gave back the upload.
		DownloadedSame bool `json:"downloaded_same"`
	} `json:"photo"`
	Document struct {
		MessageID      int64  `json:"message_id"`
		FileID         string `json:"file_id"`
		DownloadedSame bool   `json:"downloaded_same"`
	} `json:"document"`
}

// needNode returns the path of node, or skips the test (fails under
// CI=true) when node or the pinned packages are missing.
func needNode(t *testing.T) string {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		testkit.Missing(t, nodeInstallHint, format, args...)
	}
	if runtime.GOOS == "windows" {
		t.Skip("the Node client tests stop the bots with SIGTERM, which Windows lacks")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	data, err := os.ReadFile(filepath.Join(nodeDir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatalf("%s/package.json: %v", nodeDir, err)
	}
	for name, want := range pkg.Dependencies {
		var installed struct {
			Version string `json:"version"`
		}
		data, err := os.ReadFile(filepath.Join(nodeDir, "node_modules", name, "package.json"))
		if err != nil {
			missing("emulator/%s/node_modules/%s is absent", nodeDir, name)
		}
		if err := json.Unmarshal(data, &installed); err != nil || installed.Version != want {
			missing("emulator/%s/node_modules/%s is version %q, package.json pins %q", nodeDir, name, installed.Version, want)
		}
	}
	return node
}

// testNodeBot runs script by long polling and by webhook; display is the
// library's name in the captions.
func testNodeBot(t *testing.T, script, library, display string) {
	node := needNode(t)
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) { runNodeBot(t, node, script, library, display, mode) })
	}
}

func runNodeBot(t *testing.T, node, script, library, display, mode string) {
	// Telegram's limits and a real clock: the clients' defaults against
	// the emulator's.
	e, url := startEmu(t, Options{})
	events, unsubscribe, err := e.Subscribe(testToken, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer unsubscribe()

	dir := t.TempDir()
	photoPath, docPath := filepath.Join(dir, "pic.png"), filepath.Join(dir, "notes.txt")
	doc := []byte("notes uploaded by " + library + "\n")
	if err := os.WriteFile(photoPath, testPNG(t, 12, 7), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(docPath, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	photoCaption, docCaption := "a photo from "+display, "a document from "+display

	ctx, cancel := context.WithTimeout(context.Background(), nodeRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(),
		"HERALD_API_ROOT="+url,
		"HERALD_TOKEN="+testToken,
		"HERALD_MODE="+mode,
		"HERALD_PHOTO="+photoPath,
		"HERALD_DOC="+docPath,
		"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	finished := false
	defer func() { // on failure: stop node and show what it printed
		if !finished {
			_ = cmd.Process.Kill()
			<-exited
			t.Logf("%s ended: %v\nstdout:\n%s\nstderr:\n%s", script, waitErr, stdout.String(), stderr.String())
		}
	}()
	// The bot is ready once it has made its first getUpdates, or has set
	// its webhook (its server listens before it calls setWebhook).
	first := "getUpdates"
	if mode == "webhook" {
		first = "setWebhook"
	}
	waitNode(t, exited, "the bot's first "+first, func() bool {
		st, err := e.Stats(testToken)
		return err == nil && st.Requests[first] > 0
	})

	// next waits for the next event of type typ in ann's chat.
	next := func(typ string) Entry {
		t.Helper()
		timer := time.NewTimer(nodeEventWait)
		defer timer.Stop()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("event subscription dropped")
				}
				if ev.Type == typ && ev.Message != nil {
					return *ev.Message
				}
			case <-exited:
				t.Fatalf("%s exited while the test waited for a %q event", script, typ)
			case <-timer.C:
				t.Fatalf("no %q event from %s within %v", typ, script, nodeEventWait)
			}
		}
	}

	start := say(t, e, "/start")
	if got := next("sent"); got.Sender != "user" || got.MessageID != start.MessageID {
		t.Fatalf("first event = %+v, want ann's /start", got)
	}
	reply := next("sent")
	if reply.Sender != "bot" || reply.Text != "Hello, Ann!" {
		t.Fatalf("reply to /start = %+v", reply)
	}
	var kb tg.InlineKeyboardMarkup
	if err := json.Unmarshal(reply.ReplyMarkup, &kb); err != nil {
		t.Fatalf("reply_markup %s: %v", reply.ReplyMarkup, err)
	}
	if len(kb.InlineKeyboard) != 1 || len(kb.InlineKeyboard[0]) != 1 ||
		kb.InlineKeyboard[0][0].Text != "Press me" || kb.InlineKeyboard[0][0].CallbackData != "pressed" {
		t.Fatalf("reply keyboard = %s", reply.ReplyMarkup)
	}

	pressed, err := e.PressButton(ctx, ButtonPress{Token: testToken, From: ann, ChatID: ann.ID, MessageID: reply.MessageID, Data: "pressed"})
	if err != nil {
		t.Fatalf("PressButton: %v", err)
	}
	edited := next("edited")
	if edited.MessageID != reply.MessageID || edited.Text != "You pressed the button." || edited.EditDate == 0 || len(edited.ReplyMarkup) != 0 {
		t.Fatalf("edited message = %+v", edited)
	}
	photo := next("sent")
	if photo.Sender != "bot" || photo.Caption != photoCaption || len(photo.Photo) != 1 ||
		photo.Photo[0].Width != 12 || photo.Photo[0].Height != 7 {
		t.Fatalf("photo message = %+v", photo)
	}
	document := next("sent")
	if document.Sender != "bot" || document.Caption != docCaption || document.Document == nil ||
		document.Document.FileName != "notes.txt" || document.Document.FileSize != int64(len(doc)) {
		t.Fatalf("document message = %+v", document)
	}

	// Both updates are confirmed (by the next poll, or by the webhook's
	// 2xx, which Telegraf may send before its handler ends) and both files
	// asked for; then the bot is told to stop, in the middle of a long
	// poll or of its last download, which it finishes first.
	waitNode(t, exited, "the bot to confirm both updates and ask for both files", func() bool {
		st, err := e.Stats(testToken)
		return err == nil && st.UpdatesConfirmed == 2 && st.UpdatesPending == 0 && st.Requests["getFile"] >= 2
	})
	// The callback was answered (Telegraf answers it in the webhook's
	// HTTP response, which the emulator executes).
	waitNode(t, exited, "the callback answer", func() bool {
		_, ok := e.CallbackAnswer(testToken, pressed.CallbackQueryID)
		return ok
	})
	// Every request of the conversation succeeded. (Checked before the
	// stop: a client that aborts its long poll and polls again at once may
	// have the emulator end the abandoned poll with a 409 that nobody reads.)
	st, err := e.Stats(testToken)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s by %s: requests %v, errors %d", library, mode, st.Requests, st.Errors)
	for _, m := range []string{"getMe", first, "sendMessage", "editMessageText", "sendPhoto", "sendDocument", "getFile"} {
		if st.Requests[m] == 0 {
			t.Errorf("%s made no %s request", library, m)
		}
	}
	if mode == "webhook" && st.Requests["getUpdates"] != 0 {
		t.Errorf("%s called getUpdates %d times while its webhook was set", library, st.Requests["getUpdates"])
	}
	if st.Errors != 0 {
		t.Errorf("%s: %d requests failed (stats %+v)", library, st.Errors, st)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-exited:
	case <-ctx.Done():
		t.Fatalf("%s did not exit on SIGTERM", script)
	}
	finished = true
	if waitErr != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", script, waitErr, stdout.String(), stderr.String())
	}
	if s := stderr.String(); s != "" {
		t.Logf("%s stderr:\n%s", script, s)
	}

	// The script's own account of the conversation.
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var rep nodeReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("%s output %q: %v", script, stdout.String(), err)
	}
	if rep.Library != library || rep.Mode != mode || !rep.Done || rep.StoppedBy != "SIGTERM" || rep.Error != "" || rep.StopError != "" {
		t.Fatalf("%s report = %+v", script, rep)
	}
	if rep.Me.ID != 123456 || !rep.Me.IsBot || rep.Me.Username == "" {
		t.Fatalf("getMe seen by %s = %+v", library, rep.Me)
	}
	if rep.Start.From != ann.ID || rep.Start.Chat != ann.ID || rep.Start.ReplyID != reply.MessageID {
		t.Fatalf("/start seen by %s = %+v", library, rep.Start)
	}
	if rep.Edit.MessageID != reply.MessageID || rep.Edit.Text != edited.Text {
		t.Fatalf("edit seen by %s = %+v", library, rep.Edit)
	}
	if rep.Photo.MessageID != photo.MessageID || rep.Photo.FileID != photo.Photo[0].FileID || rep.Photo.Width != 12 || rep.Photo.Height != 7 || !rep.Photo.DownloadedSame {
		t.Fatalf("photo seen by %s = %+v", library, rep.Photo)
	}
	if rep.Document.MessageID != document.MessageID || rep.Document.FileID != document.Document.FileID || !rep.Document.DownloadedSame {
		t.Fatalf("document seen by %s = %+v", library, rep.Document)
	}

	// The emulator's account.
	if ans, ok := e.CallbackAnswer(testToken, pressed.CallbackQueryID); !ok || ans.Text != "Pressed!" {
		t.Fatalf("callback answer = %+v, %v", ans, ok)
	}
	tr, err := e.Transcript(testToken, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 4 || tr[0].Text != "/start" || tr[1].Text != edited.Text || len(tr[1].ReplyMarkup) != 0 ||
		tr[2].Caption != photoCaption || len(tr[2].Photo) != 1 || tr[2].Photo[0].FileID != rep.Photo.FileID ||
		tr[3].Caption != docCaption || tr[3].Document == nil || tr[3].Document.FileID != rep.Document.FileID {
		t.Fatalf("transcript = %+v", tr)
	}
}

// waitNode polls cond every 10 ms until it holds; it fails the test after
// nodeEventWait or when the process has exited.
func waitNode(t *testing.T, exited <-chan struct{}, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(nodeEventWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", nodeEventWait, what)
		}
		select {
		case <-exited:
			if cond() {
				return
			}
			t.Fatalf("the node process exited while waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
