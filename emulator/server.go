package emulator

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
)

// handlerFunc serves one Bot API method. Its result is marshalled as the
// "result" of the answer.
type handlerFunc func(c *call) (any, *apiError)

// call is one Bot API request being served.
type call struct {
	ctx context.Context
	e   *Emulator
	b   *bot
	p   *params
	mi  *methodInfo // the method called
}

// takes reports whether the method called has the parameter name in the
// spec: a parameter it does not take is ignored, as Telegram does.
func (c *call) takes(name string) bool {
	return c.mi != nil && slices.ContainsFunc(c.mi.params, func(p paramInfo) bool { return p.name == name })
}

// Handler returns the emulator's HTTP handler: the Bot API under
// /bot<token>/<method>, downloads under /file/bot<token>/<path>, the
// control API under /control/, and an index at /.
func (e *Emulator) Handler() http.Handler { return e }

// ServeHTTP implements http.Handler; see Handler.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/bot"):
		e.serveAPI(w, r, path[len("/bot"):])
	case strings.HasPrefix(path, "/file/bot"):
		e.serveFile(w, r, path[len("/file/bot"):])
	case path == "/control" || strings.HasPrefix(path, "/control/"):
		e.serveControl(w, r)
	case path == "/" || strings.HasPrefix(path, pagePrefix):
		e.servePage(w, r) // the web chat page (page.go); plain text for non-browsers
	default:
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
	}
}

func (e *Emulator) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("Herald emulator: a fake Telegram Bot API server.\n\n" +
		"Bot API:     /bot<token>/<method>\n" +
		"Files:       /file/bot<token>/<file_path>\n" +
		"Control API: /control/ (see docs/EMULATOR.md)\n"))
}

// serveAPI serves "/bot<token>/<method>".
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	token, method := rest[:i], rest[i+1:]
	b, aerr := e.botFor(token)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	result, aerr := e.dispatch(r.Context(), b, method, func() (*params, *apiError) {
		return readParams(w, r, e.opts.MaxFileSize+1<<20)
	})
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeResult(w, result)
}

// dispatch runs one method for b. read supplies the parameters once the
// method is known. It counts the request in the bot's stats.
func (e *Emulator) dispatch(ctx context.Context, b *bot, method string, read func() (*params, *apiError)) (any, *apiError) {
	mi := e.methods.lookup(method)
	if mi == nil {
		b.stats.unknown.Add(1)
		b.stats.errors.Add(1)
		return nil, errMethodNotFound
	}
	b.stats.methods[mi.index].Add(1)
	result, aerr := e.run(ctx, b, mi, read)
	if aerr != nil {
		b.stats.errors.Add(1)
		if aerr.code == http.StatusTooManyRequests {
			b.stats.tooMany.Add(1)
		}
		if e.log.Enabled(ctx, slog.LevelDebug) {
			e.log.Debug("emulator request failed", "bot_id", b.id, "method", mi.name, "code", aerr.code, "description", aerr.desc)
		}
		return nil, aerr
	}
	if e.log.Enabled(ctx, slog.LevelDebug) {
		e.log.Debug("emulator request", "bot_id", b.id, "method", mi.name)
	}
	return result, nil
}

func (e *Emulator) run(ctx context.Context, b *bot, mi *methodInfo, read func() (*params, *apiError)) (any, *apiError) {
	p, aerr := read()
	if aerr != nil {
		return nil, aerr
	}
	if aerr := mi.validate(p); aerr != nil {
		return nil, aerr
	}
	if mi.handler == nil {
		return nil, notModelled(mi.name)
	}
	return mi.handler(&call{ctx: ctx, e: e, b: b, p: p, mi: mi})
}

func writeResult(w http.ResponseWriter, result any) {
	data, err := json.Marshal(result)
	if err != nil {
		writeError(w, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error: " + err.Error()})
		return
	}
	buf := make([]byte, 0, len(data)+len(`{"ok":true,"result":}`))
	buf = append(buf, `{"ok":true,"result":`...)
	buf = append(buf, data...)
	buf = append(buf, '}')
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(buf))}
	_, _ = w.Write(buf)
}

var jsonContentType = []string{"application/json"}

// errorBody is Telegram's error envelope.
type errorBody struct {
	OK          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *responseParams `json:"parameters,omitzero"`
}

type responseParams struct {
	RetryAfter int `json:"retry_after,omitzero"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := errorBody{ErrorCode: e.code, Description: e.desc}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	if e.retryAfter > 0 {
		body.Parameters = &responseParams{RetryAfter: e.retryAfter}
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	data, _ := json.Marshal(body)
	w.WriteHeader(e.code)
	_, _ = w.Write(data)
}
