package broadcast_test

import (
	"testing"

	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/broadcast/broadcasttest"
)

func TestMemoryStore(t *testing.T) {
	broadcasttest.TestStore(t, func(*testing.T) broadcast.Store { return broadcast.NewMemoryStore() })
}
