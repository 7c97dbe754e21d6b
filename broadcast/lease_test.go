package broadcast_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/limit"
)

// Run refuses an unknown campaign, and a campaign whose lease another
// live runner holds; the lease of a killed runner on this host is taken
// over at once.
func TestRunLeaseHolders(t *testing.T) {
	// A process that ended, started outside the bubble.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("cannot start a process: %v", err)
	}
	synctest.Test(t, func(t *testing.T) { testRunLeaseHolders(t, dead.Process.Pid) })
}

func testRunLeaseHolders(t *testing.T, deadPid int) {
	e := newEnv(t, limit.Config{}, nil, nil)
	chats := e.users(1, 3)
	store := memory.NewBroadcasts()
	c := newCampaign(t, store, broadcast.Message{Text: "hi"}, chats)
	ctx := t.Context()
	if _, err := broadcast.Run(ctx, e.bot, store, c.ID+1, broadcast.Options{}); !errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("unknown campaign: %v", err)
	}

	host, _ := os.Hostname()
	host = strings.ReplaceAll(host, "/", "_")
	now := time.Now()
	for _, holder := range []string{
		"elsewhere/1/abcdefgh",                           // another host: cannot tell
		fmt.Sprintf("%s/%d/abcdefgh", host, os.Getpid()), // this process: alive
		fmt.Sprintf("%s/1/abcdefgh", host),               // init: alive
		"garbage",
	} {
		if _, ok, err := store.Lease(ctx, c.ID, "", holder, now.Add(time.Hour), now); !ok || err != nil {
			t.Fatalf("lease for %s: %v %v", holder, ok, err)
		}
		r := e.run(ctx, store, c.ID, broadcast.Options{})
		<-r.done
		if !errors.Is(r.err, broadcast.ErrBusy) || !strings.Contains(r.err.Error(), holder) {
			t.Fatalf("lease held by %s: %v, want ErrBusy naming it", holder, r.err)
		}
		if _, ok, _ := store.Lease(ctx, c.ID, holder, "", time.Time{}, now); !ok {
			t.Fatal("release failed")
		}
	}

	killed := fmt.Sprintf("%s/%d/abcdefgh", host, deadPid)
	if _, ok, err := store.Lease(ctx, c.ID, "", killed, now.Add(time.Hour), now); !ok || err != nil {
		t.Fatalf("lease: %v %v", ok, err)
	}
	r := e.run(ctx, store, c.ID, broadcast.Options{Concurrency: 2})
	r.wait()
	if r.err != nil || r.p.Sent != 3 {
		t.Fatalf("run over a killed runner's lease: %+v %v", r.p, r.err)
	}
	l, ok, err := store.Lease(ctx, c.ID, "", "next", now.Add(time.Hour), now)
	if !ok || err != nil || l.Owner != "next" {
		t.Fatalf("lease after the run: %+v %v %v; want it released", l, ok, err)
	}
}
