package backend

import (
	"slices"
	"testing"
)

func TestUniqueRecipients(t *testing.T) {
	for _, tt := range []struct{ in, want []int64 }{
		{nil, []int64{}},
		{[]int64{3, 1, 2}, []int64{3, 1, 2}},
		{[]int64{5, 5, -1, 5, 7, -1}, []int64{5, -1, 7}},
	} {
		in := slices.Clone(tt.in)
		if got := UniqueRecipients(in); !slices.Equal(got, tt.want) {
			t.Errorf("UniqueRecipients(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("UniqueRecipients changed its argument to %v", in)
		}
	}
}
