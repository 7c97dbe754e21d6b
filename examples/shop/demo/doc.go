// Package demo runs Herald's demo in one process: the emulator (a fake
// Telegram with a web chat page), and the flagship shop bot talking to it,
// with its state in one SQLite file. `herald demo` is a thin command
// around Run.
package demo
