package limit

import (
	"context"
	"testing"
	"time"
)

func TestRateInterval(t *testing.T) {
	for _, tt := range []struct {
		r    Rate
		want time.Duration
	}{
		{Rate{Count: 30, Per: time.Second}, 33333334 * time.Nanosecond}, // rounded up: 30 never fit in < 1 s
		{DefaultGlobal, 40 * time.Millisecond},
		{DefaultChat, 1100 * time.Millisecond},
		{DefaultGroup, 3333333334 * time.Nanosecond},
		{DefaultPaid, time.Millisecond},
		{Unlimited, 0},
	} {
		if got := tt.r.Interval(); got != tt.want {
			t.Errorf("%v: interval %v, want %v", tt.r, got, tt.want)
		}
	}
	if s := DefaultChat.String(); s != "1/1.1s:2" {
		t.Errorf("String = %q", s)
	}
}

// A windowed rate keeps Count per Per in every window whatever its
// burst: 30/s with bursts of 10 spaces the rest by 1/21 s.
func TestRateWindowed(t *testing.T) {
	for _, tt := range []struct{ r, want Rate }{
		{Rate{Count: 30, Per: time.Second, Burst: 10}, Rate{Count: 21, Per: time.Second, Burst: 10}},
		{Rate{Count: 30, Per: time.Second, Burst: 30}, Rate{Count: 1, Per: time.Second, Burst: 30}},
		{Rate{Count: 20, Per: time.Minute, Burst: 50}, Rate{Count: 1, Per: time.Minute, Burst: 20}},
		{DefaultGlobal, DefaultGlobal},
		{Unlimited, Unlimited},
	} {
		if got := tt.r.Windowed(); got != tt.want {
			t.Errorf("%v.Windowed() = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	for got, want := range map[string]string{
		Interactive.String(): "interactive", Bulk.String(): "bulk",
		ScopeNone.String(): "none", ScopePause.String(): "pause", ScopeGlobal.String(): "global",
		ScopePaid.String(): "paid", ScopeChat.String(): "chat", ScopeGroup.String(): "group", ScopeChatPause.String(): "chatpause",
		NotCounted.String(): "not counted", Once.String(): "once", PerItem.String(): "per item",
		DefaultGlobal.String(): "25/1s", DefaultChat.String(): "1/1.1s:2", Unlimited.String(): "off",
	} {
		if got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	if PriorityFrom(WithPriority(context.Background(), Priority(7))) != Interactive {
		t.Error("an unknown priority is not Interactive")
	}
}
