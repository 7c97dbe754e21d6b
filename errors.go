package herald

import (
	"fmt"
	"runtime/debug"
)

// PanicError is a panic recovered from a handler, middleware or filter.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the goroutine's stack at the panic
}

func newPanicError(v any) *PanicError { return &PanicError{Value: v, Stack: debug.Stack()} }

// Error describes the panic without the stack.
func (e *PanicError) Error() string { return fmt.Sprintf("herald: panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// MissingDependencyError lists services that routers require and nobody
// provided; Run returns it before handling any update.
type MissingDependencyError struct {
	Missing []string // "*shop.Store (required by router \"orders\")"
}

// Error lists the missing services.
func (e *MissingDependencyError) Error() string {
	return fmt.Sprintf("herald: %d required service(s) never provided: %v; register them with herald.Provide", len(e.Missing), e.Missing)
}
