package fsm

import (
	"context"
	"fmt"
	"reflect"

	"github.com/go-json-experiment/json"
)

// GetData returns the conversation's data decoded as T, or the zero T when
// there is none. Data that cannot be decoded as T gives an error wrapping
// [ErrCorrupt] that names the key; [Context.Clear] or [Set] resets it.
func GetData[T any](ctx context.Context, fc *Context) (T, error) {
	var data T
	rec, err := fc.load(ctx)
	if err != nil {
		return data, err
	}
	err = decode(fc.key, rec.Data, &data)
	return data, err
}

// Set replaces the conversation's state and data, whatever they were
// (corrupt data included).
func Set[T any](ctx context.Context, fc *Context, state State, data T) error {
	if err := state.check(); err != nil {
		return err
	}
	b, err := encode(fc.key, data)
	if err != nil {
		return err
	}
	return fc.modify(ctx, true, func(rec *Record) error {
		rec.State, rec.Data = string(state), b
		return nil
	})
}

// SetData replaces the conversation's data and keeps its state.
func SetData[T any](ctx context.Context, fc *Context, data T) error {
	b, err := encode(fc.key, data)
	if err != nil {
		return err
	}
	return fc.modify(ctx, true, func(rec *Record) error {
		rec.Data = b
		return nil
	})
}

// Update is an atomic read-modify-write of the conversation: it reads the
// stored record (always from the storage, never from the cache), decodes
// the data as T (the zero T when there is none), calls fn with the state
// and data to change in place, and stores the result if nobody wrote the
// key in between. Otherwise it starts again with the fresh record, up to
// [Options.MaxRetries] times, then fails with an error wrapping
// [ErrConflict]. So fn may run more than once and must not have side
// effects beyond editing its arguments.
//
// If fn returns an error, nothing is written and Update returns it. Data
// that cannot be decoded as T gives an error wrapping [ErrCorrupt] without
// calling fn.
func Update[T any](ctx context.Context, fc *Context, fn func(state *State, data *T) error) error {
	return fc.modify(ctx, false, func(rec *Record) error {
		var data T
		if err := decode(fc.key, rec.Data, &data); err != nil {
			return err
		}
		state := State(rec.State)
		if err := fn(&state, &data); err != nil {
			return err
		}
		b, err := encode(fc.key, data)
		if err != nil {
			return err
		}
		rec.State, rec.Data = string(state), b
		return nil
	})
}

// decode unmarshals stored data into out; nil or empty data leaves out as
// it is (the zero value). Failures, and panics of a custom unmarshaler,
// become errors wrapping ErrCorrupt.
func decode[T any](key Key, data []byte, out *T) (err error) {
	if len(data) == 0 {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = corrupt[T](key, fmt.Errorf("panic: %v", r))
		}
	}()
	if err := json.Unmarshal(data, out); err != nil {
		var zero T
		*out = zero
		return corrupt[T](key, err)
	}
	return nil
}

func corrupt[T any](key Key, err error) error {
	return fmt.Errorf("%w: key %s: its data cannot be decoded as %s: %w; "+
		"Clear the key (fsm.Context.Clear) or overwrite it (fsm.Set) to reset the conversation",
		ErrCorrupt, key, reflect.TypeFor[T](), err)
}

func encode[T any](key Key, data T) ([]byte, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("fsm: encode data of %s as JSON: %w", key, err)
	}
	return b, nil
}
