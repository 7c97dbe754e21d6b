package tg

import (
	"errors"
	"io"
	"strconv"
	"sync"
)

// upload is the shared state of an upload InputFile. It lets a repeated
// call (a retry) rewind a seekable reader, and refuse a consumed one
// instead of silently sending an empty or truncated file.
type upload struct {
	name string
	r    io.Reader

	mu       sync.Mutex // held while r is being read
	started  bool       // an attempt has begun reading r
	seekable bool       // start is valid
	start    int64      // offset of r when first read
}

var errUploadConsumed = errors.New("reader was consumed by an earlier attempt and is not an io.Seeker")

// rewindLocked prepares r for an attempt. u.mu must be held.
func (u *upload) rewindLocked() error {
	if !u.started {
		u.started = true
		if s, ok := u.r.(io.Seeker); ok {
			if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
				u.start, u.seekable = pos, true
			}
		}
		return nil
	}
	if !u.seekable {
		return errUploadConsumed
	}
	_, err := u.r.(io.Seeker).Seek(u.start, io.SeekStart)
	return err
}

// copyTo streams the upload into w. A failure of the reader (or of
// rewinding it) is returned as an *uploadError; a failure of w as is.
func (u *upload) copyTo(w io.Writer) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.rewindLocked(); err != nil {
		return &uploadError{name: u.name, err: err}
	}
	rr := readRecorder{r: u.r}
	_, err := io.Copy(w, &rr)
	if rr.err != nil {
		return &uploadError{name: u.name, err: rr.err}
	}
	return err
}

// readRecorder remembers the first non-EOF error of r, to tell a failing
// reader apart from a failure of what consumes it: an upload reader from
// the request body, a response body from the JSON decoding it.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

// uploadError reports that reading an upload's content failed.
type uploadError struct {
	name string
	err  error
}

func (e *uploadError) Error() string { return "upload " + strconv.Quote(e.name) + ": " + e.err.Error() }
func (e *uploadError) Unwrap() error { return e.err }
