package testkit

import (
	"fmt"
	"net"
	"os"
	"testing"
	"time"
)

// InCI reports whether the tests run in CI (the environment variable CI
// is "true"), where a missing service is a failure, not a reason to skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing ends a test that needs something this machine lacks (a server,
// a browser, a tool): it skips the test with the message and a note that
// CI is not "true", or, when CI is "true", fails it, since CI machines
// must have everything. hint, if not empty, says how to provide it.
func Missing(t testing.TB, hint, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if hint != "" {
		msg += "; " + hint
	}
	if InCI() {
		t.Fatal(msg + " (CI=true, so this fails instead of skipping)")
	}
	t.Skip(msg + " (skipped because CI is not true)")
}

// RedisAddr returns the address of the test Redis: HERALD_REDIS_ADDR, or
// 127.0.0.1:6379.
func RedisAddr() string {
	if a := os.Getenv("HERALD_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// NeedRedis returns RedisAddr once a TCP connection to it succeeds; when
// it does not, it ends the test as Missing does.
func NeedRedis(t testing.TB) string {
	t.Helper()
	addr := RedisAddr()
	NeedTCP(t, "Redis", addr, "start redis-server or set HERALD_REDIS_ADDR")
	return addr
}

// NeedTCP ends the test as Missing does when nothing accepts TCP
// connections at addr. what names the service in the message.
func NeedTCP(t testing.TB, what, addr, hint string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		Missing(t, hint, "%s at %s is unreachable: %v", what, addr, err)
		return
	}
	_ = conn.Close()
}
