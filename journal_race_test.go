//go:build race

package herald_test

// journalScale divides the default sizes of the journal process tests:
// under the race detector their bot processes (and modernc SQLite) run
// about five times slower.
const journalScale = 4
