package shopbot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/examples/shop/service"
)

// Storage is the shop's persistence: business data (SQLite, or
// PostgreSQL when a database URL is given) and conversation state
// (always the SQLite file).
type Storage struct {
	DB    *service.DB
	State *sqlite.Store
}

// OpenStorage opens the SQLite file at path for the conversation state
// and, when databaseURL is empty, for the business data too (one file);
// otherwise the business data goes to the PostgreSQL database at
// databaseURL. Schemas are created on first use.
func OpenStorage(ctx context.Context, path, databaseURL string) (*Storage, error) {
	// Herald's store first: it refuses a fresh file that already has
	// other tables in it, and the shop's tables are happy to join it.
	state, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, fmt.Errorf("opening the state file %s: %w", path, err)
	}
	dsn := path
	if databaseURL != "" {
		dsn = databaseURL
	}
	db, err := service.Open(ctx, dsn)
	if err != nil {
		state.Close()
		return nil, err
	}
	return &Storage{DB: db, State: state}, nil
}

// Close closes both databases.
func (s *Storage) Close() error { return errors.Join(s.DB.Close(), s.State.Close()) }

// ParseAdmins reads a comma-separated list of user ids ("42, 1001").
func ParseAdmins(s string) ([]int64, error) {
	var out []int64
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("admin id %q is not a user id", f)
		}
		out = append(out, id)
	}
	return out, nil
}
