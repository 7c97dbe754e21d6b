package webapp_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/keyboard"
	"github.com/heraldbot/herald/tg"
	"github.com/heraldbot/herald/webapp"
)

// TestMiniAppBackendWithEmulator plays the whole Mini App flow over HTTP:
// the bot sends a Web App button (the emulator checks the markup), the
// user's client opens the app and the page posts initData signed with the
// bot's token to the app's backend, which validates it and writes to the
// user through the emulator; forged initData gets 401 and no message.
func TestMiniAppBackendWithEmulator(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7504:webapp-token"
	client, err := tg.New(token, tg.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	user := tg.User{ID: 601, FirstName: "Ann", LanguageCode: "en"}
	chat := srv.Chat(t, token, user)
	chat.Send("/start")

	var k keyboard.Inline
	mk, err := k.Row(keyboard.WebApp("Open shop", "https://shop.example.com/app")).Markup()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.SendMessage(t.Context(), tg.SendMessageParams{ChatID: tg.ID(user.ID), Text: "Our shop:", ReplyMarkup: mk}); err != nil {
		t.Fatalf("the emulator refused a web_app button: %v", err)
	}

	// The Mini App's backend: it knows the token, and answers through the bot.
	v, err := webapp.NewValidator(token, webapp.Options{MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		initData, ok := strings.CutPrefix(r.Header.Get("Authorization"), "tma ")
		d, err := v.Validate(initData)
		if !ok || err != nil || d.User == nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		_, err = client.SendMessage(r.Context(), tg.SendMessageParams{
			ChatID: tg.ID(d.User.ID), Text: fmt.Sprintf("Thanks %s, order from %s received", d.User.FirstName, d.StartParam),
		})
		if err != nil {
			http.Error(w, "send failed", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(backend.Close)

	// The user's client opens the app: Telegram signs initData with the
	// bot's token.
	fields := map[string]string{
		"user":        fmt.Sprintf(`{"id":%d,"first_name":%q,"language_code":%q}`, user.ID, user.FirstName, user.LanguageCode),
		"auth_date":   strconv.FormatInt(time.Now().Unix(), 10),
		"start_param": "ref_7",
		"query_id":    "AAQ1",
	}
	q := url.Values{"hash": {webapp.Sign(webapp.SecretKey(token), fields)}}
	for k, val := range fields {
		q.Set(k, val)
	}
	post := func(initData string) int {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, backend.URL+"/order", nil)
		req.Header.Set("Authorization", "tma "+initData)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	forged := strings.Replace(q.Encode(), "601", "602", 1) // another user's id
	if code := post(forged); code != http.StatusUnauthorized {
		t.Errorf("forged initData: %d", code)
	}
	if code := post(q.Encode()); code != http.StatusNoContent {
		t.Fatalf("genuine initData: %d", code)
	}
	chat.WaitBot(0, "Thanks Ann, order from ref_7 received")
	for _, e := range chat.BotMessages() {
		if strings.Contains(e.Text, "602") {
			t.Errorf("a message for the forged user: %q", e.Text)
		}
	}

	// Signed for another bot: refused.
	other := url.Values{"hash": {webapp.Sign(webapp.SecretKey("7505:other"), fields)}}
	for k, val := range fields {
		other.Set(k, val)
	}
	if _, err := v.Validate(other.Encode()); !errors.Is(err, webapp.ErrSignature) {
		t.Errorf("another bot's initData: %v", err)
	}
}
