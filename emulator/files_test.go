package emulator

import (
	"bytes"
	"testing"

	"github.com/heraldbot/herald/tg"
)

func TestFileDownloadHeaders(t *testing.T) {
	e, url, c, ctx := startClient(t, Options{Limits: offLimits(), MaxFileSize: 1000})
	say(t, e, "/start")
	pic := testPNG(t, 3, 3)
	m, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("p.png", bytes.NewReader(pic))})
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.GetFile(ctx, tg.GetFileParams{FileID: m.Photo[0].FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpHead(url + "/file/bot" + testToken + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("Content-Length") != itoa(int64(len(pic))) ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("HEAD = %d %v", resp.StatusCode, resp.Header)
	}
	for _, path := range []string{"/file/bot" + testToken, "/file/bot1:nobody/" + f.FilePath} {
		if status, body := raw(t, "GET", url+path, "", nil); status != 404 && status != 401 {
			t.Errorf("GET %s = %d %s", path, status, body)
		}
	}
	// Uploads over MaxFileSize are refused.
	_, err = c.SendDocument(ctx, tg.SendDocumentParams{ChatID: tg.ID(ann.ID), Document: tg.FileUpload("big.bin", bytes.NewReader(make([]byte, 1001)))})
	wantAPIError(t, err, 400, "Bad Request: file is too big")
	_, err = c.SendDocument(ctx, tg.SendDocumentParams{ChatID: tg.ID(ann.ID), Document: tg.FileUpload("empty.bin", bytes.NewReader(nil))})
	if !tg.IsCode(err, 400) {
		t.Fatalf("empty upload: %v", err)
	}
}
