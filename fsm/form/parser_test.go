package form_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm/form"
)

func TestParsers(t *testing.T) {
	even := form.Int(0, 10).Validate(func(n int) error {
		if n%2 != 0 {
			return form.Invalid("An even number, please.")
		}
		return nil
	})
	type size int
	sizes := form.Choices(form.Choice[size]{"Small", 1}, form.Choice[size]{"Large", 2})
	for _, tc := range []struct {
		name    string
		parse   func(string) (any, error)
		in      string
		want    any
		wantErr string
	}{
		{"text trims", wrap(form.Text(1, 5)), "  Ann ", "Ann", ""},
		{"text empty", wrap(form.Text(1, 5)), "  ", nil, "Please send some text."},
		{"text short", wrap(form.Text(3, 5)), "ab", nil, "at least 3 characters"},
		{"text long counts runes", wrap(form.Text(1, 3)), "ääää", nil, "at most 3 characters"},
		{"text runes fit", wrap(form.Text(1, 4)), "ääää", "ääää", ""},
		{"int", wrap(form.Int(1, 99)), " 42 ", 42, ""},
		{"int low", wrap(form.Int(1, 99)), "0", nil, "from 1 to 99"},
		{"int junk", wrap(form.Int(1, 99)), "4x", nil, "from 1 to 99"},
		{"validate passes", wrap(even), "4", 4, ""},
		{"validate fails", wrap(even), "3", nil, "An even number, please."},
		{"one of, any case", wrap(form.OneOf("Tea", "Coffee")), "coffee", "Coffee", ""},
		{"one of, other", wrap(form.OneOf("Tea", "Coffee")), "beer", nil, "Please choose one of: Tea, Coffee."},
		{"choices", wrap(sizes), "large", size(2), ""},
		{"regexp", wrap(form.Regexp(regexp.MustCompile(`^\d{4}$`), "Four digits.")), " 1234 ", "1234", ""},
		{"regexp fails", wrap(form.Regexp(regexp.MustCompile(`^\d{4}$`), "Four digits.")), "12", nil, "Four digits."},
		{"with error", wrap(form.Int(1, 2).WithError("Eins oder zwei.")), "3", nil, "Eins oder zwei."},
	} {
		got, err := tc.parse(tc.in)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || got != tc.want):
			t.Errorf("%s: got %v, %v, want %v", tc.name, got, err, tc.want)
		}
	}
	if got := sizes.Choices(); len(got) != 2 || got[0] != "Small" {
		t.Errorf("Choices() = %v", got)
	}
	var inv form.Invalid
	if _, err := form.Int(1, 2).Parse("9"); !errors.As(err, &inv) {
		t.Errorf("built-in errors are form.Invalid, got %T", err)
	}
}

func wrap[V any](p form.Parser[V]) func(string) (any, error) {
	return func(s string) (any, error) {
		v, err := p.Parse(s)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
}

func TestDeclarationMistakesPanic(t *testing.T) {
	set := func(o *Order, v string) error { o.Name = v; return nil }
	mustPanic := func(what, want string, fn func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil || !strings.Contains(r.(string), want) {
				t.Errorf("%s: panic %v, want one containing %q", what, r, want)
			}
		}()
		fn()
	}
	mustPanic("duplicate field", "two fields", func() {
		form.New[Order]("f").Text("a", "A?", set).Text("a", "A again?", set)
	})
	mustPanic("reserved name", "must not start with '_'", func() {
		form.New[Order]("f").Text("_summary", "?", set)
	})
	mustPanic("no OnDone", "needs at least one field and OnDone", func() {
		form.New[Order]("f").Text("a", "A?", set).Register(nil)
	})
	mustPanic("long name", "64 bytes", func() {
		form.New[Order](strings.Repeat("n", 50)).Text("a", "A?", set).
			OnDone(func(*herald.Context, Order) error { return nil }).Register(nil)
	})
}
