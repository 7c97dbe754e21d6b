package sqlite

import "github.com/heraldbot/herald/backend"

// Journal returns nil until the sqlite journal lands.
func (s *Store) Journal() backend.Journal { return nil }
