//go:build !unix

package main

import "time"

// cpuTime is unknown on this system: CPU per update is reported as 0.
func cpuTime() time.Duration { return 0 }
