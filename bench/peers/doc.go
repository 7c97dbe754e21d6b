// Package peers measures Herald side by side with other Telegram bot
// frameworks: the same echo bot written in each, run in its own process
// against one emulator. It is its own Go module so that the main module
// never depends on the peers. See docs/BENCHMARKS.md.
package peers
