package album_test

// TestFleetProcesses: three bot processes (the test binary run again) on
// one SQLite file, one of them killed with SIGKILL during an album's
// quiet period.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/album"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// envChild, when set, makes the test binary a bot process of
// TestFleetProcesses, on the SQLite file it names.
const envChild = "HERALD_ALBUM_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(envChild); path != "" {
		if err := child(path); err != nil {
			fmt.Fprintln(os.Stderr, "album child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is one bot process: it reads updates, one JSON object a line, from
// stdin, handles each with HandleUpdate (concurrently: the chat lock
// orders them) and answers "ok <update id>" on stdout; each album it
// hands over is a line "call <group> <id>,<id>…".
func child(path string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	engine, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return err
	}
	defer engine.Close()
	bot, err := herald.New(fleetToken, herald.WithBackend(engine), herald.WithLogger(emutest.Quiet()),
		herald.WithClientOptions(tg.WithBaseURL("http://api.invalid")))
	if err != nil {
		return err
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", args...)
		_ = out.Flush()
	}
	col := album.New(fleetConfig, func(c *herald.Context, parts []*tg.Message) error {
		ids := make([]string, len(parts))
		for i, p := range parts {
			ids[i] = strconv.FormatInt(p.MessageID, 10)
		}
		say("call %s %s", parts[0].MediaGroupID, strings.Join(ids, ","))
		return nil
	})
	col.Register(bot.Router())
	bot.Router().Message(func(*herald.Context) error { return nil })
	go func() { _ = col.Run(ctx, bot) }()

	in := bufio.NewScanner(os.Stdin)
	var wg sync.WaitGroup
	for in.Scan() {
		var u tg.Update
		if err := json.Unmarshal(in.Bytes(), &u); err != nil {
			return err
		}
		wg.Go(func() {
			if err := bot.HandleUpdate(ctx, &u); err != nil {
				say("error %d %v", u.UpdateID, err)
				return
			}
			say("ok %d", u.UpdateID)
		})
	}
	wg.Wait()
	return in.Err()
}

// proc is a bot process seen from the test.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	acks  map[int64]chan string
}

// send writes u to the process and waits for its answer; a failure is
// reported with t.Errorf (send runs in the chats' goroutines).
func (p *proc) send(t *testing.T, u *tg.Update) {
	t.Helper()
	data, err := json.Marshal(u)
	if err != nil {
		t.Error(err)
		return
	}
	ack := make(chan string, 1)
	p.mu.Lock()
	p.acks[u.UpdateID] = ack
	p.mu.Unlock()
	if _, err := p.stdin.Write(append(data, '\n')); err != nil {
		t.Errorf("writing to %v: %v", p.cmd.Process.Pid, err)
		return
	}
	select {
	case a := <-ack:
		if a != "ok" {
			t.Errorf("update %d: %s", u.UpdateID, a)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("update %d: no answer from process %d", u.UpdateID, p.cmd.Process.Pid)
	}
}

func TestFleetProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "herald.db")
	var (
		mu    sync.Mutex
		calls = make(map[string][]string)
	)
	procs := make([]*proc, 3)
	for i := range procs {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), envChild+"="+path)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &proc{cmd: cmd, stdin: stdin, acks: make(map[int64]chan string)}
		procs[i] = p
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				f := strings.SplitN(sc.Text(), " ", 3)
				switch {
				case f[0] == "call" && len(f) == 3:
					mu.Lock()
					calls[f[1]] = append(calls[f[1]], f[2])
					mu.Unlock()
				case (f[0] == "ok" || f[0] == "error") && len(f) >= 2:
					id, _ := strconv.ParseInt(f[1], 10, 64)
					p.mu.Lock()
					ack := p.acks[id]
					p.mu.Unlock()
					if ack != nil {
						ack <- strings.Join(append([]string{f[0]}, f[2:]...), " ")
					}
				}
			}
		}()
	}

	want := map[string]string{}
	var wg sync.WaitGroup
	// Four chats, three albums each, parts spread over the processes.
	for c := range int64(4) {
		wg.Go(func() {
			chat := 3000 + c
			upd, msg, next := chat*1000, int64(0), int(c)
			for a := range 3 {
				group := fmt.Sprintf("p%d-%d", chat, a)
				var ids []string
				for range 2 + (int(c)*3+a)%9 {
					upd, msg = upd+1, msg+1
					ids = append(ids, strconv.FormatInt(msg, 10))
					procs[next%3].send(t, part(upd, chat, msg, group))
					next++
				}
				mu.Lock()
				want[group] = strings.Join(ids, ",")
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	// Album k: parts on processes 0, 1 and 2, which is then killed
	// (SIGKILL) during the quiet period; album s: both parts on process 2
	// just before, so only the sweep of 0 or 1 finds it.
	procs[2].send(t, part(1, 3100, 1, "s"))
	procs[2].send(t, part(2, 3100, 2, "s"))
	procs[0].send(t, part(3, 3101, 1, "k"))
	procs[1].send(t, part(4, 3101, 2, "k"))
	procs[2].send(t, part(5, 3101, 3, "k"))
	if err := procs[2].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	want["s"], want["k"] = "1,2", "1,2,3"

	engine, err := sqlite.Open(testkit.Context(t), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	botID, _ := tg.BotIDOf(fleetToken)
	emutest.Until(t, time.Minute, "every album handed over and nothing pending", func() bool {
		mu.Lock()
		n := len(calls)
		mu.Unlock()
		rec, err := engine.State().Get(context.Background(), backend.Key{BotID: botID, UserID: -1})
		return n >= len(want) && err == nil && (rec.Version == 0 || string(rec.Data) == `{"chats":[]}`)
	})
	mu.Lock()
	defer mu.Unlock()
	for g, ids := range want {
		if got := calls[g]; !slices.Equal(got, []string{ids}) {
			t.Errorf("album %s: calls %q, want one with %s", g, got, ids)
		}
	}
	if len(calls) != len(want) {
		t.Errorf("%d albums handed over, want %d", len(calls), len(want))
	}
}
