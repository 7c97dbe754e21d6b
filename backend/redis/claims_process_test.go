package redis

import (
	"os"
	"strconv"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend/backendtest"
	"github.com/heraldbot/herald/internal/testkit"
)

// envProcBot names the bot whose Store a child process opens, on the test
// Redis (see startChild).
const envProcBot = "HERALD_REDIS_BOT"

// startChild returns a backendtest.StartFunc whose children open a Store for
// bot on the test Redis.
func startChild(bot int64) backendtest.StartFunc {
	return func(t *testing.T, env ...string) *backendtest.Child {
		return backendtest.StartChild(t, "TestChildProcess", append(env,
			"HERALD_REDIS_ADDR="+testkit.RedisAddr(), envProcBot+"="+strconv.FormatInt(bot, 10))...)
	}
}

// TestClaimsTwoProcesses: two OS processes, each with its own client and
// Store for one bot, claim the same 200 names at once, from two goroutines
// per name each: exactly one claim per name is backend.Claimed
// (backendtest.TestClaimsProcesses).
func TestClaimsTwoProcesses(t *testing.T) {
	c := newClient(t)
	bot := randomBot()
	cleanupBot(t, c, DefaultPrefix, bot)
	backendtest.TestClaimsProcesses(t, startChild(bot))
}

// TestChildProcess is the body of the child processes of the process
// tests; it does nothing when run on its own.
func TestChildProcess(t *testing.T) {
	if !backendtest.IsChild() {
		t.Skip("a helper process of TestClaimsTwoProcesses and TestLockDeadProcess")
	}
	bot, err := strconv.ParseInt(os.Getenv(envProcBot), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: testkit.RedisAddr()})
	defer c.Close()
	s := New(c, bot, Options{})
	backendtest.RunChild(t, s, s)
}
