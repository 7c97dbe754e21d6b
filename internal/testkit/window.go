package testkit

import "time"

// MaxInWindow returns the largest number of times that fall in any
// half-open window [t, t+w): the peak a rate limit of that window must
// bound. times must be sorted.
func MaxInWindow(times []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}
