package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func get(t *testing.T, h http.Handler, method, path string) (int, Report) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	var rep Report
	if w.Code == http.StatusOK || w.Code == http.StatusServiceUnavailable {
		if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, w.Body, err)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return w.Code, rep
}

func TestProbes(t *testing.T) {
	var engineDown atomic.Bool
	h := New(Config{},
		Check{Name: "engine", Run: func(context.Context) error {
			if engineDown.Load() {
				return errors.New("connection refused")
			}
			return nil
		}},
		Check{Name: "telegram", Run: func(context.Context) error { return nil }},
		Check{Name: "ignored"}, // no Run: not a check
	)
	if code, rep := get(t, h, http.MethodGet, "/healthz"); code != http.StatusOK || rep.Status != "ok" {
		t.Fatalf("/healthz = %d %+v", code, rep)
	}
	code, rep := get(t, h, http.MethodGet, "/readyz")
	if code != http.StatusOK || rep.Status != "ok" || len(rep.Checks) != 2 || !rep.Checks[0].OK || !rep.Checks[1].OK {
		t.Fatalf("/readyz = %d %+v", code, rep)
	}
	engineDown.Store(true)
	code, rep = get(t, h, http.MethodGet, "/readyz")
	if code != http.StatusServiceUnavailable || rep.Status != "unavailable" {
		t.Fatalf("/readyz with the engine down = %d %+v", code, rep)
	}
	if c := rep.Checks[0]; c.Name != "engine" || c.OK || c.Error != "connection refused" || !rep.Checks[1].OK {
		t.Fatalf("checks = %+v", rep.Checks)
	}
	// Liveness does not depend on the checks.
	if code, _ := get(t, h, http.MethodGet, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz with the engine down = %d", code)
	}
	if code, _ := get(t, h, http.MethodHead, "/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("HEAD /readyz = %d", code)
	}
	if code, _ := get(t, h, http.MethodPost, "/readyz"); code != http.StatusMethodNotAllowed {
		t.Fatalf("POST /readyz = %d", code)
	}
	if code, _ := get(t, h, http.MethodGet, "/other"); code != http.StatusNotFound {
		t.Fatalf("GET /other = %d", code)
	}
}

// TestTimeoutAndCache: a check that does not answer within the timeout
// fails with a clear reason without holding the probe, and a cached
// result is reused until CacheFor passes.
func TestTimeoutAndCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		h := New(Config{Timeout: time.Second},
			Check{Name: "stuck", Run: func(ctx context.Context) error {
				<-ctx.Done()
				return ctx.Err()
			}},
			Check{Name: "telegram", CacheFor: 10 * time.Second, Run: func(context.Context) error {
				calls.Add(1)
				return nil
			}})
		start := time.Now()
		code, rep := get(t, h, http.MethodGet, "/readyz")
		if code != http.StatusServiceUnavailable || rep.Checks[0].Error != "no answer in time" {
			t.Fatalf("/readyz = %d %+v", code, rep)
		}
		if took := time.Since(start); took != time.Second {
			t.Fatalf("the probe took %v, want the 1 s timeout", took)
		}
		get(t, h, http.MethodGet, "/readyz") // 1 s later: cached
		if n := calls.Load(); n != 1 {
			t.Fatalf("telegram checked %d times within CacheFor, want 1", n)
		}
		time.Sleep(10 * time.Second)
		get(t, h, http.MethodGet, "/readyz")
		if n := calls.Load(); n != 2 {
			t.Fatalf("telegram checked %d times after CacheFor, want 2", n)
		}
	})
}

func TestReportJSON(t *testing.T) {
	w := httptest.NewRecorder()
	New(Config{}).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if got := strings.TrimSpace(w.Body.String()); got != `{"status":"ok"}` {
		t.Fatalf("body %s", got)
	}
}
