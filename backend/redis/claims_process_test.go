package redis

import (
	"os"
	"strconv"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/fsm/fsmtest"
)

// envProcBot names the bot whose Store a child process opens, on the test
// Redis (see startChild).
const envProcBot = "HERALD_REDIS_BOT"

// startChild returns a fsmtest.StartFunc whose children open a Store for
// bot on the test Redis.
func startChild(bot int64) fsmtest.StartFunc {
	return func(t *testing.T, env ...string) *fsmtest.Child {
		return fsmtest.StartChild(t, "TestChildProcess", append(env,
			"HERALD_REDIS_ADDR="+redisAddr(), envProcBot+"="+strconv.FormatInt(bot, 10))...)
	}
}

// TestClaimsTwoProcesses: two OS processes, each with its own client and
// Store for one bot, claim the same 200 names at once, from two goroutines
// per name each: exactly one claim per name is backend.Claimed
// (fsmtest.TestClaimsProcesses).
func TestClaimsTwoProcesses(t *testing.T) {
	c := newClient(t)
	bot := randomBot()
	cleanupBot(t, c, DefaultPrefix, bot)
	fsmtest.TestClaimsProcesses(t, startChild(bot))
}

// TestChildProcess is the body of the child processes of the process
// tests; it does nothing when run on its own.
func TestChildProcess(t *testing.T) {
	if !fsmtest.IsChild() {
		t.Skip("a helper process of TestClaimsTwoProcesses and TestLockDeadProcess")
	}
	bot, err := strconv.ParseInt(os.Getenv(envProcBot), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr()})
	defer c.Close()
	s := New(c, bot, Options{})
	fsmtest.RunChild(t, s, s)
}
