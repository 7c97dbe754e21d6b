package postgres

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets more tests run in parallel than the default (GOMAXPROCS)
// unless -test.parallel is given: the tests spend their time waiting for
// leases and TTLs on the server's clock, not computing.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}
