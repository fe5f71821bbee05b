package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
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
	// what the selection activities were asked to do
	computed  []workflows.ComputeCandidatesInput
	confirmed []workflows.KeyAccountsInput
	assigned  []workflows.AssignmentInput
}

// demoCandidates is what the scores in the database would yield.
func demoCandidates() []workflows.Candidate {
	return []workflows.Candidate{
		{CustomerID: 11, CustomerName: "Alpenbau AG", Met: []string{"fit", "growth", "revenue"}},
		{CustomerID: 12, CustomerName: "Nordlicht Energie", Met: []string{"fit", "revenue"}},
		{CustomerID: 13, CustomerName: "Rheintal Logistik", Met: []string{"growth", "reference"}},
	}
}

var (
	hr       = workflows.Actor{Email: "hr@example.com", Roles: []string{"hr"}}
	criteria = workflows.CriteriaRequest{Actor: lead, Threshold: 2, Criteria: []workflows.Criterion{
		{Key: "revenue", Name: "Revenue potential", Measure: "annual revenue > 1 M"},
		{Key: "fit", Name: "Strategic fit", Measure: "fits the marketing strategy"},
		{Key: "growth", Name: "Growth potential", Measure: "expected growth > 10 %"},
		{Key: "reference", Name: "Reference value", Measure: "named reference in the industry"},
	}}
)

// briefing informs all staff at a staff meeting, naming the key accounts.
var briefing = workflows.StaffInformedRequest{Actor: lead, InformedOn: start.AddDate(0, 0, 7), Channel: "staff_meeting",
	Groups: []string{"Sales", "Service", "Production"}, KeyAccountsNamed: true}

// workSteps are the updates a phase needs before it can be handed in (or,
// for training and account plans, that complete it), spaced an hour apart.
func workSteps(p workflows.Phase) []struct {
	name string
	arg  any
} {
	type step = struct {
		name string
		arg  any
	}
	switch p {
	case workflows.PhaseCriteria:
		return []step{{workflows.UpdateSetCriteria, criteria}}
	case workflows.PhaseProvisionalSelection:
		return []step{{workflows.UpdateComputeSelection, workflows.ComputeSelectionRequest{Actor: lead}}}
	case workflows.PhaseDefinitiveSelection:
		return []step{
			{workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: 11, Decision: workflows.DecisionConfirmed}},
			{workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: 12, Decision: workflows.DecisionConfirmed}},
			{workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: 13, Decision: workflows.DecisionRejected, Reason: "no access to decision makers"}},
		}
	case workflows.PhaseResponsibilities:
		return []step{
			{workflows.UpdateAssign, workflows.AssignRequest{Actor: lead, CustomerID: 11, KAMEmployeeID: 101, DeputyEmployeeID: 102}},
			{workflows.UpdateAssign, workflows.AssignRequest{Actor: lead, CustomerID: 12, KAMEmployeeID: 102, DeputyEmployeeID: 101}},
		}
	case workflows.PhaseTraining:
		return []step{
			{workflows.UpdateTrainingComplete, workflows.TrainingRequest{Actor: hr, EmployeeID: 101}},
			{workflows.UpdateTrainingException, workflows.TrainingRequest{Actor: committee, EmployeeID: 102, Note: "certified KAM already"}},
		}
	case workflows.PhaseAccountPlans:
		return []step{
			{workflows.UpdateApprovePlan, workflows.PlanApprovalRequest{Actor: lead, CustomerID: 11, PlanWorkflowID: workflows.PlanWorkflowID(1, 1)}},
			{workflows.UpdateApprovePlan, workflows.PlanApprovalRequest{Actor: committee, CustomerID: 12, PlanWorkflowID: workflows.PlanWorkflowID(2, 1)}},
		}
	case workflows.PhaseRollout:
		return []step{
			{workflows.UpdateLogConflict, workflows.ConflictRequest{Actor: lead, What: "Key account orders jump the production queue", Between: "sales and production"}},
			{workflows.UpdateResolveConflict, workflows.ResolveConflictRequest{Actor: lead, ConflictID: 1, Resolution: "Weekly slot reserved for key accounts"}},
			{workflows.UpdateRecordStaffInformed, briefing},
		}
	}
	return nil
}

// selfCompleting phases end without a submission.
func selfCompleting(p workflows.Phase) bool {
	return p == workflows.PhaseTraining || p == workflows.PhaseAccountPlans
}

