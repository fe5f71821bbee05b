package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// openKeeping opens a SQLite store and pins one of its connections, so a
// test sees the statements that connection keeps.
func openKeeping(t *testing.T) (*Store, *sql.Conn, func() *keepingConn) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Options{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "kamflow.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pool, err := s.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	driverConn := func() *keepingConn {
		var kc *keepingConn
		if err := conn.Raw(func(dc any) error {
			var ok bool
			if kc, ok = dc.(*keepingConn); !ok {
				return fmt.Errorf("connection %T keeps no statements", dc)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return kc
	}
	return s, conn, driverConn
}

func countRows(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// A read is prepared once per connection: the second run of the same
// statement uses the statement the first prepared.
func TestSQLiteConnectionKeepsItsReads(t *testing.T) {
	_, conn, driverConn := openKeeping(t)
	const q = "SELECT COUNT(*) FROM customers WHERE id > ?"
	countRows(t, conn, q, 0)
	first, ok := driverConn().kept[q]
	if !ok {
		t.Fatalf("%q not kept after its first run", q)
	}
	countRows(t, conn, q, 5)
	if again := driverConn().kept[q]; again != first || again.inUse {
		t.Errorf("second run: kept %p (in use %v), want the first's %p, free", again, again != nil && again.inUse, first)
	}
	// Writes are not kept, those returning rows (gorm's creates) included.
	const insert = "INSERT INTO customers (name, country, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id"
	now := time.Now().UTC()
	if got := countRows(t, conn, insert, "Neu GmbH", "DE", now, now); got < 1 {
		t.Fatalf("inserted id %d", got)
	}
	if _, err := conn.ExecContext(context.Background(), "UPDATE customers SET notes = ? WHERE id = ?", "x", 1); err != nil {
		t.Fatal(err)
	}
	for query := range driverConn().kept {
		if !isRead(query) {
			t.Errorf("kept %q; only reads should be", query)
		}
	}
	if _, ok := driverConn().kept[insert]; ok {
		t.Errorf("the insert returning its id was kept")
	}
}

// A kept read that fails on a later row, or whose request is cancelled
// with its rows open, runs again and reads right.
func TestSQLiteKeptReadRunsAgainAfterAFailure(t *testing.T) {
	_, conn, driverConn := openKeeping(t)
	// abs() of the smallest integer overflows: an error at the row n = ?.
	const q = "SELECT CASE WHEN n = ? THEN abs(-9223372036854775808) ELSE n END FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) ORDER BY n"
	read := func(ctx context.Context, failAt int) ([]int, error) {
		rows, err := conn.QueryContext(ctx, q, failAt)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				return out, err
			}
			out = append(out, n)
		}
		return out, rows.Err()
	}
	if got, err := read(context.Background(), 2); err == nil {
		t.Fatalf("read %v with no error; want integer overflow at the second row", got)
	}
	if got, err := read(context.Background(), 0); err != nil || len(got) != 3 {
		t.Errorf("after the failure: %v, %v; want [1 2 3]", got, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := conn.QueryContext(ctx, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	cancel()
	for rows.Next() {
	}
	_ = rows.Close()
	if ks := driverConn().kept[q]; ks == nil || ks.inUse {
		t.Fatalf("after the cancelled read: kept %+v, want kept and free", ks)
	}
	if got, err := read(context.Background(), 0); err != nil || len(got) != 3 {
		t.Errorf("after the cancelled read: %v, %v; want [1 2 3]", got, err)
	}
}

// The same read run while its rows are still open on the connection (a
// loop reading inside a transaction) runs unkept and both read right.
func TestSQLiteKeptReadInUseRunsAgainUnkept(t *testing.T) {
	s, conn, driverConn := openKeeping(t)
	ctx := context.Background()
	for i := range 3 {
		if err := s.db.Create(&Customer{Name: fmt.Sprintf("Kunde %d", i), Country: "DE"}).Error; err != nil {
			t.Fatal(err)
		}
	}
	const q = "SELECT id FROM customers ORDER BY id"
	outer, err := conn.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var outerIDs, innerIDs []int
	for outer.Next() {
		var id int
		if err := outer.Scan(&id); err != nil {
			t.Fatal(err)
		}
		outerIDs = append(outerIDs, id)
		if len(innerIDs) > 0 {
			continue
		}
		inner, err := conn.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("the same read while its rows are open: %v", err)
		}
		for inner.Next() {
			var id int
			if err := inner.Scan(&id); err != nil {
				t.Fatal(err)
			}
			innerIDs = append(innerIDs, id)
		}
		if err := errors.Join(inner.Err(), inner.Close()); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(outer.Err(), outer.Close()); err != nil {
		t.Fatal(err)
	}
	if len(outerIDs) != 3 || len(innerIDs) != 3 {
		t.Errorf("outer read %v, inner read %v; want 3 customers each", outerIDs, innerIDs)
	}
	if ks := driverConn().kept[q]; ks == nil || ks.inUse {
		t.Errorf("after both closed: kept %+v, want kept and free", ks)
	}
}

// Beyond its bound a connection closes its least recently used reads; one
// pushed out while its rows are open still reads to the end and is closed
// with them.
func TestSQLiteKeptReadsAreBounded(t *testing.T) {
	_, conn, driverConn := openKeeping(t)
	ctx := context.Background()
	const oldest = "SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2"
	rows, err := conn.QueryContext(ctx, oldest)
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("no first row: %v", rows.Err())
	}
	pushedOut := driverConn().kept[oldest]
	for i := range keptStatementsPerConnection {
		countRows(t, conn, fmt.Sprintf("SELECT %d + ?", i), 1)
	}
	kc := driverConn()
	if len(kc.kept) != keptStatementsPerConnection || kc.order.Len() != keptStatementsPerConnection {
		t.Errorf("%d kept (%d in order), want the bound %d", len(kc.kept), kc.order.Len(), keptStatementsPerConnection)
	}
	if _, ok := kc.kept[oldest]; ok || pushedOut == nil || !pushedOut.dropped {
		t.Errorf("the least recently used read, in use: still kept %v, marked to close with its rows %v", ok, pushedOut != nil && pushedOut.dropped)
	}
	n := 1
	for rows.Next() {
		n++
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil || n != 3 {
		t.Errorf("the pushed-out read's rows: %d rows, %v; want 3, nil", n, err)
	}
	// And it runs again, kept anew.
	if got := countRows(t, conn, oldest); got != 0 {
		t.Errorf("first row = %d", got)
	}
	if again := driverConn().kept[oldest]; again == nil || again == pushedOut {
		t.Errorf("run again: kept %p, want a new statement (the pushed-out one was %p)", again, pushedOut)
	}
}

// A read in a transaction runs on, and is kept by, the transaction's
// connection: it sees the transaction's own row, and after the rollback
// the same kept statement no longer does.
func TestSQLiteKeptReadsRunInTheirTransaction(t *testing.T) {
	_, conn, driverConn := openKeeping(t)
	ctx := context.Background()
	const q = "SELECT COUNT(*) FROM customers WHERE id > ?"
	before := countRows(t, conn, q, 0)
	kept := driverConn().kept[q]
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := tx.ExecContext(ctx, "INSERT INTO customers (name, country, created_at, updated_at) VALUES (?, ?, ?, ?)", "Im Vorgang GmbH", "DE", now, now); err != nil {
		t.Fatal(err)
	}
	inside := countRows(t, tx, q, 0)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	after := countRows(t, conn, q, 0)
	if inside != before+1 || after != before {
		t.Errorf("customers before %d, inside the transaction %d, after its rollback %d", before, inside, after)
	}
	if again := driverConn().kept[q]; kept == nil || again != kept {
		t.Errorf("kept %p before the transaction, %p after; want the same statement throughout", kept, again)
	}
}
