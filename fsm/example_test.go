package fsm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm"
)

// The states of an order dialog.
var (
	order        = fsm.NewGroup("order")
	orderAddress = order.State("address")
	orderConfirm = order.State("confirm")
)

// Order is the data the dialog collects.
type Order struct {
	Item    string `json:"item"`
	Qty     int    `json:"qty"`
	Address string `json:"address,omitzero"`
}

func Example() {
	ctx := context.Background()
	store := memory.New(memory.Options{})
	defer store.Close()

	// The key of user 42 in chat 42 (a private chat) of bot 1.
	key, _ := fsm.UserInChat.Key(1, 42, 42, 0)
	fc := fsm.NewContext(store, key, fsm.Options{TTL: 24 * time.Hour})

	// /order tea: start the dialog.
	_ = fsm.Set(ctx, fc, orderAddress, Order{Item: "tea", Qty: 1})

	// The user taps "+1" twice, fast: Update never loses one.
	for range 2 {
		_ = fsm.Update(ctx, fc, func(_ *fsm.State, o *Order) error {
			o.Qty++
			return nil
		})
	}

	// The user sends the address.
	_ = fsm.Update(ctx, fc, func(s *fsm.State, o *Order) error {
		o.Address = "221b Baker Street"
		*s = orderConfirm
		return nil
	})

	state, _ := fc.State(ctx)
	o, _ := fsm.GetData[Order](ctx, fc)
	fmt.Println(state, order.Any().Matches(state), o.Qty, o.Address)

	// Confirmed: the dialog ends.
	_ = fc.Clear(ctx)
	state, _ = fc.State(ctx)
	fmt.Printf("%q\n", state)
	// Output:
	// order:confirm true 3 221b Baker Street
	// ""
}
