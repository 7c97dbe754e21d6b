package tg

import (
	"errors"
	"net/url"
	"strings"
)

// redactor removes the bot token from text and errors. The full token and
// its URL-escaped forms are replaced first (so a URL reads ".../bot<redacted>/..."),
// then the secret part alone, which catches any other encoding of it.
type redactor struct {
	secret   string
	replacer *strings.Replacer
}

func newRedactor(token string) *redactor {
	_, key, _ := strings.Cut(token, ":")
	olds := []string{token, url.PathEscape(token), url.QueryEscape(token), key}
	pairs := make([]string, 0, 2*len(olds))
	seen := make(map[string]bool, len(olds))
	for _, o := range olds {
		if o == "" || seen[o] {
			continue
		}
		seen[o] = true
		pairs = append(pairs, o, redactedText)
	}
	return &redactor{secret: key, replacer: strings.NewReplacer(pairs...)}
}

// contains reports whether s holds the token's secret in any form the
// replacer knows.
func (r *redactor) contains(s string) bool {
	return r.secret != "" && strings.Contains(s, r.secret)
}

// text returns s with every form of the token replaced.
func (r *redactor) text(s string) string {
	if !r.contains(s) {
		return s
	}
	return r.replacer.Replace(s)
}

// trimCutSecret removes from the end of s, a text cut from a longer one,
// a beginning of the secret that the cut split off from the rest of it
// (text no longer finds such a piece). It may also drop a few characters
// that merely look like the secret's start, which is harmless at a cut.
func (r *redactor) trimCutSecret(s string) string {
	for n := min(len(r.secret)-1, len(s)); n > 0; n-- {
		if strings.HasSuffix(s, r.secret[:n]) {
			return s[:len(s)-n]
		}
	}
	return s
}

// scrub returns err, or an equivalent error whose text (at every layer of its
// chain) does not contain the token. A *url.Error from net/http is rebuilt
// with a redacted URL so errors.As(err, **url.Error) keeps working; any
// other layer leaking the token is replaced by a redacted copy that still
// answers errors.Is for the original chain.
func (r *redactor) scrub(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: r.text(ue.URL), Err: r.scrub(ue.Err)}
	}
	if !r.leaks(err) {
		return err
	}
	return &redactedError{msg: r.text(err.Error()), orig: err}
}

// leaks reports whether any error in err's tree prints the token.
func (r *redactor) leaks(err error) bool {
	if err == nil {
		return false
	}
	if r.contains(err.Error()) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return r.leaks(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if r.leaks(e) {
				return true
			}
		}
	}
	return false
}

// redactedError stands in for an error whose text contained the token.
// It deliberately has no Unwrap (that would expose the original text);
// Is and Timeout consult the original so sentinel checks still work.
type redactedError struct {
	msg  string
	orig error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the hidden original error matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.orig, target) }

// Timeout reports whether the hidden original error was a timeout.
func (e *redactedError) Timeout() bool {
	t, ok := errors.AsType[interface {
		error
		Timeout() bool
	}](e.orig)
	return ok && t.Timeout()
}
