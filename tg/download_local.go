package tg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// WithLocalFiles lets DownloadFile read the absolute file paths that a
// local Bot API server (telegram-bot-api --local) returns from getFile:
// in local mode the server does not serve files over HTTP, it stores them
// under its working directory (--dir, "/var/lib/telegram-bot-api" by
// default) and getFile gives their absolute path there, for the bot to
// read from a disk it shares with the server.
//
// serverDir is that working directory as the server sees it; a path
// outside it is refused. localDir is where the bot sees the same
// directory (a volume mounted elsewhere in the bot's container); "" means
// the same path. Files are opened with os.OpenInRoot, so neither ".."
// nor a symbolic link leads out of localDir. Relative paths still go over
// HTTP.
func WithLocalFiles(serverDir, localDir string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(serverDir, "/") {
			return errors.New("tg: WithLocalFiles: the server directory must be an absolute path")
		}
		if localDir == "" {
			localDir = serverDir
		}
		c.local = &localFiles{serverDir: path.Clean(serverDir), localDir: filepath.Clean(localDir)}
		return nil
	}
}

// localFiles maps a local Bot API server's absolute file paths to files.
type localFiles struct {
	serverDir string // cleaned, slash-separated
	localDir  string
}

// open opens the local file of an absolute file_path. Errors name neither
// the path nor the directories: the server stores files under a folder
// named after the token.
func (l *localFiles) open(ctx context.Context, filePath string, redact *redactor) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tg: %s: %w", downloadMethod, err)
	}
	prefix := l.serverDir
	if prefix != "/" {
		prefix += "/"
	}
	rel, ok := strings.CutPrefix(path.Clean(filePath), prefix)
	if !ok || rel == "" {
		return nil, fmt.Errorf("tg: %s: the local file is outside the local Bot API server's directory", downloadMethod)
	}
	f, err := os.OpenInRoot(l.localDir, filepath.FromSlash(rel))
	if err != nil {
		return nil, fmt.Errorf("tg: %s: opening the local file: %w", downloadMethod, redact.scrub(pathless(err)))
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("tg: %s: the local file is not a regular file", downloadMethod)
	}
	return &localFile{f: f, redact: redact}, nil
}

// pathless drops the path from a *fs.PathError, keeping what errors.Is
// needs (fs.ErrNotExist, fs.ErrPermission, …).
func pathless(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// localFile is a local file whose errors carry no path.
type localFile struct {
	f      *os.File
	redact *redactor
}

func (l *localFile) Read(p []byte) (int, error) {
	n, err := l.f.Read(p)
	if err != nil && err != io.EOF {
		err = l.redact.scrub(pathless(err))
	}
	return n, err
}

func (l *localFile) Close() error {
	if err := l.f.Close(); err != nil {
		return l.redact.scrub(pathless(err))
	}
	return nil
}
