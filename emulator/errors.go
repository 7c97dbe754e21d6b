package emulator

import (
	"fmt"
	"net/http"
	"strconv"
)

// apiError is a Bot API failure: the HTTP status / error_code and the
// description, worded as Telegram words it.
type apiError struct {
	code       int
	desc       string
	retryAfter int // seconds, for 429
}

func (e *apiError) Error() string { return strconv.Itoa(e.code) + " " + e.desc }

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(what string) *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: " + what}
}

func tooManyRequests(seconds int) *apiError {
	return &apiError{code: http.StatusTooManyRequests, desc: "Too Many Requests: retry after " + strconv.Itoa(seconds), retryAfter: seconds}
}

func conflict(what string) *apiError {
	return &apiError{code: http.StatusConflict, desc: "Conflict: " + what}
}

// Telegram's descriptions, reproduced exactly.
var (
	errUnauthorized      = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	errMethodNotFound    = &apiError{code: http.StatusNotFound, desc: "Not Found: method not found"}
	errFileNotFound      = &apiError{code: http.StatusNotFound, desc: "Not Found: file not found"}
	errChatNotFound      = badRequest("chat not found")
	errUserNotFound      = badRequest("user not found")
	errChatIDEmpty       = badRequest("chat_id is empty")
	errTextEmpty         = badRequest("message text is empty")
	errTextTooLong       = badRequest("message is too long")
	errCaptionTooLong    = badRequest("message caption is too long")
	errNotModified       = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	errEditNotFound      = badRequest("message to edit not found")
	errDeleteNotFound    = badRequest("message to delete not found")
	errForwardNotFound   = badRequest("message to forward not found")
	errCopyNotFound      = badRequest("message to copy not found")
	errPinNotFound       = badRequest("message to pin not found")
	errReplyNotFound     = badRequest("message to be replied not found")
	errEphemeralChat     = badRequest("ephemeral messages can be sent only to group and supergroup chats")
	errEphemeralReply    = badRequest("a reply to an ephemeral message must be an ephemeral message")
	errEphemeralUpload   = badRequest("a new file can't be uploaded to an ephemeral message")
	errCantEdit          = badRequest("message can't be edited")
	errCantDelete        = badRequest("message can't be deleted")
	errNoTextToEdit      = badRequest("there is no text in the message to edit")
	errNoCaptionToEdit   = badRequest("there is no caption in the message to edit")
	errQueryTooOld       = badRequest("query is too old and response timeout expired or query ID is invalid")
	errInvalidFileID     = badRequest("invalid file_id")
	errWrongFileType     = badRequest("wrong file identifier/HTTP URL specified")
	errImageProcess      = badRequest("IMAGE_PROCESS_FAILED")
	errFileTooBig        = badRequest("file is too big")
	errRemoteURL         = badRequest("wrong HTTP URL specified: the Herald emulator has no network access and cannot fetch remote files; upload the file or use a file_id")
	errThreadNotFound    = badRequest("message thread not found")
	errBlocked           = forbidden("bot was blocked by the user")
	errWebhookActive     = conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	errTerminatedByOther = conflict("terminated by other getUpdates request; make sure that only one bot instance is running")
	errReplyMarkupParse  = badRequest("can't parse reply keyboard markup JSON object")
	errButtonDataInvalid = badRequest("BUTTON_DATA_INVALID")
	errButtonTypeInvalid = badRequest("BUTTON_TYPE_INVALID")
	errMediaGroupSize    = badRequest("wrong number of messages in the media group: must be between 2 and 10")
	errEntitiesParse     = badRequest("can't parse entities: wrong entity array")
	errResultsTooMuch    = badRequest("RESULTS_TOO_MUCH")
	errResultIDDuplicate = badRequest("RESULT_ID_DUPLICATE")
	errResultIDInvalid   = badRequest("RESULT_ID_INVALID")
	errResultTypeInvalid = badRequest("RESULT_TYPE_INVALID")
	errMessageIDInvalid  = badRequest("MESSAGE_ID_INVALID")
)

// notModelled is the answer for a Bot API method that exists in the spec
// but that the emulator does not implement.
func notModelled(method string) *apiError {
	return badRequest("method %s is not modelled by the Herald emulator; see docs/EMULATOR.md for the list of modelled methods", method)
}
