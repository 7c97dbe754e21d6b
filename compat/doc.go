// Package compat is the emulator's conformance suite for third-party Go
// clients of the Bot API: telego, go-telegram/bot, telebot and
// go-telegram-bot-api, each used at its defaults with only the API URL
// pointed at an in-process emulator.
//
// It is a module of its own, so that the clients it drives never become
// dependencies of github.com/heraldbot/herald. Everything is in the test
// files: one per client, and scenario_test.go with the conversation
// every client goes through, by long polling and by webhook. Run it with
//
//	cd compat && go test -race ./...
//
// docs/EMULATOR.md ("Compatibility") says what each step checks.
package compat
