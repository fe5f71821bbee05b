package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/kamflow/kamflow/workflows"
)

var (
	lead       = workflows.Actor{Email: "lead@example.com", Roles: []string{"lead"}}
	committee  = workflows.Actor{Email: "ceo@example.com", Roles: []string{"committee"}}
	outsider   = workflows.Actor{Email: "someone@example.com", Roles: []string{"committee"}}
	kam        = workflows.Actor{Email: "kam@example.com", Roles: []string{"kam"}}
	start      = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	day        = 24 * time.Hour
	allPhases  = workflows.Phases()
	inputFixed = workflows.ProgrammeInput{
		ProgrammeID: 7, Name: "KAM Einführung", LeadEmail: lead.Email,
		CommitteeEmails: []string{committee.Email}, StartDate: start,
	}
)

// harness runs the programme workflow in the test environment with
// activities that record what they were asked to do.
type harness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	mu      sync.Mutex
	events  []workflows.ProgrammeEvent
	notices []notice
	nextID  int
}

type notice struct {
	at time.Time
	n  workflows.Notification
}

func newHarness(t *testing.T) *harness {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	h := &harness{t: t, env: s.NewTestWorkflowEnvironment()}
	h.env.SetStartTime(start)
	h.env.RegisterWorkflowWithOptions(workflows.Programme, workflow.RegisterOptions{Name: workflows.ProgrammeWorkflowName})
	h.env.RegisterActivityWithOptions(func(ctx context.Context, ev workflows.ProgrammeEvent) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.events = append(h.events, ev)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityRecordProgrammeEvent})
	h.env.RegisterActivityWithOptions(func(ctx context.Context, n workflows.Notification) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.notices = append(h.notices, notice{at: h.env.Now(), n: n})
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityNotify})
	return h
}

// at schedules an update that must be accepted, after d from the start.
func (h *harness) at(d time.Duration, name string, arg any) {
	h.env.RegisterDelayedCallback(func() { h.update(name, arg, true) }, d)
}

// rejectAt schedules an update that must be rejected with errType on field.
func (h *harness) rejectAt(d time.Duration, name string, arg any, errType, field string) {
	h.env.RegisterDelayedCallback(func() {
		h.nextID++
		h.env.UpdateWorkflow(name, fmt.Sprintf("u%d", h.nextID), &testsuite.TestUpdateCallback{
			OnAccept: func() { h.t.Errorf("%s %+v was accepted, want %s", name, arg, errType) },
			OnReject: func(err error) {
				typ, _, f, ok := workflows.RejectionOf(err)
				if !ok || typ != errType || f != field {
					h.t.Errorf("%s %+v rejected with %v (%s field %q), want %s field %q", name, arg, err, typ, f, errType, field)
				}
			},
			OnComplete: func(any, error) {},
		}, arg)
	}, d)
}

func (h *harness) update(name string, arg any, wantAccept bool) {
	h.nextID++
	h.env.UpdateWorkflow(name, fmt.Sprintf("u%d", h.nextID), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { h.t.Errorf("%s %+v rejected: %v", name, arg, err) },
		OnComplete: func(_ any, err error) {
			if err != nil {
				h.t.Errorf("%s %+v failed: %v", name, arg, err)
			}
		},
	}, arg)
}

func (h *harness) state() workflows.ProgrammeState {
	var st workflows.ProgrammeState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatalf("workflow result: %v", err)
	}
	return st
}

func (h *harness) noticesWith(substr string) []notice {
	var out []notice
	for _, n := range h.notices {
		if strings.Contains(n.n.IdempotencyKey, substr) {
			out = append(out, n)
		}
	}
	return out
}

func submit(p workflows.Phase) workflows.SubmitRequest {
	return workflows.SubmitRequest{Actor: lead, Phase: p, Result: "results of " + string(p)}
}

func approve(p workflows.Phase) workflows.DecisionRequest {
	return workflows.DecisionRequest{Actor: committee, Phase: p, Comment: "ok"}
}

