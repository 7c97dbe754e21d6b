package middleware

import (
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// ThrottleConfig configures Throttle.
type ThrottleConfig struct {
	// Rate is how many updates per second one user may send (default 1).
	Rate float64
	// Burst is how many updates may come at once before Rate applies (default 5).
	Burst int
	// Warn is sent once when a user starts being throttled ("" = silent).
	Warn string
	// MaxUsers bounds the memory: when it is reached, users whose bucket is
	// full again are forgotten, then others until fewer than half remain
	// (default 100,000).
	MaxUsers int
}

// Throttle drops updates from users who send faster than the configured
// rate (anti-flood), by not calling c.Next(): the update is acknowledged and
// nothing else runs. Updates without a sender pass. The limit is a GCRA
// (token bucket) per user, kept in memory in this process.
func Throttle(cfg ThrottleConfig) herald.Handler {
	if cfg.Rate <= 0 {
		cfg.Rate = 1
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 5
	}
	if cfg.MaxUsers <= 0 {
		cfg.MaxUsers = 100_000
	}
	t := &throttle{
		cfg:      cfg,
		interval: time.Duration(float64(time.Second) / cfg.Rate),
		users:    map[int64]*userState{},
	}
	t.tolerance = t.interval * time.Duration(cfg.Burst-1)
	return t.handle
}

type throttle struct {
	cfg       ThrottleConfig
	interval  time.Duration // emission interval: 1/rate
	tolerance time.Duration // how far ahead of now a user's TAT may be
	mu        sync.Mutex
	users     map[int64]*userState
}

// userState is a user's theoretical arrival time and whether they were warned.
type userState struct {
	tat    time.Time
	warned bool
}

func (t *throttle) handle(c *herald.Context) error {
	u := c.Sender()
	if u == nil {
		return c.Next()
	}
	allowed, warn := t.allow(u.ID)
	if allowed {
		return c.Next()
	}
	if warn && t.cfg.Warn != "" {
		return notify(c, t.cfg.Warn, false)
	}
	return nil
}

// allow applies GCRA for one user; warn is true the first time in a row a
// user is refused.
func (t *throttle) allow(id int64) (allowed, warn bool) {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.users[id]
	if !ok {
		if len(t.users) >= t.cfg.MaxUsers {
			t.evict(now)
		}
		st = &userState{tat: now}
		t.users[id] = st
	}
	tat := st.tat
	if tat.Before(now) {
		tat = now
	}
	if tat.Sub(now) > t.tolerance {
		warn = !st.warned
		st.warned = true
		return false, warn
	}
	st.tat = tat.Add(t.interval)
	st.warned = false
	return true, false
}

// evict forgets users whose bucket is full again, then others until fewer
// than half of MaxUsers remain.
func (t *throttle) evict(now time.Time) {
	for id, st := range t.users {
		if !st.tat.After(now) {
			delete(t.users, id)
		}
	}
	for id := range t.users {
		if len(t.users) < t.cfg.MaxUsers/2 {
			break
		}
		delete(t.users, id)
	}
}
