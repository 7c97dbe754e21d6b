package memory

import "github.com/heraldbot/herald/backend"

// Exported for the contract tests of package memory_test, which cannot be
// in package memory: backendtest imports package limit, which imports
// this package.

// ExpireLock ends the lease of a memory lock as if its holder had
// vanished: it is released without its holder's Unlock.
func ExpireLock(l backend.Lock) bool {
	ml, ok := l.(*lock)
	return ok && ml.release()
}
