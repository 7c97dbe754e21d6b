package source

import (
	"errors"
	"fmt"
	"testing"
)

// TestWebhookInlineNack: an update the sink could not handle (ack with an
// error) is answered 503 with Retry-After, never 2xx, so Telegram
// delivers it again.
func TestWebhookInlineNack(t *testing.T) {
	sink := newHoldSink()
	h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret})
	done := serveAsync(h, hookRequest("POST", "application/json", hookSecret, updateJSON))
	x := sink.next(t)
	x.ack(nil, errors.New("store unreachable"))
	x.ack(nil, nil) // ignored: the first call decides
	w := <-done
	if w.Code != 503 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
}

// TestPollerNackResubmits: a nacked update holds the offset and is
// submitted again when getUpdates returns it again; updates acked after it
// are not submitted twice, and once it is acked the offset moves past all.
func TestPollerNackResubmits(t *testing.T) {
	api := newAPIServer(t)
	for i := range 3 {
		api.say(t, ann, fmt.Sprint(i))
	}
	p, _ := quietPoller(t, api.client(t), PollerConfig{Timeout: -1, RecheckInterval: 10e6})
	sink := newRecSink()
	stop := runPoller(t, p, sink)
	for want := int64(1); want <= 3; want++ {
		x := sink.next(t)
		if x.u.UpdateID != want {
			t.Fatalf("got %d, want %d", x.u.UpdateID, want)
		}
		if want == 2 {
			x.ack(nil, errors.New("lock store down"))
		} else {
			x.ack(nil, nil)
		}
	}
	x := sink.next(t) // update 2 again, and only it
	if x.u.UpdateID != 2 {
		t.Fatalf("resubmitted %d, want 2", x.u.UpdateID)
	}
	if got := p.Offset(); got != 2 {
		t.Fatalf("offset while 2 is unhandled = %d, want 2", got)
	}
	x.ack(nil, nil)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := p.Offset(); got != 4 {
		t.Fatalf("offset = %d, want 4", got)
	}
	select {
	case x := <-sink.got:
		t.Fatalf("update %d submitted again after it was acked", x.u.UpdateID)
	default:
	}
}
