package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ErrNotFound is returned by Retry and Get for an unknown job id.
var ErrNotFound = errors.New("jobs: no such job")

// Row is a job as stored: River's row.
type Row = rivertype.JobRow

// State is a job's state: available (queued), scheduled, running,
// retryable (failed, to run again), discarded (failed for good),
// cancelled, completed or pending.
type State = rivertype.JobState

// ListParams selects jobs for List.
type ListParams struct {
	// States keeps jobs in these states (default: all).
	States []State
	// Kinds keeps jobs of these kinds (default: all).
	Kinds []string
	// Limit bounds the jobs returned (default 100, at most 10 000).
	Limit int
}

// List returns the jobs p selects, newest first.
func (c *Client) List(ctx context.Context, p ListParams) ([]*Row, error) {
	if p.Limit <= 0 {
		p.Limit = 100
	}
	p.Limit = min(p.Limit, 10_000)
	lp := river.NewJobListParams().First(p.Limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(p.States) > 0 {
		lp = lp.States(p.States...)
	}
	if len(p.Kinds) > 0 {
		lp = lp.Kinds(p.Kinds...)
	}
	res, err := c.admin.list(ctx, lp)
	if err != nil {
		return nil, fmt.Errorf("jobs: listing: %w", err)
	}
	return res.Jobs, nil
}

// Get returns the job id, or ErrNotFound.
func (c *Client) Get(ctx context.Context, id int64) (*Row, error) {
	row, err := c.admin.get(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: job %d: %w", id, err)
	}
	return row, nil
}

// Retry makes job id available to run again at once: a failed job
// (discarded or retryable), a cancelled or completed one, or a scheduled
// one brought forward. A running job is left alone. Its attempts are not
// reset: a discarded job that used them all gets one more run.
func (c *Client) Retry(ctx context.Context, id int64) (*Row, error) {
	row, err := c.admin.retry(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: retrying job %d: %w", id, err)
	}
	return row, nil
}