// TestProgrammeWholeLifecycle drives a programme from set-up to closing
// over about two and a half simulated years.
func TestProgrammeWholeLifecycle(t *testing.T) {
	h := newHarness(t)
	setupDue := start.AddDate(0, 1, 0)
	// Set-up is handed in 9 days late: two reminders, then two overdue notices.
	t0 := setupDue.Add(9 * day).Sub(start)
	h.at(t0, workflows.UpdateSubmit, submit(workflows.PhaseSetup))
	// Strategy: rejected once, reworked, approved.
	h.at(t0+1*day, workflows.UpdateSubmit, submit(workflows.PhaseStrategy))
	h.at(t0+2*day, workflows.UpdateReject, workflows.DecisionRequest{Actor: committee, Phase: workflows.PhaseStrategy, Comment: "derive the KAM role from the marketing strategy"})
	h.at(t0+3*day, workflows.UpdateSubmit, submit(workflows.PhaseStrategy))
	h.at(t0+4*day, workflows.UpdateApprove, approve(workflows.PhaseStrategy))
	// Paused for 30 days during criteria: open due dates move by 30 days.
	h.at(t0+5*day, workflows.UpdatePause, workflows.LifecycleRequest{Actor: lead, Reason: "reorganisation"})
	h.rejectAt(t0+6*day, workflows.UpdateSubmit, submit(workflows.PhaseCriteria), workflows.ErrTypeConflict, "")
	h.at(t0+35*day, workflows.UpdateResume, workflows.LifecycleRequest{Actor: lead})
	// Re-plan: everything open moves by two more weeks.
	h.at(t0+36*day, workflows.UpdateReplan, workflows.ReplanRequest{Actor: lead, ShiftDays: 14, Reason: "training provider booked later"})
	h.at(t0+40*day, workflows.UpdateSubmit, submit(workflows.PhaseCriteria))
	h.at(t0+41*day, workflows.UpdateApprove, approve(workflows.PhaseCriteria))
	// The rest in order, each handed in three days before its (moved) due
	// date, gates approved half a day later.
	moved := 44 * day
	for i, p := range allPhases[3:] {
		due := workflows.DefaultPlan(start)[i+3].Due.Add(moved)
		d := due.Add(-3 * day).Sub(start)
		h.at(d, workflows.UpdateSubmit, submit(p))
		if p.IsGate() {
			h.at(d+12*time.Hour, workflows.UpdateApprove, approve(p))
		}
	}
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, inputFixed)

	if !h.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	st := h.state()
	if st.Status != workflows.StatusCompleted {
		t.Fatalf("status = %s, want completed", st.Status)
	}
	for _, ph := range st.Phases {
		if ph.Status != workflows.PhaseDone || ph.CompletedAt == nil {
			t.Errorf("phase %s = %s, want done", ph.Phase, ph.Status)
		}
	}
	if elapsed := h.env.Now().Sub(start); elapsed < 2*365*day {
		t.Errorf("simulated time %s, want more than two years", elapsed)
	}

	// Reminders for set-up at 14 and 2 days before its due date, then the
	// overdue notice at the due date and one week later.
	wantSetup := []struct {
		key string
		at  time.Time
		to  int
	}{
		{"before-336h", setupDue.Add(-14 * day), 1},
		{"before-48h", setupDue.Add(-2 * day), 1},
		{"overdue-0", setupDue, 2},
		{"overdue-1", setupDue.Add(7 * day), 2},
	}
	got := h.noticesWith("/setup/")
	if len(got) != len(wantSetup) {
		t.Fatalf("set-up notices = %d, want %d: %+v", len(got), len(wantSetup), got)
	}
	for i, w := range wantSetup {
		if !strings.Contains(got[i].n.IdempotencyKey, w.key) || !got[i].at.Equal(w.at) || len(got[i].n.Recipients) != w.to {
			t.Errorf("set-up notice %d = %s at %s to %v, want %s at %s to %d people", i, got[i].n.IdempotencyKey, got[i].at, got[i].n.Recipients, w.key, w.at, w.to)
		}
	}

	// Pause (30 days) and re-plan (14 days) moved criteria's due date.
	criteria := st.Phase(workflows.PhaseCriteria)
	if want := start.AddDate(0, 6, 0).Add(30*day).AddDate(0, 0, 14); !criteria.Due.Equal(want) {
		t.Errorf("criteria due = %s, want %s", criteria.Due, want)
	}
	strategy := st.Phase(workflows.PhaseStrategy)
	if strategy.LastRejection == "" || strategy.ApprovedBy != committee.Email {
		t.Errorf("strategy = %+v, want a rejection and the approval", strategy)
	}

	// The projection saw every transition once, in order.
	kinds := eventKinds(t, h.events)
	joined := strings.Join(kinds, ",")
	for _, k := range []string{workflows.EventCreated, workflows.EventRejected, workflows.EventPaused, workflows.EventResumed, workflows.EventReplanned, workflows.EventOverdue, workflows.EventCompleted} {
		if !strings.Contains(joined, k) {
			t.Errorf("events %s lack %s", joined, k)
		}
	}
	if kinds[len(kinds)-1] != workflows.EventCompleted {
		t.Errorf("last event = %s, want completed", kinds[len(kinds)-1])
	}
	// A gate submission tells the committee.
	if n := h.noticesWith("/strategy/submitted/"); len(n) != 2 || n[0].n.Recipients[0] != committee.Email {
		t.Errorf("strategy submission notices = %+v", n)
	}
}

