package business_test

import (
	"fmt"

	"github.com/heraldbot/herald/business"
	"github.com/heraldbot/herald/tg"
)

func ExampleTarget() {
	// In a handler: t, ok := business.TargetOf(c), for a business message
	// received through connection "bc-1" in the chat with user 8.
	t := business.Target{ChatID: tg.ID(8), BusinessConnectionID: "bc-1"}
	p := t.Photo(tg.SendPhotoParams{Photo: tg.FileID("AgAD…"), Caption: "Our menu"})
	fmt.Println(p.ChatID, p.BusinessConnectionID, p.Caption)
	// then: c.Client().SendPhoto(c, p)
	// Output: 8 bc-1 Our menu
}
