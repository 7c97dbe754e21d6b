package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// botProcess is a running bot: the process is the bot itself (its
// binary, or node running its script), so its pid's CPU and memory are
// the bot's.
type botProcess struct {
	cmd    *exec.Cmd
	out    *lineLog
	exited chan struct{} // closed when the process has exited
	err    error         // Wait's error, set before exited is closed
}

// startBot starts the bot with env added to a minimal environment.
func startBot(path string, args []string, dir string, env map[string]string, out *lineLog) (*botProcess, error) {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = botEnviron(env)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the driver
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &botProcess{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// botEnviron is PATH and HOME from the driver's environment (node and Go
// programs need no more) with env.
func botEnviron(env map[string]string) []string {
	var out []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func (p *botProcess) pid() int { return p.cmd.Process.Pid }

// alive reports whether the process has not exited.
func (p *botProcess) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// exitError describes an exit that nobody asked for, with the bot's last
// lines of output.
func (p *botProcess) exitError() error {
	return fmt.Errorf("the bot exited (%v); its last output:\n%s", p.err, p.out.tail())
}

// stop sends SIGTERM and waits up to grace for the exit, then kills the
// process. It reports whether the bot stopped by itself.
func (p *botProcess) stop(grace time.Duration) bool {
	if !p.alive() {
		return true
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.exited:
		return true
	case <-t.C:
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	return false
}

// lineLog takes a bot's output: each line, the token replaced, is logged
// at debug level and the last ones are kept for error messages.
type lineLog struct {
	log    *slog.Logger
	secret string

	mu    sync.Mutex
	buf   []byte
	lines []string
}

const keptLines = 20

func newLineLog(log *slog.Logger, secret string) *lineLog {
	return &lineLog{log: log, secret: secret}
}

func (l *lineLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.addLocked(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) > 64<<10 { // a line too long: take it as it is
		l.addLocked(string(l.buf))
		l.buf = nil
	}
	return len(b), nil
}

// redact replaces the token in s.
func (l *lineLog) redact(s string) string {
	if l.secret == "" {
		return s
	}
	return strings.ReplaceAll(s, l.secret, "<token>")
}

func (l *lineLog) addLocked(line string) {
	line = strings.TrimRight(l.redact(line), "\r")
	l.log.Debug("bot output", "line", line)
	l.lines = append(l.lines, line)
	if len(l.lines) > keptLines {
		l.lines = l.lines[len(l.lines)-keptLines:]
	}
}

// tail is the last lines of output, or a note that there were none.
func (l *lineLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == 0 && len(l.buf) == 0 {
		return "  (no output)"
	}
	lines := slices.Clone(l.lines)
	if len(l.buf) > 0 {
		lines = append(lines, l.redact(string(l.buf)))
	}
	return "  " + strings.Join(lines, "\n  ")
}
