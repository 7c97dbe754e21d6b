package tg

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDownloadFileLocalServer plays a local Bot API server in --local
// mode: getFile answers an absolute path under the server's directory,
// which the bot sees mounted elsewhere; DownloadFile reads the file from
// disk and sends no HTTP request for it.
func TestDownloadFileLocalServer(t *testing.T) {
	const serverDir = "/var/lib/telegram-bot-api"
	mount := t.TempDir()
	docs := filepath.Join(mount, testToken, "documents")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "file_0.pdf"), []byte("PDF DATA"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(docs, "link.pdf")); err != nil {
		t.Fatal(err)
	}
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/getFile"):
			writeJSON(w, 200, `{"ok":true,"result":{"file_id":"F","file_unique_id":"U","file_size":8,"file_path":"`+serverDir+"/"+testToken+`/documents/file_0.pdf"}}`)
		case strings.HasPrefix(r.URL.Path, "/file/") && strings.HasSuffix(r.URL.Path, "/photos/remote.jpg"):
			_, _ = io.WriteString(w, "REMOTE")
		default:
			t.Errorf("unexpected request %s", r.URL.Path)
			writeJSON(w, 404, `{"ok":false,"error_code":404,"description":"Not Found"}`)
		}
	}, WithLocalFiles(serverDir, mount))
	ctx := context.Background()

	f, err := c.GetFile(ctx, GetFileParams{FileID: "F"})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, c, f.FilePath); got != "PDF DATA" {
		t.Errorf("local file: %q", got)
	}
	if got := readAll(t, c, "photos/remote.jpg"); got != "REMOTE" { // relative paths still go over HTTP
		t.Errorf("relative path: %q", got)
	}

	for name, p := range map[string]string{
		"outside the directory": "/etc/passwd",
		"sibling directory":     serverDir + "-other/" + testToken + "/documents/file_0.pdf",
		"dot-dot":               serverDir + "/" + testToken + "/../../../etc/passwd",
		"the directory itself":  serverDir,
		"symbolic link out":     serverDir + "/" + testToken + "/documents/link.pdf",
		"a directory":           serverDir + "/" + testToken + "/documents",
		"missing":               serverDir + "/" + testToken + "/documents/none.pdf",
	} {
		rc, err := c.DownloadFile(ctx, p)
		if err == nil {
			rc.Close()
			t.Errorf("%s: %q accepted", name, p)
			continue
		}
		assertNoToken(t, err)
		if strings.Contains(err.Error(), mount) || strings.Contains(err.Error(), serverDir) {
			t.Errorf("%s: error names a path: %v", name, err)
		}
		if name == "missing" && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("missing: %v is not fs.ErrNotExist", err)
		}
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.DownloadFile(canceled, f.FilePath); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}

	// Without WithLocalFiles an absolute path is still refused, saying why.
	plain, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("request %s", r.URL.Path) })
	_, err = plain.DownloadFile(ctx, f.FilePath)
	assertNoToken(t, err)
	if err == nil || !strings.Contains(err.Error(), "WithLocalFiles") {
		t.Errorf("without WithLocalFiles: %v", err)
	}
	if _, err := New(testToken, WithLocalFiles("relative/dir", "")); err == nil {
		t.Error("a relative server directory accepted")
	}
}

// TestDownloadFileLocalSameDir reads from the server's own path when the
// bot runs on the same file system (localDir "").
func TestDownloadFileLocalSameDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("same"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("request %s", r.URL.Path) }, WithLocalFiles(dir, ""))
	if got := readAll(t, c, filepath.ToSlash(filepath.Join(dir, "a.txt"))); got != "same" {
		t.Errorf("%q", got)
	}
}

func readAll(t *testing.T, c *Client, p string) string {
	t.Helper()
	rc, err := c.DownloadFile(context.Background(), p)
	if err != nil {
		t.Fatalf("DownloadFile: %v", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
