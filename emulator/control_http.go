package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
)

// controlMux routes /control/. It is built once per process: handlers
// take the emulator from the request's context-free closure below.
func (e *Emulator) controlMux() *http.ServeMux {
	e.muxOnce.Do(func() {
		m := http.NewServeMux()
		m.HandleFunc("GET /control/bots", e.httpBots)
		m.HandleFunc("POST /control/bots", e.httpAddBot)
		m.HandleFunc("GET /control/users", e.httpUsers)
		m.HandleFunc("POST /control/users/{id}/block", e.httpBlock(true))
		m.HandleFunc("POST /control/users/{id}/unblock", e.httpBlock(false))
		m.HandleFunc("GET /control/users/{id}/blocked", e.httpBlocked)
		m.HandleFunc("POST /control/messages", controlCall(e.SendMessage))
		m.HandleFunc("POST /control/albums", controlCall(e.SendAlbum))
		m.HandleFunc("POST /control/callbacks", controlCall(e.PressButton))
		m.HandleFunc("GET /control/callbacks/{id}", lookupAnswer("callback query", e.CallbackAnswer))
		m.HandleFunc("POST /control/inline", controlCall(e.SendInlineQuery))
		m.HandleFunc("GET /control/inline/{id}", lookupAnswer("inline query", e.InlineAnswer))
		m.HandleFunc("POST /control/inline/choose", controlCall(e.ChooseInlineResult))
		m.HandleFunc("POST /control/payments", controlCall(e.PayInvoice))
		m.HandleFunc("GET /control/payments/{id}", lookupAnswer("pre-checkout query", e.Payment))
		m.HandleFunc("POST /control/reactions", controlCall(e.React))
		m.HandleFunc("POST /control/members/add", controlCall(e.AddMember))
		m.HandleFunc("POST /control/members/remove", controlCall(e.RemoveMember))
		m.HandleFunc("GET /control/chats", e.httpChats)
		m.HandleFunc("GET /control/chats/{chat_id}/messages", e.httpTranscript)
		m.HandleFunc("GET /control/stats", e.httpStats)
		m.HandleFunc("GET /control/limits", e.httpGetLimits)
		m.HandleFunc("PUT /control/limits", e.httpSetLimits)
		m.HandleFunc("GET /control/events", e.httpEvents)
		m.HandleFunc("POST /control/business", controlCall(e.ConnectBusiness))
		m.HandleFunc("POST /control/business/{id}/disconnect", e.httpDisconnectBusiness)
		m.HandleFunc("POST /control/business/messages", controlCall(e.SendBusinessMessage))
		m.HandleFunc("GET /control/business/{id}/chats/{chat_id}/messages", e.httpBusinessTranscript)
		m.HandleFunc("/control/", func(w http.ResponseWriter, r *http.Request) {
			writeControlError(w, &Error{Code: http.StatusNotFound, Description: "no control endpoint " + r.Method + " " + r.URL.Path})
		})
		e.mux = m
	})
	return e.mux
}

func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	e.controlMux().ServeHTTP(w, r)
}

type muxState struct {
	muxOnce sync.Once
	mux     *http.ServeMux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"code":500,"error":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

func writeControlError(w http.ResponseWriter, err error) {
	ce, ok := errors.AsType[*Error](err)
	if !ok {
		ce = &Error{Code: http.StatusBadRequest, Description: err.Error()}
	}
	writeJSON(w, ce.Code, ce)
}

// writeAnswer writes v, or err when it is not nil.
func writeAnswer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		writeControlError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// readBody decodes a JSON request body of at most 32 MiB into v.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		writeControlError(w, controlErrorf("invalid JSON body: %v", err))
		return false
	}
	return true
}

func pathInt(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		writeControlError(w, controlErrorf("%s must be an integer", name))
		return 0, false
	}
	return n, true
}

func (e *Emulator) httpBots(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Bots())
}

func (e *Emulator) httpAddBot(w http.ResponseWriter, r *http.Request) {
	var in BotSpec
	if !readBody(w, r, &in) {
		return
	}
	info, err := e.RegisterBot(in)
	writeAnswer(w, info, err)
}

func (e *Emulator) httpUsers(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Users())
}

