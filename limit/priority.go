package limit

import "context"

// Priority orders callers that compete for the bot's global budget.
type Priority int8

const (
	// Interactive is traffic a user is waiting for, such as replies to
	// messages and button presses. It is the default.
	Interactive Priority = iota
	// Bulk is traffic nobody is waiting for right now, such as
	// broadcasts and digests. It gets the global budget only when no
	// Interactive caller of the same Limiter is waiting for it.
	Bulk
)

// String returns "interactive" or "bulk".
func (p Priority) String() string {
	if p == Bulk {
		return "bulk"
	}
	return "interactive"
}

type priorityKey struct{}

// WithPriority returns a copy of ctx whose calls through a Limiter have
// priority p.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

// PriorityFrom returns the priority set on ctx by WithPriority, or
// Interactive.
func PriorityFrom(ctx context.Context) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok && p == Bulk {
		return Bulk
	}
	return Interactive
}
