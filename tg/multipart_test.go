package tg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/go-json-experiment/json"
)

type sendPhotoTest struct {
	ChatID              ChatID        `json:"chat_id"`
	Photo               InputFile     `json:"photo"`
	Thumbnail           InputFile     `json:"thumbnail,omitzero"`
	Caption             string        `json:"caption,omitzero"`
	ReplyMarkup         *keyboardTest `json:"reply_markup,omitzero"`
	DisableNotification bool          `json:"disable_notification,omitzero"`
	Nothing             *int          `json:"nothing"`
}

type mediaTest struct {
	Type    string    `json:"type"`
	Media   InputFile `json:"media"`
	Caption string    `json:"caption,omitzero"`
}

type sendMediaGroupTest struct {
	ChatID ChatID      `json:"chat_id"`
	Media  []mediaTest `json:"media"`
}

// readPart reads one uploaded file from a parsed multipart form.
func readPart(t *testing.T, r *http.Request, part string) (filename, contentType string, data []byte) {
	t.Helper()
	fhs := r.MultipartForm.File[part]
	if len(fhs) != 1 {
		t.Fatalf("want exactly one file part %q, have %v", part, r.MultipartForm.File)
	}
	f, err := fhs[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err = io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return fhs[0].Filename, fhs[0].Header.Get("Content-Type"), data
}

func TestUploadTopLevel(t *testing.T) {
	photo := bytes.Repeat([]byte("JPEG\x00\xff"), 1000)
	thumb := []byte("tiny thumbnail")
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if want := "/bot" + testToken + "/sendPhoto"; r.URL.Path != want {
			t.Errorf("path = %q", r.URL.Path)
		}
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "multipart/form-data" {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		v := r.MultipartForm.Value
		if got := v["chat_id"]; len(got) != 1 || got[0] != "-100123" {
			t.Errorf("chat_id = %q", got)
		}
		if got := v["caption"]; len(got) != 1 || got[0] != `a "quoted" caption` {
			t.Errorf("caption = %q (strings must be unquoted)", got)
		}
		if got := v["disable_notification"]; len(got) != 1 || got[0] != "true" {
			t.Errorf("disable_notification = %q", got)
		}
		var kb keyboardTest
		if err := json.Unmarshal([]byte(v["reply_markup"][0]), &kb); err != nil || kb.InlineKeyboard[0][0].CallbackData != "cb" {
			t.Errorf("reply_markup = %q (%v)", v["reply_markup"], err)
		}
		for _, absent := range []string{"photo", "thumbnail", "nothing"} {
			if _, ok := v[absent]; ok {
				t.Errorf("field %q must not be sent as text: %q", absent, v[absent])
			}
		}
		name, ct, data := readPart(t, r, "photo")
		if name != "cat.jpg" || ct != "image/jpeg" || !bytes.Equal(data, photo) {
			t.Errorf("photo part: name %q type %q, %d bytes", name, ct, len(data))
		}
		name, ct, data = readPart(t, r, "thumbnail")
		if name != `we"ird\name` || ct != "application/octet-stream" || !bytes.Equal(data, thumb) {
			t.Errorf("thumbnail part: name %q type %q, data %q", name, ct, data)
		}
		if len(r.MultipartForm.File) != 2 {
			t.Errorf("file parts = %v", r.MultipartForm.File)
		}
		writeJSON(w, 200, `{"ok":true,"result":{"message_id":9}}`)
	})
	var m messageTest
	err := c.Call(context.Background(), "sendPhoto", &sendPhotoTest{
		ChatID:              ID(-100123),
		Photo:               FileUpload("cat.jpg", bytes.NewReader(photo)),
		Thumbnail:           FileUpload(`we"ird\name`, iotest.HalfReader(bytes.NewReader(thumb))),
		Caption:             `a "quoted" caption`,
		ReplyMarkup:         &keyboardTest{InlineKeyboard: [][]buttonTest{{{Text: "b", CallbackData: "cb"}}}},
		DisableNotification: true,
	}, &m)
	if err != nil || m.MessageID != 9 {
		t.Fatalf("Call = %v, %+v", err, m)
	}
}

