// Package service is the flagship shop's business logic: the catalog,
// carts, customers and orders, over SQLite or PostgreSQL. It knows nothing
// of Telegram: handlers in package shopbot translate updates into calls
// of these services, which makes them testable on their own and reusable
// from a web shop or an admin tool.
//
// Open picks the engine: PostgreSQL (through pgx's database/sql driver)
// for a postgres:// URL, SQLite (modernc.org/sqlite, no cgo) for a file
// path. Open creates the schema if it is missing and seeds the catalog.
// Placing an order is one transaction, idempotent on a caller's key
// (a unique constraint), so a confirm button pressed twice, or by two bot
// instances at once, creates one order.
package service
