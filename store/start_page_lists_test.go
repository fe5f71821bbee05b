package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestStartPageListsReadTheFirstAndCountTheRest: the committee's approvals
// and the controller's open reviews and cadences come as the first few in
// their order with how many there are in all, on both databases; a list
// shorter than its limit is counted without another statement's help.
func TestStartPageListsReadTheFirstAndCountTheRest(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		member, controller := "committee@x.example", "controller@x.example"
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		const n = 7
		for i := range n {
			p, err := s.CreateProgramme(ctx, fmt.Sprintf("P%d", i), "lead@x.example", now)
			if err != nil {
				t.Fatal(err)
			}
			submitted := now.Add(time.Duration(n-i) * time.Hour) // the last programme submitted first
			status := "active"
			if i == 0 {
				status = "cancelled" // a stopped programme's gate waits for no one
			}
			err = s.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
				Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: status, CurrentPhase: "strategy"},
				Phases: []store.ProgrammePhase{{ProgrammeID: p.ID, Phase: "strategy", Position: 2, Gate: true, Status: "submitted",
					Due: now.AddDate(0, 1, 0), SubmittedBy: p.LeadEmail, SubmittedAt: &submitted}},
				Committee: []string{member},
				Event:     store.ProgrammeEvent{ProgrammeID: p.ID, Seq: 1, Kind: "x", Actor: p.LeadEmail, At: now},
			})
			if err != nil {
				t.Fatal(err)
			}
			r, err := s.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: fmt.Sprintf("review-%d", i), ControllerEmail: controller, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				if err := s.SetReviewStatus(ctx, r.ID, store.ReviewClosed, "", controller, now); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.SaveCadence(ctx, store.ReviewCadence{ProgrammeID: p.ID, Cadence: "yearly", StartDate: now, ControllerEmail: controller}); err != nil {
				t.Fatal(err)
			}
		}
		approvals, total, err := s.ApprovalsWaitingFor(ctx, member, 3)
		if err != nil || total != n-1 || len(approvals) != 3 || approvals[0].ProgrammeName != "P6" || approvals[2].ProgrammeName != "P4" {
			t.Errorf("approvals = %+v, %d, %v; want P6, P5, P4 of %d", approvals, total, err, n-1)
		}
		if approvals, total, err = s.ApprovalsWaitingFor(ctx, member, 20); err != nil || total != n-1 || len(approvals) != n-1 {
			t.Errorf("all approvals = %d of %d, %v; want %d", len(approvals), total, err, n-1)
		}
		reviews, total, err := s.OpenReviewsFirst(ctx, 3)
		if err != nil || total != n-1 || len(reviews) != 3 || reviews[0].ID < reviews[1].ID {
			t.Errorf("open reviews = %+v, %d, %v; want the newest 3 of %d", reviews, total, err, n-1)
		}
		cadences, total, err := s.CadencesFirst(ctx, 3)
		if err != nil || total != n || len(cadences) != 3 || cadences[0].ProgrammeID > cadences[1].ProgrammeID {
			t.Errorf("cadences = %+v, %d, %v; want the first 3 by programme of %d", cadences, total, err, n)
		}
	})
}
