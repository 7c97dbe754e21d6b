package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const modulePath = "github.com/heraldbot/herald/bench/peers"

// findModule returns the bench/peers module directory: dir if given,
// else the first directory from the working directory up whose go.mod is
// the module's, or which holds bench/peers/go.mod.
func findModule(dir string) (string, error) {
	if dir != "" {
		if !isModule(dir) {
			return "", fmt.Errorf("%s: no go.mod of %s", dir, modulePath)
		}
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		for _, c := range []string{d, filepath.Join(d, "bench", "peers")} {
			if isModule(c) {
				return c, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s module above %s: pass --dir", modulePath, wd)
		}
	}
}

func isModule(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && bytes.HasPrefix(bytes.TrimSpace(data), []byte("module "+modulePath+"\n"))
}

// runners are how each selected bot is started.
type runners struct {
	moduleDir string
	binDir    string            // the Go bots' binaries
	node      string            // the node executable, "" when the node bots are not run
	skipped   map[string]string // bot name → why it is not run
}

// command returns the executable and arguments that start bot b, and
// the directory to start it in.
func (r *runners) command(b botSpec) (path string, args []string, dir string) {
	if b.isNode() {
		return r.node, []string{b.Script}, filepath.Join(r.moduleDir, "node")
	}
	return filepath.Join(r.binDir, filepath.Base(b.Package)), nil, r.moduleDir
}

// prepare builds the Go bots into a temporary directory (removed by the
// returned function) and installs the node bots' packages.
func prepare(ctx context.Context, moduleDir string, bots []botSpec, log *slog.Logger) (*runners, func(), error) {
	bin, err := os.MkdirTemp("", "peerbench-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { _ = os.RemoveAll(bin) }
	r := &runners{moduleDir: moduleDir, binDir: bin, skipped: map[string]string{}}
	var pkgs []string
	var wantNode bool
	for _, b := range bots {
		if b.isNode() {
			wantNode = true
		} else if !slices.Contains(pkgs, b.Package) { // variants share a program
			pkgs = append(pkgs, b.Package)
		}
	}
	if len(pkgs) > 0 {
		log.Info("building the Go bots", "packages", strings.Join(pkgs, " "))
		args := append([]string{"build", "-o", bin + string(filepath.Separator)}, pkgs...)
		if err := runTool(ctx, 10*time.Minute, moduleDir, "go", args...); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	if wantNode {
		if why := r.prepareNode(ctx, log); why != "" {
			log.Warn("the node bots are skipped", "reason", why)
			for _, b := range bots {
				if b.isNode() {
					r.skipped[b.Name] = why
				}
			}
		}
	}
	return r, cleanup, nil
}

// prepareNode finds node and npm and runs npm ci; it returns why the node
// bots cannot run, or "".
func (r *runners) prepareNode(ctx context.Context, log *slog.Logger) string {
	node, err := exec.LookPath("node")
	if err != nil {
		return "node is not installed (no node on PATH)"
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "npm is not installed (no npm on PATH)"
	}
	dir := filepath.Join(r.moduleDir, "node")
	log.Info("installing the node bots' packages", "dir", dir, "command", "npm ci")
	if err := runTool(ctx, 5*time.Minute, dir, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
		return err.Error()
	}
	r.node = node
	return ""
}

// runTool runs a build tool in dir, bounded by limit; its output is
// returned in the error when it fails.
func runTool(ctx context.Context, limit time.Duration, dir, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if len(msg) > 4000 {
			msg = "…" + msg[len(msg)-4000:]
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %v", limit)
		}
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, msg)
	}
	return nil
}
