package herald

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type orderAction struct {
	Action  string
	OrderID int64
	Urgent  bool
	Qty     uint8
	secret  string
}

func TestCallbackDataRoundTrip(t *testing.T) {
	cd := MustCallbackData[orderAction]("order")
	in := orderAction{Action: "confirm:now 100%", OrderID: -42, Urgent: true, Qty: 3, secret: "x"}
	data, err := cd.Pack(in)
	if err != nil {
		t.Fatal(err)
	}
	if data != "order:confirm%3Anow 100%25:-42:1:3" {
		t.Errorf("packed %q", data)
	}
	out, err := cd.Unpack(data)
	in.secret = ""
	if err != nil || out != in {
		t.Errorf("unpacked %+v, %v; want %+v", out, err, in)
	}
}

func TestCallbackDataErrors(t *testing.T) {
	cd := MustCallbackData[orderAction]("order")
	if _, err := cd.Pack(orderAction{Action: strings.Repeat("x", 60)}); !errors.Is(err, ErrCallbackDataTooLong) {
		t.Errorf("long data: %v", err)
	}
	if _, err := cd.Pack(orderAction{Action: "caf\xe9"}); !errors.Is(err, ErrCallbackDataInvalid) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	for _, bad := range []string{"cart:a:1:0:1", "order:a:1:0", "order:a:x:0:1", "order:a:1:2:1", "order:a:1:0:300", "order:a%zz:1:0:1", "order:a%3:1:0:1", "orderx"} {
		if _, err := cd.Unpack(bad); err == nil {
			t.Errorf("Unpack(%q): no error", bad)
		}
	}
	if _, err := NewCallbackData[int]("x"); err == nil {
		t.Error("non-struct accepted")
	}
	if _, err := NewCallbackData[struct{ F []int }]("x"); err == nil {
		t.Error("slice field accepted")
	}
	if _, err := NewCallbackData[orderAction]("a:b"); err == nil {
		t.Error("prefix with ':' accepted")
	}
}

func TestCallbackDataFilter(t *testing.T) {
	cd := MustCallbackData[orderAction]("order")
	b := newTestBot(t)
	var got orderAction
	b.Router().CallbackQuery(func(c *Context) error { got, _ = cd.Value(c); return nil }, cd.Filter())
	_ = b.HandleUpdate(context.Background(), callbackUpdate(1, "order:cancel:9:0:1"))
	if got != (orderAction{Action: "cancel", OrderID: 9, Qty: 1}) {
		t.Errorf("got %+v", got)
	}
	got = orderAction{}
	_ = b.HandleUpdate(context.Background(), callbackUpdate(2, "order:broken"))
	if got != (orderAction{}) {
		t.Errorf("malformed data matched: %+v", got)
	}
}

// FuzzCallbackDataRoundTrip: whatever the field values, Pack either
// refuses (too long) or gives data that Unpack turns back into the same
// value.
func FuzzCallbackDataRoundTrip(f *testing.F) {
	type fields struct {
		S string
		N int64
		B bool
		U uint8
		T string
	}
	cd := MustCallbackData[fields]("f")
	f.Add("confirm", int64(42), true, uint8(7), "")
	f.Add("a:b%3A%", int64(-1), false, uint8(255), "%25")
	f.Add("", int64(0), false, uint8(0), ":::")
	f.Fuzz(func(t *testing.T, s string, n int64, b bool, u uint8, s2 string) {
		v := fields{s, n, b, u, s2}
		data, err := cd.Pack(v)
		if err != nil {
			if !errors.Is(err, ErrCallbackDataTooLong) && !errors.Is(err, ErrCallbackDataInvalid) {
				t.Fatalf("Pack(%+v): %v", v, err)
			}
			return
		}
		if len(data) > MaxCallbackData {
			t.Fatalf("Pack(%+v) = %d bytes", v, len(data))
		}
		got, err := cd.Unpack(data)
		if err != nil || got != v {
			t.Fatalf("Unpack(Pack(%+v)) = %+v, %v", v, got, err)
		}
	})
}
