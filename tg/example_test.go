package tg_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/heraldbot/herald/tg"
)

func Example() {
	// A stand-in for the Bot API (the Herald emulator plays this role too).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/bot123456:TEST-token/getMe":
			io.WriteString(w, `{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"Herald","username":"herald_bot"}}`)
		default:
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`)
		}
	}))
	defer srv.Close()

	c, err := tg.New("123456:TEST-token", tg.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	me, err := c.GetMe(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("bot:", me.Username, me.ID == c.BotID())

	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(42), Text: "hello"})
	fmt.Println(err)
	fmt.Println("blocked:", tg.IsForbidden(err))
	fmt.Println("token printed:", strings.Contains(fmt.Sprintf("%+v %v", c, err), "TEST-token"))
	// Output:
	// bot: herald_bot true
	// tg: sendMessage: 403 Forbidden: bot was blocked by the user
	// blocked: true
	// token printed: false
}
