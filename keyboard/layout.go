package keyboard

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by the errors about keyboards Telegram would
// refuse, and about bad layout sizes.
var ErrInvalid = errors.New("keyboard: invalid keyboard")

// MaxButtons is the most buttons Telegram accepts in one keyboard.
const MaxButtons = 100

// Adjust lays items out as rows of the given sizes; the last size repeats
// for the items left, and the last row may be shorter. Adjust(b, 3) gives
// rows of three; Adjust(b, 1, 2) gives one row of one, then rows of two.
func Adjust[T any](items []T, sizes ...int) ([][]T, error) {
	if len(sizes) == 0 {
		return nil, fmt.Errorf("%w: Adjust needs at least one row size", ErrInvalid)
	}
	for _, n := range sizes {
		if n < 1 {
			return nil, fmt.Errorf("%w: row size %d is below 1", ErrInvalid, n)
		}
	}
	var rows [][]T
	for i := 0; len(items) > 0; i++ {
		n := min(sizes[min(i, len(sizes)-1)], len(items))
		rows = append(rows, items[:n:n])
		items = items[n:]
	}
	return rows, nil
}
