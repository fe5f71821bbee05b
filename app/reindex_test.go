package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestReindexCommandAfterABulkLoad: rows written with SQL outside kamflow
// (a bulk load) are not in MySQL's search postings nor in a programme's
// criteria met; `kamflow reindex` rebuilds both from the stored rows, and
// running it again changes nothing.
func TestReindexCommandAfterABulkLoad(t *testing.T) {
	cfg := cliOnMySQL(t)
	if code, _, errOut := run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	cfg.ParseTime = true
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: "mysql", DSN: cfg.FormatDSN()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	prog, err := s.CreateProgramme(ctx, "Bulk", "lead@example.com", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = s.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
		Programme: store.Programme{ID: prog.ID, Name: "Bulk", LeadEmail: "lead@example.com", Status: "active", CurrentPhase: "criteria", StartDate: prog.StartDate, FocusLimit: 10},
		Event:     store.ProgrammeEvent{ProgrammeID: prog.ID, Seq: 1, Kind: "criteria_set", Actor: "lead@example.com", At: time.Now()},
		Criteria:  []store.ProgrammeCriterion{{CriterionKey: "fit", Name: "Fit"}}, CriteriaSet: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The bulk load with SQL: two customers, a contact, and a score by
	// which Zeppelin meets the criterion.
	now := time.Now().UTC()
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO customers (id, name, industry, created_at, updated_at) VALUES (901, 'Zeppelin Werke AG', 'Luftfahrt', ?, ?), (902, 'Aare Mühle AG', 'Food', ?, ?)", []any{now, now, now, now}},
		{"INSERT INTO contacts (customer_id, name, job_title, hierarchy_level, email, created_at, updated_at) VALUES (901, 'Quirin Lenz', 'Einkauf', 'specialist', 'q.lenz@zeppelin.example', ?, ?)", []any{now, now}},
		{"INSERT INTO customer_scores (programme_id, customer_id, criterion_key, met, updated_at) VALUES (?, 901, 'fit', TRUE, ?)", []any{prog.ID, now}},
		{"INSERT INTO key_accounts (programme_id, customer_id, confirmed_at, updated_at) VALUES (?, 901, ?, ?), (?, 902, ?, ?)", []any{prog.ID, now, now, prog.ID, now, now}},
	} {
		if err := s.DB().Exec(stmt.sql, stmt.args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	found := func() (contacts, customers int64, first string) {
		t.Helper()
		_, contacts, err := s.SearchContacts(ctx, "quirin", store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		_, customers, err = s.SearchCustomers(ctx, "zeppelin", store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		page, _, err := s.ScorePage(ctx, prog.ID, "", store.Page{Size: 1})
		if err != nil || len(page) != 1 {
			t.Fatalf("score page: %v %v", page, err)
		}
		return contacts, customers, page[0].CustomerName
	}
	// The key accounts' list, sorted by the customer names kept with them.
	accounts := func() string {
		t.Helper()
		rows, _, err := s.ListKeyAccounts(ctx, store.KeyAccountFilter{ProgrammeID: prog.ID}, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rows {
			names = append(names, r.CustomerName)
		}
		return strings.Join(names, "; ")
	}
	if c, cu, first := found(); c != 0 || cu != 0 || first != "Aare Mühle AG" {
		t.Fatalf("before reindex: %d contacts, %d customers, first %q", c, cu, first)
	}
	if got := accounts(); got != "; " {
		t.Fatalf("key accounts before reindex = %q, want two without names", got)
	}
	code, out, errOut := run("reindex")
	if code != 0 || !strings.Contains(out, "1 contacts and 2 customers searchable, criteria met of 1 programmes, customer names on 2 key accounts") {
		t.Fatalf("reindex = %d, %q, %q", code, out, errOut)
	}
	// Zeppelin meets the criterion: it leads the selection, ahead of the
	// customers by name.
	if c, cu, first := found(); c != 1 || cu != 1 || first != "Zeppelin Werke AG" {
		t.Fatalf("after reindex: %d contacts, %d customers, first %q", c, cu, first)
	}
	if got := accounts(); got != "Aare Mühle AG; Zeppelin Werke AG" {
		t.Fatalf("key accounts after reindex = %q, want both named, by name", got)
	}
	if code, out2, errOut := run("reindex"); code != 0 || out2 != out {
		t.Fatalf("second reindex = %d, %q, %q", code, out2, errOut)
	}
	if c, cu, first := found(); c != 1 || cu != 1 || first != "Zeppelin Werke AG" {
		t.Fatalf("after the second reindex: %d contacts, %d customers, first %q", c, cu, first)
	}
}
