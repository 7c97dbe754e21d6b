package limit

import "github.com/heraldbot/herald/backend"

// The limiter's store types live with the other engine contracts in
// package backend; these names keep limit's API readable.
type (
	// Scope names a bucket of the limiter, or a 429 pause.
	Scope = backend.LimitScope
	// Bucket is one limit a call must fit in.
	Bucket = backend.LimitBucket
	// Request is one call's claim on the buckets.
	Request = backend.LimitRequest
	// Verdict is a store's answer to a Request.
	Verdict = backend.LimitVerdict
	// Rate is a limit of Count messages per Per with bursts of Burst.
	Rate = backend.Rate
)

// The scopes (see backend.LimitScope).
const (
	ScopeNone      = backend.ScopeNone
	ScopePause     = backend.ScopePause
	ScopeGlobal    = backend.ScopeGlobal
	ScopePaid      = backend.ScopePaid
	ScopeChat      = backend.ScopeChat
	ScopeGroup     = backend.ScopeGroup
	ScopeChatPause = backend.ScopeChatPause
)

// Unlimited turns a limit off when used in Config.
var Unlimited = Rate{Count: -1}
