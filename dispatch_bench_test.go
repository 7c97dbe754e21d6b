package herald

import (
	"context"
	"fmt"
	"testing"

	"github.com/heraldbot/herald/backend"
)

// BenchmarkDispatch routes a command through 5 routers holding 50 handlers
// with 3 middlewares; the command matches a handler near the end. Decoding is
// excluded: the update is built once. It measures routing only (handle):
// the update's claim at admission is BenchmarkAdmission.
func BenchmarkDispatch(b *testing.B) { benchmarkDispatch(b, false) }

// BenchmarkDispatchEnterEveryRouter is BenchmarkDispatch with an outer
// middleware on every router, so routing must enter each one in turn
// instead of passing over routers that lack the command.
func BenchmarkDispatchEnterEveryRouter(b *testing.B) { benchmarkDispatch(b, true) }

func benchmarkDispatch(b *testing.B, outerEverywhere bool) {
	bot := newTestBot(b)
	pass := func(c *Context) error { return c.Next() }
	bot.Router().Use(pass)
	noop := func(c *Context) error { return nil }
	var hit int
	for r := range 5 {
		rt := NewRouter(fmt.Sprintf("r%d", r))
		rt.UseInner(pass)
		if outerEverywhere {
			rt.Use(pass)
		}
		for h := range 10 {
			name := fmt.Sprintf("cmd%d_%d", r, h)
			if r == 4 && h == 8 {
				rt.Command(name, func(c *Context) error { hit++; return nil })
				continue
			}
			rt.Command(name, noop)
		}
		bot.Router().Include(rt)
	}
	bot.Router().UseInner(pass)
	if err := bot.Prepare(); err != nil {
		b.Fatal(err)
	}
	u := textUpdate(1, 1, "/cmd4_8@herald_test_bot arg")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bot.handle(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	if hit == 0 {
		b.Fatal("handler never ran")
	}
}

// BenchmarkAdmission is what HandleUpdate adds to dispatch: the update's
// claim in the bot's in-process claim store, then its finish (every
// iteration is a new update id).
func BenchmarkAdmission(b *testing.B) {
	bot := newTestBot(b)
	bot.Router().Command("start", func(c *Context) error { return nil })
	if err := bot.Prepare(); err != nil {
		b.Fatal(err)
	}
	u := textUpdate(1, 1, "/start")
	ctx := context.Background()
	b.ReportAllocs()
	id := int64(0)
	for b.Loop() {
		id++
		u.UpdateID = id
		cl := bot.newClaim(bot.coord.claims, bot.updateClaimName(u))
		if st, err := cl.claim(ctx); err != nil || st != backend.Claimed {
			b.Fatal(st, err)
		}
		cl.finish(ctx, DedupTTL)
	}
}
