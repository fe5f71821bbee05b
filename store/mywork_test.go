package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestWorkSummaryCountsAllAndReadsTheSoonest: the start page's summary of
// My work counts every item and every overdue one as the full list does,
// and its next items are the full list's first.
func TestWorkSummaryCountsAllAndReadsTheSoonest(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		emps, err := s.KAMCandidates(ctx)
		if err != nil || len(emps) == 0 {
			t.Fatalf("employees = %d, %v", len(emps), err)
		}
		const lead = "lead@example.com"
		now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
		p, _ := s.CreateProgramme(ctx, "KAM", lead, now.AddDate(0, -2, 0))
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID, custs[1].ID}, now); err != nil {
			t.Fatal(err)
		}
		kas, _ := s.KeyAccounts(ctx, p.ID)

		// Eight open actions of hers, due from five days ago to two days
		// ahead (five overdue), one done, one someone else's.
		var acts []store.Action
		for i := range 8 {
			acts = append(acts, store.Action{IdemKey: fmt.Sprintf("s/%d", i), KeyAccountID: kas[i%2].ID, Source: "plan", SourceID: 1,
				Title: fmt.Sprintf("action %d", i), OwnerEmail: lead, Due: now.Add(time.Duration(i-5)*24*time.Hour + time.Hour)})
		}
		acts = append(acts,
			store.Action{IdemKey: "s/done", KeyAccountID: kas[0].ID, Source: "plan", SourceID: 1, Title: "done", OwnerEmail: lead, Due: now.AddDate(0, 0, -9)},
			store.Action{IdemKey: "s/other", KeyAccountID: kas[0].ID, Source: "plan", SourceID: 1, Title: "other", OwnerEmail: "other@example.com", Due: now.AddDate(0, 0, -9)})
		ids, err := s.AddActions(ctx, acts)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteAction(ctx, ids[8], lead, now); err != nil {
			t.Fatal(err)
		}
		// A plan she decides as the programme's lead.
		plan := &store.AccountPlan{KeyAccountID: kas[1].ID, Strategy: "s"}
		if err := s.SavePlanDraft(ctx, plan); err != nil {
			t.Fatal(err)
		}
		latest, _ := s.LatestPlan(ctx, kas[1].ID)
		if ok, err := s.SetPlanStatus(ctx, latest.ID, "draft", "submitted", "kam", "", now.Add(-30*time.Hour)); !ok || err != nil {
			t.Fatalf("submit = %v, %v", ok, err)
		}
		// Two sessions she is enrolled in, ahead.
		course := &store.Course{Title: "KAM Basics", DurationDays: 1, RequiredKAM: true}
		if err := s.SaveCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.AddDate(0, 0, 20+i), EndsAt: now.AddDate(0, 0, 20+i).Add(8 * time.Hour), Capacity: 3}
			if err := s.SaveSession(ctx, ts); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Enrol(ctx, ts.ID, emps[0].ID, &p.ID, "hr", now); err != nil {
				t.Fatal(err)
			}
		}

		// She is KAM of both accounts: last year's workshop of the first
		// took place and waits for its minutes, this year's of the second
		// waits for the customer's choice of dates; a third, of last year,
		// is planned.
		for _, ka := range kas {
			if err := s.AssignKeyAccount(ctx, p.ID, ka.CustomerID, emps[0].ID, nil); err != nil {
				t.Fatal(err)
			}
		}
		held, ends, minutesDue := now.AddDate(0, 0, -10), now.AddDate(0, 0, -9), now.AddDate(0, 0, -2)
		workshops := []struct {
			ka     uint
			year   int
			fields map[string]any
			step   string
			due    time.Time
		}{
			{kas[0].ID, 2025, map[string]any{"status": "invited", "starts_at": held, "ends_at": ends, "minutes_due": minutesDue}, "minutes", minutesDue},
			{kas[1].ID, 2026, map[string]any{"status": "proposed"}, "confirm", time.Time{}},
			{kas[1].ID, 2025, map[string]any{"status": "planning"}, "dates", time.Time{}},
		}
		for i, w := range workshops {
			ws := &store.Workshop{KeyAccountID: w.ka, WorkflowID: fmt.Sprintf("ws-%d", i), Year: w.year, Status: "planning"}
			if err := s.CreateWorkshop(ctx, ws); err != nil {
				t.Fatal(err)
			}
			if err := s.UpdateWorkshop(ctx, ws.ID, w.fields); err != nil {
				t.Fatal(err)
			}
			if w.due.IsZero() {
				// Dates are asked for from the start, as stored.
				stored, err := s.WorkshopOfYear(ctx, w.ka, w.year)
				if err != nil {
					t.Fatal(err)
				}
				workshops[i].due = stored.CreatedAt
			}
		}

		q := store.WorkQuery{Email: lead, EmployeeID: &emps[0].ID, Lead: true, Now: now}
		all, err := s.WorkWaitingFor(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		overdue := 0
		var steps []string
		for _, it := range all {
			if it.Due.Before(now) {
				overdue++
			}
			if it.Kind == store.WorkWorkshop {
				steps = append(steps, it.Step)
				for _, w := range workshops {
					if w.step == it.Step && !it.Due.Equal(w.due) {
						t.Errorf("workshop %s due %s, want %s", it.Step, it.Due, w.due)
					}
				}
			}
		}
		if len(all) != 14 || overdue < 6 {
			t.Fatalf("My work = %d items, %d overdue; want 8 actions, 1 plan, 3 workshops and 2 sessions, 5 actions and the minutes overdue: %+v", len(all), overdue, all)
		}
		// The minutes (due two days ago) come before the two workshops
		// started today (created now, after the test's "now").
		if fmt.Sprint(steps) != "[minutes confirm dates]" && fmt.Sprint(steps) != "[minutes dates confirm]" {
			t.Errorf("workshop steps = %v, want minutes, then confirm and dates", steps)
		}
		for _, n := range []int{1, 3, 14, 20} {
			sum, err := s.WorkSummaryFor(ctx, q, n)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Total != len(all) || sum.Overdue != overdue {
				t.Errorf("summary of %d: %d waiting, %d overdue; want %d and %d", n, sum.Total, sum.Overdue, len(all), overdue)
			}
			if want := all[:min(n, len(all))]; len(sum.Next) != len(want) {
				t.Errorf("summary of %d shows %d items, want %d", n, len(sum.Next), len(want))
			} else {
				for i := range want {
					if sum.Next[i].Kind != want[i].Kind || sum.Next[i].ID != want[i].ID || !sum.Next[i].Due.Equal(want[i].Due) {
						t.Errorf("summary of %d, item %d = %+v, want %+v", n, i, sum.Next[i], want[i])
					}
				}
			}
		}
		// Nothing waits for someone else.
		if sum, err := s.WorkSummaryFor(ctx, store.WorkQuery{Email: "nobody@example.com", Now: now}, 5); err != nil || sum.Total != 0 || len(sum.Next) != 0 {
			t.Errorf("nobody's summary = %+v, %v", sum, err)
		}
	})
}
