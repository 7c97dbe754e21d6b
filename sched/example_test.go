package sched_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/heraldbot/herald/sched"
)

// Updates of one chat are handled in order, chats in parallel.
func Example() {
	s := sched.New(sched.Config[int64]{Workers: 4, MaxQueued: 100})

	var mu sync.Mutex
	handled := map[int64][]string{}
	updates := []struct {
		chat int64
		text string
	}{{1, "hi"}, {2, "hello"}, {1, "how are you?"}, {2, "bye"}, {1, "bye"}}

	for _, u := range updates {
		// Submit waits while 100 updates are unfinished: a polling loop
		// slows down instead of piling up memory.
		err := s.Submit(context.Background(), u.chat, func(ctx context.Context) {
			mu.Lock()
			defer mu.Unlock()
			handled[u.chat] = append(handled[u.chat], u.text)
		})
		if err != nil {
			fmt.Println("submit:", err)
		}
	}

	// Graceful drain: every accepted update is handled.
	if err := s.Close(context.Background()); err != nil {
		fmt.Println("close:", err)
	}
	fmt.Println(handled[1])
	fmt.Println(handled[2])
	st := s.Stats()
	fmt.Println(st.Submitted, st.Completed, st.Keys)
	// Output:
	// [hi how are you? bye]
	// [hello bye]
	// 5 5 0
}

// A webhook never blocks on a full scheduler: it answers 503 and
// Telegram retries later.
func ExampleScheduler_TrySubmit() {
	s := sched.New(sched.Config[int64]{MaxQueued: 1})
	release := make(chan struct{})

	webhook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := s.TrySubmit(42, func(ctx context.Context) { <-release })
		if errors.Is(err, sched.ErrFull) {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	for range 2 {
		rec := httptest.NewRecorder()
		webhook.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
		fmt.Printf("%d Retry-After=%q\n", rec.Code, rec.Header().Get("Retry-After"))
	}
	close(release)
	_ = s.Close(context.Background())
	// Output:
	// 200 Retry-After=""
	// 503 Retry-After="1"
}
