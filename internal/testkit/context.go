package testkit

import (
	"context"
	"testing"
	"time"
)

// Timeout bounds the context of Context: long enough for any test, short
// enough that a hung test fails with its own message before go test's
// global timeout.
const Timeout = 20 * time.Second

// Context returns a context that ends after Timeout or when the test
// ends, whichever comes first, so that no test can hang the run.
func Context(t testing.TB) context.Context {
	t.Helper()
	return ContextTimeout(t, Timeout)
}

// ContextTimeout is Context with a timeout of d.
func ContextTimeout(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
