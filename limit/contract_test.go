package limit_test

import (
	"testing"

	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/limit/limittest"
)

func TestMemoryStoreContract(t *testing.T) {
	limittest.TestStore(t, func(t *testing.T) (backend.LimitStore, backend.LimitStore) {
		s := limit.NewMemoryStore(nil)
		return s, s
	})
}
