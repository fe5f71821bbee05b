package store_test

import (
	"strings"
	"testing"
	"time"

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
	// The list is read as rows (the Row callback), its count as a query.
	seen := recordRowReads(t, s)
	if _, _, err := s.RecordedEnrolments(t.Context(), time.Now().AddDate(0, -3, 0), store.Page{}); err != nil {
		t.Fatal(err)
	}
	if len(*seen) == 0 {
		t.Fatal("the recorded enrolments were not read as rows")
	}
	text := sqlitePlan(t, s, (*seen)[0])
	if !strings.Contains(text, "SEARCH enrolments USING INDEX idx_enrolments_status_at") || strings.Contains(text, "TEMP B-TREE FOR ORDER BY") {
		t.Errorf("recorded enrolments' plan:\n%s\nwant the index on status_at and no sort", text)
	}
}
