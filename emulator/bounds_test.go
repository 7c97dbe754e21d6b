package emulator

import (
	"bytes"
	"testing"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/tg"
)

func TestBoundedMemory(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits(), MaxMessagesPerChat: 5, MaxFilesPerChat: 2, MaxPendingUpdates: 3})
	c := newClient(t, url, testToken)
	ctx := testkit.Context(t)
	for range 4 {
		say(t, e, "hi")
	}
	st, _ := e.Stats(testToken)
	if st.UpdatesPending != 3 || st.UpdatesDropped != 1 {
		t.Fatalf("queue cap: %+v", st)
	}
	var ids []string
	for i := range 3 {
		m, err := c.SendDocument(ctx, tg.SendDocumentParams{ChatID: tg.ID(ann.ID), Document: tg.FileUpload("f.txt", bytes.NewReader([]byte{byte('a' + i)}))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.Document.FileID)
	}
	_, err := c.GetFile(ctx, tg.GetFileParams{FileID: ids[0]})
	wantAPIError(t, err, 400, "Bad Request: invalid file_id")
	if _, err := c.GetFile(ctx, tg.GetFileParams{FileID: ids[2]}); err != nil {
		t.Fatal(err)
	}
	tr, _ := e.Transcript(testToken, ann.ID)
	if len(tr) != 5 || tr[0].MessageID != 3 {
		t.Fatalf("transcript cap: %d entries from %d", len(tr), tr[0].MessageID)
	}
	_, err = c.EditMessageText(ctx, tg.EditMessageTextParams{ChatID: tg.ID(ann.ID), MessageID: 1, Text: "gone"})
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
	// Confirmed updates are forgotten.
	if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 100}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.Stats(testToken); st.UpdatesPending != 0 || st.UpdatesConfirmed != 3 {
		t.Fatalf("after confirm: %+v", st)
	}
}
