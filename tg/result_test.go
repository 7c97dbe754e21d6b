package tg

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
)

func TestMessageOrBoolJSON(t *testing.T) {
	for _, tc := range []struct {
		in     string
		ok     bool
		msgID  int64
		hasMsg bool
	}{
		{`true`, true, 0, false},
		{`false`, false, 0, false},
		{`null`, false, 0, false},
		{`{"message_id":77,"date":1700000000,"chat":{"id":5,"type":"private"},"text":"edited"}`, true, 77, true},
	} {
		var r MessageOrBool
		if err := json.Unmarshal([]byte(tc.in), &r); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if r.OK != tc.ok || (r.Message != nil) != tc.hasMsg || tc.hasMsg && (r.Message.MessageID != tc.msgID || r.Message.Text != "edited") {
			t.Errorf("%s = %+v", tc.in, r)
		}
		var r1 MessageOrBool
		if err := r1.UnmarshalJSON([]byte(tc.in)); err != nil || r1.OK != r.OK || (r1.Message != nil) != tc.hasMsg {
			t.Errorf("v1 %s = %+v, %v", tc.in, r1, err)
		}
		if tc.in == "null" {
			continue
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back MessageOrBool
		if err := json.Unmarshal(out, &back); err != nil || back.OK != r.OK || (back.Message != nil) != tc.hasMsg {
			t.Errorf("round trip %s -> %s -> %+v, %v", tc.in, out, back, err)
		}
	}
	for _, in := range []string{`"true"`, `1`, `[]`, ``} {
		var r MessageOrBool
		if err := json.Unmarshal([]byte(in), &r); err == nil {
			t.Errorf("%q accepted: %+v", in, r)
		}
	}
}

func TestMessageOrBoolThroughCall(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/inline") {
			writeJSON(w, 200, `{"ok":true,"result":true}`)
			return
		}
		writeJSON(w, 200, `{"ok":true,"result":{"message_id":3,"date":1,"chat":{"id":1,"type":"private"},"text":"edited"}}`)
	})
	var r MessageOrBool
	if err := c.Call(context.Background(), "inline", nil, &r); err != nil || !r.OK || r.Message != nil {
		t.Errorf("inline edit = %+v, %v", r, err)
	}
	r = MessageOrBool{}
	if err := c.Call(context.Background(), "chat", nil, &r); err != nil || !r.OK || r.Message == nil || r.Message.MessageID != 3 {
		t.Errorf("chat edit = %+v, %v", r, err)
	}
}
