package deeplink_test

import (
	"encoding/binary"
	"fmt"

	"github.com/heraldbot/herald/deeplink"
)

func Example() {
	// A referral link carrying a user id and a campaign number as bytes.
	data := binary.BigEndian.AppendUint64(nil, 1234567890)
	data = append(data, 7)
	payload, err := deeplink.Encode(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	link, _ := deeplink.Start("shop_bot", payload)
	fmt.Println(link)

	// The user opens it; the bot receives "/start <payload>".
	p, _ := deeplink.Payload("/start " + payload)
	back, _ := deeplink.Decode(p)
	fmt.Println(binary.BigEndian.Uint64(back[:8]), back[8])

	group, _ := deeplink.StartGroup("shop_bot", "", deeplink.DeleteMessages, deeplink.PinMessages)
	fmt.Println(group)
	// Output:
	// https://t.me/shop_bot?start=AAAAAEmWAtIH
	// 1234567890 7
	// https://t.me/shop_bot?startgroup=&admin=delete_messages+pin_messages
}
