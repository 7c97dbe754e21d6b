package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemoCommand runs `herald demo` on a free loopback port, in polling
// and webhook mode: the page is served, and a new user's /start, sent
// through the control API over HTTP, is answered by the shop bot.
func TestDemoCommand(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := filepath.Join(t.TempDir(), "demo.db")
			args := []string{"demo", "--addr", "127.0.0.1:0", "--db", db, "--limits", "off", "--log-level", "warn"}
			if mode == "webhook" {
				args = append(args, "--webhook")
			}
			var out, errOut syncBuffer
			root := newRootCmd()
			root.SetArgs(args)
			root.SetOut(&out)
			root.SetErr(&errOut)
			done := make(chan error, 1)
			go func() { done <- root.ExecuteContext(ctx) }()

			re := regexp.MustCompile(`Open (http://127\.0\.0\.1:\d+)/`)
			var base string
			for range 1000 {
				if m := re.FindStringSubmatch(out.String()); m != nil {
					base = m[1]
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if base == "" {
				t.Fatalf("no URL printed; stdout %q stderr %q", out.String(), errOut.String())
			}
			for _, want := range []string{db, `pick the user "Ada"`, "write /start", "Ctrl-C"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("instructions lack %q:\n%s", want, out.String())
				}
			}

			req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
			req.Header.Set("Accept", "text/html")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(page), "<html") {
				t.Fatalf("GET / = %d %.200s", res.StatusCode, page)
			}

			body := `{"token":"` + demoToken + `","from":{"id":77,"first_name":"Newcomer"},"text":"/start"}`
			res, err = http.Post(base+"/control/messages", "application/json", bytes.NewBufferString(body))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("POST /control/messages = %d", res.StatusCode)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				res, err := http.Get(base + "/control/chats/77/messages?token=" + demoToken)
				if err != nil {
					t.Fatal(err)
				}
				tr, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if strings.Contains(string(tr), "Welcome to the Herald coffee shop, Newcomer!") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the bot did not answer /start; transcript %s; logs %s", tr, errOut.String())
				}
				time.Sleep(20 * time.Millisecond)
			}

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("demo: %v; logs %s", err, errOut.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatal("demo did not stop within 20 s of cancel")
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	out, err := runCmd(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"herald ", "go1.", "Bot API "} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q: %q", want, out)
		}
	}
}
