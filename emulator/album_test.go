package emulator

import (
	"encoding/base64"
	"github.com/heraldbot/herald/tg"
	"testing"
)

// TestControlAlbum sends an album over the control API: one message
// update per part, back to back, with one media_group_id and the
// captions; refused albums change nothing.
func TestControlAlbum(t *testing.T) {
	_, url, c, ctx := startBot(t)

	pic := `"` + base64.StdEncoding.EncodeToString(testPNG(t, 2, 2)) + `"`
	var sent []Sent
	do(t, "POST", url+"/control/albums", `{"token":"`+testToken+`","from":{"id":1,"first_name":"Ann"},"items":[`+
		`{"photo":{"file_name":"a.jpg","data":`+pic+`},"caption":"first"},`+
		`{"photo":{"file_name":"b.jpg","data":`+pic+`}},`+
		`{"photo":{"file_name":"c.jpg","data":`+pic+`}}]}`, 200, &sent)
	if len(sent) != 3 || sent[1].MessageID != sent[0].MessageID+1 || sent[2].UpdateID != sent[0].UpdateID+2 || sent[0].FileID == "" {
		t.Fatalf("sent = %+v", sent)
	}
	for _, body := range []string{
		`"items":[{"photo":{"data":"aGVsbG8="}}]`,                                                      // one item
		`"items":[{"photo":{"data":"aGVsbG8="}},{"document":{"file_name":"d.txt","data":"aGVsbG8="}}]`, // mixed
		`"items":[{"photo":{"data":"aGVsbG8="}},{}]`,                                                   // nothing
	} {
		do(t, "POST", url+"/control/albums", `{"token":"`+testToken+`","from":{"id":1},`+body+`}`, 400, nil)
	}
	do(t, "POST", url+"/control/albums", `{"token":"`+testToken+`","from":{"id":1},"items":[`+
		`{"document":{"file_name":"d.txt","data":"aGVsbG8="}},{"document":{"file_name":"e.txt","data":"aGVsbG8="}}]}`, 200, nil)

	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil || len(ups) != 5 {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	g := ups[0].Message.MediaGroupID
	if g == "" || ups[1].Message.MediaGroupID != g || ups[2].Message.MediaGroupID != g || ups[0].Message.Caption != "first" ||
		len(ups[1].Message.Photo) == 0 || ups[3].Message.MediaGroupID == g || ups[3].Message.MediaGroupID != ups[4].Message.MediaGroupID ||
		ups[4].Message.Document == nil || ups[4].Message.Document.FileName != "e.txt" {
		t.Fatalf("updates = %+v", ups)
	}
}
