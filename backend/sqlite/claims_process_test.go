package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/fsm"
)

// Environment of a child process of this test binary (see startChild).
const (
	envChild = "HERALD_SQLITE_CHILD" // the child's job: "claims" or "lock"
	envPath  = "HERALD_SQLITE_PATH"  // the shared database file
	envName  = "HERALD_SQLITE_NAME"  // name prefix (claims) or lock name
	envCount = "HERALD_SQLITE_COUNT" // names to claim
	envID    = "HERALD_SQLITE_ID"    // the child's number, for owner strings
)

// child is a running child process: this test binary re-run with
// -test.run=TestChildProcess, talking over stdin and stdout.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // stdout, line by line; closed at EOF
	mu    sync.Mutex
	out   strings.Builder // everything it wrote, for the failure log
}

// startChild starts a child process with job and env, stopping it when the
// test ends (and logging its output if the test failed).
func startChild(t *testing.T, job string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(append(os.Environ(), envChild+"="+job), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	cmd.Stderr = &lockedWriter{c}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.mu.Lock()
			c.out.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			c.mu.Lock()
			t.Logf("child %s (pid %d) output:\n%s", job, cmd.Process.Pid, c.out.String())
			c.mu.Unlock()
		}
	})
	return c
}

type lockedWriter struct{ c *child }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.out.Write(p)
}

// await reads the child's output until a line starting with prefix, which
// it returns, failing the test after timeout or when the child exits.
func (c *child) await(t *testing.T, prefix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatalf("child exited before writing %q", prefix)
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
		case <-deadline:
			t.Fatalf("child wrote no %q line within %v", prefix, timeout)
		}
	}
}

// TestClaimsTwoProcesses: two OS processes, each with its own Store on one
// file, claim the same 200 names at once, from two goroutines per name
// each: exactly one claim per name is fsm.Claimed.
func TestClaimsTwoProcesses(t *testing.T) {
	path := dbPath(t)
	openAt(t, path, Options{SweepInterval: -1}).Close() // create and migrate the file
	const names = 200
	prefix := uniqueClaimPrefix()
	var kids [2]*child
	for i := range kids {
		kids[i] = startChild(t, "claims", envPath+"="+path, envName+"="+prefix,
			envCount+"="+strconv.Itoa(names), envID+"="+strconv.Itoa(i))
	}
	for _, k := range kids {
		k.await(t, "READY", 30*time.Second)
	}
	for _, k := range kids { // let both go at once
		if _, err := io.WriteString(k.stdin, "GO\n"); err != nil {
			t.Fatal(err)
		}
	}
	claimed := make(map[string]int)
	for i, k := range kids {
		for {
			line := k.await(t, "", 30*time.Second)
			if name, ok := strings.CutPrefix(line, "CLAIMED "); ok {
				claimed[name]++
				continue
			}
			if rest, ok := strings.CutPrefix(line, "DONE "); ok {
				t.Logf("process %d: %s", i, rest)
				break
			}
		}
		if err := k.cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	for j := range names {
		if n := claimed[fmt.Sprintf("%s-%d", prefix, j)]; n != 1 {
			t.Errorf("name %d was Claimed %d times across the two processes, want exactly once", j, n)
		}
	}
	if len(claimed) != names {
		t.Errorf("%d names claimed, want %d", len(claimed), names)
	}
}

func uniqueClaimPrefix() string { return fmt.Sprintf("proc-%d", time.Now().UnixNano()) }

// TestChildProcess is the body of the child processes of the process
// tests; it does nothing when run on its own.
func TestChildProcess(t *testing.T) {
	job := os.Getenv(envChild)
	if job == "" {
		t.Skip("a helper process of TestClaimsTwoProcesses and TestLockDeadProcess")
	}
	s, err := Open(context.Background(), os.Getenv(envPath), Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	switch job {
	case "claims":
		childClaims(t, s)
	case "lock":
		childLock(t, s)
	default:
		t.Fatalf("unknown child job %q", job)
	}
}

// childClaims claims HERALD_SQLITE_COUNT names, two goroutines per name,
// all let go when the parent writes a line, and reports each Claimed.
// Child 1 starts its goroutines from the last name, so that the two
// processes collide somewhere in the middle even if one starts late.
func childClaims(t *testing.T, s fsm.Claims) {
	n, _ := strconv.Atoi(os.Getenv(envCount))
	prefix, id := os.Getenv(envName), os.Getenv(envID)
	start := make(chan struct{})
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		pending int
	)
	for j := range n {
		if id == "1" {
			j = n - 1 - j // the other process starts from the other end: they meet in the middle
		}
		name := fmt.Sprintf("%s-%d", prefix, j)
		for g := range 2 {
			owner := fmt.Sprintf("p%s-%d-%d", id, j, g)
			wg.Go(func() {
				<-start
				st, err := s.Claim(context.Background(), name, owner, time.Minute)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("Claim(%q): %v", name, err)
				case st == fsm.Claimed:
					fmt.Printf("CLAIMED %s\n", name)
				case st == fsm.Pending:
					pending++
				default:
					t.Errorf("Claim(%q) = %v", name, st)
				}
			})
		}
	}
	fmt.Println("READY")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	close(start)
	wg.Wait()
	fmt.Printf("DONE %d pending\n", pending)
}
