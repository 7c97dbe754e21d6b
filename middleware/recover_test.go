package middleware

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// Recover turns panics of any value into *herald.PanicError with the stack
// of the panic, keeps errors reachable, and works in nested routers.
func TestRecoverValues(t *testing.T) {
	sentinel := errors.New("sentinel")
	type custom struct{ n int }
	for _, tc := range []struct {
		name  string
		value any
		check func(*herald.PanicError) bool
	}{
		{"string", "boom", func(pe *herald.PanicError) bool { return pe.Value == "boom" }},
		{"int", 42, func(pe *herald.PanicError) bool { return pe.Value == 42 && pe.Error() == "herald: panic: 42" }},
		{"struct", custom{7}, func(pe *herald.PanicError) bool { return pe.Value == custom{7} }},
		{"error", fmt.Errorf("wrapped: %w", sentinel), func(pe *herald.PanicError) bool { return errors.Is(pe, sentinel) }},
		{"nil", nil, func(pe *herald.PanicError) bool { _, ok := pe.Value.(*runtime.PanicNilError); return ok }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBot(t, &fakeAPI{})
			child := herald.NewRouter("child")
			var seenChild, seenRoot error
			child.OnError(func(c *herald.Context, err error) error { seenChild = err; return err })
			b.Router().OnError(func(c *herald.Context, err error) error { seenRoot = err; return nil })
			child.UseInner(Recover())
			child.Message(func(*herald.Context) error { panicker(tc.value); return nil })
			b.Router().Include(child)
			_ = b.HandleUpdate(context.Background(), msg(1, 1, 1, "private"))
			pe, ok := errors.AsType[*herald.PanicError](seenChild)
			if !ok || !tc.check(pe) {
				t.Fatalf("child router saw %#v", seenChild)
			}
			if seenRoot != seenChild {
				t.Errorf("root saw %v, want the child's error", seenRoot)
			}
			if !bytes.Contains(pe.Stack, []byte("panicker")) {
				t.Errorf("stack does not show where the panic happened:\n%s", pe.Stack)
			}
			// The next update on the same bot runs normally.
			seenChild = nil
			_ = b.HandleUpdate(context.Background(), &tg.Update{UpdateID: 2, CallbackQuery: &tg.CallbackQuery{ID: "q", From: tg.User{ID: 1}}})
			if seenChild != nil {
				t.Errorf("a later update saw %v", seenChild)
			}
		})
	}
}

//go:noinline
func panicker(v any) { panic(v) }

// Recover as outer middleware of the root catches a panic of a handler in
// the same router, and later updates dispatch normally.
func TestRecoverOuterThenNextUpdate(t *testing.T) {
	b := newBot(t, &fakeAPI{})
	var seen []error
	b.Router().OnError(func(c *herald.Context, err error) error { seen = append(seen, err); return nil })
	b.Router().Use(Recover())
	child := herald.NewRouter("child")
	child.UseInner(func(c *herald.Context) error { return c.Next() })
	ran := 0
	child.Command("ok", func(*herald.Context) error { ran++; return nil })
	b.Router().Command("boom", func(*herald.Context) error { panic("boom") })
	b.Router().Include(child)
	ctx := context.Background()
	for i, text := range []string{"/boom", "/ok", "/boom", "/ok"} {
		u := msg(int64(i), 1, 1, "private")
		u.Message.Text = text
		_ = b.HandleUpdate(ctx, u)
	}
	if ran != 2 || len(seen) != 2 {
		t.Fatalf("ran %d, errors %v", ran, seen)
	}
	for _, err := range seen {
		if pe, ok := errors.AsType[*herald.PanicError](err); !ok || pe.Value != "boom" {
			t.Errorf("error %v", err)
		}
	}
}