func (e *Emulator) httpBlock(blocked bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathInt(w, r, "id")
		if !ok {
			return
		}
		token := r.URL.Query().Get("token")
		if r.ContentLength > 0 {
			var in struct {
				Token string `json:"token"`
			}
			if !readBody(w, r, &in) {
				return
			}
			if in.Token != "" {
				token = in.Token
			}
		}
		if err := e.setBlocked(id, token, blocked); err != nil {
			writeControlError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"user_id": id, "blocked": blocked})
	}
}

func (e *Emulator) httpBlocked(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "id")
	if !ok {
		return
	}
	blocked, err := e.Blocked(id, r.URL.Query().Get("token"))
	writeAnswer(w, map[string]any{"user_id": id, "blocked": blocked}, err)
}

// controlCall serves a control method that takes a JSON body.
func controlCall[In, Out any](f func(context.Context, In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if !readBody(w, r, &in) {
			return
		}
		out, err := f(r.Context(), in)
		writeAnswer(w, out, err)
	}
}

// lookupAnswer serves GET of a bot's answer to a user's query by id:
// a callback query's or an inline query's.
func lookupAnswer[T any](what string, find func(token, id string) (T, bool)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ans, ok := find(r.URL.Query().Get("token"), r.PathValue("id"))
		if !ok {
			writeControlError(w, &Error{Code: http.StatusNotFound, Description: "no answer to that " + what + " (yet)"})
			return
		}
		writeJSON(w, http.StatusOK, ans)
	}
}

func (e *Emulator) httpChats(w http.ResponseWriter, r *http.Request) {
	chats, err := e.Chats(r.URL.Query().Get("token"))
	writeAnswer(w, chats, err)
}

func (e *Emulator) httpTranscript(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "chat_id")
	if !ok {
		return
	}
	msgs, err := e.Transcript(r.URL.Query().Get("token"), id)
	writeAnswer(w, msgs, err)
}

func (e *Emulator) httpStats(w http.ResponseWriter, r *http.Request) {
	s, err := e.Stats(r.URL.Query().Get("token"))
	writeAnswer(w, s, err)
}

type limitsBody struct {
	// Limits is "telegram", "off" or a custom list (see ParseLimits).
	Limits string `json:"limits"`
}

func (e *Emulator) httpGetLimits(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, limitsBody{Limits: e.Limits().String()})
}

func (e *Emulator) httpSetLimits(w http.ResponseWriter, r *http.Request) {
	var in limitsBody
	if !readBody(w, r, &in) {
		return
	}
	l, err := ParseLimits(in.Limits)
	if err != nil {
		writeControlError(w, controlErrorf("%v", err))
		return
	}
	e.SetLimits(l)
	writeJSON(w, http.StatusOK, limitsBody{Limits: l.String()})
}

// httpEvents streams a bot's events as Server-Sent Events: one "data:"
// line of JSON (an Event) per event, and a comment every 15 s.
func (e *Emulator) httpEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var chatID int64
	if s := q.Get("chat_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			writeControlError(w, controlErrorf("chat_id must be an integer"))
			return
		}
		chatID = n
	}
	events, cancel, err := e.Subscribe(q.Get("token"), chatID)
	if err != nil {
		writeControlError(w, err)
		return
	}
	defer cancel()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, ": connected\n\n")
	if rc.Flush() != nil {
		return
	}
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-e.closed:
			return
		case <-keepAlive.C:
			_, _ = io.WriteString(w, ": keep-alive\n\n")
		case ev, ok := <-events:
			if !ok {
				return // fell behind: the client reconnects and reloads
			}
			data, err := json.Marshal(ev)
			if err != nil {
				continue
			}
			_, _ = io.WriteString(w, "data: ")
			_, _ = w.Write(data)
			_, _ = io.WriteString(w, "\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}

func (e *Emulator) httpDisconnectBusiness(w http.ResponseWriter, r *http.Request) {
	info, err := e.DisconnectBusiness(r.Context(), r.URL.Query().Get("token"), r.PathValue("id"))
	writeAnswer(w, info, err)
}

func (e *Emulator) httpBusinessTranscript(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "chat_id")
	if !ok {
		return
	}
	msgs, err := e.BusinessTranscript(r.URL.Query().Get("token"), r.PathValue("id"), id)
	writeAnswer(w, msgs, err)
}
