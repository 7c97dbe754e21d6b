package health_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/heraldbot/herald/health"
)

// Probes with one check, asked as a Kubernetes readiness probe would.
func Example() {
	h := health.New(health.Config{}, health.Check{Name: "database", Run: func(context.Context) error { return nil }})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	fmt.Print(w.Code, " ", w.Body)
	// Output: 200 {"status":"ok","checks":[{"name":"database","ok":true}]}
}
