package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestGatherReviewAndMeasuresAreIdempotent(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		p, err := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
		if err := s.SetFinancials(ctx, store.AccountFinancials{CustomerID: custs[0].ID, Period: "2025", Revenue: 100, MarginPercent: 10}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetFinancials(ctx, store.AccountFinancials{CustomerID: custs[0].ID, Period: "2026-Q1", Revenue: 40, MarginPercent: 12}); err != nil {
			t.Fatal(err)
		}
		in := store.KPIInput{ProgrammeID: p.ID, WorkflowID: "review-1-a", ControllerEmail: "c@example.com", KeyAccounts: []uint{custs[0].ID, custs[1].ID}, PlansApproved: []uint{custs[1].ID}, Now: now}
		r1, err := s.GatherReview(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := s.GatherReview(ctx, in)
		if err != nil || r2.ID != r1.ID || len(r2.Accounts) != 2 {
			t.Fatalf("second gather = %+v, %v", r2, err)
		}
		for _, a := range r1.Accounts {
			if a.CustomerID == custs[0].ID && (a.Period != "2026-Q1" || a.Revenue != 40) {
				t.Errorf("latest financials not used: %+v", a)
			}
			if a.CustomerID == custs[1].ID && (!a.PlanApproved || a.Period != "master data" || a.Revenue != custs[1].AnnualRevenue) {
				t.Errorf("fallback account = %+v", a)
			}
		}
		cid := custs[0].ID
		m := store.Measure{ReviewID: r1.ID, IdemKey: "review-1-a/m1", CustomerID: &cid, Title: "Renegotiate", OwnerEmail: "kam@example.com", Due: now.Add(-time.Hour)}
		id1, err := s.AddMeasure(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if id2, err := s.AddMeasure(ctx, m); err != nil || id2 != id1 {
			t.Fatalf("repeated measure = %d, %v; want %d", id2, err, id1)
		}
		// The next review counts the overdue measure.
		in.WorkflowID = "review-1-b"
		r3, err := s.GatherReview(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range r3.Accounts {
			if a.CustomerID == cid && a.OpenOverdue != 1 {
				t.Errorf("open overdue = %d, want 1", a.OpenOverdue)
			}
		}
		if err := s.CompleteMeasure(ctx, id1, "kam@example.com", now); err != nil {
			t.Fatal(err)
		}
		open, err := s.OpenMeasuresOwnedBy(ctx, "kam@example.com")
		if err != nil || len(open) != 0 {
			t.Fatalf("open measures = %d, %v", len(open), err)
		}
	})
}
