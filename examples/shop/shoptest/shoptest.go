package shoptest

import (
	"testing"

	"github.com/heraldbot/herald/internal/pgtest"
)

// PostgresAddr is the test database: 127.0.0.1:5432, trust auth, database test.
const PostgresAddr = pgtest.Addr

// PostgresURL creates a schema for the test (dropped at cleanup) and
// returns a URL whose search_path is that schema. When PostgreSQL is
// unreachable it skips the test, or fails it when CI is "true".
func PostgresURL(t testing.TB) string { return pgtest.Schema(t, "shop_test") }
