package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestJourFixeParticipantsPoolingAndHistory(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID}, now); err != nil {
			t.Fatal(err)
		}
		if err := s.AssignKeyAccount(ctx, p.ID, custs[0].ID, emps[0].ID, nil); err != nil {
			t.Fatal(err)
		}
		cust, _ := s.Customer(ctx, custs[0].ID)
		if _, err := s.SaveRelationship(ctx, store.Relationship{ContactID: cust.Contacts[0].ID, EmployeeID: emps[1].ID, Quality: 3}); err != nil {
			t.Fatal(err)
		}
		j := &store.JourFixe{WorkflowID: "jf-1", ProgrammeID: p.ID, MeetingAt: now}
		people, kas, err := s.PrepareJourFixe(ctx, j)
		if err != nil || len(kas) != 1 || len(people) != 2 {
			t.Fatalf("participants = %+v, accounts %d, %v", people, len(kas), err)
		}
		again := &store.JourFixe{WorkflowID: "jf-1", ProgrammeID: p.ID, MeetingAt: now}
		if _, _, err := s.PrepareJourFixe(ctx, again); err != nil || again.ID != j.ID {
			t.Fatalf("repeated prepare = %d, %v", again.ID, err)
		}
		for i, sat := range []int{3, 4} {
			if err := s.SaveJourFixeInput(ctx, store.JourFixeInput{JourFixeID: j.ID, KeyAccountID: kas[0].ID, EmployeeID: people[i].EmployeeID, Satisfaction: sat, Needs: "n"}); err != nil {
				t.Fatal(err)
			}
		}
		// Saving again replaces the input.
		if err := s.SaveJourFixeInput(ctx, store.JourFixeInput{JourFixeID: j.ID, KeyAccountID: kas[0].ID, EmployeeID: people[0].EmployeeID, Satisfaction: 5}); err != nil {
			t.Fatal(err)
		}
		pics, summary, err := s.PoolJourFixe(ctx, j.ID)
		if err != nil || len(pics) != 1 || pics[0].Satisfaction != 4.5 || pics[0].Inputs != 2 || summary == "" {
			t.Fatalf("pool = %+v %q %v", pics, summary, err)
		}
		hist, err := s.SatisfactionHistory(ctx, kas[0].ID)
		if err != nil || len(hist) != 1 || hist[0].Satisfaction != 4.5 {
			t.Fatalf("history = %+v, %v", hist, err)
		}
		r, err := s.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: "review-x", ControllerEmail: "c@example.com", KeyAccounts: []uint{custs[0].ID}, Now: now.AddDate(0, 1, 0)})
		if err != nil || r.Accounts[0].Satisfaction == nil || *r.Accounts[0].Satisfaction != 4.5 {
			t.Fatalf("review satisfaction = %+v, %v", r.Accounts, err)
		}
	})
}

// TestJourFixeSchedulesKept: the programme page's record of its monthly
// jour fixes — set, changed, listed (all accounts first), stopped once —
// and the jour fixe a workflow prepared, found by its ID.
func TestJourFixeSchedulesKept(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveJourFixeSchedule(ctx, store.JourFixeSchedule{ProgrammeID: p.ID, DayOfMonth: 29, SetBy: "lead@example.com"}); err == nil {
			t.Error("day 29 was kept")
		}
		for _, js := range []store.JourFixeSchedule{{ProgrammeID: p.ID, KeyAccountID: 7, DayOfMonth: 3, SetBy: "lead@example.com"},
			{ProgrammeID: p.ID, DayOfMonth: 5, SetBy: "lead@example.com"}, {ProgrammeID: p.ID, DayOfMonth: 12, SetBy: "admin@example.com"}} {
			if err := s.SaveJourFixeSchedule(ctx, js); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.JourFixeSchedulesOf(ctx, p.ID)
		if err != nil || len(list) != 2 || list[0].KeyAccountID != 0 || list[0].DayOfMonth != 12 || list[0].SetBy != "admin@example.com" || list[1].DayOfMonth != 3 {
			t.Fatalf("schedules = %+v, %v", list, err)
		}
		if gone, err := s.DeleteJourFixeSchedule(ctx, p.ID, 0); err != nil || !gone {
			t.Fatalf("delete = %v, %v", gone, err)
		}
		if gone, err := s.DeleteJourFixeSchedule(ctx, p.ID, 0); err != nil || gone {
			t.Fatalf("second delete = %v, %v; want nothing deleted", gone, err)
		}
		if list, _ := s.JourFixeSchedulesOf(ctx, p.ID); len(list) != 1 || list[0].KeyAccountID != 7 {
			t.Fatalf("after delete = %+v", list)
		}
		j := &store.JourFixe{WorkflowID: "jf-sched", ProgrammeID: p.ID, MeetingAt: time.Now()}
		if _, _, err := s.PrepareJourFixe(ctx, j); err != nil {
			t.Fatal(err)
		}
		if got, err := s.JourFixeByWorkflowID(ctx, "jf-sched"); err != nil || got.ID != j.ID {
			t.Fatalf("by workflow = %+v, %v", got, err)
		}
		if _, err := s.JourFixeByWorkflowID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown workflow = %v, want not found", err)
		}
	})
}
