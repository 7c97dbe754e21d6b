package shopbot_test

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/examples/shop/shopbot"
)

func TestRenderReceipt(t *testing.T) {
	o := service.Order{
		ID: 42, Checkout: service.Checkout{Name: "Ada", Slot: "Today 18–20"}, TotalCents: 4190,
		Lines:     []service.Line{{ProductID: 1, Name: "A very long product name that will not fit", PriceCents: 1190, Qty: 1}},
		CreatedAt: time.Unix(1_700_000_000, 0),
	}
	b, err := shopbot.RenderReceipt(o)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() < 300 || r.Dy() < 200 {
		t.Fatalf("receipt is %v", r)
	}
}

func TestParseAdmins(t *testing.T) {
	ids, err := shopbot.ParseAdmins(" 42, 1001,")
	if err != nil || len(ids) != 2 || ids[0] != 42 || ids[1] != 1001 {
		t.Fatalf("ParseAdmins = %v, %v", ids, err)
	}
	if _, err := shopbot.ParseAdmins("42,bob"); err == nil {
		t.Fatal("ParseAdmins accepted bob")
	}
}
