package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestPlansActionsAndWorkshopsAreIdempotent(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID}, now); err != nil {
			t.Fatal(err)
		}
		kas, _ := s.KeyAccounts(ctx, p.ID)
		ka := kas[0]
		plan := func() *store.AccountPlan {
			return &store.AccountPlan{KeyAccountID: ka.ID, Strategy: "s", Goals: []store.PlanGoal{{Title: "g", Objectives: []store.PlanObjective{{Title: "o", PlannedActions: "[]"}}}}}
		}
		if err := s.SavePlanDraft(ctx, plan()); err != nil {
			t.Fatal(err)
		}
		if err := s.SavePlanDraft(ctx, plan()); err != nil { // replaces the draft
			t.Fatal(err)
		}
		latest, err := s.LatestPlan(ctx, ka.ID)
		if err != nil || latest.Version != 1 || len(latest.Goals) != 1 || len(latest.Goals[0].Objectives) != 1 {
			t.Fatalf("latest = %+v, %v", latest, err)
		}
		if ok, err := s.SetPlanStatus(ctx, latest.ID, "draft", "submitted", "kam", "", now); !ok || err != nil {
			t.Fatalf("submit = %v, %v", ok, err)
		}
		if err := s.SavePlanDraft(ctx, plan()); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("draft while submitted err = %v", err)
		}
		if ok, _ := s.SetPlanStatus(ctx, latest.ID, "submitted", "approved", "lead", "ok", now); !ok {
			t.Fatal("approve failed")
		}
		if err := s.SavePlanDraft(ctx, plan()); err != nil {
			t.Fatal(err)
		}
		if v2, _ := s.LatestPlan(ctx, ka.ID); v2.Version != 2 || v2.Status != "draft" {
			t.Fatalf("after approval a new draft is version 2: %+v", v2)
		}
		acts := []store.Action{
			{IdemKey: "w/a0", KeyAccountID: ka.ID, Source: "workshop", SourceID: 1, Title: "A", OwnerEmail: "X@example.com", Due: now},
			{IdemKey: "w/a1", KeyAccountID: ka.ID, Source: "workshop", SourceID: 1, Title: "B", OwnerEmail: "y@example.com", Due: now},
		}
		ids1, err := s.AddActions(ctx, append([]store.Action(nil), acts...))
		if err != nil {
			t.Fatal(err)
		}
		ids2, err := s.AddActions(ctx, append([]store.Action(nil), acts...))
		if err != nil || ids1[0] != ids2[0] || ids1[1] != ids2[1] || ids1[0] == ids1[1] {
			t.Fatalf("ids %v then %v (%v)", ids1, ids2, err)
		}
		if open, _ := s.OpenActionsOwnedBy(ctx, "x@example.com"); len(open) != 1 {
			t.Errorf("open actions of x = %d", len(open))
		}
		if err := s.CompleteAction(ctx, ids1[0], "x@example.com", now); err != nil {
			t.Fatal(err)
		}
		if open, _ := s.OpenActionsOwnedBy(ctx, "x@example.com"); len(open) != 0 {
			t.Errorf("completed action still open")
		}
		parts, err := s.SuggestWorkshopParticipants(ctx, ka.ID)
		if err != nil {
			t.Fatal(err)
		}
		w := &store.Workshop{KeyAccountID: ka.ID, WorkflowID: "workshop-1-2026", Year: 2026, Status: "planning", Participants: parts}
		if err := s.CreateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
		again := &store.Workshop{KeyAccountID: ka.ID, WorkflowID: "workshop-1-2026", Year: 2026, Status: "planning"}
		if err := s.CreateWorkshop(ctx, again); err != nil || again.ID != w.ID {
			t.Fatalf("repeated workshop = %d (%v), want %d", again.ID, err, w.ID)
		}
		theirs := 0
		for _, p := range parts {
			if p.Side == "theirs" {
				theirs++
				if p.Level != store.LevelBoard && p.Level != store.LevelManagement {
					t.Errorf("suggested %s at level %s", p.Name, p.Level)
				}
			}
		}
		if theirs == 0 {
			t.Error("no participants of theirs suggested")
		}
	})
}

