package fasthttp_test

import (
	"fmt"

	"github.com/heraldbot/herald/tg"
	"github.com/heraldbot/herald/tg/fasthttp"
)

// A tg.Client whose calls go through fasthttp.
func Example() {
	c, err := tg.New("123456:secret", tg.WithHTTPClient(fasthttp.Client(fasthttp.Config{})))
	if err != nil {
		panic(err)
	}
	fmt.Println(c)
	// Output: tg.Client{bot: 123456, base: "https://api.telegram.org"}
}
