package fsm_test

import (
	"testing"

	"github.com/heraldbot/herald/fsm"
)

func TestGroupsAndPatterns(t *testing.T) {
	order := fsm.NewGroup("order")
	address := order.State("address")
	if address != "order:address" || address.Group() != order || address.Name() != "address" {
		t.Fatalf("state %q: group %q, name %q", address, address.Group(), address.Name())
	}
	if !address.InGroup(order) || !order.Contains(address) || address.InGroup(fsm.NewGroup("settings")) {
		t.Fatal("InGroup/Contains wrong")
	}
	plain := fsm.State("idle")
	if plain.Group() != "" || plain.Name() != "idle" || plain.InGroup("") {
		t.Fatalf("ungrouped state: group %q, name %q", plain.Group(), plain.Name())
	}

	tests := []struct {
		pattern, current fsm.State
		want             bool
	}{
		{fsm.AnyState, address, true},
		{fsm.AnyState, plain, true},
		{fsm.AnyState, fsm.NoState, false},
		{fsm.NoState, fsm.NoState, true},
		{fsm.NoState, address, false},
		{order.Any(), address, true},
		{order.Any(), order.State("confirm"), true},
		{order.Any(), fsm.NewGroup("orders").State("address"), false},
		{order.Any(), plain, false},
		{order.Any(), fsm.NoState, false},
		{address, address, true},
		{address, order.State("confirm"), false},
	}
	for _, tc := range tests {
		if got := tc.pattern.Matches(tc.current); got != tc.want {
			t.Errorf("%q.Matches(%q) = %v, want %v", tc.pattern, tc.current, got, tc.want)
		}
	}
	if !order.Any().IsPattern() || !fsm.AnyState.IsPattern() || address.IsPattern() || fsm.NoState.IsPattern() {
		t.Error("IsPattern wrong")
	}
}

func TestInvalidNamesPanic(t *testing.T) {
	for _, f := range []func(){
		func() { fsm.NewGroup("") },
		func() { fsm.NewGroup("a:b") },
		func() { fsm.NewGroup("*") },
		func() { fsm.NewGroup("g").State("") },
		func() { fsm.NewGroup("g").State("x:y") },
		func() { fsm.NewGroup("g").State("*") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic for an invalid name")
				}
			}()
			f()
		}()
	}
}
