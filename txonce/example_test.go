package txonce_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	"github.com/heraldbot/herald/txonce"
)

// Paying for order 42 twice (a button pressed twice, an update delivered
// again after a crash) charges once: the payment row and its mark commit
// together.
func Example() {
	dir, _ := os.MkdirTemp("", "txonce")
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "shop.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := txonce.Migrate(ctx, db); err != nil {
		panic(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE payments (order_id INTEGER, amount INTEGER)`); err != nil {
		panic(err)
	}
	pay := func() bool {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			panic(err)
		}
		defer tx.Rollback()
		ran, err := txonce.Do(ctx, tx, "pay:order:42", func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO payments VALUES (42, 1250)`)
			return err
		})
		if err != nil {
			panic(err)
		}
		if err := tx.Commit(); err != nil {
			panic(err)
		}
		return ran
	}
	fmt.Println(pay(), pay())
	var n int
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM payments`).Scan(&n)
	fmt.Println("payments:", n)
	// Output:
	// true false
	// payments: 1
}
