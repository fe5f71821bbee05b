package store_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"gorm.io/gorm"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// countAbove is the statement the tests below run inside and outside
// transactions; its argument makes the MySQL driver either prepare it or
// interpolate it.
const countAbove = "SELECT COUNT(*) FROM customers WHERE id > ?"

// A statement kept prepared (SQLite) runs on the connection of the
// transaction that asks for it: it sees the transaction's own row, and
// others do not until it commits.
func TestKeptStatementsRunInTheirTransaction(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db := s.DB().WithContext(ctx)
		count := func(db *gorm.DB) int64 {
			t.Helper()
			var n int64
			if err := db.Raw(countAbove, 0).Scan(&n).Error; err != nil {
				t.Fatalf("count: %v", err)
			}
			return n
		}
		before := count(db) // prepared and kept outside the transaction
		rollback := errors.New("roll back")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&store.Customer{Name: "Im Vorgang GmbH", Industry: "Bau", Country: "DE"}).Error; err != nil {
				return err
			}
			if got := count(tx); got != before+1 {
				t.Errorf("inside the transaction: %d customers, want %d", got, before+1)
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("transaction: %v", err)
		}
		if got := count(db); got != before {
			t.Errorf("after the rollback: %d customers, want %d", got, before)
		}
	})
}

// On SQLite a statement is parsed once and kept; on MySQL a statement
// with arguments is interpolated by the driver, one round trip, with no
// statement prepared on the server.
func TestStatementsAreNotPreparedPerRequest(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		s := storetest.Open(t, "sqlite")
		var n int64
		if err := s.DB().Raw(countAbove, 0).Scan(&n).Error; err != nil {
			t.Fatalf("count: %v", err)
		}
		kept, ok := s.DB().ConnPool.(*gorm.PreparedStmtDB)
		if !ok {
			t.Fatalf("the SQLite store keeps no statements (pool %T)", s.DB().ConnPool)
		}
		if _, ok := kept.Stmts.Get(countAbove); !ok {
			t.Errorf("%q was not kept prepared; kept: %q", countAbove, kept.Stmts.Keys())
		}
	})
	t.Run("mysql", func(t *testing.T) {
		s := storetest.Open(t, "mysql")
		// One connection throughout, so its session's counter is the one
		// the statement moves (or not).
		err := s.DB().Connection(func(conn *gorm.DB) error {
			prepared := func() int {
				var name, value string
				if err := conn.Raw("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'").Row().Scan(&name, &value); err != nil {
					t.Fatalf("status: %v", err)
				}
				n, err := strconv.Atoi(value)
				if err != nil {
					t.Fatalf("Com_stmt_prepare = %q", value)
				}
				return n
			}
			before := prepared()
			for range 3 {
				var n int64
				if err := conn.Raw(countAbove, 0).Scan(&n).Error; err != nil {
					return err
				}
			}
			if after := prepared(); after != before {
				t.Errorf("three statements with arguments prepared %d statements on the server, want 0", after-before)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