// TestOneWorkshopPerKeyAccountAndYear: a second workflow's workshop for the
// same key account and year (the Schedule's ID carries a timestamp) is
// refused and names the year's workshop; another year is fine.
func TestOneWorkshopPerKeyAccountAndYear(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID}, time.Now()); err != nil {
			t.Fatal(err)
		}
		kas, _ := s.KeyAccounts(ctx, p.ID)
		ka := kas[0]
		first := &store.Workshop{KeyAccountID: ka.ID, WorkflowID: "workshop-1-2026", Year: 2026, Status: "planning"}
		if err := s.CreateWorkshop(ctx, first); err != nil {
			t.Fatal(err)
		}
		scheduled := &store.Workshop{KeyAccountID: ka.ID, WorkflowID: "workshop-1-2026-03-01T07:00:00Z", Year: 2026, Status: "planning"}
		if err := s.CreateWorkshop(ctx, scheduled); !errors.Is(err, store.ErrDuplicate) || scheduled.ID != first.ID {
			t.Fatalf("second workshop of 2026 = id %d, %v; want ErrDuplicate naming %d", scheduled.ID, err, first.ID)
		}
		if got, err := s.WorkshopOfYear(ctx, ka.ID, 2026); err != nil || got.ID != first.ID {
			t.Fatalf("workshop of 2026 = %+v, %v", got, err)
		}
		if list, _ := s.WorkshopsOf(ctx, ka.ID); len(list) != 1 {
			t.Fatalf("workshops = %d, want 1", len(list))
		}
		next := &store.Workshop{KeyAccountID: ka.ID, WorkflowID: "workshop-1-2027-03-01T07:00:00Z", Year: 2027, Status: "planning"}
		if err := s.CreateWorkshop(ctx, next); err != nil || next.ID == first.ID {
			t.Fatalf("2027 = %d, %v", next.ID, err)
		}
	})
}

// TestOpenWorkshopWorkflows names the workflows of a key account's
// workshops that have not closed (a handover tells them who answers for the
// account): this year's and last year's still tracking actions, not a
// closed one nor another account's.
func TestOpenWorkshopWorkflows(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID, custs[1].ID}, time.Now()); err != nil {
			t.Fatal(err)
		}
		kas, _ := s.KeyAccounts(ctx, p.ID)
		for _, w := range []store.Workshop{
			{KeyAccountID: kas[0].ID, WorkflowID: "workshop-a-2024", Year: 2024, Status: "closed"},
			{KeyAccountID: kas[0].ID, WorkflowID: "workshop-a-2025", Year: 2025, Status: "minuted"},
			{KeyAccountID: kas[0].ID, WorkflowID: "workshop-a-2026", Year: 2026, Status: "planning"},
			{KeyAccountID: kas[1].ID, WorkflowID: "workshop-b-2026", Year: 2026, Status: "invited"},
		} {
			if err := s.CreateWorkshop(ctx, &w); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.OpenWorkshopWorkflows(ctx, kas[0].ID)
		if err != nil || strings.Join(got, " ") != "workshop-a-2025 workshop-a-2026" {
			t.Fatalf("open workshops = %v, %v; want last year's minuted and this year's", got, err)
		}
		if got, err := s.OpenWorkshopWorkflows(ctx, 99999); err != nil || len(got) != 0 {
			t.Fatalf("open workshops of no account = %v, %v", got, err)
		}
	})
}

// TestActionsPageOrdersAndCounts: on both drivers, a key account's actions
// come open first by due date, done ones last, a page at a time; the
// counts cover every action, not only the page's.
func TestActionsPageOrdersAndCounts(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		ka := actionsAccount(t, s, now)
		day := 24 * time.Hour
		ids, err := s.AddActions(ctx, []store.Action{
			{IdemKey: "p/late", KeyAccountID: ka, Source: "plan", SourceID: 1, Title: "late", OwnerEmail: "k@example.com", Due: now.Add(-2 * day)},
			{IdemKey: "p/done", KeyAccountID: ka, Source: "plan", SourceID: 1, Title: "done", OwnerEmail: "k@example.com", Due: now.Add(-9 * day)},
			{IdemKey: "p/soon", KeyAccountID: ka, Source: "plan", SourceID: 1, Title: "soon", OwnerEmail: "k@example.com", Due: now.Add(3 * day)},
			{IdemKey: "p/later", KeyAccountID: ka, Source: "plan", SourceID: 1, Title: "later", OwnerEmail: "k@example.com", Due: now.Add(30 * day)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteAction(ctx, ids[1], "k@example.com", now); err != nil {
			t.Fatal(err)
		}
		var got []string
		for n := 1; n <= 3; n++ {
			page, err := s.ActionsPage(ctx, ka, now, store.Page{Number: n, Size: 2})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 4 || page.Open != 3 || page.Overdue != 1 {
				t.Fatalf("page %d counts %d all, %d open, %d overdue; want 4, 3, 1", n, page.Total, page.Open, page.Overdue)
			}
			for _, a := range page.Rows {
				got = append(got, a.Title)
			}
		}
		if strings.Join(got, ",") != "late,soon,later,done" {
			t.Fatalf("pages = %v", got)
		}
	})
}
