package activities_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/kamflow/kamflow/activities"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/workflows"
)

func newProgramme(t *testing.T, s *store.Store) *store.Programme {
	t.Helper()
	p, err := s.CreateProgramme(context.Background(), "KAM", "lead@example.com", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func event(p *store.Programme, seq int, kind string, status workflows.ProgrammeStatus) workflows.ProgrammeEvent {
	phases := []workflows.PhaseState{}
	for _, d := range workflows.DefaultPlan(p.StartDate) {
		phases = append(phases, workflows.PhaseState{Phase: d.Phase, Status: workflows.PhasePending, Due: d.Due, Responsible: "lead@example.com"})
	}
	return workflows.ProgrammeEvent{
		ProgrammeID: p.ID, Seq: seq, Kind: kind, At: time.Date(2026, 1, 5, 0, seq, 0, 0, time.UTC),
		Name: p.Name, LeadEmail: p.LeadEmail, StartDate: p.StartDate, Status: status, CurrentPhase: workflows.PhaseSetup, Phases: phases,
	}
}

func TestRecordProgrammeEventIsIdempotentAndOrdered(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &activities.Activities{Store: s}
		p := newProgramme(t, s)
		// Retries run an activity twice; events may also land out of order.
		for _, ev := range []workflows.ProgrammeEvent{
			event(p, 1, workflows.EventCreated, workflows.StatusActive),
			event(p, 3, workflows.EventPaused, workflows.StatusPaused),
			event(p, 2, workflows.EventPhaseStarted, workflows.StatusActive),
			event(p, 3, workflows.EventPaused, workflows.StatusPaused),
		} {
			if err := a.RecordProgrammeEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		events, err := s.ProgrammeEvents(ctx, p.ID)
		if err != nil || len(events) != 3 {
			t.Fatalf("events = %d, %v; want 3", len(events), err)
		}
		prog, phases, err := s.ProgrammeByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prog.Status != "paused" || prog.LastEventSeq != 3 {
			t.Errorf("projection = %s at seq %d; the late event 2 must not overwrite event 3", prog.Status, prog.LastEventSeq)
		}
		if len(phases) != 11 || phases[0].Phase != "setup" || phases[10].Phase != "reviews" {
			t.Errorf("milestones = %d", len(phases))
		}
	})
}

func TestNotifyIsIdempotent(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &activities.Activities{Store: s}
		n := workflows.Notification{IdempotencyKey: "programme-1/setup/before-48h/2026-02-05", Recipients: []string{"a@example.com", "B@example.com", "a@example.com"}, Subject: "due", Body: "soon"}
		for i := 0; i < 2; i++ {
			if err := a.Notify(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Notifications(ctx, "", store.Page{})
		if err != nil || len(all) != 2 {
			t.Fatalf("outbox = %d rows, %v; want one per recipient", len(all), err)
		}
		if err := a.Notify(ctx, workflows.Notification{IdempotencyKey: "k", Subject: "x", Body: "y"}); err == nil {
			t.Error("a notification without recipients was accepted")
		}
	})
}

// TestNotifyKeepsTheTextByKey: the key and parameters of a notification
// reach every recipient's row as they were given, a retry changes none,
// and one without them is kept as its English.
func TestNotifyKeepsTheTextByKey(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &activities.Activities{Store: s}
		args := []string{"Acme", "role_change", "cover@example.com", `quotes " and, commas`, "Zürich"}
		n := workflows.Notification{IdempotencyKey: "handover-1/started", Recipients: []string{"a@example.com", "b@example.com"}, Subject: "Handover: Acme", Body: "…",
			Text: &workflows.NoticeText{Key: workflows.NoticeHandoverStarted, Args: args}}
		for i := 0; i < 2; i++ {
			if err := a.Notify(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Notify(ctx, workflows.Notification{IdempotencyKey: "old", Recipients: []string{"a@example.com"}, Subject: "English only", Body: "x"}); err != nil {
			t.Fatal(err)
		}
		all, err := s.Notifications(ctx, "", store.Page{})
		if err != nil || len(all) != 3 {
			t.Fatalf("outbox = %d rows, %v; want 3", len(all), err)
		}
		for _, row := range all {
			key, got, ok := row.Text()
			if row.IdempotencyKey == "old" {
				if ok || row.TextKey != "" {
					t.Errorf("a message without text by key reads as %q %q", key, got)
				}
				continue
			}
			if !ok || key != workflows.NoticeHandoverStarted || strings.Join(got, "|") != strings.Join(args, "|") || row.Subject != "Handover: Acme" {
				t.Errorf("%s: text = %q %q (%v), subject %q", row.Recipient, key, got, ok, row.Subject)
			}
		}
	})
}

func TestSelectionActivities(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &activities.Activities{Store: s}
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		p := newProgramme(t, s)
		customers, _, err := s.ListCustomers(ctx, store.Page{})
		if err != nil || len(customers) < 3 {
			t.Fatal(err)
		}
		score := func(c store.Customer, met ...string) {
			var in []store.ScoreInput
			for _, k := range []string{"revenue", "fit", "growth", "reference"} {
				m := false
				for _, x := range met {
					m = m || x == k
				}
				in = append(in, store.ScoreInput{CriterionKey: k, Met: m})
			}
			if err := s.SetScores(ctx, p.ID, c.ID, "lead@example.com", in); err != nil {
				t.Fatal(err)
			}
		}
		score(customers[0], "revenue", "fit", "growth")
		score(customers[1], "reference", "growth")
		score(customers[2], "revenue")
		score(customers[2], "revenue", "other") // replaced; "other" is no criterion
		got, err := a.ComputeCandidates(ctx, workflows.ComputeCandidatesInput{ProgrammeID: p.ID, Criteria: []string{"revenue", "fit", "growth", "reference"}, Threshold: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].CustomerID != customers[0].ID || len(got[0].Met) != 3 || got[1].CustomerID != customers[1].ID {
			t.Fatalf("candidates = %+v", got)
		}
		in := workflows.KeyAccountsInput{ProgrammeID: p.ID, CustomerIDs: []uint{customers[0].ID, customers[1].ID}, At: time.Now()}
		for i := 0; i < 2; i++ {
			if err := a.ConfirmKeyAccounts(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		emps, _, err := s.ListEmployees(ctx, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		as := workflows.AssignmentInput{ProgrammeID: p.ID, Assignment: workflows.Assignment{CustomerID: customers[0].ID, KAMEmployeeID: emps[0].ID, DeputyEmployeeID: emps[1].ID}}
		for i := 0; i < 2; i++ {
			if err := a.AssignKeyAccount(ctx, as); err != nil {
				t.Fatal(err)
			}
		}
		kas, err := s.KeyAccounts(ctx, p.ID)
		if err != nil || len(kas) != 2 {
			t.Fatalf("key accounts = %d, %v", len(kas), err)
		}
		if kas[0].KAMEmployeeID == nil || *kas[0].KAMEmployeeID != emps[0].ID || *kas[0].DeputyEmployeeID != emps[1].ID {
			t.Errorf("assignment = %+v", kas[0])
		}
		bad := as
		bad.Assignment.CustomerID = customers[2].ID
		if err := a.AssignKeyAccount(ctx, bad); err == nil {
			t.Error("assigning a customer that is no key account succeeded")
		}
	})
}

// TestPermanentStoreErrorsAreNotRetried runs activities as the worker
// does: a missing row is an error no retry can change, so it must come
// back non-retryable instead of keeping a workflow waiting for ever.
func TestPermanentStoreErrorsAreNotRetried(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		a := &activities.Activities{Store: s}
		var suite testsuite.WorkflowTestSuite
		suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivityWithOptions(a.TrainingDeadline, activity.RegisterOptions{Name: workflows.ActivityTrainingDeadline})
		env.RegisterActivityWithOptions(a.PrepareWorkshop, activity.RegisterOptions{Name: workflows.ActivityPrepareWorkshop})
		env.RegisterActivityWithOptions(a.Notify, activity.RegisterOptions{Name: workflows.ActivityNotify})

		for _, c := range []struct {
			name, wantType string
			arg            any
		}{
			{workflows.ActivityTrainingDeadline, activities.ErrTypeNotFound, uint(4242)},
			{workflows.ActivityPrepareWorkshop, activities.ErrTypeNotFound, workflows.PrepareWorkshopInput{KeyAccountID: 4242, WorkflowID: "workshop-4242-2026", Year: 2026}},
			{workflows.ActivityNotify, activities.ErrTypeInvalid, workflows.Notification{IdempotencyKey: "k", Subject: "x", Body: "y"}},
		} {
			_, err := env.ExecuteActivity(c.name, c.arg)
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != c.wantType {
				t.Errorf("%s: error %v, want a non-retryable %s", c.name, err, c.wantType)
			}
		}
	})
}
