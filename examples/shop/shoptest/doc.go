// Package shoptest holds what the shop's tests need beyond
// github.com/heraldbot/herald/emulator/emutest: PostgresURL gives each test
// a PostgreSQL schema of its own.
package shoptest