// work schedules a phase's steps ending at d, then its submission and approval.
func (h *harness) work(p workflows.Phase, d time.Duration) {
	steps := workSteps(p)
	for i, st := range steps {
		h.at(d-time.Duration(len(steps)-i)*time.Hour, st.name, st.arg)
	}
	if selfCompleting(p) {
		return
	}
	h.at(d, workflows.UpdateSubmit, submit(p))
	if p.IsGate() {
		h.at(d+12*time.Hour, workflows.UpdateApprove, approve(p))
	}
}

type notice struct {
	at time.Time
	n  workflows.Notification
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, env: quietEnv(start)}
	h.env.RegisterWorkflowWithOptions(workflows.Programme, workflow.RegisterOptions{Name: workflows.ProgrammeWorkflowName})
	h.env.RegisterActivityWithOptions(func(ctx context.Context, ev workflows.ProgrammeEvent) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.events = append(h.events, ev)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityRecordProgrammeEvent})
	h.env.RegisterActivityWithOptions(func(ctx context.Context, in workflows.ComputeCandidatesInput) ([]workflows.Candidate, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.computed = append(h.computed, in)
		return demoCandidates(), nil
	}, activity.RegisterOptions{Name: workflows.ActivityComputeCandidates})
	h.env.RegisterActivityWithOptions(func(ctx context.Context, in workflows.KeyAccountsInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.confirmed = append(h.confirmed, in)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityConfirmKeyAccounts})
	h.env.RegisterActivityWithOptions(func(ctx context.Context, in workflows.AssignmentInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.assigned = append(h.assigned, in)
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityAssignKeyAccount})
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
	h.at(t0+39*day, workflows.UpdateSetCriteria, criteria)
	h.at(t0+40*day, workflows.UpdateSubmit, submit(workflows.PhaseCriteria))
	h.at(t0+41*day, workflows.UpdateApprove, approve(workflows.PhaseCriteria))
	// The rest in order, each handed in three days before its (moved) due
	// date, gates approved half a day later.
	moved := 44 * day
	for i, p := range allPhases[3:] {
		due := workflows.DefaultPlan(start)[i+3].Due.Add(moved)
		h.work(p, due.Add(-3*day).Sub(start))
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
		if got[i].n.Link != workflows.ProgrammeLink(7, workflows.PhaseSetup) {
			t.Errorf("set-up notice %d leads to %q, want the set-up phase", i, got[i].n.Link)
		}
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
	// Selection: the list came from the database, confirmed accounts became
	// key accounts, KAMs were written, training and plans closed their phases.
	if len(h.computed) != 1 || h.computed[0].Threshold != 2 || len(h.computed[0].Criteria) != 4 {
		t.Errorf("compute candidates calls = %+v", h.computed)
	}
	if len(h.confirmed) != 1 || fmt.Sprint(h.confirmed[0].CustomerIDs) != "[11 12]" {
		t.Errorf("confirmed key accounts = %+v", h.confirmed)
	}
	if len(h.assigned) != 2 || len(st.Assignments) != 2 || len(st.MissingTraining()) != 0 || len(st.PlansApproved) != 2 {
		t.Errorf("assignments %d/%d, missing training %v, plans %v", len(h.assigned), len(st.Assignments), st.MissingTraining(), st.PlansApproved)
	}
	for _, p := range []workflows.Phase{workflows.PhaseTraining, workflows.PhaseAccountPlans} {
		if ph := st.Phase(p); ph.SubmittedBy != "" {
			t.Errorf("%s was submitted by %s; it completes by itself", p, ph.SubmittedBy)
		}
	}
	// A gate submission tells the committee.
	if n := h.noticesWith("/strategy/submitted/"); len(n) != 2 || n[0].n.Recipients[0] != committee.Email {
		t.Errorf("strategy submission notices = %+v", n)
	}
	assertEventsRebuildState(t, h.events, st)
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

// TestSelectionValidators walks to each selection step and checks what the
// validators refuse there.
func TestSelectionValidators(t *testing.T) {
	h := newHarness(t)
	hour := time.Hour
	in := inputFixed
	in.FocusLimit = 2
	d := time.Duration(0)
	// Each step a day apart leaves room for work() to place a phase's
	// preparatory steps in the hours before and the approval after.
	next := func() time.Duration { d += 24 * hour; return d }
	h.at(next(), workflows.UpdateSubmit, submit(workflows.PhaseSetup))
	h.at(next(), workflows.UpdateSubmit, submit(workflows.PhaseStrategy))
	h.at(next(), workflows.UpdateApprove, approve(workflows.PhaseStrategy))

	two := criteria
	two.Criteria = criteria.Criteria[:2]
	dup := criteria
	dup.Criteria = append([]workflows.Criterion{}, criteria.Criteria...)
	dup.Criteria[1].Key = "revenue"
	high := criteria
	high.Threshold = 5
	byKAM := criteria
	byKAM.Actor = kam
	h.rejectAt(next(), workflows.UpdateSubmit, submit(workflows.PhaseCriteria), workflows.ErrTypeConflict, "")
	h.rejectAt(next(), workflows.UpdateSetCriteria, two, workflows.ErrTypeInvalid, "criteria")
	h.rejectAt(next(), workflows.UpdateSetCriteria, dup, workflows.ErrTypeInvalid, "criteria[1].key")
	h.rejectAt(next(), workflows.UpdateSetCriteria, high, workflows.ErrTypeInvalid, "threshold")
	h.rejectAt(next(), workflows.UpdateSetCriteria, byKAM, workflows.ErrTypeForbidden, "")
	h.rejectAt(next(), workflows.UpdateComputeSelection, workflows.ComputeSelectionRequest{Actor: lead}, workflows.ErrTypeConflict, "")
	h.work(workflows.PhaseCriteria, next())
	next()
	h.work(workflows.PhaseKAMProfile, next())
	h.rejectAt(next(), workflows.UpdateSubmit, submit(workflows.PhaseProvisionalSelection), workflows.ErrTypeConflict, "")
	h.work(workflows.PhaseProvisionalSelection, next())

	h.rejectAt(next(), workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: 99, Decision: workflows.DecisionConfirmed}, workflows.ErrTypeNotFound, "customer_id")
	h.rejectAt(next(), workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: 13, Decision: workflows.DecisionRejected}, workflows.ErrTypeInvalid, "reason")
	h.rejectAt(next(), workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: 13, Decision: "maybe"}, workflows.ErrTypeInvalid, "decision")
	h.at(next(), workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: 11, Decision: workflows.DecisionConfirmed})
	h.rejectAt(next(), workflows.UpdateSubmit, submit(workflows.PhaseDefinitiveSelection), workflows.ErrTypeConflict, "")
	h.work(workflows.PhaseDefinitiveSelection, next())

	h.rejectAt(next(), workflows.UpdateAssign, workflows.AssignRequest{Actor: lead, CustomerID: 13, KAMEmployeeID: 101}, workflows.ErrTypeNotFound, "customer_id")
	h.rejectAt(next(), workflows.UpdateAssign, workflows.AssignRequest{Actor: lead, CustomerID: 11, KAMEmployeeID: 101, DeputyEmployeeID: 101}, workflows.ErrTypeInvalid, "deputy_employee_id")
	h.rejectAt(next(), workflows.UpdateAssign, workflows.AssignRequest{Actor: lead, CustomerID: 11}, workflows.ErrTypeInvalid, "kam_employee_id")
	h.at(next(), workflows.UpdateAssign, workflows.AssignRequest{Actor: lead, CustomerID: 11, KAMEmployeeID: 101})
	h.rejectAt(next(), workflows.UpdateSubmit, submit(workflows.PhaseResponsibilities), workflows.ErrTypeConflict, "")
	h.work(workflows.PhaseResponsibilities, next())

	h.rejectAt(next(), workflows.UpdateTrainingComplete, workflows.TrainingRequest{Actor: lead, EmployeeID: 101}, workflows.ErrTypeForbidden, "")
	h.rejectAt(next(), workflows.UpdateTrainingComplete, workflows.TrainingRequest{Actor: hr, EmployeeID: 555}, workflows.ErrTypeNotFound, "employee_id")
	h.rejectAt(next(), workflows.UpdateTrainingException, workflows.TrainingRequest{Actor: committee, EmployeeID: 101}, workflows.ErrTypeInvalid, "note")
	h.rejectAt(next(), workflows.UpdateSubmit, submit(workflows.PhaseTraining), workflows.ErrTypeConflict, "")
	h.work(workflows.PhaseTraining, next())
	h.rejectAt(next(), workflows.UpdateApprovePlan, workflows.PlanApprovalRequest{Actor: kam, CustomerID: 11}, workflows.ErrTypeForbidden, "")
	h.rejectAt(next(), workflows.UpdateApprovePlan, workflows.PlanApprovalRequest{Actor: lead, CustomerID: 13}, workflows.ErrTypeNotFound, "customer_id")
	// A plan counts only as reported by its plan workflow: one no KAM
	// submitted cannot be approved on the programme directly.
	h.rejectAt(next(), workflows.UpdateApprovePlan, workflows.PlanApprovalRequest{Actor: lead, CustomerID: 11}, workflows.ErrTypeConflict, "")
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QueryProgrammeState)
		if err != nil {
			t.Fatal(err)
		}
		var st workflows.ProgrammeState
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		if st.CurrentPhase != workflows.PhaseAccountPlans {
			t.Errorf("current phase = %s, want account_plans (training completed by itself)", st.CurrentPhase)
		}
		warned := false
		for _, w := range st.Warnings(h.env.Now()) {
			warned = warned || strings.Contains(w, "focus limit of 2")
		}
		if !warned {
			t.Errorf("warnings = %v, want the focus-limit warning", st.Warnings(h.env.Now()))
		}
	}, next())
	h.at(next(), workflows.UpdateCancel, workflows.LifecycleRequest{Actor: lead, Reason: "end of test"})
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, in)
	if st := h.state(); st.Status != workflows.StatusCancelled {
		t.Fatalf("status = %s", st.Status)
	}
}

