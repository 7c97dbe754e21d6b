package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Check is one readiness condition.
type Check struct {
	// Name says what is checked ("engine", "telegram", …).
	Name string
	// Run returns nil when the condition holds. It must stop when ctx
	// ends.
	Run func(ctx context.Context) error
	// CacheFor keeps a result for this long, so that frequent probes do
	// not reach an external service each time (0: run on every probe).
	CacheFor time.Duration
}

// Config tunes a Handler.
type Config struct {
	// Timeout bounds each check of a /readyz probe (default 5 s).
	Timeout time.Duration
}

// Handler serves GET /healthz and GET /readyz (any other path is 404).
// Create it with New; it is safe for concurrent use.
type Handler struct {
	checks  []*cached
	timeout time.Duration
}

// cached is a check with its last result.
type cached struct {
	Check
	mu   sync.Mutex
	at   time.Time
	last error
}

// New returns a Handler running checks for /readyz.
func New(cfg Config, checks ...Check) *Handler {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	h := &Handler{timeout: cfg.Timeout}
	for _, c := range checks {
		if c.Run != nil {
			h.checks = append(h.checks, &cached{Check: c})
		}
	}
	return h
}

// Result is the outcome of one check in a /readyz answer.
type Result struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Report is the body of a probe's answer.
type Report struct {
	Status string   `json:"status"` // "ok" or "unavailable"
	Checks []Result `json:"checks,omitempty"`
}

// ServeHTTP answers /healthz and /readyz.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/healthz":
		write(w, http.StatusOK, Report{Status: "ok"})
	case "/readyz":
		rep := h.Ready(r.Context())
		code := http.StatusOK
		if rep.Status != "ok" {
			code = http.StatusServiceUnavailable
		}
		write(w, code, rep)
	default:
		http.NotFound(w, r)
	}
}

// Ready runs the checks at once, each bounded by the timeout, and reports
// them in order.
func (h *Handler) Ready(ctx context.Context) Report {
	rep := Report{Status: "ok", Checks: make([]Result, len(h.checks))}
	var wg sync.WaitGroup
	for i, c := range h.checks {
		wg.Go(func() {
			err := c.run(ctx, h.timeout)
			rep.Checks[i] = Result{Name: c.Name, OK: err == nil}
			if err != nil {
				rep.Checks[i].Error = err.Error()
			}
		})
	}
	wg.Wait()
	for _, r := range rep.Checks {
		if !r.OK {
			rep.Status = "unavailable"
		}
	}
	return rep
}

// errTimeout reports a check that did not answer in time.
var errTimeout = errors.New("no answer in time")

// run runs the check, or returns its cached result.
func (c *cached) run(ctx context.Context, timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.CacheFor > 0 && !c.at.IsZero() && time.Since(c.at) < c.CacheFor {
		return c.last
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := c.Run(ctx)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = errTimeout
	}
	c.at, c.last = time.Now(), err
	return err
}

func write(w http.ResponseWriter, code int, rep Report) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(rep)
}
