package emulator

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldbot/herald/tg"
)

const pageBotToken = "777001:page-test_secret"

// TestPageAssets checks what the page handler serves without a browser:
// content types, cache headers, revalidation and the plain-text index.
func TestPageAssets(t *testing.T) {
	e := New(Options{})
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = e.Close() })

	get := func(path string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(body)
	}

	res, body := get("/", map[string]string{"Accept": "text/html,application/xhtml+xml"})
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("GET / headers = %v", res.Header)
	}
	p := pageAssets()
	if !strings.Contains(body, `/web/app.js?v=`+p.script.version) || !strings.Contains(body, `/web/style.css?v=`+p.style.version) {
		t.Fatalf("index does not link versioned assets:\n%s", body)
	}

	res, _ = get("/", map[string]string{"Accept": "*/*"})
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET / for a non-browser: Content-Type %q, want the plain-text index", res.Header.Get("Content-Type"))
	}

	res, _ = get("/web/app.js?v="+p.script.version, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET app.js = %d %v", res.StatusCode, res.Header)
	}
	res, _ = get("/web/style.css", map[string]string{"If-None-Match": p.style.etag})
	if res.StatusCode != http.StatusNotModified || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("revalidating style.css = %d %v", res.StatusCode, res.Header)
	}
	if res, _ = get("/web/nothing.js", nil); res.StatusCode != 404 {
		t.Fatalf("GET /web/nothing.js = %d, want 404", res.StatusCode)
	}

	// A user's document is served as a download; a photo inline.
	sent, err := e.SendMessage(context.Background(), UserMessage{
		Token: pageBotToken, From: tg.User{ID: 42, FirstName: "Pat"},
		Document: &Upload{FileName: "notes.html", MimeType: "text/html", Data: []byte("<script>alert(1)</script>")},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, body = get("/web/files/"+sent.FileID+"?token="+pageBotToken, nil)
	if res.StatusCode != 200 || body != "<script>alert(1)</script>" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("GET document = %d %v", res.StatusCode, res.Header)
	}
	if res, _ = get("/web/files/"+sent.FileID+"?token=1:other", nil); res.StatusCode != 401 {
		t.Fatalf("GET file with a wrong token = %d, want 401", res.StatusCode)
	}
}