func TestUploadNestedMediaGroup(t *testing.T) {
	a, b := []byte("first photo bytes"), []byte("video bytes")
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		if got := r.MultipartForm.Value["chat_id"]; len(got) != 1 || got[0] != "@channel" {
			t.Errorf("chat_id = %q", got)
		}
		var media []mediaTest
		raw := r.MultipartForm.Value["media"]
		if len(raw) != 1 {
			t.Fatalf("media field = %q", raw)
		}
		var plain []struct {
			Type, Media, Caption string
		}
		if err := json.Unmarshal([]byte(raw[0]), &plain, json.MatchCaseInsensitiveNames(true)); err != nil {
			t.Fatalf("media JSON %q: %v", raw[0], err)
		}
		if err := json.Unmarshal([]byte(raw[0]), &media); err != nil || len(media) != 3 {
			t.Fatalf("media %q: %v", raw[0], err)
		}
		wantFiles := map[int][]byte{0: a, 2: b}
		wantNames := map[int]string{0: "a.png", 2: "b.mp4"}
		for i, m := range plain {
			want, isUpload := wantFiles[i]
			if !isUpload {
				if m.Media != "AgACAgIAAxkBAAIBfileid" || m.Type != "photo" {
					t.Errorf("media[%d] = %+v, want the file_id kept", i, m)
				}
				continue
			}
			part, ok := strings.CutPrefix(m.Media, "attach://")
			if !ok {
				t.Fatalf("media[%d].media = %q, want attach://", i, m.Media)
			}
			name, _, data := readPart(t, r, part)
			if name != wantNames[i] || !bytes.Equal(data, want) {
				t.Errorf("part %q: name %q data %q", part, name, data)
			}
		}
		if plain[2].Caption != "video" {
			t.Errorf("caption lost: %+v", plain[2])
		}
		if len(r.MultipartForm.File) != 2 {
			t.Errorf("file parts = %v", r.MultipartForm.File)
		}
		writeJSON(w, 200, `{"ok":true,"result":[{"message_id":1},{"message_id":2},{"message_id":3}]}`)
	})
	var msgs []messageTest
	err := c.Call(context.Background(), "sendMediaGroup", &sendMediaGroupTest{
		ChatID: Username("@channel"),
		Media: []mediaTest{
			{Type: "photo", Media: FileUpload("a.png", bytes.NewReader(a))},
			{Type: "photo", Media: FileID("AgACAgIAAxkBAAIBfileid")},
			{Type: "video", Media: FileUpload("b.mp4", strings.NewReader(string(b))), Caption: "video"},
		},
	}, &msgs)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("Call = %v, %+v", err, msgs)
	}
}

