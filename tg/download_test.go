package tg

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDownloadFile(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("method = %s", r.Method)
		}
		switch r.URL.EscapedPath() {
		case "/file/bot" + testToken + "/photos/file_1.jpg":
			_, _ = io.WriteString(w, "JPEG DATA")
		case "/file/bot" + testToken + "/docs/a%20b%3Fc.pdf":
			_, _ = io.WriteString(w, "escaped")
		case "/file/bot" + testToken + "/documents/proxy.pdf":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<h1>Bad Gateway "+r.URL.Path+"</h1>")
		default:
			writeJSON(w, 404, `{"ok":false,"error_code":404,"description":"Not Found"}`)
		}
	})
	ctx := context.Background()
	for path, want := range map[string]string{"photos/file_1.jpg": "JPEG DATA", "docs/a b?c.pdf": "escaped"} {
		rc, err := c.DownloadFile(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(data) != want {
			t.Errorf("%s: %q, %v", path, data, err)
		}
	}

	_, err := c.DownloadFile(ctx, "photos/missing.jpg")
	assertNoToken(t, err)
	e := asError(t, err)
	if e.Code != 404 || e.Method != "downloadFile" || e.Description != "Not Found" {
		t.Errorf("404: %+v", e)
	}

	_, err = c.DownloadFile(ctx, "documents/proxy.pdf")
	assertNoToken(t, err)
	if e := asError(t, err); e.Code != 502 || e.Method != "downloadFile" || !strings.Contains(e.Description, "Bad Gateway") {
		t.Errorf("502: %+v", e)
	}
}

func TestDownloadFileRejectsBadPaths(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request must not be sent: %s", r.URL.Path)
	})
	for _, p := range []string{"", "../secret", "a/../../b", "a//b", "./a", "a\\..\\b", "/var/lib/telegram-bot-api/" + testToken + "/documents/f.pdf"} {
		_, err := c.DownloadFile(context.Background(), p)
		if err == nil {
			t.Errorf("path %q accepted", p)
			continue
		}
		assertNoToken(t, err)
		if !strings.HasPrefix(err.Error(), "tg: downloadFile: ") {
			t.Errorf("path %q: %v", p, err)
		}
	}
}

func TestDownloadFileCancel(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.DownloadFile(ctx, "photos/x.jpg")
	assertNoToken(t, err)
	if _, ok := errors.AsType[*NetworkError](err); !ok || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v (%T)", err, err)
	}
}

// TestDownloadFileCancelMidBody cancels while the body is being read: the
// read fails with context.Canceled and no token.
func TestDownloadFileCancelMidBody(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		_, _ = w.Write(bytes.Repeat([]byte("a"), 1000))
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc, err := c.DownloadFile(ctx, "documents/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = io.ReadAll(rc)
	assertNoToken(t, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestDownloadFileSizeLimitAndEarlyClose reads a bounded prefix of a large
// file and closes it; the next download still works.
func TestDownloadFileSizeLimitAndEarlyClose(t *testing.T) {
	const size = 4 << 20
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = io.CopyN(w, zeros{}, size)
	})
	for range 3 {
		rc, err := c.DownloadFile(context.Background(), "documents/big.bin")
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
		if err != nil || n != 1<<20 {
			t.Fatalf("read %d, %v", n, err)
		}
		if err := rc.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}
