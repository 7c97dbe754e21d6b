package emulator

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is a limit of Count messages per Per, with bursts of up to Burst
// messages (Burst 0 means Count). The zero Rate means no limit.
type Rate struct {
	Count int
	Per   time.Duration
	Burst int
}

// IsZero reports whether r imposes no limit.
func (r Rate) IsZero() bool { return r.Count <= 0 || r.Per <= 0 }

func (r Rate) burst() int {
	if r.Burst > 0 {
		return r.Burst
	}
	return r.Count
}

// String formats r as ParseLimits reads it, e.g. "30/s" or "1/s:3".
func (r Rate) String() string {
	if r.IsZero() {
		return "off"
	}
	var per string
	switch r.Per {
	case time.Second:
		per = "s"
	case time.Minute:
		per = "min"
	case time.Hour:
		per = "h"
	default:
		per = r.Per.String()
	}
	s := strconv.Itoa(r.Count) + "/" + per
	if r.Burst > 0 && r.Burst != r.Count {
		s += ":" + strconv.Itoa(r.Burst)
	}
	return s
}

// Limits are the outbound message limits the emulator enforces per bot.
// A zero Rate disables that limit; the zero Limits disables all of them.
type Limits struct {
	// Bot limits the messages of one bot over all chats (Telegram: about 30/s).
	Bot Rate
	// Chat limits the messages of one bot into one chat (Telegram: 1/s, short bursts allowed).
	Chat Rate
	// Group limits the messages of one bot into one group, supergroup or
	// channel (Telegram: 20/min). It applies in addition to Chat.
	Group Rate
}

// TelegramLimits returns Telegram's published limits, the default: 30
// messages/s per bot (bursts of 30), 1 message/s per chat (bursts of 3)
// and 20 messages/min per group (bursts of 20).
func TelegramLimits() Limits {
	return Limits{
		Bot:   Rate{Count: 30, Per: time.Second},
		Chat:  Rate{Count: 1, Per: time.Second, Burst: 3},
		Group: Rate{Count: 20, Per: time.Minute},
	}
}

// NoLimits returns Limits that never refuse a message.
func NoLimits() Limits { return Limits{} }

// Off reports whether no limit is set.
func (l Limits) Off() bool { return l.Bot.IsZero() && l.Chat.IsZero() && l.Group.IsZero() }

// String formats l as ParseLimits reads it.
func (l Limits) String() string {
	switch l {
	case TelegramLimits():
		return "telegram"
	case NoLimits():
		return "off"
	}
	return "bot=" + l.Bot.String() + ",chat=" + l.Chat.String() + ",group=" + l.Group.String()
}

// ParseLimits reads a limits mode: "telegram" (the default), "off", or a
// comma-separated list overriding Telegram's numbers, such as
// "bot=100/s,chat=2/s:5,group=off". A rate is COUNT/UNIT[:BURST] with
// UNIT s, min, h or a Go duration (e.g. 30/1s, 20/1m); "off" disables it.
func ParseLimits(s string) (Limits, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "telegram", "default", "on":
		return TelegramLimits(), nil
	case "off", "none":
		return NoLimits(), nil
	}
	l := TelegramLimits()
	for item := range strings.SplitSeq(s, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return Limits{}, fmt.Errorf("limits: %q: want telegram, off or key=rate pairs (bot, chat, group)", item)
		}
		r, err := parseRate(val)
		if err != nil {
			return Limits{}, fmt.Errorf("limits: %s: %w", key, err)
		}
		switch strings.TrimSpace(key) {
		case "bot":
			l.Bot = r
		case "chat":
			l.Chat = r
		case "group":
			l.Group = r
		default:
			return Limits{}, fmt.Errorf("limits: unknown key %q (want bot, chat or group)", key)
		}
	}
	return l, nil
}

func parseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	spec, burstText, hasBurst := strings.Cut(s, ":")
	countText, unit, ok := strings.Cut(spec, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want COUNT/UNIT[:BURST], e.g. 30/s", s)
	}
	n, err := strconv.Atoi(countText)
	if err != nil || n <= 0 {
		return Rate{}, fmt.Errorf("rate %q: count must be a positive integer", s)
	}
	var per time.Duration
	switch unit {
	case "s", "sec", "second":
		per = time.Second
	case "m", "min", "minute":
		per = time.Minute
	case "h", "hour":
		per = time.Hour
	default:
		if per, err = time.ParseDuration(unit); err != nil || per <= 0 {
			return Rate{}, fmt.Errorf("rate %q: unit must be s, min, h or a positive duration", s)
		}
	}
	r := Rate{Count: n, Per: per}
	if hasBurst {
		if r.Burst, err = strconv.Atoi(burstText); err != nil || r.Burst <= 0 {
			return Rate{}, fmt.Errorf("rate %q: burst must be a positive integer", s)
		}
	}
	return r, nil
}

// MarshalText implements encoding.TextMarshaler with String.
func (l Limits) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseLimits.
func (l *Limits) UnmarshalText(b []byte) error {
	v, err := ParseLimits(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// gcra is a generic cell rate algorithm state: the theoretical arrival
// time of the next message. It is exact on any clock, a
// testing/synctest bubble's included.
type gcra struct{ tat time.Time }

// check returns how long to wait before n more messages fit in r, or 0.
// A batch larger than the burst (a media group of 10 into a chat with
// bursts of 3) passes once the bucket is idle, then holds it for its whole
// cost: otherwise it could never pass.
func (g *gcra) check(r Rate, now time.Time, n int) time.Duration {
	interval := r.Per / time.Duration(r.Count)
	tau := interval * time.Duration(r.burst()-1)
	tat := g.tat
	if tat.Before(now) {
		tat = now
	}
	n = min(n, r.burst())
	allowAt := tat.Add(interval*time.Duration(n-1) - tau)
	if allowAt.After(now) {
		return allowAt.Sub(now)
	}
	return 0
}

func (g *gcra) take(r Rate, now time.Time, n int) {
	interval := r.Per / time.Duration(r.Count)
	if g.tat.Before(now) {
		g.tat = now
	}
	g.tat = g.tat.Add(interval * time.Duration(n))
}

// limiter holds one bot's limit state.
type limiter struct {
	mu     sync.Mutex
	bot    gcra
	chats  map[int64]*gcra
	groups map[int64]*gcra
	calls  int
}

// allow takes n messages into chatID (a group when isGroup) or returns the
// number of whole seconds to wait, at least 1.
func (lm *limiter) allow(l Limits, now time.Time, chatID int64, isGroup bool, n int) int {
	if l.Off() || n <= 0 {
		return 0
	}
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if lm.chats == nil {
		lm.chats, lm.groups = make(map[int64]*gcra), make(map[int64]*gcra)
	}
	if lm.calls++; lm.calls%4096 == 0 {
		lm.pruneLocked(now)
	}
	buckets := [3]struct {
		g *gcra
		r Rate
	}{{&lm.bot, l.Bot}, {stateFor(lm.chats, chatID), l.Chat}}
	if isGroup {
		buckets[2].g, buckets[2].r = stateFor(lm.groups, chatID), l.Group
	}
	var wait time.Duration
	for _, bk := range buckets {
		if !bk.r.IsZero() {
			wait = max(wait, bk.g.check(bk.r, now, n))
		}
	}
	if wait > 0 {
		return int((wait + time.Second - 1) / time.Second)
	}
	for _, bk := range buckets {
		if !bk.r.IsZero() {
			bk.g.take(bk.r, now, n)
		}
	}
	return 0
}

// stateFor returns (creating it) the state of id in m.
func stateFor(m map[int64]*gcra, id int64) *gcra {
	g := m[id]
	if g == nil {
		g = &gcra{}
		m[id] = g
	}
	return g
}

// pruneLocked forgets chats whose state is back at rest, bounding memory.
func (lm *limiter) pruneLocked(now time.Time) {
	for _, m := range []map[int64]*gcra{lm.chats, lm.groups} {
		maps.DeleteFunc(m, func(_ int64, g *gcra) bool { return !g.tat.After(now) })
	}
}