func TestEncodeParamsPartNames(t *testing.T) {
	ep, err := encodeParams(&struct {
		Photo InputFile   `json:"photo"`
		Media []mediaTest `json:"media"`
		Also  InputFile   `json:"also"`
	}{
		Photo: FileUpload("p.jpg", strings.NewReader("p")),
		Media: []mediaTest{{Media: FileUpload("x", strings.NewReader("x"))}, {Media: FileUpload("y", strings.NewReader("y"))}},
		Also:  FileURL("https://example.com/a.jpg"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"photo":"attach://photo","media":[{"type":"","media":"attach://upload1"},{"type":"","media":"attach://upload2"}],"also":"https://example.com/a.jpg"}`
	if string(ep.body) != want {
		t.Errorf("body = %s\nwant   %s", ep.body, want)
	}
	var got []string
	for _, f := range ep.files {
		got = append(got, fmt.Sprintf("%s/%v/%s", f.part, f.topLevel, f.up.name))
	}
	if fmt.Sprint(got) != "[photo/true/p.jpg upload1/false/x upload2/false/y]" {
		t.Errorf("files = %v", got)
	}
}

// patternReader produces n bytes of a known pattern on the fly. When half
// of it has been produced it waits until the server reports that it has
// already received data: that can only happen if the body is streamed.
type patternReader struct {
	n, off   int64
	gate     <-chan struct{}
	gateUsed bool
}

func patternByte(i int64) byte { return byte(i*7 + i>>13) }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if !p.gateUsed && p.off >= p.n/2 {
		p.gateUsed = true
		select {
		case <-p.gate:
		case <-time.After(20 * time.Second):
			return 0, errors.New("server received nothing while the reader was half done: upload is not streamed")
		}
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = patternByte(p.off + int64(i))
	}
	p.off += int64(len(b))
	return len(b), nil
}

func TestUploadLargeIsStreamed(t *testing.T) {
	const size = 32 << 20
	gate := make(chan struct{})
	var once sync.Once
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if part.FormName() != "document" {
				_, _ = io.Copy(io.Discard, part)
				continue
			}
			buf := make([]byte, 64<<10)
			for {
				n, err := part.Read(buf)
				for i := range n {
					if buf[i] != patternByte(got+int64(i)) {
						t.Errorf("byte %d differs", got+int64(i))
						return
					}
				}
				got += int64(n)
				if got >= 1<<20 {
					once.Do(func() { close(gate) })
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if got != size {
			t.Errorf("received %d bytes, want %d", got, size)
		}
		writeJSON(w, 200, `{"ok":true,"result":{"message_id":1}}`)
	})
	type sendDocumentTest struct {
		ChatID   ChatID    `json:"chat_id"`
		Document InputFile `json:"document"`
	}
	err := c.Call(context.Background(), "sendDocument", &sendDocumentTest{
		ChatID:   ID(1),
		Document: FileUpload("big.bin", &patternReader{n: size, gate: gate}),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

// failingReader yields some bytes and then fails.
type failingReader struct {
	left int
	err  error
}

func (f *failingReader) Read(b []byte) (int, error) {
	if f.left <= 0 {
		return 0, f.err
	}
	n := min(len(b), f.left)
	clear(b[:n])
	f.left -= n
	return n, nil
}

// writerGoroutines counts goroutines running the multipart writer.
func writerGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "tg.streamForm.func")
}

// waitNoWriterGoroutines fails unless every multipart writer goroutine
// ends within a few seconds.
func waitNoWriterGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for n := writerGoroutines(); n != 0; n = writerGoroutines() {
		if time.Now().After(deadline) {
			t.Fatalf("%d multipart writer goroutines leaked", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestUploadReaderFailsMidway(t *testing.T) {
	errDisk := errors.New("disk on fire")
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, 200, `{"ok":true,"result":true}`)
	})
	err := c.Call(context.Background(), "sendDocument", &sendPhotoTest{
		ChatID: ID(1),
		Photo:  FileUpload("broken.bin", &failingReader{left: 1 << 20, err: errDisk}),
	}, nil)
	assertNoToken(t, err)
	if !errors.Is(err, errDisk) {
		t.Fatalf("err = %v, want it to wrap the reader's error", err)
	}
	if !strings.HasPrefix(err.Error(), `tg: sendDocument: upload "broken.bin": disk on fire`) {
		t.Errorf("err = %q", err)
	}
	waitNoWriterGoroutines(t)
}

// blockingReader returns one chunk, then blocks until released.
type blockingReader struct {
	first   bool
	release chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if !b.first {
		b.first = true
		return copy(p, "start"), nil
	}
	<-b.release
	return 0, errors.New("released")
}

func TestUploadCancelWithBlockedReader(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	})
	br := &blockingReader{release: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := c.Call(ctx, "sendDocument", &sendPhotoTest{ChatID: ID(1), Photo: FileUpload("slow", br)}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	assertNoToken(t, err)
	close(br.release) // the writer goroutine must now end
	waitNoWriterGoroutines(t)
}

// retryOnce is a test middleware that repeats a call once after a 429.
func retryOnce(next Caller) Caller {
	return CallerFunc(func(ctx context.Context, m string, p, r any) error {
		err := next.Call(ctx, m, p, r)
		if _, ok := IsTooManyRequests(err); ok {
			err = next.Call(ctx, m, p, r)
		}
		return err
	})
}

func TestUploadRetryRewindsSeeker(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Error(err)
			return
		}
		_, _, data := readPart(t, r, "photo")
		mu.Lock()
		bodies = append(bodies, string(data))
		first := len(bodies) == 1
		mu.Unlock()
		if first {
			writeJSON(w, 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 0","parameters":{"retry_after":0}}`)
			return
		}
		writeJSON(w, 200, `{"ok":true,"result":true}`)
	}, WithMiddleware(retryOnce))

	r := strings.NewReader("xxHEADERpayload")
	_, _ = r.Seek(8, io.SeekStart) // the upload starts where the reader is
	err := c.Call(context.Background(), "sendPhoto", &sendPhotoTest{ChatID: ID(1), Photo: FileUpload("p.jpg", r)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(bodies) != "[payload payload]" {
		t.Errorf("bodies = %q, want the same content twice", bodies)
	}
}

func TestUploadRetryRefusesConsumedReader(t *testing.T) {
	var complete atomic.Int32
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err == nil {
			complete.Add(1)
		}
		writeJSON(w, 429, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`)
	}, WithMiddleware(retryOnce))
	err := c.Call(context.Background(), "sendPhoto", &sendPhotoTest{
		ChatID: ID(1),
		Photo:  FileUpload("p.jpg", io.MultiReader(strings.NewReader("once"))),
	}, nil)
	if !errors.Is(err, errUploadConsumed) || !strings.Contains(err.Error(), `upload "p.jpg"`) {
		t.Fatalf("err = %v, want the consumed-reader error", err)
	}
	if n := complete.Load(); n != 1 {
		t.Errorf("server saw %d complete requests, want 1", n)
	}
}

func TestUploadMarshalledOutsideClient(t *testing.T) {
	_, err := json.Marshal(&sendPhotoTest{ChatID: ID(1), Photo: FileUpload("x.jpg", strings.NewReader("x"))})
	if err == nil || !strings.Contains(err.Error(), `tg: InputFile upload "x.jpg" can only be sent through Client.Call`) {
		t.Errorf("err = %v", err)
	}
}

// TestUploadFileNames sends names with quotes, backslashes, unicode and
// line breaks: each arrives as one intact part and no header is injected.
func TestUploadFileNames(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{`say "hi".txt`, `say "hi".txt`},
		{`back\slash.txt`, `back\slash.txt`},
		{"отчёт 📄.pdf", "отчёт 📄.pdf"},
		{"a\r\nContent-Type: text-evil\r\n\r\nb.txt", "a%0D%0AContent-Type: text-evil%0D%0A%0D%0Ab.txt"},
		{"tab\there\x00\x1b\x7f.txt", "tab\there%00%1B%7F.txt"},
	} {
		c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				t.Errorf("%q: %v", tc.name, err)
				writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"bad form"}`)
				return
			}
			name, ct, data := readPart(t, r, "document")
			if name != tc.want || string(data) != "content" || strings.Contains(ct, "evil") {
				t.Errorf("%q: got name %q type %q data %q; want name %q", tc.name, name, ct, data, tc.want)
			}
			if v := r.MultipartForm.Value["chat_id"]; len(v) != 1 || v[0] != "5" {
				t.Errorf("%q: chat_id = %q", tc.name, v)
			}
			writeJSON(w, 200, `{"ok":true,"result":true}`)
		})
		err := c.Call(context.Background(), "sendDocument", map[string]any{
			"chat_id":  ID(5),
			"document": FileUpload(tc.name, strings.NewReader("content")),
		}, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.name, err)
		}
	}
}

