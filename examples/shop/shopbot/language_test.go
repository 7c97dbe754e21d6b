package shopbot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/tg"
)

// TestGermanCustomer: a customer whose Telegram language_code is "de" is
// served in German (welcome, catalog, toasts, cart, orders), with the
// catalog's formatting (bold titles) as entities; an English-speaking
// customer who picks German with /language keeps it, and can go back.
func TestGermanCustomer(t *testing.T) {
	w := newWorld(t, "")
	w.start(t)
	ch := w.Chat(t, token, tg.User{ID: 701, FirstName: "Jonas", LanguageCode: "de"})
	ch.SendWait("/start", "Willkommen im Herald-Kaffeeladen, Jonas!")
	cat := ch.SendWait("/catalog", "Katalog — Seite 1 von 3")
	if len(cat.Entities) == 0 || cat.Entities[0].Type != "bold" || cat.Entities[0].Offset != 0 {
		t.Errorf("catalog entities = %+v, want the title in bold", cat.Entities)
	}
	if !hasButton(cat, "Weiter »") || !hasButton(cat, "🛒 Warenkorb") {
		t.Errorf("catalog buttons are not German: %+v", emutest.Keyboard(cat))
	}
	if got := ch.Press(cat, "Espresso beans"); got != "Espresso beans hinzugefügt — 1 davon im Warenkorb (1 Artikel)." {
		t.Errorf("add answered %q", got)
	}
	cart := ch.SendWait("/cart", "🛒 Ihr Warenkorb")
	if !strings.Contains(cart.Text, "Summe: $11.90") || !hasButton(cart, "✅ Bestellen") {
		t.Errorf("cart:\n%s\n%+v", cart.Text, emutest.Keyboard(cart))
	}
	ch.SendWait("/orders", "Sie haben noch keine Bestellungen.")

	// The checkout in German: prompts, validation, slots, summary, buttons.
	ch.Press(cart, "Bestellen")
	ch.WaitBot(cart.MessageID, "Schritt 1 von 4")
	ch.SendWait("Jonas Weber", "Schritt 2 von 4")
	ch.SendWait("ruf mich an", "Das sieht nicht nach einer Telefonnummer aus")
	ch.SendWait("+49 30 901820", "Schritt 3 von 4")
	slot := ch.SendWait("Unter den Linden 1, Berlin", "Schritt 4 von 4")
	if !hasButton(slot, "Morgen 10–12") || !hasButton(slot, "« Zurück") {
		t.Errorf("slot buttons are not German: %+v", emutest.Keyboard(slot))
	}
	ch.Press(slot, "Morgen 10–12")
	sum := ch.WaitBot(slot.MessageID, "Bitte prüfen Sie Ihre Bestellung")
	for _, want := range []string{"Summe: $11.90", "Telefon: +49 30 901820", "Lieferung: Morgen 10–12"} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.Text)
		}
	}
	ch.Press(sum, "Bestätigen")
	ch.WaitBot(sum.MessageID, "Ihre Quittung ist unterwegs.")
	ch.SendWait("/orders", "📦 Ihre Bestellungen (1 Bestellung)")
	ch.SendWait("/language", "Welche Sprache soll ich sprechen?")
	noErrorReply(t, ch)

	// An English speaker chooses German; the choice outlives the update.
	ann := w.Chat(t, token, tg.User{ID: 702, FirstName: "Ann", LanguageCode: "en"})
	ann.SendWait("/start", "Welcome to the Herald coffee shop, Ann!")
	ann.SendWait("/language de", "Ich spreche jetzt Deutsch mit Ihnen.")
	ann.SendWait("/help", "Heralds Beispielladen")
	ann.SendWait("/language xx", "Welche Sprache soll ich sprechen?")
	ann.SendWait("/language en", "I will speak English with you.")
	ann.SendWait("/catalog", "Catalog — page 1 of 3")

	// A language the shop does not speak gets the default, English.
	luc := w.Chat(t, token, tg.User{ID: 703, FirstName: "Luc", LanguageCode: "fr"})
	luc.SendWait("/start", "Welcome to the Herald coffee shop, Luc!")
}

// TestLocalizedCommands: the command menu is published, in English for
// everyone and in German for German-speaking users.
func TestLocalizedCommands(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	if _, err := srv.Emu.AddBot(token); err != nil {
		t.Fatal(err)
	}
	client, err := tg.New(token, tg.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := shopbot.SetCommands(ctx, client); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"": "Browse the catalog", "en": "Browse the catalog", "de": "Den Katalog ansehen"} {
		got, err := client.GetMyCommands(ctx, tg.GetMyCommandsParams{LanguageCode: lang})
		if err != nil || len(got) != len(shopbot.Commands) || got[0].Command != "start" || got[1].Command != "catalog" || got[1].Description != want {
			t.Errorf("commands for %q = %+v, %v; want /start first and %q for /catalog", lang, got, err, want)
		}
	}
}

// TestGermanReminder: the cart reminder, sent by a job long after the
// customer's update, is in the customer's language.
func TestGermanReminder(t *testing.T) {
	w := newWorld(t, "")
	w.start(t, func(c *shopbot.Config) { c.CartReminder = 500 * time.Millisecond })
	ch := w.Chat(t, token, tg.User{ID: 711, FirstName: "Greta", LanguageCode: "de"})
	cat := ch.SendWait("/catalog", "Seite 1 von 3")
	ch.Press(cat, "Espresso beans")
	rem := ch.WaitFor("the German cart reminder", func(e emulator.Entry) bool {
		return e.Sender == "bot" && strings.HasPrefix(e.Text, "🛒 Sie haben etwas im Warenkorb gelassen: 1 Artikel, $11.90.")
	})
	if !hasButton(rem, "🛒 Warenkorb") {
		t.Errorf("reminder buttons: %+v", emutest.Keyboard(rem))
	}
}
