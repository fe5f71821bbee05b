package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestDecisionsWaitingReadFromTheStatusIndex: on SQLite the committee's
// approvals, the plans waiting for a decider and My work's gates start
// from the submitted rows of the status indexes (0046) and join their
// programme and committee by key, rather than reading every phase of each
// programme on the committee.
func TestDecisionsWaitingReadFromTheStatusIndex(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	seen := recordRowReads(t, s)
	ctx := t.Context()
	const email = "committee@example.com"
	if _, _, err := s.ApprovalsWaitingFor(ctx, email, 20); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PlansWaitingFor(ctx, email); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WorkSummaryFor(ctx, store.WorkQuery{Email: email, Committee: true, Now: time.Now()}, 5); err != nil {
		t.Fatal(err)
	}
	if len(*seen) != 3 {
		t.Fatalf("%d statements read as rows, want 3 (approvals, plans, My work)", len(*seen))
	}
	for i, want := range [][]string{
		{"SEARCH programme_phases USING INDEX idx_programme_phases_status_submitted (status=?)"},
		{"SEARCH account_plans USING INDEX idx_account_plans_status_submitted (status=?)"},
		{
			"SEARCH programme_phases USING INDEX idx_programme_phases_status_submitted (status=?)",
			"SEARCH ap USING INDEX idx_account_plans_status_submitted (status=?)",
		},
	} {
		text := sqlitePlan(t, s, (*seen)[i])
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("statement %d's plan:\n%s\nwant %q", i+1, text, w)
			}
		}
		if strings.Contains(text, "SCAN programme_phases") || strings.Contains(text, "SCAN account_plans") || strings.Contains(text, "SCAN ap") {
			t.Errorf("statement %d scans the phases or plans:\n%s", i+1, text)
		}
	}
}
