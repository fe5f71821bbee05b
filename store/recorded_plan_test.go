package store_test

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestRecordedEnrolmentsReadNewestFirstFromTheirIndex: on SQLite the list
// of recorded enrolments walks the index on status_at backwards and stops
// at the page's end, rather than reading every enrolment of a recorded
// status and sorting them (which it did while the index on status was
// open to it).
func TestRecordedEnrolmentsReadNewestFirstFromTheirIndex(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	var listSQL string
	var listVars []any
	// The list is read as rows (the Row callback), its count as a query.
	err := s.DB().Callback().Row().After("gorm:row").Register("test:plan", func(tx *gorm.DB) {
		if listSQL == "" {
			listSQL, listVars = tx.Statement.SQL.String(), append([]any(nil), tx.Statement.Vars...)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RecordedEnrolments(t.Context(), time.Now().AddDate(0, -3, 0), store.Page{}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DB().Raw("EXPLAIN QUERY PLAN "+listSQL, listVars...).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "SEARCH enrolments USING INDEX idx_enrolments_status_at") || strings.Contains(text, "TEMP B-TREE FOR ORDER BY") {
		t.Errorf("recorded enrolments' plan:\n%s\nwant the index on status_at and no sort", text)
	}
}
