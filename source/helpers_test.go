package source

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

const testToken = "123456:TEST-source_token"

var (
	ann = tg.User{ID: 1001, FirstName: "Ann"}
	bob = tg.User{ID: 1002, FirstName: "Bob"}
)

// apiCall is one Bot API request the test server saw.
type apiCall struct {
	method string
	params map[string]any
	at     time.Time // when it arrived: the bubble's time in a synctest bubble
	status int       // the HTTP status of its answer; 0 until answered (not on the calls channel)
}

func (c apiCall) int(name string) int64 {
	f, _ := c.params[name].(float64)
	return int64(f)
}

// fault is a canned answer replacing the emulator's.
type fault struct {
	status int
	body   string
}

// apiServer serves the Bot API on 127.0.0.1 (newAPIServer) or in
// process (newBubbleAPI): the emulator, wrapped to record every call and
// to inject faults.
type apiServer struct {
	url      string
	hc       *http.Client // nil: the default client, over the socket
	emu      *emulator.Emulator
	calls    chan apiCall  // every call, in arrival order
	patience time.Duration // how long nextCall waits (default 10 s)

	mu     sync.Mutex
	n      map[string]int                               // calls per method so far
	log    []apiCall                                    // every call, with its answer's status
	inject func(method string, n int, c apiCall) *fault // nil: pass through
}

func newAPI() *apiServer {
	return &apiServer{emu: emulator.New(emulator.Options{FirstUpdateID: 1}), calls: make(chan apiCall, 10000), n: map[string]int{}}
}

func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	s := newAPI()
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	s.url = srv.URL
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = s.emu.Close() })
	return s
}

// bubblePatience is how long the helpers of a bubble test wait: the
// bubble's time passes at once while everything waits, so a minute of
// back-off costs nothing, and a test that goes wrong still ends.
const bubblePatience = 10 * time.Minute

// newBubbleAPI is newAPIServer for a test in a testing/synctest bubble:
// its clients reach the emulator in process (a socket never blocks
// durably, so a bubble's time could not pass), calls record the bubble's
// time, and nextCall waits bubblePatience. Call it inside the bubble.
// Contexts given to the poller should have no deadline the test's time
// could pass: use t.Context().
func newBubbleAPI(t *testing.T) *apiServer {
	t.Helper()
	s := newAPI()
	s.url = "http://api.invalid"
	s.hc = &http.Client{Transport: handlerTransport{http.HandlerFunc(s.serve)}}
	s.patience = bubblePatience
	t.Cleanup(func() { _ = s.emu.Close() })
	return s
}

// handlerTransport is an http.RoundTripper that serves each request
// with h in the calling goroutine, without a connection. Like a real
// transport it does not send a request whose context is done, and fails
// one whose context ends while it is served.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err // a request whose caller gave up is not sent
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	sr := httptest.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), bytes.NewReader(body))
	sr.Header = r.Header.Clone()
	w := httptest.NewRecorder()
	ht.h.ServeHTTP(w, sr)
	if err := r.Context().Err(); err != nil {
		return nil, err // as a transport does when the caller gave up
	}
	return w.Result(), nil
}

func (s *apiServer) setInject(f func(method string, n int, c apiCall) *fault) {
	s.mu.Lock()
	s.inject = f
	s.mu.Unlock()
}