func TestProgrammeValidatorsReject(t *testing.T) {
	h := newHarness(t)
	hour := time.Hour
	h.rejectAt(1*hour, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: workflows.PhaseStrategy, Result: "x"}, workflows.ErrTypeConflict, "")
	h.rejectAt(2*hour, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: "marketing", Result: "x"}, workflows.ErrTypeInvalid, "phase")
	h.rejectAt(3*hour, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: kam, Phase: workflows.PhaseSetup, Result: "x"}, workflows.ErrTypeForbidden, "")
	h.rejectAt(4*hour, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: workflows.PhaseSetup, Result: "  "}, workflows.ErrTypeInvalid, "result")
	h.rejectAt(5*hour, workflows.UpdateApprove, approve(workflows.PhaseSetup), workflows.ErrTypeConflict, "")
	h.rejectAt(6*hour, workflows.UpdateResume, workflows.LifecycleRequest{Actor: lead}, workflows.ErrTypeConflict, "")
	h.rejectAt(7*hour, workflows.UpdatePause, workflows.LifecycleRequest{Actor: committee}, workflows.ErrTypeForbidden, "")
	h.rejectAt(8*hour, workflows.UpdateCancel, workflows.LifecycleRequest{Actor: lead}, workflows.ErrTypeInvalid, "reason")
	h.rejectAt(9*hour, workflows.UpdateReplan, workflows.ReplanRequest{Actor: lead, Reason: "x"}, workflows.ErrTypeInvalid, "shift_days")
	h.rejectAt(10*hour, workflows.UpdateReplan, workflows.ReplanRequest{Actor: lead, Reason: "x", Set: []workflows.PhaseDue{{Phase: workflows.PhaseStrategy, Due: start.AddDate(3, 0, 0)}}}, workflows.ErrTypeInvalid, "plan.criteria")
	h.at(11*hour, workflows.UpdateSubmit, submit(workflows.PhaseSetup))
	h.at(12*hour, workflows.UpdateSubmit, submit(workflows.PhaseStrategy))
	h.rejectAt(13*hour, workflows.UpdateApprove, workflows.DecisionRequest{Actor: outsider, Phase: workflows.PhaseStrategy}, workflows.ErrTypeForbidden, "")
	h.rejectAt(14*hour, workflows.UpdateApprove, workflows.DecisionRequest{Actor: lead, Phase: workflows.PhaseStrategy}, workflows.ErrTypeForbidden, "")
	h.rejectAt(15*hour, workflows.UpdateReject, workflows.DecisionRequest{Actor: committee, Phase: workflows.PhaseStrategy, Comment: " "}, workflows.ErrTypeInvalid, "comment")
	h.rejectAt(16*hour, workflows.UpdateSubmit, submit(workflows.PhaseStrategy), workflows.ErrTypeConflict, "")
	h.at(17*hour, workflows.UpdateCancel, workflows.LifecycleRequest{Actor: committee, Reason: "merger"})
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, inputFixed)

	st := h.state()
	if st.Status != workflows.StatusCancelled || st.CancelReason != "merger" || st.CurrentPhase != workflows.PhaseStrategy {
		t.Fatalf("state = %s/%s/%q, want cancelled in strategy with the reason", st.Status, st.CurrentPhase, st.CancelReason)
	}
	// Rejected updates changed nothing: only the accepted ones were projected.
	kinds := eventKinds(t, h.events)
	want := "created,phase_started,submitted,phase_started,submitted,cancelled"
	if got := strings.Join(kinds, ","); got != want {
		t.Errorf("events = %s, want %s", got, want)
	}
}

