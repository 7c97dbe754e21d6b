package tg

import (
	"testing"

	"github.com/go-json-experiment/json"
)

// TestUpdateBatch: updates Skip reports are counted, not decoded, wherever
// their update_id stands; the others are decoded in order; a skipped
// update must still be valid JSON.
func TestUpdateBatch(t *testing.T) {
	const answer = `{"ok":true,"result":[
		{"update_id":1,"message":{"message_id":10,"date":1,"chat":{"id":7,"type":"private"},"text":"old"}},
		{"message":{"message_id":11,"date":1,"chat":{"id":7,"type":"private"},"text":"old too"}, "update_id" : 2},
		{"update_id":3,"message":{"message_id":12,"date":1,"chat":{"id":7,"type":"private"},"text":"new"}},
		{"update_id":4}
	]}`
	skip := func(id int64) bool { return id <= 2 }
	b := UpdateBatch{Skip: skip}
	if _, err := decodeEnvelopeBytes([]byte(answer), &b); err != nil {
		t.Fatal(err)
	}
	if b.Skipped != 2 || len(b.Updates) != 2 || b.Updates[0].UpdateID != 3 || b.Updates[0].Message.Text != "new" || b.Updates[1].UpdateID != 4 {
		t.Fatalf("batch = %d skipped, %+v", b.Skipped, b.Updates)
	}

	// The same through JSON v2 (UnmarshalJSONFrom), and without Skip.
	var all UpdateBatch
	if err := json.Unmarshal([]byte(answer[len(`{"ok":true,"result":`):len(answer)-1]), &all); err != nil {
		t.Fatal(err)
	}
	if all.Skipped != 0 || len(all.Updates) != 4 || all.Updates[1].Message.Text != "old too" {
		t.Fatalf("without Skip: %d skipped, %+v", all.Skipped, all.Updates)
	}

	for _, bad := range []string{
		`[{"update_id":1,"message":{"text":}}]`, // skipped, yet broken
		`[{"update_id":5,"message":[}]`,
		`{"update_id":1}`, // not an array
	} {
		b := UpdateBatch{Skip: skip}
		if err := json.Unmarshal([]byte(bad), &b); err == nil {
			t.Errorf("%s: decoded without error: %+v", bad, b)
		}
	}
	var null UpdateBatch
	if err := json.Unmarshal([]byte(`null`), &null); err != nil || null.Updates != nil {
		t.Errorf("null: %+v, %v", null, err)
	}
}
