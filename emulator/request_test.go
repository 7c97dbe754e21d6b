package emulator

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"
	"testing"
)

// raw sends one request and returns the status and body.
func raw(t *testing.T, method, url, contentType string, body io.Reader) (int, string) {
	t.Helper()
	return rawIn(t, http.DefaultClient, method, url, contentType, body)
}

// rawIn is raw through hc.
func rawIn(t *testing.T, hc *http.Client, method, url, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestRequestEncodings(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	say(t, e, "/start")
	api := url + "/bot" + testToken + "/"
	kb := `{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`

	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	_ = w.WriteField("chat_id", "1001")
	_ = w.WriteField("text", "multipart")
	_ = w.WriteField("reply_markup", kb)
	_ = w.Close()

	for _, tc := range []struct {
		name, method, path, ct string
		body                   string
		want                   string
	}{
		{"query string GET", "GET", "sendMessage?chat_id=1001&text=query", "", "", `"text":"query"`},
		{"form", "POST", "sendMessage", "application/x-www-form-urlencoded", "chat_id=1001&text=form&reply_markup=" + strings.ReplaceAll(kb, "&", "%26"), `"callback_data":"a"`},
		{"JSON with string values", "POST", "sendMessage", "application/json", `{"chat_id":"1001","text":"json","disable_notification":"true","reply_markup":"` + strings.ReplaceAll(kb, `"`, `\"`) + `"}`, `"callback_data":"a"`},
		{"JSON with typed values", "POST", "sendMessage", "application/json; charset=utf-8", `{"chat_id":1001,"text":"typed","reply_markup":` + kb + `}`, `"text":"typed"`},
		{"multipart", "POST", "sendMessage", w.FormDataContentType(), mp.String(), `"text":"multipart"`},
		{"JSON without content type", "POST", "sendMessage", "", `{"chat_id":1001,"text":"bare"}`, `"text":"bare"`},
		{"case-insensitive method", "POST", "SENDMESSAGE", "application/json", `{"chat_id":1001,"text":"loud"}`, `"text":"loud"`},
		{"query and body merge", "POST", "sendMessage?chat_id=1001", "application/json", `{"text":"merged"}`, `"text":"merged"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := raw(t, tc.method, api+tc.path, tc.ct, strings.NewReader(tc.body))
			if status != 200 || !strings.HasPrefix(body, `{"ok":true,"result":{`) || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s", status, body)
			}
		})
	}
}

// TestRequestForms sends every form of request Telegram accepts, for a
// method without parameters and for one with parameters: stock clients
// of other frameworks start with a getMe of a JSON null (telego,
// telebot) or an empty multipart body (go-telegram/bot).
func TestRequestForms(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	say(t, e, "/start")
	api := url + "/bot" + testToken + "/"
	const (
		ctJSON      = "application/json"
		ctJSONUTF8  = "application/json; charset=utf-8"
		ctForm      = "application/x-www-form-urlencoded"
		boundary    = "b0undary"
		ctMultipart = "multipart/form-data; boundary=" + boundary
		closing     = "--" + boundary + "--"
		getMe       = `"is_bot":true`
		queryText   = "sendMessage?chat_id=1001&text=query"
	)
	var noParts bytes.Buffer // what mime/multipart writes for no parts
	mw := multipart.NewWriter(&noParts)
	_ = mw.Close()
	withParts := multipartBody(boundary, [2]string{`form-data; name="chat_id"`, "1001"}, [2]string{`form-data; name="text"`, "multipart"})

	for _, tc := range []struct {
		name, method, path, ct string
		body                   string
		want                   string
	}{
		// No parameters, every empty form.
		{"GET", "GET", "getMe", "", "", getMe},
		{"GET with a query string", "GET", "getMe?x=1", "", "", getMe},
		{"empty body without Content-Type", "POST", "getMe", "", "", getMe},
		{"empty JSON body", "POST", "getMe", ctJSON, "", getMe},
		{"empty form body", "POST", "getMe", ctForm, "", getMe},
		{"empty multipart body", "POST", "getMe", ctMultipart, "", getMe},
		{"empty multipart body without a boundary", "POST", "getMe", "multipart/form-data", "", getMe},
		{"empty body of another Content-Type", "POST", "getMe", "text/plain", "", getMe},
		{"JSON null", "POST", "getMe", ctJSON, "null", getMe},
		{"JSON null with a charset", "POST", "getMe", ctJSONUTF8, "null", getMe},
		{"JSON null in white space", "POST", "getMe", ctJSON, " \r\n\tnull\n", getMe},
		{"JSON null without Content-Type", "POST", "getMe", "", "null", getMe},
		{"empty JSON object", "POST", "getMe", ctJSON, "{}", getMe},
		{"empty JSON object without Content-Type", "POST", "getMe", "", " { } ", getMe},
		{"JSON white space", "POST", "getMe", ctJSON, " \n\t\r\n", getMe},
		{"white space without Content-Type", "POST", "getMe", "", "\n", getMe},
		{"multipart closing boundary", "POST", "getMe", ctMultipart, closing, getMe},
		{"multipart closing boundary and CRLF", "POST", "getMe", ctMultipart, closing + "\r\n", getMe},
		{"multipart of no parts", "POST", "getMe", mw.FormDataContentType(), noParts.String(), getMe},

		// Parameters in the query string, with each empty body.
		{"query string GET", "GET", queryText, "", "", `"text":"query"`},
		{"query string POST", "POST", queryText, "", "", `"text":"query"`},
		{"query string and JSON null", "POST", queryText, ctJSON, "null", `"text":"query"`},
		{"query string and empty JSON object", "POST", queryText, ctJSONUTF8, "{}", `"text":"query"`},
		{"query string and JSON white space", "POST", queryText, ctJSON, "\n", `"text":"query"`},
		{"query string and empty form", "POST", queryText, ctForm, "", `"text":"query"`},
		{"query string and multipart closing boundary", "POST", queryText, ctMultipart, closing + "\r\n", `"text":"query"`},
		{"query string and empty multipart body", "POST", queryText, ctMultipart, "", `"text":"query"`},
		{"query string and multipart of no parts", "POST", queryText, mw.FormDataContentType(), noParts.String(), `"text":"query"`},

		// Parameters in each body form.
		{"JSON", "POST", "sendMessage", ctJSON, `{"chat_id":1001,"text":"json"}`, `"text":"json"`},
		{"JSON with a charset", "POST", "sendMessage", ctJSONUTF8, `{"chat_id":1001,"text":"utf8 ü"}`, `"text":"utf8 ü"`},
		{"JSON with an upper-case charset", "POST", "sendMessage", "Application/JSON;charset=UTF-8", `{"chat_id":1001,"text":"upper"}`, `"text":"upper"`},
		{"JSON in white space", "POST", "sendMessage", ctJSON, "\r\n {\"chat_id\":1001,\"text\":\"spaced\"} \n", `"text":"spaced"`},
		{"JSON without Content-Type", "POST", "sendMessage", "", `{"chat_id":1001,"text":"bare"}`, `"text":"bare"`},
		{"form", "POST", "sendMessage", ctForm, "chat_id=1001&text=form", `"text":"form"`},
		{"form with a charset", "POST", "sendMessage", ctForm + "; charset=utf-8", "chat_id=1001&text=%C3%BC", `"text":"ü"`},
		{"form without Content-Type", "POST", "sendMessage", "", "chat_id=1001&text=bareform", `"text":"bareform"`},
		{"multipart", "POST", "sendMessage", ctMultipart, withParts, `"text":"multipart"`},
		{"body over query string", "POST", "sendMessage?chat_id=1001&text=query", ctJSON, `{"text":"body"}`, `"text":"body"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := raw(t, tc.method, api+tc.path, tc.ct, strings.NewReader(tc.body))
			if status != 200 || !strings.HasPrefix(body, `{"ok":true,"result":{`) || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s", status, body)
			}
		})
	}

	// A body of unknown length comes chunked; an empty one is no body.
	status, body := raw(t, "POST", api+"getMe", ctJSON, io.MultiReader(strings.NewReader("nu"), strings.NewReader("ll")))
	if status != 200 || !strings.Contains(body, getMe) {
		t.Fatalf("chunked null: %d %s", status, body)
	}
	status, body = raw(t, "POST", api+"getMe", ctMultipart, io.MultiReader())
	if status != 200 || !strings.Contains(body, getMe) {
		t.Fatalf("chunked empty multipart: %d %s", status, body)
	}
}

func TestRequestErrors(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	say(t, e, "/start")
	api := url + "/bot" + testToken + "/"
	for _, tc := range []struct {
		name, path, ct, body string
		status               int
		want                 string
	}{
		{"missing chat_id", "sendMessage", "application/json", `{"text":"x"}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat_id is empty"}`},
		{"missing text", "sendMessage", "application/json", `{"chat_id":1001}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}`},
		{"integer type", "getUpdates", "application/json", `{"limit":"many"}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: parameter \"limit\" must be an Integer"}`},
		{"boolean type", "sendMessage", "application/json", `{"chat_id":1001,"text":"x","disable_notification":"maybe"}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: parameter \"disable_notification\" must be a Boolean"}`},
		{"bad chat id", "sendMessage", "application/json", `{"chat_id":"nobody","text":"x"}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`},
		{"reply markup not JSON", "sendMessage", "application/x-www-form-urlencoded", `chat_id=1001&text=x&reply_markup=nope`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse reply keyboard markup JSON object"}`},
		{"reply markup unknown shape", "sendMessage", "application/json", `{"chat_id":1001,"text":"x","reply_markup":{"buttons":[]}}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse reply keyboard markup JSON object"}`},
		{"entities not an array", "sendMessage", "application/json", `{"chat_id":1001,"text":"x","entities":{}}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: wrong entity array"}`},
		{"body not an object", "getMe", "application/json", `[1,2]`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: request body must be a JSON object"}`},
		{"malformed JSON", "getMe", "application/json", `{"a":`, 400, ""},
		{"body a JSON string", "getMe", "application/json", `"getMe"`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: request body must be a JSON object"}`},
		{"body a JSON number", "getMe", "application/json; charset=utf-8", `42`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: request body must be a JSON object"}`},
		{"body a JSON array without Content-Type", "getMe", "", `[]`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: request body must be a JSON object"}`},
		{"body a JSON string without Content-Type", "getMe", "", `"x"`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: request body must be a JSON object"}`},
		{"two JSON objects", "getMe", "application/json", `{} {}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: request body must be a single JSON object, but more follows it"}`},
		{"JSON null and more", "getMe", "application/json", `null {}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: request body must be a single JSON object, but more follows it"}`},
		{"JSON and garbage", "getMe", "application/json", `{}x`, 400, ""},
		{"malformed JSON with a charset", "getMe", "application/json; charset=utf-8", `{"chat_id":}`, 400, ""},
		{"malformed JSON without Content-Type", "getMe", "", `{chat_id:1}`, 400, ""},
		{"malformed form", "getMe", "application/x-www-form-urlencoded", `a=%zz`, 400, ""},
		{"multipart garbage", "getMe", "multipart/form-data; boundary=b", `garbage`, 400, ""},
		{"multipart without a boundary", "getMe", "multipart/form-data", "--b--", 400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse request body: multipart body without a boundary"}`},
		{"unknown Content-Type", "getMe", "text/plain", `{}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: unsupported Content-Type \"text/plain\": send parameters as application/json, application/x-www-form-urlencoded, multipart/form-data or in the query string"}`},
		{"unparsable Content-Type", "getMe", "json", `{}`, 400, ""},
		{"unknown method", "fly", "application/json", `{}`, 404, `{"ok":false,"error_code":404,"description":"Not Found: method not found"}`},
		{"unknown chat action", "sendChatAction", "application/json", `{"chat_id":1001,"action":"dancing"}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: wrong parameter action in request"}`},
		{"reply keyboard with empty button", "sendMessage", "application/json", `{"chat_id":1001,"text":"x","reply_markup":{"keyboard":[[{"text":""}]]}}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: keyboard button text is empty"}`},
		{"too many buttons", "sendMessage", "application/json", `{"chat_id":1001,"text":"x","reply_markup":{"inline_keyboard":[` + strings.Repeat(`[{"text":"b","callback_data":"d"}],`, 100) + `[{"text":"b","callback_data":"d"}]]}}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: reply markup is too long"}`},
		{"two actions on a button", "sendMessage", "application/json", `{"chat_id":1001,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"b","callback_data":"d","url":"https://x"}]]}}`, 400, `{"ok":false,"error_code":400,"description":"Bad Request: BUTTON_TYPE_INVALID"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := raw(t, "POST", api+tc.path, tc.ct, strings.NewReader(tc.body))
			if status != tc.status || (tc.want != "" && body != tc.want) || !strings.HasPrefix(body, `{"ok":false`) {
				t.Fatalf("%d %s\nwant %d %s", status, body, tc.status, tc.want)
			}
		})
	}
	// Reply keyboards are accepted and kept in the transcript.
	status, body := raw(t, "POST", api+"sendMessage", "application/json", strings.NewReader(`{"chat_id":1001,"text":"menu","reply_markup":{"keyboard":[["Yes",{"text":"No"}]],"resize_keyboard":true}}`))
	if status != 200 || strings.Contains(body, "keyboard") { // Message.reply_markup only holds inline keyboards
		t.Fatalf("%d %s", status, body)
	}
	tr, _ := e.Transcript(testToken, ann.ID)
	if last := tr[len(tr)-1]; !strings.Contains(string(last.ReplyMarkup), `"keyboard"`) {
		t.Fatalf("reply keyboard not in transcript: %+v", last)
	}
	// Unknown paths.
	if status, _ := raw(t, "GET", url+"/nothing", "", nil); status != 404 {
		t.Fatalf("/nothing: %d", status)
	}
	if status, _ := raw(t, "GET", url+"/bot"+testToken, "", nil); status != 404 {
		t.Fatalf("no method: %d", status)
	}
}

// multipartBody lays out parts by hand, each a Content-Disposition value
// and a body, so that tests can send headers no Go writer would produce.
func multipartBody(boundary string, parts ...[2]string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\ncontent-disposition:" + p[0] + "\r\n\r\n" + p[1] + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

// TestMultipartDisposition checks how part names and file names are read:
// strictly when the header is well formed, and otherwise as Telegram
// does, which accepts the unquoted file names that grammY sends.
func TestMultipartDisposition(t *testing.T) {
	for _, tc := range []struct {
		name, disposition string
		field, file       string // file "" means a plain value
	}{
		{"quoted", `form-data; name="doc"; filename="report.pdf"`, "doc", "report.pdf"},
		{"RFC 2231 name", `form-data; name="doc"; filename*=UTF-8''%C3%BCber.txt`, "doc", "über.txt"},
		{"quoted with escapes", `form-data; name="doc"; filename="say \"hi\".txt"`, "doc", `say "hi".txt`},
		{"quoted path", `form-data; name="doc"; filename="dir/a.txt"`, "doc", "a.txt"},
		{"token value", `form-data; name=caption`, "caption", ""},
		{"unquoted with a space", `form-data;name="f1";filename=my photo.png`, "f1", "my photo.png"},
		{"unquoted non-ASCII", `form-data;name="f1";filename=résumé.pdf`, "f1", "résumé.pdf"},
		{"unquoted with parentheses", `form-data;name="f1";filename=a (1).txt`, "f1", "a (1).txt"},
		{"unquoted with a quote inside", `form-data;name="f1";filename=say "hi".txt`, "f1", `say "hi".txt`},
		{"unquoted with an equals sign", `form-data; name=f1; filename=a=b.txt`, "f1", "a=b.txt"},
		{"value with a stray parameter", `form-data;name="text";inline`, "text", ""},
		{"upper-case type and keys", `Form-Data; NAME="f1"; FILENAME=big file.txt`, "f1", "big file.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const boundary = "b0undary"
			p := newParams()
			body := multipartBody(boundary, [2]string{tc.disposition, "data"})
			if err := readMultipartParams(p, strings.NewReader(body), boundary); err != nil {
				t.Fatal(err)
			}
			if tc.file == "" {
				if p.vals[tc.field] != "data" || len(p.files) != 0 {
					t.Fatalf("vals %v, files %v; want value %q", p.vals, p.files, tc.field)
				}
				return
			}
			f := p.files[tc.field]
			if f == nil || string(f.data) != "data" || len(p.vals) != 0 {
				t.Fatalf("vals %v, files %v; want file %q", p.vals, p.files, tc.field)
			}
			// storeFileLocked keeps the base name, as Telegram does.
			if got := path.Base(f.name); got != tc.file {
				t.Fatalf("file name %q, want %q", got, tc.file)
			}
		})
	}

	// Parts that are not form data, or have no name, are ignored.
	p := newParams()
	body := multipartBody("b", [2]string{`attachment; name="x"; filename=a b.txt`, "1"}, [2]string{`form-data; filename=a b.txt`, "2"})
	if err := readMultipartParams(p, strings.NewReader(body), "b"); err != nil || len(p.vals) != 0 || len(p.files) != 0 {
		t.Fatalf("vals %v, files %v, err %v", p.vals, p.files, err)
	}
}

// TestMultipartUnquotedFileNames uploads as grammY does: every file is an
// attach:// part with an unquoted file name, and a generic content type.
func TestMultipartUnquotedFileNames(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	say(t, e, "/start")
	api := url + "/bot" + testToken + "/"
	const boundary = "grammyish"
	ct := "multipart/form-data; boundary=" + boundary
	send := func(method string, parts ...[2]string) string {
		t.Helper()
		status, body := raw(t, "POST", api+method, ct, strings.NewReader(multipartBody(boundary, parts...)))
		if status != 200 {
			t.Fatalf("%s: %d %s", method, status, body)
		}
		return body
	}

	body := send("sendDocument",
		[2]string{`form-data;name="chat_id"`, "1001"},
		[2]string{`form-data;name="document"`, "attach://k3j9"},
		[2]string{"form-data;name=\"k3j9\";filename=Quarterly report (final) ü.txt\r\ncontent-type:application/octet-stream", "numbers"},
	)
	if !strings.Contains(body, `"file_name":"Quarterly report (final) ü.txt"`) || !strings.Contains(body, `"mime_type":"text/plain"`) {
		t.Fatalf("sendDocument: %s", body)
	}
	body = send("sendPhoto",
		[2]string{`form-data;name="chat_id"`, "1001"},
		[2]string{`form-data;name="photo"`, "attach://p1"},
		[2]string{`form-data;name="caption"`, "holiday"},
		[2]string{"form-data;name=\"p1\";filename=beach at noon.png\r\ncontent-type:application/octet-stream", string(testPNG(t, 5, 4))},
	)
	if !strings.Contains(body, `"width":5,"height":4`) || !strings.Contains(body, `"caption":"holiday"`) {
		t.Fatalf("sendPhoto: %s", body)
	}
}

// TestInlineButtonIdleMembers checks that members of an inline button that
// cannot ask for an action are not counted as a second action: a null, a
// false pay, an empty copy_text (go-telegram/bot sends one on every
// button) and, beside another action, an empty switch query (telebot
// sends one on every button).
func TestInlineButtonIdleMembers(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	say(t, e, "/start")
	api := url + "/bot" + testToken + "/sendMessage"
	send := func(button string) (int, string) {
		t.Helper()
		return raw(t, "POST", api, "application/json", strings.NewReader(`{"chat_id":1001,"text":"x","reply_markup":{"inline_keyboard":[[`+button+`]]}}`))
	}
	for _, button := range []string{
		`{"text":"b","callback_data":"d","copy_text":{"text":""}}`,
		`{"text":"b","callback_data":"d","pay":false}`,
		`{"text":"b","callback_data":"d","url":null,"web_app":null}`,
		`{"text":"b","url":"https://example.org","copy_text":{"text":""},"pay":false}`,
		`{"text":"b","callback_data":"d","switch_inline_query_current_chat":""}`,
		`{"text":"b","switch_inline_query_current_chat":""}`,
		`{"text":"b","switch_inline_query":""}`,
	} {
		if status, body := send(button); status != 200 || !strings.Contains(body, `"inline_keyboard"`) {
			t.Errorf("%s: %d %s", button, status, body)
		}
	}
	for button, want := range map[string]string{
		`{"text":"b","callback_data":"d","copy_text":{"text":"copied"}}`:              "Bad Request: BUTTON_TYPE_INVALID",
		`{"text":"b","callback_data":"d","pay":true}`:                                 "Bad Request: BUTTON_TYPE_INVALID",
		`{"text":"b","callback_data":"d","switch_inline_query":"q"}`:                  "Bad Request: BUTTON_TYPE_INVALID",
		`{"text":"b","switch_inline_query":"","switch_inline_query_current_chat":""}`: "Bad Request: BUTTON_TYPE_INVALID",
		`{"text":"b","copy_text":{"text":""}}`:                                        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
	} {
		if status, body := send(button); status != 400 || !strings.Contains(body, `"description":"`+want+`"`) {
			t.Errorf("%s: %d %s, want 400 %s", button, status, body, want)
		}
	}
}

// TestMultipartEmptyFileName checks that a part with an empty filename
// parameter is an upload, as telebot sends a file from an io.Reader: read
// strictly and leniently, and end to end in sendPhoto and sendDocument.
func TestMultipartEmptyFileName(t *testing.T) {
	for _, disposition := range []string{`form-data; name="photo"; filename=""`, `form-data;name="photo";filename=`} {
		p := newParams()
		if err := readMultipartParams(p, strings.NewReader(multipartBody("b", [2]string{disposition, "data"})), "b"); err != nil {
			t.Fatal(err)
		}
		if f := p.files["photo"]; f == nil || f.name != "" || string(f.data) != "data" || len(p.vals) != 0 {
			t.Fatalf("%s: vals %v, files %v; want an upload without a name", disposition, p.vals, p.files)
		}
	}

	e, url := startEmu(t, Options{Limits: offLimits()})
	say(t, e, "/start")
	api := url + "/bot" + testToken + "/"
	const boundary = "b0undary"
	ct := "multipart/form-data; boundary=" + boundary
	upload := func(method, field, data string) (int, string) {
		t.Helper()
		body := multipartBody(boundary, [2]string{`form-data; name="chat_id"`, "1001"}, [2]string{`form-data; name="` + field + `"; filename=""`, data})
		return raw(t, "POST", api+method, ct, strings.NewReader(body))
	}
	if status, body := upload("sendPhoto", "photo", string(testPNG(t, 5, 4))); status != 200 || !strings.Contains(body, `"width":5,"height":4`) {
		t.Fatalf("sendPhoto: %d %s", status, body)
	}
	status, body := upload("sendDocument", "document", "some notes")
	if status != 200 || !strings.Contains(body, `"document":{`) || !strings.Contains(body, `"file_size":10`) || strings.Contains(body, `"file_name":"."`) {
		t.Fatalf("sendDocument: %d %s", status, body)
	}
}
