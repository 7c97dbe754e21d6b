package herald_test

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	redisstore "github.com/heraldbot/herald/backend/redis"
)

// TestJournalFleetLostRead isolates the failure TestJournalFleet meets
// when it restarts Redis: a Read of the Redis journal whose reply never
// reaches the worker (the server shut down after running it, a network
// error, a client timeout: go-redis then retries the script) has moved
// its entries into the owner's pending list all the same. The owner
// never gets them while it keeps the partition: the next Read hands out
// the entries after them, so a chat's later update would be handled
// before an earlier one, and the lost one would wait for the partition to
// change hands. The Redis journal therefore remembers the last entry it
// handed each owner and returns the owner's pending entries after it
// before anything new (backend/redis/journal_handed.go).
//
// A proxy between the journal and Redis drops the connection as the
// reply of one Read comes back. The contract wants the partition's
// entries in order: the owner must get the first entry before the second.
func TestJournalFleetLostRead(t *testing.T) {
	r := startFleetRedis(t)
	px := newReplyDropper(t, r.addr)
	rc := goredis.NewClient(&goredis.Options{Addr: px.addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { rc.Close() })
	j := redisstore.New(rc, fleetBotID, redisstore.Options{JournalPartitions: 1}).Journal()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const owner = "w0"
	if ok, err := j.Own(ctx, 0, owner, time.Minute); err != nil || !ok {
		t.Fatalf("Own: %v, %v", ok, err)
	}
	if es, err := j.Read(ctx, owner, []int{0}, 10, 0); err != nil || len(es) != 0 { // loads the script
		t.Fatalf("first Read: %v, %v", es, err)
	}
	var entries []backend.JournalEntry
	for id := int64(1); id <= 2; id++ {
		entries = append(entries, backend.JournalEntry{UpdateID: id, Key: 42, Update: []byte(`{"update_id":1}`)})
	}
	if n, err := j.Append(ctx, entries); err != nil || n != 2 {
		t.Fatalf("Append: %d, %v", n, err)
	}

	px.dropNextReply()
	var got []int64
	for i := 0; i < 5 && len(got) < 2; i++ {
		es, err := j.Read(ctx, owner, []int{0}, 1, 100*time.Millisecond)
		t.Logf("Read %d: %d entries, err %v", i, len(es), err)
		for _, e := range es {
			got = append(got, e.UpdateID)
		}
	}
	if px.dropped.Load() != 1 {
		t.Fatalf("the proxy dropped %d replies, want 1", px.dropped.Load())
	}
	if len(got) == 0 || got[0] != 1 {
		st, _ := j.Stats(ctx)
		t.Errorf("after a Read whose reply was lost, the owner got updates %v: want update 1 first, then 2 (partition order); the journal holds %+v", got, st.Partitions)
	}
}

// replyDropper is a TCP proxy to a Redis server that can drop the
// connection on which the next reply comes back, after the server ran
// the command.
type replyDropper struct {
	addr    string
	armed   atomic.Bool
	dropped atomic.Int32
}

func newReplyDropper(t *testing.T, target string) *replyDropper {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &replyDropper{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			wg.Go(func() { _, _ = io.Copy(s, c); s.Close() })
			wg.Go(func() { p.relay(c, s); c.Close(); s.Close() })
		}
	})
	return p
}

// dropNextReply arms the proxy for one reply.
func (p *replyDropper) dropNextReply() { p.armed.Store(true) }

// relay copies the server's replies to the client until one comes while
// armed: then it returns without passing it on.
func (p *replyDropper) relay(c, s net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 && p.armed.CompareAndSwap(true, false) {
			p.dropped.Add(1)
			return
		}
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
