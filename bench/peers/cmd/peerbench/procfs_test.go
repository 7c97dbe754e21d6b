package main

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// A command name with spaces and a parenthesis, as a process may
	// call itself; utime 1234 and stime 56 are fields 14 and 15.
	stat := "4242 (my (odd) bot) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 56 0 0 20 0 9 0 100 1000000 500 " +
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	got, err := parseStatCPU(stat)
	if err != nil || got != 1290 {
		t.Fatalf("parseStatCPU = %d, %v; want 1290", got, err)
	}
	for _, bad := range []string{"", "4242 (x", "4242 (x) S 1 2", "4242 (x) S 1 4242 4242 0 -1 0 0 0 0 0 ten 56 0"} {
		if _, err := parseStatCPU(bad); err == nil {
			t.Errorf("parseStatCPU(%q): no error", bad)
		}
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\tbot\nVmPeak:\t  99999 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n"
	got, err := parseVmHWM(bufio.NewScanner(strings.NewReader(status)))
	if err != nil || got != 20480<<10 {
		t.Fatalf("parseVmHWM = %d, %v; want %d", got, err, 20480<<10)
	}
	for _, bad := range []string{"Name:\tbot\n", "VmHWM:\t12 MB\n", "VmHWM:\tlots kB\n"} {
		if _, err := parseVmHWM(bufio.NewScanner(strings.NewReader(bad))); err == nil {
			t.Errorf("parseVmHWM(%q): no error", bad)
		}
	}
}

// TestOwnProcess reads this process's figures: CPU grows with work and
// the peak RSS is plausible.
func TestOwnProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here:", err)
	}
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for start := time.Now(); time.Since(start) < 60*time.Millisecond; {
		x++
	}
	after, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 2*clockTick {
		t.Errorf("60 ms of spinning (%d turns) took %v of CPU", x, after-before)
	}
	rss, err := peakRSS(os.Getpid())
	if err != nil || rss < 1<<20 || rss > 64<<30 {
		t.Errorf("peak RSS %d bytes, %v", rss, err)
	}
}
