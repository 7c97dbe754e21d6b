// Package txonce makes an SQL effect happen once by writing its mark in
// the same database transaction as the effect: the mark and the effect
// commit together or not at all. A process killed before the commit
// leaves neither, so the re-delivered update does the work again; a
// process killed after it leaves both, so the work is never repeated.
// This is the strongest form of Herald's "once": herald.Context.Once
// guarantees the same only for effects that are a single step.
//
// It works with any database/sql driver whose SQL accepts $1 placeholders
// and INSERT … ON CONFLICT DO NOTHING: PostgreSQL (pgx's stdlib driver) and
// SQLite (modernc.org/sqlite). Call Migrate once at start, then Do inside
// the transaction that writes the effect:
//
//	tx, _ := db.BeginTx(ctx, nil)
//	defer tx.Rollback()
//	ran, err := txonce.Do(ctx, tx, "order:42", func(tx *sql.Tx) error {
//		_, err := tx.ExecContext(ctx, `UPDATE orders SET paid = true WHERE id = 42`)
//		return err
//	})
//	if err == nil { err = tx.Commit() }
package txonce
