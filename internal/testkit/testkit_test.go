package testkit

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestContextEndsWithTheTest(t *testing.T) {
	var ctx context.Context
	t.Run("inner", func(t *testing.T) {
		ctx = Context(t)
		dl, ok := ctx.Deadline()
		if !ok || time.Until(dl) > Timeout {
			t.Fatalf("deadline %v, %v", dl, ok)
		}
	})
	if ctx.Err() == nil {
		t.Fatal("the context outlived its test")
	}
}

func TestMissingSkipsOutsideCI(t *testing.T) {
	t.Setenv("CI", "")
	for name, need := range map[string]func(t *testing.T){
		"Missing": func(t *testing.T) { Missing(t, "start it", "the thing at %s is unreachable", "here") },
		"NeedTCP": func(t *testing.T) { NeedTCP(t, "nothing", "127.0.0.1:1", "") },
	} {
		var inner *testing.T
		t.Run(name, func(t *testing.T) {
			inner = t
			need(t)
			t.Fatal("the test went on")
		})
		if !inner.Skipped() {
			t.Fatalf("%s: not skipped", name)
		}
	}
}

func TestCallerRecordsAndAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		end := Fail(boom)
		var rec Caller
		c := rec.Middleware(end)
		if err := c.Call(context.Background(), "getMe", nil, nil); err != boom {
			t.Fatalf("err %v", err)
		}
		time.Sleep(time.Second)
		_ = c.Call(context.Background(), "sendMessage", 1, nil)
		if rec.Count("") != 2 || rec.Count("getMe") != 1 || end.Count("sendMessage") != 1 {
			t.Fatalf("calls %+v", rec.Calls())
		}
		ts := rec.Times(func(c Call) bool { return c.Method == "sendMessage" })
		if len(ts) != 1 || ts[0].Sub(rec.Calls()[0].At) != time.Second {
			t.Fatalf("times %v", ts)
		}
		rec.Reset()
		if len(rec.Calls()) != 0 {
			t.Fatal("Reset kept calls")
		}
		var zero Caller
		if err := zero.Call(context.Background(), "getMe", nil, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMaxInWindow(t *testing.T) {
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, time.Unix(0, 0).Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	for _, tt := range []struct {
		times []time.Time
		want  int
	}{
		{nil, 0},
		{at(0), 1},
		{at(0, 999, 1000, 1001), 3},
		{at(0, 1000, 2000), 1},
		{at(0, 1, 2, 3, 1500), 4},
	} {
		if got := MaxInWindow(tt.times, time.Second); got != tt.want {
			t.Errorf("%v: %d, want %d", tt.times, got, tt.want)
		}
	}
}
