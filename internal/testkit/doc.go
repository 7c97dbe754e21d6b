// Package testkit holds the helpers that tests of several packages share:
// a bounded test context, the rule for tests that need a server (skip
// when it is missing, fail under CI=true), a tg.Caller fake that records
// calls, and a sliding-window counter for checking rates.
//
// It is imported only by tests. Tests of package tg itself cannot use it
// (it imports tg).
package testkit