func (s *apiServer) serve(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	body, _ := io.ReadAll(r.Body)
	c := apiCall{method: method, params: map[string]any{}, at: time.Now()}
	_ = json.Unmarshal(body, &c.params)
	s.mu.Lock()
	n := s.n[method]
	s.n[method]++
	i := len(s.log)
	s.log = append(s.log, c)
	inject := s.inject
	s.mu.Unlock()
	select {
	case s.calls <- c:
	default:
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		s.mu.Lock()
		s.log[i].status = sw.status
		s.mu.Unlock()
	}()
	if inject != nil {
		if f := inject(method, n, c); f != nil {
			sw.Header().Set("Content-Type", "application/json")
			sw.WriteHeader(f.status)
			_, _ = io.WriteString(sw, f.body)
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.emu.ServeHTTP(sw, r)
}

// statusWriter remembers the status of the answer it writes.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// retryWaits returns, for each call of method answered with an error
// status and followed by another call of method, the time between the
// two: the poller's wait before retrying, exact in a synctest bubble.
func (s *apiServer) retryWaits(method string) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var waits []time.Duration
	var failed *apiCall
	for i := range s.log {
		c := &s.log[i]
		if c.method != method {
			continue
		}
		if failed != nil {
			waits = append(waits, c.at.Sub(failed.at))
		}
		failed = nil
		if c.status >= 300 {
			failed = c
		}
	}
	return waits
}

func (s *apiServer) wait() time.Duration { return cmp.Or(s.patience, 10*time.Second) }

// nextCall waits for the next call of method, skipping others.
func (s *apiServer) nextCall(t *testing.T, method string) apiCall {
	t.Helper()
	timeout := time.After(s.wait())
	for {
		select {
		case c := <-s.calls:
			if c.method == method {
				return c
			}
		case <-timeout:
			t.Fatalf("no %s call", method)
		}
	}
}

// waitOffset waits for a getUpdates call that asks from offset on.
func (s *apiServer) waitOffset(t *testing.T, offset int64) {
	t.Helper()
	for c := s.nextCall(t, "getUpdates"); c.int("offset") != offset; c = s.nextCall(t, "getUpdates") {
	}
}

// noCall fails if method is called within a short while.
func (s *apiServer) noCall(t *testing.T, method string) {
	t.Helper()
	timeout := time.After(60 * time.Millisecond)
	for {
		select {
		case c := <-s.calls:
			if c.method == method {
				t.Fatalf("unexpected %s call %v", method, c.params)
			}
		case <-timeout:
			return
		}
	}
}

func (s *apiServer) client(t *testing.T) *tg.Client {
	t.Helper()
	opts := []tg.Option{tg.WithBaseURL(s.url)}
	if s.hc != nil {
		opts = append(opts, tg.WithHTTPClient(s.hc))
	}
	c, err := tg.New(testToken, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *apiServer) say(t *testing.T, from tg.User, text string) int64 {
	t.Helper()
	sent, err := s.emu.SendMessage(context.Background(), emulator.UserMessage{Token: testToken, From: from, Text: text})
	if err != nil {
		t.Fatalf("SendMessage(%q): %v", text, err)
	}
	return sent.UpdateID
}

func (s *apiServer) pending(t *testing.T) int64 {
	t.Helper()
	st, err := s.emu.Stats(testToken)
	if err != nil {
		t.Fatal(err)
	}
	return st.UpdatesPending
}

// submitted is one update a recSink received.
type submitted struct {
	u   *tg.Update
	ack Ack
}

// recSink records submissions on a channel. onSubmit, if set, runs in
// Submit before the update is recorded and may block or fail.
type recSink struct {
	got      chan submitted
	onSubmit func(ctx context.Context, u *tg.Update, ack Ack) error
	full     bool          // TrySubmit answers ErrFull
	patience time.Duration // how long next waits (default 10 s)
}

func newRecSink() *recSink { return &recSink{got: make(chan submitted, 10000)} }

// newAckSink is a recSink that acknowledges each update as it takes it.
func newAckSink() *recSink {
	s := newRecSink()
	s.onSubmit = func(_ context.Context, _ *tg.Update, ack Ack) error { ack(nil, nil); return nil }
	return s
}

func (s *recSink) Submit(ctx context.Context, u *tg.Update, ack Ack) error {
	if s.onSubmit != nil {
		if err := s.onSubmit(ctx, u, ack); err != nil {
			return err
		}
	}
	s.got <- submitted{u, ack}
	return nil
}

func (s *recSink) TrySubmit(u *tg.Update, ack Ack) error {
	if s.full {
		return ErrFull
	}
	return s.Submit(context.Background(), u, ack)
}

// next waits for the next submission.
func (s *recSink) next(t *testing.T) submitted {
	t.Helper()
	select {
	case x := <-s.got:
		return x
	case <-time.After(cmp.Or(s.patience, 10*time.Second)):
		t.Fatal("no update submitted")
		return submitted{}
	}
}

// wantIDs waits for the updates ids, in this order.
func (s *recSink) wantIDs(t *testing.T, ids ...int64) {
	t.Helper()
	for _, want := range ids {
		if x := s.next(t); x.u.UpdateID != want {
			t.Fatalf("got %d, want %d", x.u.UpdateID, want)
		}
	}
}

func (s *recSink) none(t *testing.T) {
	t.Helper()
	select {
	case x := <-s.got:
		t.Fatalf("unexpected update %d submitted", x.u.UpdateID)
	case <-time.After(60 * time.Millisecond):
	}
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// runPoller starts p.Run in the background; the returned function
// cancels it and returns Run's result.
func runPoller(t *testing.T, p *Poller, sink Sink) (stop func() error) {
	t.Helper()
	return runPollerIn(t, testkit.Context(t), p, sink)
}

// runPollerIn is runPoller with Run's context derived from ctx: in a
// synctest bubble, t.Context(), which has no deadline.
func runPollerIn(t *testing.T, ctx context.Context, p *Poller, sink Sink) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx, sink) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// wantPanic fails the test unless f panics with a string containing want.
func wantPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if s, _ := r.(string); r == nil || !strings.Contains(s, want) {
			t.Fatalf("recover() = %v, want a panic with %q", r, want)
		}
	}()
	f()
}
