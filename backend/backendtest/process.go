package backendtest

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

	"github.com/heraldbot/herald/backend"
)

// The process tests check a backend shared by several OS processes from
// the outside: the children are the backend's test binary run again
// (StartChild), and run their side with RunChild. A backend's tests wire
// them up like this:
//
//	func TestClaimsTwoProcesses(t *testing.T) { backendtest.TestClaimsProcesses(t, start) }
//	func TestLockDeadProcess(t *testing.T)    { backendtest.TestLockerProcess(t, newStore(t), start) }
//
//	// start starts a child on the same data as this process.
//	func start(t *testing.T, env ...string) *backendtest.Child {
//		return backendtest.StartChild(t, "TestChildProcess", append(env, "MY_BACKEND_ADDR="+addr)...)
//	}
//
//	func TestChildProcess(t *testing.T) {
//		if !backendtest.IsChild() {
//			t.Skip("a helper process of the process tests")
//		}
//		s := open(os.Getenv("MY_BACKEND_ADDR"))
//		backendtest.RunChild(t, s, s)
//	}

// Environment of a child process (see StartChild and RunChild).
const (
	envJob   = "BACKENDTEST_CHILD"       // the child's job: "claims" or "lock"
	envName  = "BACKENDTEST_CHILD_NAME"  // name prefix (claims) or lock name
	envCount = "BACKENDTEST_CHILD_COUNT" // names to claim
	envID    = "BACKENDTEST_CHILD_ID"    // the child's number, for owner strings
)

// StartFunc starts a child process of the test binary with env added to
// its environment, usually with StartChild, adding what the child needs
// to open a backend on the parent's data (an address, a file, a bot id).
type StartFunc func(t *testing.T, env ...string) *Child

// Child is a running child process: the test binary re-run by StartChild,
// talking over stdin and stdout.
type Child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // stdout, line by line; closed at EOF
	mu    sync.Mutex
	out   strings.Builder // everything it wrote, for the failure log
}

// StartChild starts the test binary (os.Args[0]) again, running only the
// test named test, with env added to its environment. The child is killed
// when t ends, and its output logged if t failed.
func StartChild(t *testing.T, test string, env ...string) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &Child{cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	cmd.Stderr = childStderr{c}
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
			t.Logf("child %s (pid %d) output:\n%s", test, cmd.Process.Pid, c.out.String())
			c.mu.Unlock()
		}
	})
	return c
}

type childStderr struct{ c *Child }

func (w childStderr) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.out.Write(p)
}

// await reads the child's output until a line starting with prefix, which
// it returns, failing the test after timeout or when the child exits.
func (c *Child) await(t *testing.T, prefix string, timeout time.Duration) string {
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

// TestClaimsProcesses: two OS processes started with start, each with its
// own backend on the same data, claim the same 200 names at once, from two
// goroutines per name each: exactly one claim per name is backend.Claimed.
func TestClaimsProcesses(t *testing.T, start StartFunc) {
	const names = 200
	prefix := fmt.Sprintf("proc-%d", time.Now().UnixNano())
	var kids [2]*Child
	for i := range kids {
		kids[i] = start(t, envJob+"=claims", envName+"="+prefix,
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

// TestLockerProcess: a child process started with start takes a lock with
// a 3 s lease, as the runtime does for chat locks, and keeps it, renewing,
// for longer than the lease; after it is killed with SIGKILL (no Unlock,
// no Close) a waiter on l, in this process, gets the lock within 5 s of
// the kill. It is skipped with -short.
func TestLockerProcess(t *testing.T, l backend.Locker, start StartFunc) {
	if testing.Short() {
		t.Skip("waits for a lease to run out; skipped with -short")
	}
	name := fmt.Sprintf("chat-%d", time.Now().UnixNano())
	kid := start(t, envJob+"=lock", envName+"="+name)
	kid.await(t, "LOCKED", 30*time.Second)

	got := make(chan time.Time, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		lk, err := l.Lock(ctx, name, 3*time.Second)
		if err != nil {
			t.Errorf("Lock: %v", err)
			close(got)
			return
		}
		got <- time.Now()
		lk.Unlock(context.Background())
	}()
	// Past the first lease: only the child's renewals keep it.
	select {
	case <-got:
		t.Fatal("the waiter got the lock while the child held it")
	case <-time.After(4 * time.Second):
	}
	if err := kid.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	killed := time.Now()
	select {
	case at, ok := <-got:
		if !ok {
			return
		}
		d := at.Sub(killed)
		t.Logf("the waiter got the lock %v after the holder was killed", d.Round(time.Millisecond))
		if d > 5*time.Second {
			t.Fatalf("the waiter got the lock %v after the holder was killed, want at most 5 s", d)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiter did not get the lock within 20 s of the kill")
	}
}

// IsChild reports whether this process is a child started for
// TestClaimsProcesses or TestLockerProcess, which should call RunChild.
func IsChild() bool { return os.Getenv(envJob) != "" }

// RunChild runs the child's side of the process test that started this
// process: claims on c for TestClaimsProcesses, a lock on l for
// TestLockerProcess (a backend without one of them may pass nil).
func RunChild(t *testing.T, c backend.Claims, l backend.Locker) {
	switch job := os.Getenv(envJob); job {
	case "claims":
		childClaims(t, c)
	case "lock":
		childLock(t, l)
	default:
		t.Fatalf("unknown child job %q", job)
	}
}

// childClaims claims BACKENDTEST_CHILD_COUNT names, two goroutines per name,
// all let go when the parent writes a line, and reports each Claimed.
// Child 1 starts its goroutines from the last name, so that the two
// processes collide somewhere in the middle even if one starts late.
func childClaims(t *testing.T, c backend.Claims) {
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
				st, err := c.Claim(context.Background(), name, owner, time.Minute)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("Claim(%q): %v", name, err)
				case st == backend.Claimed:
					fmt.Printf("CLAIMED %s\n", name)
				case st == backend.Pending:
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

// childLock takes the lock named by BACKENDTEST_CHILD_NAME with a 3 s lease,
// reports it and keeps it until killed.
func childLock(t *testing.T, l backend.Locker) {
	lk, err := l.Lock(context.Background(), os.Getenv(envName), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("LOCKED %d\n", lk.Token())
	time.Sleep(time.Minute)
	t.Error("not killed within a minute")
}
