// Package emutest is test support for bots driven through the emulator:
// Start serves an emulator over httptest for one test, Run runs a
// *herald.Bot against it in the background, a Chat plays one user in a
// private chat and waits for the bot's answers, and Browser starts
// headless chromium for page tests.
//
// Everything here takes a testing.TB and fails (or skips) the test on
// error; it is meant for _test.go files only.
package emutest
