package tg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DownloadFile fetches a file by the file_path returned by getFile and
// returns its content; the caller must close it. ctx governs the whole
// download, including reading the body. A non-200 answer gives an *Error
// with Method "downloadFile"; errors never contain the token.
//
// With a local Bot API server in --local mode file_path is an absolute
// path on that server's disk. Such a path is read from the file system
// when the client has WithLocalFiles and the path is inside its server
// directory; otherwise it is refused.
func (c *Client) DownloadFile(ctx context.Context, filePath string) (io.ReadCloser, error) {
	if c.local != nil && strings.HasPrefix(filePath, "/") {
		return c.local.open(ctx, filePath, c.hc.redact)
	}
	return c.hc.download(ctx, filePath)
}

const downloadMethod = "downloadFile"

func (h *httpCaller) download(ctx context.Context, filePath string) (io.ReadCloser, error) {
	escaped, err := escapeFilePath(filePath)
	if err != nil {
		return nil, fmt.Errorf("tg: %s: %w", downloadMethod, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.filePrefix.reveal()+escaped, nil)
	if err != nil {
		return nil, h.redact.scrub(fmt.Errorf("tg: %s: building request: %w", downloadMethod, err))
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return nil, &NetworkError{Method: downloadMethod, Err: h.redact.scrub(err)}
	}
	if resp.StatusCode != http.StatusOK {
		err := h.readResponse(downloadMethod, resp, nil) // closes the body
		if _, ok := errors.AsType[*Error](err); !ok && err != nil {
			return nil, err
		}
		// A JSON body saying ok:true, or an *Error: report the HTTP status
		// as the code when Telegram's answer did not give one.
		e, _ := errors.AsType[*Error](err)
		if e == nil {
			e = &Error{Method: downloadMethod, Code: resp.StatusCode, Description: http.StatusText(resp.StatusCode)}
		}
		return nil, e
	}
	return &scrubbedBody{rc: resp.Body, redact: h.redact}, nil
}

// escapeFilePath validates a relative file_path and escapes each segment.
// The error does not quote the path: in local mode it may hold the token.
func escapeFilePath(p string) (string, error) {
	switch {
	case p == "":
		return "", errors.New("empty file path")
	case strings.HasPrefix(p, "/"):
		return "", errors.New("absolute file path (a local Bot API server's file): give the client tg.WithLocalFiles to read it")
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s == "" || s == "." || s == ".." || strings.ContainsRune(s, '\\') {
			return "", errors.New(`file path must be relative without empty, "." or ".." segments`)
		}
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/"), nil
}

// scrubbedBody removes the token from read errors of a download body.
type scrubbedBody struct {
	rc     io.ReadCloser
	redact *redactor
}

func (b *scrubbedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = b.redact.scrub(err)
	}
	return n, err
}

func (b *scrubbedBody) Close() error { return b.redact.scrub(b.rc.Close()) }
