package tg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// httpCaller is the innermost Caller: it performs the HTTP request.
type httpCaller struct {
	http       *http.Client
	prefix     secret // base + "/bot" + token + "/"
	filePrefix secret // base + "/file/bot" + token + "/"
	redact     *redactor
}

// errRequestDone stops the multipart writer once the request has ended.
var errRequestDone = errors.New("tg: request finished")

// Call sends params as JSON, or as streamed multipart/form-data when they
// contain uploads, and decodes the answer into result.
func (h *httpCaller) Call(ctx context.Context, method string, params, result any) error {
	if !validMethod(method) {
		return h.redact.scrub(fmt.Errorf("tg: invalid method name %q", method))
	}
	ep, err := encodeParams(params)
	if err != nil {
		return h.redact.scrub(fmt.Errorf("tg: %s: encoding params: %w", method, err))
	}
	if len(ep.files) == 0 {
		resp, err := h.post(ctx, method, "application/json", bytes.NewReader(ep.body))
		if err != nil {
			return err
		}
		return h.readResponse(method, resp, result)
	}
	return h.callMultipart(ctx, method, ep, result)
}

func (h *httpCaller) callMultipart(ctx context.Context, method string, ep encodedParams, result any) error {
	fields, err := formFields(ep)
	if err != nil {
		return h.redact.scrub(fmt.Errorf("tg: %s: encoding params: %w", method, err))
	}
	body, contentType, done := streamForm(fields, ep.files)
	// net/http waits for the request body to be read to its end before
	// returning from a cancelled request; an upload reader that blocks
	// would hold Do. Closing the pipe on cancellation releases it.
	stop := context.AfterFunc(ctx, func() { body.CloseWithError(context.Cause(ctx)) })
	defer stop()
	// finish stops the writer goroutine and returns its error. It waits for
	// the goroutine unless ctx is done (an upload reader may block).
	finish := func() error {
		body.CloseWithError(errRequestDone)
		select {
		case err := <-done:
			return err
		default:
		}
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return nil
		}
	}
	resp, err := h.post(ctx, method, contentType, ctxReader{ctx, body})
	if err != nil {
		if ue, ok := errors.AsType[*uploadError](finish()); ok {
			return h.redact.scrub(fmt.Errorf("tg: %s: %w", method, ue))
		}
		return err
	}
	err = h.readResponse(method, resp, result)
	_ = finish()
	return err
}

// ctxReader is the multipart request body. Once ctx is done (and the pipe
// closed by it), reads fail with the context's cause instead of
// io.ErrClosedPipe, so that whoever reads the body, net/http or a
// wrapping RoundTripper, reports why the request stopped.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.ErrClosedPipe && c.ctx.Err() != nil {
		err = context.Cause(c.ctx)
	}
	return n, err
}

// post sends one request. Its error is a scrubbed *NetworkError, or a
// plain error if the request could not be built.
func (h *httpCaller) post(ctx context.Context, method, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.prefix.reveal()+method, body)
	if err != nil {
		return nil, h.redact.scrub(fmt.Errorf("tg: %s: building request: %w", method, err))
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	resp, err := h.http.Do(req)
	if err != nil {
		return nil, &NetworkError{Method: method, Err: h.redact.scrub(err)}
	}
	return resp, nil
}

// validMethod accepts Bot API method names: 1 to 64 of A-Z a-z 0-9 _.
// This also keeps user-supplied names from altering the request path.
func validMethod(m string) bool {
	if m == "" || len(m) > 64 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// drainClose reads a little of what is left of body, so that the
// connection can be reused, and closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10)
	_ = body.Close()
}
