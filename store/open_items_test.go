package store_test

import (
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestOpenItemsOfCountsOpenOverdueAndMeasures: the key-accounts list's
// counts per account: its open actions and how many of them are due
// before now (not those due at now, not the done ones), and the open
// measures of unclosed reviews about its customer in its programme.
func TestOpenItemsOfCountsOpenOverdueAndMeasures(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		now := time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)
		p, err := s.CreateProgramme(ctx, "KAM", "lead@example.com", now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID, custs[1].ID, custs[2].ID}, now); err != nil {
			t.Fatal(err)
		}
		kas, err := s.KeyAccounts(ctx, p.ID)
		if err != nil || len(kas) != 3 {
			t.Fatalf("key accounts = %v, %v", kas, err)
		}
		byCustomer := map[uint]store.KeyAccount{}
		for _, ka := range kas {
			byCustomer[ka.CustomerID] = ka
		}
		first, second, none := byCustomer[custs[0].ID], byCustomer[custs[1].ID], byCustomer[custs[2].ID]

		action := func(key string, ka store.KeyAccount, due time.Time) store.Action {
			return store.Action{IdemKey: key, KeyAccountID: ka.ID, Source: "plan", SourceID: 1, Title: key, OwnerEmail: "kam@example.com", Due: due}
		}
		ids, err := s.AddActions(ctx, []store.Action{
			action("overdue", first, now.Add(-time.Hour)),
			action("later", first, now.Add(24*time.Hour)),
			action("done", first, now.Add(-48*time.Hour)),
			action("due-now", second, now),
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteAction(ctx, ids[2], "kam@example.com", now); err != nil {
			t.Fatal(err)
		}

		open, err := s.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: "review-open", ControllerEmail: "c@example.com", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		closed, err := s.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: "review-closed", ControllerEmail: "c@example.com", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		measure := func(key string, review uint, customer uint) uint {
			id, err := s.AddMeasure(ctx, store.Measure{ReviewID: review, IdemKey: key, CustomerID: &customer, Title: key, OwnerEmail: "kam@example.com", Due: now})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		measure("m-open", open.ID, custs[0].ID)
		done := measure("m-done", open.ID, custs[0].ID)
		measure("m-closed-review", closed.ID, custs[0].ID)
		measure("m-second", open.ID, custs[1].ID)
		if err := s.CompleteMeasure(ctx, done, "kam@example.com", now); err != nil {
			t.Fatal(err)
		}
		if err := s.SetReviewStatus(ctx, closed.ID, store.ReviewClosed, "", "c@example.com", now); err != nil {
			t.Fatal(err)
		}

		got, err := s.OpenItemsOf(ctx, []uint{first.ID, second.ID, none.ID}, now)
		if err != nil {
			t.Fatal(err)
		}
		want := map[uint]store.OpenItems{
			first.ID:  {Actions: 2, OverdueActions: 1, Measures: 1},
			second.ID: {Actions: 1, OverdueActions: 0, Measures: 1},
		}
		if len(got) != len(want) || got[first.ID] != want[first.ID] || got[second.ID] != want[second.ID] {
			t.Fatalf("open items = %+v; want %+v (nothing for the account without any)", got, want)
		}
		// A minute later the action due now is overdue too.
		if later, err := s.OpenItemsOf(ctx, []uint{second.ID}, now.Add(time.Minute)); err != nil || later[second.ID].OverdueActions != 1 {
			t.Fatalf("a minute later = %+v, %v; want the action due then overdue", later, err)
		}
	})
}
