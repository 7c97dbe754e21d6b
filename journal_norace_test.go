//go:build !race

package herald_test

// journalScale divides the default sizes of the journal process tests
// (4 under the race detector).
const journalScale = 1
