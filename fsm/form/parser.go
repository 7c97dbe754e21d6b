package form

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A Parser reads a value of type V from a user's answer. Its errors are
// shown to the user, followed by the question again, so they should be
// friendly sentences ("Please send a whole number from 1 to 99.").
//
// A Parser may offer choices: they are shown as inline buttons, and
// pressing one answers with its label, as if the user had typed it.
type Parser[V any] struct {
	parse   func(text string) (V, error)
	choices []string
}

// Invalid is an error meant for the user: parsers and setters may return
// it (any error works; this one reads as intended and satisfies linters
// that want error strings in lower case).
type Invalid string

// Error returns the message.
func (e Invalid) Error() string { return string(e) }

// Func returns a parser that calls parse on the answer.
func Func[V any](parse func(text string) (V, error)) Parser[V] {
	return Parser[V]{parse: parse}
}

// Parse parses an answer.
func (p Parser[V]) Parse(text string) (V, error) { return p.parse(text) }

// Choices returns the labels of the parser's buttons, if any.
func (p Parser[V]) Choices() []string { return p.choices }

// Validate returns p followed by a check of the parsed value: an error from
// check is shown to the user like a parse error.
func (p Parser[V]) Validate(check func(v V) error) Parser[V] {
	parse := p.parse
	p.parse = func(text string) (V, error) {
		v, err := parse(text)
		if err == nil {
			err = check(v)
		}
		return v, err
	}
	return p
}

// WithError returns p with every error replaced by msg, to reword or
// translate the built-in messages.
func (p Parser[V]) WithError(msg string) Parser[V] {
	parse := p.parse
	p.parse = func(text string) (V, error) {
		v, err := parse(text)
		if err != nil {
			err = Invalid(msg)
		}
		return v, err
	}
	return p
}

// Text accepts text of minLen to maxLen characters (runes), surrounding
// spaces trimmed; maxLen 0 means no upper bound.
func Text(minLen, maxLen int) Parser[string] {
	return Func(func(text string) (string, error) {
		text = strings.TrimSpace(text)
		n := utf8.RuneCountInString(text)
		switch {
		case n == 0 && minLen > 0:
			return "", Invalid("Please send some text.")
		case n < minLen:
			return "", Invalid(fmt.Sprintf("Please send at least %d characters.", minLen))
		case maxLen > 0 && n > maxLen:
			return "", Invalid(fmt.Sprintf("Please send at most %d characters.", maxLen))
		}
		return text, nil
	})
}

// Int accepts a whole number from lo to hi.
func Int(lo, hi int) Parser[int] {
	return Func(func(text string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || n < lo || n > hi {
			return 0, Invalid(fmt.Sprintf("Please send a whole number from %d to %d.", lo, hi))
		}
		return n, nil
	})
}

// Regexp accepts text (spaces trimmed) that re matches; otherwise the user
// is told hint.
func Regexp(re *regexp.Regexp, hint string) Parser[string] {
	return Func(func(text string) (string, error) {
		text = strings.TrimSpace(text)
		if !re.MatchString(text) {
			return "", Invalid(hint)
		}
		return text, nil
	})
}

// OneOf offers the labels as buttons and accepts one of them (typed text
// is compared without regard to case).
func OneOf(labels ...string) Parser[string] {
	choices := make([]Choice[string], len(labels))
	for i, l := range labels {
		choices[i] = Choice[string]{Label: l, Value: l}
	}
	return Choices(choices...)
}

// Choice is a button of a Choices parser: its label and the value it stands for.
type Choice[V any] struct {
	Label string
	Value V
}

// Choices offers the choices as buttons and gives the value of the one
// pressed (or typed: the label, compared without regard to case).
func Choices[V any](choices ...Choice[V]) Parser[V] {
	labels := make([]string, len(choices))
	for i, c := range choices {
		labels[i] = c.Label
	}
	hint := "Please choose one of: " + strings.Join(labels, ", ") + "."
	return Parser[V]{
		choices: labels,
		parse: func(text string) (V, error) {
			text = strings.TrimSpace(text)
			for _, c := range choices {
				if strings.EqualFold(c.Label, text) {
					return c.Value, nil
				}
			}
			var zero V
			return zero, Invalid(hint)
		},
	}
}