// TestUploadSameReaderTwice uses one upload in two media of a group: it is
// sent once and referenced twice, so a one-shot reader works.
func TestUploadSameReaderTwice(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Error(err)
			return
		}
		var media []struct {
			Media string `json:"media"`
		}
		if err := json.Unmarshal([]byte(r.MultipartForm.Value["media"][0]), &media); err != nil {
			t.Error(err)
		}
		if len(media) != 2 || media[0].Media != media[1].Media || !strings.HasPrefix(media[0].Media, "attach://") {
			t.Errorf("media = %+v", media)
		}
		if len(r.MultipartForm.File) != 1 {
			t.Errorf("file parts = %v", r.MultipartForm.File)
		}
		_, _, data := readPart(t, r, strings.TrimPrefix(media[0].Media, "attach://"))
		if string(data) != "once" {
			t.Errorf("data = %q", data)
		}
		writeJSON(w, 200, `{"ok":true,"result":[]}`)
	})
	up := FileUpload("p.jpg", io.MultiReader(strings.NewReader("once")))
	err := c.Call(context.Background(), "sendMediaGroup", &sendMediaGroupTest{
		ChatID: ID(1),
		Media:  []mediaTest{{Type: "photo", Media: up}, {Type: "photo", Media: up}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

// TestUploadRejectedEarly has the server answer 413 without reading a
// large upload, as Telegram does for files over its limit: the caller gets
// the *Error, not a broken-pipe network error, and the writer ends.
func TestUploadRejectedEarly(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		writeJSON(w, http.StatusRequestEntityTooLarge, `{"ok":false,"error_code":413,"description":"Request Entity Too Large"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := c.Call(ctx, "sendDocument", map[string]any{
		"chat_id":  ID(1),
		"document": FileUpload("big.bin", io.LimitReader(zeros{}, 16<<20)),
	}, nil)
	assertNoToken(t, err)
	if !IsCode(err, http.StatusRequestEntityTooLarge) {
		t.Fatalf("err = %v (%T), want a 413 *Error", err, err)
	}
	waitNoWriterGoroutines(t)
}

// TestUploadCancelReportsContext cancels an upload whose reader blocks
// while the transport is reading the body: the error must say why (the
// context), not "read/write on closed pipe".
func TestUploadCancelReportsContext(t *testing.T) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"ok":true,"result":true}`)
	}, WithHTTPClient(&http.Client{Transport: bufferingTransport{tr}}))
	br := &blockingReader{release: make(chan struct{})}
	defer close(br.release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.Call(ctx, "sendDocument", &sendPhotoTest{ChatID: ID(1), Photo: FileUpload("slow", br)}, nil)
	assertNoToken(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if ne, ok := errors.AsType[*NetworkError](err); !ok || !ne.Timeout() {
		t.Errorf("err = %v (%T), want a timed-out *NetworkError", err, err)
	}
}
