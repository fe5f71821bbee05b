package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"gorm.io/gorm"
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
	// Writes are not kept: they run once, and scripts may hold several.
	if _, err := conn.ExecContext(context.Background(), "UPDATE customers SET notes = ? WHERE id = ?", "x", 1); err != nil {
		t.Fatal(err)
	}
	if _, ok := driverConn().kept["UPDATE customers SET notes = ? WHERE id = ?"]; ok {
		t.Error("a write was kept")
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
	for i := range keptStatementsPerConnection {
		countRows(t, conn, fmt.Sprintf("SELECT %d + ?", i), 1)
	}
	kc := driverConn()
	if len(kc.kept) != keptStatementsPerConnection || kc.order.Len() != keptStatementsPerConnection {
		t.Errorf("%d kept (%d in order), want the bound %d", len(kc.kept), kc.order.Len(), keptStatementsPerConnection)
	}
	if _, ok := kc.kept[oldest]; ok {
		t.Errorf("the least recently used read is still kept")
	}
	n := 1
	for rows.Next() {
		n++
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil || n != 3 {
		t.Errorf("the pushed-out read's rows: %d rows, %v; want 3, nil", n, err)
	}
	// And it runs again, kept anew.
	if got := countRows(t, conn, "SELECT COUNT(*) FROM ("+oldest+")"); got != 3 {
		t.Errorf("count = %d", got)
	}
}

// A read in a transaction runs on the transaction's connection: it sees
// the transaction's own row, and others do not once it rolls back.
func TestSQLiteKeptReadsRunInTheirTransaction(t *testing.T) {
	s, _, _ := openKeeping(t)
	db := s.db
	var before, inside, after int64
	const q = "SELECT COUNT(*) FROM customers WHERE id > ?"
	if err := db.Raw(q, 0).Scan(&before).Error; err != nil {
		t.Fatal(err)
	}
	rollback := errors.New("roll back")
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&Customer{Name: "Im Vorgang GmbH", Country: "DE"}).Error; err != nil {
			return err
		}
		if err := tx.Raw(q, 0).Scan(&inside).Error; err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if err := db.Raw(q, 0).Scan(&after).Error; err != nil {
		t.Fatal(err)
	}
	if inside != before+1 || after != before {
		t.Errorf("customers before %d, inside the transaction %d, after its rollback %d", before, inside, after)
	}
}
