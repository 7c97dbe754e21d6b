package shopbot

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseAdmins reads a comma-separated list of user ids ("42, 1001").
func ParseAdmins(s string) ([]int64, error) {
	var out []int64
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("admin id %q is not a user id", f)
		}
		out = append(out, id)
	}
	return out, nil
}
