package limit

import (
	"errors"
	"io"
	"net"
	"reflect"
	"strings"
	"syscall"

	"github.com/heraldbot/herald/tg"
)

// failure is what an error says about whether the call reached Telegram.
type failure uint8

const (
	// permanent: do not repeat (success, 4xx, 429, bad arguments,
	// a failing upload reader, the caller's context).
	permanent failure = iota
	// notSent: the request never left this machine (the connection could
	// not be opened), so repeating it cannot duplicate anything.
	notSent
	// maybeDone: the request may have been executed (5xx, connection
	// reset or timeout after it was written); repeating it is safe only
	// for idempotent methods.
	maybeDone
)

// classify sorts a failed call's error.
func classify(err error) failure {
	if err == nil {
		return permanent
	}
	if e, ok := errors.AsType[*tg.Error](err); ok {
		if e.Code >= 500 {
			return maybeDone
		}
		return permanent
	}
	ne, ok := errors.AsType[*tg.NetworkError](err)
	if !ok {
		return permanent
	}
	if neverSent(ne.Err) {
		return notSent
	}
	return maybeDone
}

// neverSent reports a failure to open the connection: dialing (refused,
// unreachable, DNS, dial timeout) happens before a byte of the request is
// written.
func neverSent(err error) bool {
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return true
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// IsIdempotent reports whether repeating method after it may already
// have been executed leaves the same result and posts nothing twice: the
// getters (get…), the setters (set…), deleteWebhook and deleteMyCommands.
// Sends, forwards, copies, edits, deletions, answers to queries and
// everything that creates something are not.
func IsIdempotent(method string) bool {
	switch {
	case strings.HasPrefix(method, "get"), strings.HasPrefix(method, "set"):
		return true
	}
	return method == "deleteWebhook" || method == "deleteMyCommands"
}

var inputFileType = reflect.TypeFor[tg.InputFile]()

// hasOneShotUpload reports whether params hold an InputFile upload whose
// reader cannot be rewound: tg reads it once, so a second attempt could
// only fail. It looks through structs, pointers, interfaces, slices and
// maps, to a bounded depth.
func hasOneShotUpload(params any) bool {
	budget := 10_000 // values visited at most
	return oneShot(reflect.ValueOf(params), 8, &budget)
}

func oneShot(v reflect.Value, depth int, budget *int) bool {
	if !v.IsValid() || depth == 0 || *budget <= 0 {
		return false
	}
	*budget--
	if v.Type() == inputFileType {
		_, r, ok := v.Interface().(tg.InputFile).Upload()
		if !ok {
			return false
		}
		_, seekable := r.(io.Seeker)
		return !seekable
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && oneShot(v.Elem(), depth-1, budget)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && oneShot(v.Field(i), depth-1, budget) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if oneShot(v.Index(i), depth-1, budget) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if oneShot(it.Value(), depth-1, budget) {
				return true
			}
		}
	}
	return false
}
