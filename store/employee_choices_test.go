package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestEmployeeChoicesOfAccountKAMs: the key-accounts list's KAM filter
// offers the active employees who are KAM of a key account (not deputies,
// not the archived), by name, the first few with how many in all, and
// leaves out those it is told to.
func TestEmployeeChoicesOfAccountKAMs(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		emps, _, _ := s.ListEmployees(ctx, store.Page{}) // by name
		if len(custs) < 4 || len(emps) < 6 {
			t.Fatalf("demo has %d customers and %d employees, want 4 and 6 or more", len(custs), len(emps))
		}
		before, _, err := s.EmployeeChoices(ctx, store.EmployeeChoice{AccountKAMs: true})
		if err != nil || len(before) != 0 {
			t.Fatalf("KAMs of accounts before any account = %v, %v; want none", before, err)
		}
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", now)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID, custs[1].ID, custs[2].ID, custs[3].ID}, now); err != nil {
			t.Fatal(err)
		}
		deputy := emps[0].ID
		for i, kam := range []store.Employee{emps[3], emps[3], emps[1], emps[5]} {
			if err := s.AssignKeyAccount(ctx, p.ID, custs[i].ID, kam.ID, &deputy); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ArchiveEmployee(ctx, emps[5].ID, now); err != nil {
			t.Fatal(err)
		}
		ids := func(list []store.Employee) []uint {
			var out []uint
			for _, e := range list {
				out = append(out, e.ID)
			}
			return out
		}
		for _, tc := range []struct {
			choice    store.EmployeeChoice
			want      []uint
			wantTotal store.Count
		}{
			{store.EmployeeChoice{AccountKAMs: true, Limit: 25}, []uint{emps[1].ID, emps[3].ID}, store.Count{N: 2}},
			{store.EmployeeChoice{AccountKAMs: true, Limit: 1}, []uint{emps[1].ID}, store.Count{N: 2}}, // full: counted
			{store.EmployeeChoice{AccountKAMs: true, Limit: 25, Except: []uint{emps[1].ID}}, []uint{emps[3].ID}, store.Count{N: 1}},
			// Counted up to a bound: over it, the bound and that there are more.
			{store.EmployeeChoice{AccountKAMs: true, Limit: 1, CountUpTo: 1}, []uint{emps[1].ID}, store.Count{N: 1, Over: true}},
			{store.EmployeeChoice{AccountKAMs: true, Limit: 1, CountUpTo: 2}, []uint{emps[1].ID}, store.Count{N: 2}},
			{store.EmployeeChoice{AccountKAMs: true, Limit: 1, CountUpTo: 3}, []uint{emps[1].ID}, store.Count{N: 2}},
			{store.EmployeeChoice{Limit: 2, CountUpTo: 3}, []uint{emps[0].ID, emps[1].ID}, store.Count{N: 3, Over: true}},
			{store.EmployeeChoice{Limit: 2, CountUpTo: len(emps) - 1}, []uint{emps[0].ID, emps[1].ID}, store.Count{N: int64(len(emps) - 1)}},
			{store.EmployeeChoice{Limit: 2, CountUpTo: len(emps) - 2}, []uint{emps[0].ID, emps[1].ID}, store.Count{N: int64(len(emps) - 2), Over: true}},
		} {
			got, total, err := s.EmployeeChoices(ctx, tc.choice)
			if err != nil || total != tc.wantTotal || !slices.Equal(ids(got), tc.want) {
				t.Errorf("choices %+v = %v of %+v, %v; want %v of %+v", tc.choice, ids(got), total, err, tc.want, tc.wantTotal)
			}
		}
	})
}
