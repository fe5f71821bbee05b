package store_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kamflow/kamflow/store"
)

// readStatement is one statement the store sent, with its arguments.
type readStatement struct {
	sql  string
	vars []any
}

// recordRowReads records, in order, every statement s reads as rows (gorm's
// Row callback: Scan, Rows, Raw); counts and Finds go through Query.
func recordRowReads(t *testing.T, s *store.Store) *[]readStatement {
	t.Helper()
	var seen []readStatement
	err := s.DB().Callback().Row().After("gorm:row").Register("test:plan", func(tx *gorm.DB) {
		seen = append(seen, readStatement{tx.Statement.SQL.String(), append([]any(nil), tx.Statement.Vars...)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return &seen
}

// lastRead is the last of the recorded statements whose SQL holds part.
func lastRead(t *testing.T, seen []readStatement, part string) readStatement {
	t.Helper()
	for i := len(seen) - 1; i >= 0; i-- {
		if strings.Contains(seen[i].sql, part) {
			return seen[i]
		}
	}
	t.Fatalf("no statement read %q: %v", part, seen)
	return readStatement{}
}

// sqlitePlan is SQLite's query plan for st, one step a line.
func sqlitePlan(t *testing.T, s *store.Store, st readStatement) string {
	t.Helper()
	rows, err := s.DB().Raw("EXPLAIN QUERY PLAN "+st.sql, st.vars...).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
