package redis

import "github.com/heraldbot/herald/backend"

// Journal returns nil until the redis journal lands.
func (s *Store) Journal() backend.Journal { return nil }
