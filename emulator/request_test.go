package emulator

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// raw sends one request and returns the status and body.
func raw(t *testing.T, method, url, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
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