func TestProgrammeRejectsBadInput(t *testing.T) {
	bad := inputFixed
	bad.CommitteeEmails = nil
	h := newHarness(t)
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, bad)
	typ, _, field, ok := workflows.RejectionOf(h.env.GetWorkflowError())
	if !ok || typ != workflows.ErrTypeInvalid || field != "committee_emails" {
		t.Fatalf("error = %v, want invalid committee_emails", h.env.GetWorkflowError())
	}
}

// TestProgrammeContinuesAsNewWithWholeState checks the state survives
// continue-as-new at a phase boundary and the new run carries on from there.
func TestProgrammeContinuesAsNewWithWholeState(t *testing.T) {
	h := newHarness(t)
	h.env.SetContinueAsNewSuggested(true)
	h.at(time.Hour, workflows.UpdateSubmit, submit(workflows.PhaseSetup))
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, inputFixed)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("error = %v, want continue-as-new", err)
	}
	var next workflows.ProgrammeInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatalf("decode continue-as-new input: %v", err)
	}
	if next.Resume == nil || next.Resume.CurrentPhase != workflows.PhaseStrategy || next.Resume.Phase(workflows.PhaseSetup).Status != workflows.PhaseDone {
		t.Fatalf("resume state = %+v", next.Resume)
	}
	seq := next.Resume.EventSeq

	h2 := newHarness(t)
	h2.env.SetStartTime(start.Add(time.Hour))
	h2.at(time.Hour, workflows.UpdateCancel, workflows.LifecycleRequest{Actor: lead, Reason: "test"})
	h2.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, next)
	st := h2.state()
	if st.Status != workflows.StatusCancelled || st.Phase(workflows.PhaseSetup).Result != "results of setup" {
		t.Fatalf("resumed state = %+v", st)
	}
	if len(h2.events) != 1 || h2.events[0].Seq != seq+1 || h2.events[0].Kind != workflows.EventCancelled {
		t.Fatalf("resumed run's events = %+v, want only cancelled with seq %d", h2.events, seq+1)
	}
}

// eventKinds orders events by sequence number (activities may finish in any
// order) and checks the numbers have no gaps.
func eventKinds(t *testing.T, events []workflows.ProgrammeEvent) []string {
	t.Helper()
	sorted := append([]workflows.ProgrammeEvent(nil), events...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Seq < sorted[j].Seq })
	var kinds []string
	for i, ev := range sorted {
		if ev.Seq != sorted[0].Seq+i {
			t.Fatalf("event seqs have a gap or duplicate at %d: %+v", i, ev)
		}
		kinds = append(kinds, ev.Kind)
	}
	return kinds
}