// TestProgrammeFromBeforeSelectionStillFinishes runs a programme on the
// code from before selection and assignment (the version programme-v1-*
// histories were recorded with): its training and account plans are handed
// in like any phase, since nothing there completes them by themselves.
// submitPrerequisite must not refuse them, or such a programme is stuck.
func TestProgrammeFromBeforeSelectionStillFinishes(t *testing.T) {
	h := newHarness(t)
	h.env.OnGetVersion("selection-and-assignment", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	d := 24 * time.Hour
	for _, p := range allPhases {
		h.at(d, workflows.UpdateSubmit, submit(p))
		if p.IsGate() {
			h.at(d+12*time.Hour, workflows.UpdateApprove, approve(p))
		}
		d += 2 * 24 * time.Hour
	}
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, inputFixed)
	st := h.state()
	if st.Status != workflows.StatusCompleted || !st.PreSelection {
		t.Fatalf("programme = %s (pre-selection %v), want completed on the old path", st.Status, st.PreSelection)
	}
	if len(h.confirmed) != 0 {
		t.Errorf("the old path confirmed key accounts: %+v", h.confirmed)
	}
}

// While compute_selection awaits its candidates, the provisional selection
// cannot be submitted with the list about to be replaced.
func TestProvisionalSelectionWaitsForTheComputation(t *testing.T) {
	h := newHarness(t)
	// Each computation takes two hours on the workflow's clock.
	h.env.OnActivity(workflows.ActivityComputeCandidates, mock.Anything, mock.Anything).Return(demoCandidates(), nil).After(2 * time.Hour)
	d := time.Duration(0)
	next := func() time.Duration { d += 24 * time.Hour; return d }
	h.at(next(), workflows.UpdateSubmit, submit(workflows.PhaseSetup))
	h.at(next(), workflows.UpdateSubmit, submit(workflows.PhaseStrategy))
	h.at(next(), workflows.UpdateApprove, approve(workflows.PhaseStrategy))
	h.work(workflows.PhaseCriteria, next())
	next()
	h.work(workflows.PhaseKAMProfile, next())
	compute := workflows.ComputeSelectionRequest{Actor: lead}
	t0 := next()
	h.at(t0, workflows.UpdateComputeSelection, compute)
	h.at(t0+3*time.Hour, workflows.UpdateComputeSelection, compute)
	h.rejectAt(t0+4*time.Hour, workflows.UpdateSubmit, submit(workflows.PhaseProvisionalSelection), workflows.ErrTypeConflict, "")
	h.at(t0+6*time.Hour, workflows.UpdateSubmit, submit(workflows.PhaseProvisionalSelection))
	h.at(next(), workflows.UpdateCancel, workflows.LifecycleRequest{Actor: lead, Reason: "end of test"})
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, inputFixed)
	st := h.state()
	if st.CurrentPhase != workflows.PhaseDefinitiveSelection || len(st.Candidates) != len(demoCandidates()) {
		t.Fatalf("phase %s with %d candidates; want definitive selection with the computed list", st.CurrentPhase, len(st.Candidates))
	}
}
