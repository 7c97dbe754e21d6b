package sqlite

import "github.com/heraldbot/herald/backend"

var _ backend.Backend = (*Store)(nil)

// Name returns "sqlite".
func (s *Store) Name() string { return "sqlite" }

// State returns s: it keeps conversation state itself.
func (s *Store) State() backend.State { return s }

// Locker returns s: it hands out per-chat locks itself.
func (s *Store) Locker() backend.Locker { return s }

// Claims returns s: it keeps update claims itself.
func (s *Store) Claims() backend.Claims { return s }
