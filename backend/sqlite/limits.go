package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// LimitStore is the outbound limiter's store of one bot kept in the
// Store's file (table limit_buckets): every process that opens the file
// shares its buckets and 429 pauses, so that together they keep
// Telegram's limits. Get one with Store.Limits.
//
// Each Take is one write transaction (BEGIN IMMEDIATE on the write
// connection, so it excludes every other writer of the file, in any
// process): it reads the rows of the request's buckets and pauses, decides
// with backend.Rate.Wait on the local wall clock, and writes the new
// theoretical arrival times with backend.Rate.Take only when the request
// fits. All the processes sharing a file run on one machine, so they share
// that clock. A row at rest (its time passed) is the same as no row; the
// sweeper deletes such rows.
type LimitStore struct {
	s   *Store
	bot int64
}

var _ backend.LimitStore = (*LimitStore)(nil)

// Limits returns the LimitStore of the bot botID in s's file. Stores of the
// same bot, in this process or another one sharing the file, share its
// buckets.
func (s *Store) Limits(botID int64) backend.LimitStore { return &LimitStore{s: s, bot: botID} }

// limitRow is one row of limit_buckets that a Take reads: a bucket of the
// request or one of the pauses that concern it.
type limitRow struct {
	scope backend.LimitScope
	chat  string // tg.ChatID.String(): "" for the bot's own rows
	rate  backend.Rate
	tat   time.Time // the zero Time: no row
}

// Take implements backend.LimitStore in one write transaction.
func (l *LimitStore) Take(ctx context.Context, r *backend.LimitRequest) (backend.LimitVerdict, error) {
	n := max(r.N, 1)
	var buf [6]limitRow
	rows := append(buf[:0], limitRow{scope: backend.ScopePause})
	if !r.Chat.IsZero() {
		rows = append(rows, limitRow{scope: backend.ScopeChatPause, chat: r.Chat.String()})
	}
	pauses := len(rows)
	for _, b := range r.Buckets {
		rows = append(rows, limitRow{scope: b.Scope, chat: b.Chat.String(), rate: b.Rate})
	}

	tx, err := l.s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock=immediate)
	if err != nil {
		return backend.LimitVerdict{}, l.errorf("take", err)
	}
	defer tx.Rollback()
	get := tx.StmtContext(ctx, l.s.stmts.limitGet)
	now := time.Now()
	var v backend.LimitVerdict
	for i := range rows {
		row := &rows[i]
		var tat int64
		switch err := get.QueryRowContext(ctx, l.bot, int(row.scope), row.chat).Scan(&tat); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return backend.LimitVerdict{}, l.errorf("take", err)
		default:
			row.tat = time.Unix(0, tat)
		}
		var wait time.Duration
		if i < pauses {
			wait = row.tat.Sub(now)
		} else {
			wait = row.rate.Wait(row.tat, now, n)
		}
		if wait > v.Wait {
			v = backend.LimitVerdict{Wait: wait, Scope: row.scope}
		}
	}
	if v.Wait > 0 {
		return v, nil // the deferred Rollback ends the transaction: nothing was written
	}
	set := tx.StmtContext(ctx, l.s.stmts.limitSet)
	for _, row := range rows[pauses:] {
		tat := row.rate.Take(row.tat, now, n)
		if _, err := set.ExecContext(ctx, l.bot, int(row.scope), row.chat, tat.UnixNano()); err != nil {
			return backend.LimitVerdict{}, l.errorf("take", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return backend.LimitVerdict{}, l.errorf("take", err)
	}
	return backend.LimitVerdict{}, nil
}

// Pause implements backend.LimitStore: one statement that keeps the later
// of the pause in force and the new one.
func (l *LimitStore) Pause(ctx context.Context, chat tg.ChatID, d time.Duration) error {
	scope := backend.ScopePause
	if !chat.IsZero() {
		scope = backend.ScopeChatPause
	}
	until := time.Now().Add(d).UnixNano()
	if _, err := l.s.stmts.limitPause.ExecContext(ctx, l.bot, int(scope), chat.String(), until); err != nil {
		return l.errorf("pause", err)
	}
	return nil
}

func (l *LimitStore) errorf(op string, err error) error {
	return fmt.Errorf("sqlite: limits of bot %d: %s: %w", l.bot, op, err)
}
