package tg

import (
	stdjson "encoding/json"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
)

func TestInputFileKinds(t *testing.T) {
	id := FileID("AgACAgIAAxkB")
	if s, ok := id.ID(); !ok || s != "AgACAgIAAxkB" || id.IsZero() || id.String() != "file_id:AgACAgIAAxkB" {
		t.Errorf("FileID: %q %v %v", s, ok, id)
	}
	if _, ok := id.URL(); ok {
		t.Error("FileID reports a URL")
	}
	u := FileURL("https://example.com/cat.jpg")
	if s, ok := u.URL(); !ok || s != "https://example.com/cat.jpg" || u.String() != "url:https://example.com/cat.jpg" {
		t.Errorf("FileURL: %q %v", s, ok)
	}
	r := strings.NewReader("data")
	up := FileUpload("cat.jpg", r)
	if name, rd, ok := up.Upload(); !ok || name != "cat.jpg" || rd != r || up.String() != `upload:"cat.jpg"` {
		t.Errorf("FileUpload: %q %v %v", name, rd, ok)
	}
	if name, _, _ := FileUpload("", r).Upload(); name != "file" {
		t.Errorf("default upload name = %q", name)
	}
	if _, _, ok := id.Upload(); ok {
		t.Error("FileID reports an upload")
	}
	for _, z := range []InputFile{{}, FileID(""), FileURL(""), FileUpload("x", nil)} {
		if !z.IsZero() || z.String() != "" {
			t.Errorf("%v should be zero", z)
		}
	}
}

func TestInputFileJSON(t *testing.T) {
	type params struct {
		Photo InputFile `json:"photo"`
		Thumb InputFile `json:"thumbnail,omitzero"`
	}
	for _, tc := range []struct {
		in   InputFile
		want string
	}{
		{FileID("AgAD"), `{"photo":"AgAD"}`},
		{FileURL("https://example.com/a.jpg"), `{"photo":"https://example.com/a.jpg"}`},
	} {
		b, err := json.Marshal(params{Photo: tc.in})
		if err != nil || string(b) != tc.want {
			t.Errorf("v2 marshal = %s, %v; want %s", b, err, tc.want)
		}
		b, err = stdjson.Marshal(params{Photo: tc.in})
		if err != nil || !strings.HasPrefix(string(b), tc.want[:len(tc.want)-1]) {
			t.Errorf("v1 marshal = %s, %v; want %s", b, err, tc.want)
		}
		var back params
		if err := json.Unmarshal([]byte(tc.want), &back); err != nil || back.Photo != tc.in {
			t.Errorf("round trip %s = %v, %v", tc.want, back.Photo, err)
		}
	}
	_, err := json.Marshal(params{Photo: FileUpload("x.jpg", strings.NewReader(""))})
	if err == nil || !strings.Contains(err.Error(), `tg: InputFile upload "x.jpg" can only be sent through Client.Call`) {
		t.Errorf("upload marshal: %v", err)
	}
	_, err = stdjson.Marshal(params{Photo: FileUpload("x.jpg", strings.NewReader(""))})
	if err == nil || !strings.Contains(err.Error(), "can only be sent through Client.Call") {
		t.Errorf("v1 upload marshal: %v", err)
	}
	if _, err := json.Marshal(params{}); err == nil || !strings.Contains(err.Error(), "InputFile is unset") {
		t.Errorf("unset required InputFile: %v", err)
	}
}

func TestInputFileUnmarshal(t *testing.T) {
	for in, want := range map[string]InputFile{
		`"AgAD"`:                 FileID("AgAD"),
		`"http://x.test/a"`:      FileURL("http://x.test/a"),
		`"HTTPS://x.test/a"`:     FileURL("HTTPS://x.test/a"),
		`"attach://photo"`:       FileID("attach://photo"),
		`"httpish-file-id"`:      FileID("httpish-file-id"),
		`null`:                   {},
		`"https\u003a//x.test/"`: FileURL("https://x.test/"),
	} {
		var f InputFile
		if err := json.Unmarshal([]byte(in), &f); err != nil || f != want {
			t.Errorf("v2 %s = %v, %v; want %v", in, f, err, want)
		}
		f = FileID("old")
		if err := f.UnmarshalJSON([]byte(in)); err != nil || f != want {
			t.Errorf("v1 %s = %v, %v; want %v", in, f, err, want)
		}
	}
	for _, in := range []string{`1`, `true`, `{}`, `["a"]`, `"a" "b"`} {
		var f InputFile
		if err := json.Unmarshal([]byte(in), &f); err == nil {
			t.Errorf("v2 %s accepted", in)
		}
		if err := f.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("v1 %s accepted", in)
		}
	}
}
