package emulator

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/go-json-experiment/json"
	"github.com/heraldbot/herald/tg"
)

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256}}
}

// BenchmarkGetUpdates measures updates served per second through
// getUpdates (limit 100) over HTTP on 127.0.0.1, limits off. Updates are
// created in process, in chunks, outside the timer.
func BenchmarkGetUpdates(b *testing.B) {
	e, url := startEmu(b, Options{Limits: offLimits(), MaxPendingUpdates: 20000})
	hc := benchClient()
	defer hc.CloseIdleConnections()
	ctx := testkit.Context(b)
	endpoint := url + "/bot" + testToken + "/getUpdates"
	var offset int64
	var elapsed time.Duration
	const chunk = 10000
	for done := 0; done < b.N; {
		n := min(chunk, b.N-done)
		for i := range n {
			u := tg.User{ID: int64(10 + i%100), FirstName: "U"}
			if _, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: u, Text: "hello " + strconv.Itoa(i)}); err != nil {
				b.Fatal(err)
			}
		}
		start := time.Now()
		for got := 0; got < n; {
			body := []byte(`{"limit":100,"offset":` + strconv.FormatInt(offset, 10) + `}`)
			resp, err := hc.Post(endpoint, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var out struct {
				Result []struct {
					UpdateID int64 `json:"update_id"`
				} `json:"result"`
			}
			if err := json.Unmarshal(data, &out); err != nil || len(out.Result) == 0 {
				b.Fatalf("getUpdates: %v %s", err, data[:min(len(data), 200)])
			}
			got += len(out.Result)
			offset = out.Result[len(out.Result)-1].UpdateID + 1
		}
		elapsed += time.Since(start)
		done += n
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
}

// BenchmarkSendMessage measures sendMessage calls served per second over
// HTTP on 127.0.0.1 with JSON bodies, limits off, from parallel clients.
func BenchmarkSendMessage(b *testing.B) {
	e, url := startEmu(b, Options{Limits: offLimits()})
	ctx := testkit.Context(b)
	const chats = 64
	for i := range chats {
		if _, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: tg.User{ID: int64(10 + i), FirstName: "U"}, Text: "/start"}); err != nil {
			b.Fatal(err)
		}
	}
	hc := benchClient()
	defer hc.CloseIdleConnections()
	endpoint := url + "/bot" + testToken + "/sendMessage"
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		chat := 10 + int(next.Add(1)%chats)
		body := []byte(`{"chat_id":` + strconv.Itoa(chat) + `,"text":"Hello from the benchmark"}`)
		for pb.Next() {
			resp, err := hc.Post(endpoint, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sendMessage/s")
}

// BenchmarkBaselineHTTP is the baseline for BenchmarkSendMessage: the same
// parallel clients and bodies against a net/http handler that only reads the
// body and writes a fixed Bot API answer. The ratio of the two says how much
// of the emulator's cost is its own work.
func BenchmarkBaselineHTTP(b *testing.B) {
	answer := []byte(`{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":10,"type":"private"},"text":"Hello from the benchmark"}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	hc := benchClient()
	defer hc.CloseIdleConnections()
	endpoint := srv.URL + "/bot" + testToken + "/sendMessage"
	body := []byte(`{"chat_id":10,"text":"Hello from the benchmark"}`)
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Post(endpoint, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
}
