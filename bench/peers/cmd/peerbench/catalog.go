package main

import (
	"fmt"
	"slices"
	"strings"
)

// botSpec is one peer bot: how to run it and what it supports.
type botSpec struct {
	Name      string // as --bots names it
	Framework string // what the report calls it
	Package   string // Go bots: the package under the module, built once
	Script    string // node bots: the file under node/
	Polling   bool
	Webhook   bool
	// NoWebhook says why a bot has no webhook mode.
	NoWebhook string
}

func (b botSpec) isNode() bool { return b.Script != "" }

// supports reports whether the bot has mode, and if not why.
func (b botSpec) supports(mode string) (bool, string) {
	switch mode {
	case modePolling:
		return b.Polling, "no long polling"
	case modeWebhook:
		return b.Webhook, b.NoWebhook
	}
	return false, "unknown mode"
}

const herald = "herald"

// catalog is every bot, Herald first.
var catalog = []botSpec{
	{Name: herald, Framework: "Herald", Package: "./bots/herald", Polling: true, Webhook: true},
	// Herald with the options a busy bot would choose: the fasthttp
	// transport, and for polling the embedded SQLite update journal
	// (each update fetched once and confirmed once stored).
	{Name: "herald-tuned", Framework: "Herald (tg/fasthttp; polling: SQLite journal)", Package: "./bots/heraldtuned",
		Polling: true, Webhook: true},
	{Name: "telego", Framework: "telego v1.6.0", Package: "./bots/telego", Polling: true, Webhook: true},
	{Name: "gotelegram", Framework: "go-telegram/bot v1.19.0", Package: "./bots/gotelegram", Polling: true, Webhook: true},
	{Name: "telebot", Framework: "telebot v3.3.8", Package: "./bots/telebot", Polling: true, Webhook: true},
	{Name: "tgbotapi", Framework: "telegram-bot-api v5.5.1", Package: "./bots/tgbotapi", Polling: true, Webhook: true},
	{Name: "grammy", Framework: "grammY 1.46.0", Script: "grammy.mjs", Polling: true, Webhook: true},
	{Name: "grammy-runner", Framework: "grammY 1.46.0 + runner 2.0.3", Script: "grammy_runner.mjs", Polling: true,
		NoWebhook: "@grammyjs/runner only fetches updates by long polling"},
}

func botNames() []string {
	var names []string
	for _, b := range catalog {
		names = append(names, b.Name)
	}
	return names
}

// selectBots returns the bots named in the comma-separated list, in the
// catalog's order.
func selectBots(list string) ([]botSpec, error) {
	want := map[string]bool{}
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(botNames(), name) {
			return nil, fmt.Errorf("unknown bot %q (known: %s)", name, strings.Join(botNames(), ", "))
		}
		want[name] = true
	}
	var out []botSpec
	for _, b := range catalog {
		if want[b.Name] {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no bot selected")
	}
	return out, nil
}
