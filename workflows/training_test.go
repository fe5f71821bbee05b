package workflows_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/kamflow/kamflow/workflows"
)

type trainingHarness struct {
	t        *testing.T
	env      *testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	notices  []notice
	statuses []workflows.EnrolmentStatusInput
	reported []workflows.CompletionInput
	missing  []string
	nextID   int
}

var (
	tStart    = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	session   = tStart.Add(20*day + time.Hour) // 2026-03-22 09:00
	trainIn   = workflows.TrainingInput{EnrolmentID: 5, SessionID: 3, EmployeeID: 101, EmployeeEmail: "kam@example.com", EmployeeName: "Karla", CourseTitle: "KAM Basics", Required: true, StartsAt: session, EndsAt: session.Add(8 * time.Hour), Place: "Zürich", ProgrammeID: 7}
	hrActor   = workflows.Actor{Email: "hr@example.com", Roles: []string{"hr"}}
	trainDue  = tStart.Add(90 * day)
	leadEmail = "lead@example.com"
)

func newTrainingHarness(t *testing.T) *trainingHarness {
	h := &trainingHarness{t: t, env: quietEnv(tStart), missing: []string{"KAM Basics"}}
	h.env.RegisterWorkflowWithOptions(workflows.Training, workflow.RegisterOptions{Name: workflows.TrainingWorkflowName})
	reg := func(fn any, name string) { h.env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, n workflows.Notification) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.notices = append(h.notices, notice{at: h.env.Now(), n: n})
		return nil
	}, workflows.ActivityNotify)
	reg(func(ctx context.Context, in workflows.EnrolmentStatusInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.statuses = append(h.statuses, in)
		return nil
	}, workflows.ActivityRecordEnrolmentStatus)
	reg(func(ctx context.Context, sessionID uint) (uint, error) { return 42, nil }, workflows.ActivityReleaseSeat)
	reg(func(ctx context.Context, in workflows.CompletionInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.reported = append(h.reported, in)
		return nil
	}, workflows.ActivityReportTrainingCompletion)
	reg(func(ctx context.Context, id uint) (workflows.Deadline, error) {
		return workflows.Deadline{Due: trainDue, LeadEmail: leadEmail}, nil
	}, workflows.ActivityTrainingDeadline)
	reg(func(ctx context.Context, employeeID uint) ([]string, error) { return h.missing, nil }, workflows.ActivityMissingRequiredCourses)
	reg(func(ctx context.Context, role string) ([]string, error) { return []string{"hr@example.com"}, nil }, workflows.ActivityRoleRecipients)
	return h
}

func (h *trainingHarness) update(at time.Time, name string, arg any, wantErrType string) {
	h.env.RegisterDelayedCallback(func() {
		h.nextID++
		h.env.UpdateWorkflow(name, "t"+string(rune('a'+h.nextID)), &testsuite.TestUpdateCallback{
			OnAccept: func() {
				if wantErrType != "" {
					h.t.Errorf("%s at %s accepted, want %s", name, h.env.Now(), wantErrType)
				}
			},
			OnReject: func(err error) {
				if typ, _, _, _ := workflows.RejectionOf(err); typ != wantErrType {
					h.t.Errorf("%s at %s rejected: %v, want %q", name, h.env.Now(), err, wantErrType)
				}
			},
			OnComplete: func(_ any, err error) {
				if err != nil {
					h.t.Errorf("%s failed: %v", name, err)
				}
			},
		}, arg)
	}, at.Sub(tStart))
}

func (h *trainingHarness) signal(at time.Time, name string, arg any) {
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(name, arg) }, at.Sub(tStart))
}

func (h *trainingHarness) result() workflows.TrainingState {
	var st workflows.TrainingState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatalf("result: %v", err)
	}
	return st
}

// sent lists the notices as "kind@time" for compact comparison.
func (h *trainingHarness) sent() string {
	var out []string
	for _, n := range h.notices {
		kind := n.n.IdempotencyKey[strings.Index(n.n.IdempotencyKey, "/")+1:]
		out = append(out, kind+"@"+n.at.Format("01-02T15"))
	}
	return strings.Join(out, " ")
}

func TestTrainingRemindsAndReportsCompletion(t *testing.T) {
	h := newTrainingHarness(t)
	h.update(session.Add(-time.Hour), workflows.UpdateAttendance, workflows.AttendanceRequest{Actor: hrActor, Attended: true}, workflows.ErrTypeConflict)
	h.update(session.Add(time.Hour), workflows.UpdateAttendance, workflows.AttendanceRequest{Actor: kam, Attended: true}, workflows.ErrTypeForbidden)
	h.update(session.Add(10*time.Hour), workflows.UpdateAttendance, workflows.AttendanceRequest{Actor: hrActor, Attended: true}, "")
	h.env.ExecuteWorkflow(workflows.TrainingWorkflowName, trainIn)
	st := h.result()
	if st.Status != workflows.TrainingCompleted {
		t.Fatalf("status = %s", st.Status)
	}
	want := "invitation/rev0@03-02T08 before-168h/rev0@03-15T09 before-24h/rev0@03-21T09"
	if got := h.sent(); got != want {
		t.Errorf("notices = %s\nwant      %s", got, want)
	}
	if len(h.statuses) != 1 || h.statuses[0].To != workflows.TrainingCompleted {
		t.Errorf("statuses = %+v", h.statuses)
	}
	if len(h.reported) != 1 || h.reported[0].EmployeeID != 101 || h.reported[0].Actor.Email != hrActor.Email {
		t.Errorf("completion reported = %+v", h.reported)
	}
}

func TestTrainingWaitlistPromotionAndSessionMove(t *testing.T) {
	h := newTrainingHarness(t)
	in := trainIn
	in.Waitlisted = true
	moved := session.Add(14 * day)
	h.signal(tStart.Add(2*day), workflows.SignalPromoted, nil)
	// HR moves the session two weeks later after the 7-day reminder went out.
	h.signal(session.Add(-3*day), workflows.SignalSessionChanged, workflows.SessionChange{StartsAt: moved, EndsAt: moved.Add(8 * time.Hour), Place: "Bern", Revision: 1})
	// A repeated old change is ignored.
	h.signal(session.Add(-2*day), workflows.SignalSessionChanged, workflows.SessionChange{StartsAt: session, EndsAt: session, Revision: 1})
	h.update(moved.Add(9*time.Hour), workflows.UpdateAttendance, workflows.AttendanceRequest{Actor: hrActor, Attended: true}, "")
	h.env.ExecuteWorkflow(workflows.TrainingWorkflowName, in)
	st := h.result()
	if st.Status != workflows.TrainingCompleted || st.Place != "Bern" || !st.StartsAt.Equal(moved) {
		t.Fatalf("state = %s at %s %s", st.Status, st.StartsAt, st.Place)
	}
	want := "waitlist/rev0@03-02T08 invitation/rev0@03-04T08 before-168h/rev0@03-15T09 invitation/rev1@03-19T09 before-168h/rev1@03-29T09 before-24h/rev1@04-04T09"
	if got := h.sent(); got != want {
		t.Errorf("notices = %s\nwant      %s", got, want)
	}
}

func TestTrainingNoShowEscalatesBeforeTheProgrammeDeadline(t *testing.T) {
	h := newTrainingHarness(t)
	h.update(session.Add(10*time.Hour), workflows.UpdateAttendance, workflows.AttendanceRequest{Actor: hrActor, Attended: false}, "")
	h.env.ExecuteWorkflow(workflows.TrainingWorkflowName, trainIn)
	st := h.result()
	if st.Status != workflows.TrainingNoShow || !st.Escalated {
		t.Fatalf("state = %s escalated=%v", st.Status, st.Escalated)
	}
	last := h.notices[len(h.notices)-1]
	if !strings.Contains(last.n.IdempotencyKey, "escalation") || !last.at.Equal(trainDue.Add(-30*day)) || len(last.n.Recipients) != 2 || last.n.Recipients[1] != leadEmail {
		t.Errorf("escalation = %+v at %s", last.n, last.at)
	}
	if !strings.Contains(h.sent(), "re-enrol/rev0@03-22T19") {
		t.Errorf("no re-enrolment request: %s", h.sent())
	}
	if len(h.reported) != 0 {
		t.Error("a no-show was reported as completion")
	}
}

func TestTrainingCancelledSessionRemindsNobody(t *testing.T) {
	h := newTrainingHarness(t)
	h.missing = nil // completed elsewhere meanwhile: no escalation
	h.signal(session.Add(-10*day), workflows.SignalSessionChanged, workflows.SessionChange{Revision: 1, Cancelled: true})
	h.env.ExecuteWorkflow(workflows.TrainingWorkflowName, trainIn)
	st := h.result()
	if st.Status != workflows.TrainingSessionCancelled || st.Escalated {
		t.Fatalf("state = %s escalated=%v", st.Status, st.Escalated)
	}
	want := "invitation/rev0@03-02T08 re-enrol/rev1@03-12T09"
	if got := h.sent(); got != want {
		t.Errorf("notices = %s\nwant      %s", got, want)
	}
	if len(h.statuses) != 1 || h.statuses[0].To != workflows.TrainingCancelled {
		t.Errorf("statuses = %+v", h.statuses)
	}
}

func TestTrainingCancelPromotesTheWaitlist(t *testing.T) {
	h := newTrainingHarness(t)
	h.missing = nil
	var signalled []string
	h.env.OnSignalExternalWorkflow("default-test-namespace", workflows.TrainingWorkflowID(42), "", workflows.SignalPromoted, nil).
		Return(func(namespace, workflowID, runID, signalName string, arg any) error {
			signalled = append(signalled, workflowID)
			return nil
		})
	h.update(tStart.Add(day), workflows.UpdateCancelEnrolment, workflows.EnrolmentCancelRequest{Actor: hrActor}, workflows.ErrTypeInvalid)
	h.update(tStart.Add(2*day), workflows.UpdateCancelEnrolment, workflows.EnrolmentCancelRequest{Actor: hrActor, Reason: "parental leave"}, "")
	h.env.ExecuteWorkflow(workflows.TrainingWorkflowName, trainIn)
	if st := h.result(); st.Status != workflows.TrainingCancelled {
		t.Fatalf("status = %s", st.Status)
	}
	if len(signalled) != 1 {
		t.Errorf("promoted enrolment signalled %v", signalled)
	}
}

// TestTrainingMovedEnrolmentLeavesTheRestToItsSuccessor: an enrolment HR
// moves to another session ends cancelled and frees its seat, but asks
// nobody to re-enrol and escalates nothing: the enrolment it moved to
// carries the training on.
func TestTrainingMovedEnrolmentLeavesTheRestToItsSuccessor(t *testing.T) {
	h := newTrainingHarness(t)
	var promoted int
	h.env.OnSignalExternalWorkflow("default-test-namespace", workflows.TrainingWorkflowID(42), "", workflows.SignalPromoted, nil).
		Return(func(namespace, workflowID, runID, signalName string, arg any) error {
			promoted++
			return nil
		})
	h.update(tStart.Add(day), workflows.UpdateCancelEnrolment, workflows.EnrolmentCancelRequest{Actor: hrActor, Reason: "moved", MovedTo: trainIn.EnrolmentID}, workflows.ErrTypeInvalid)
	h.update(tStart.Add(2*day), workflows.UpdateCancelEnrolment, workflows.EnrolmentCancelRequest{Actor: hrActor, Reason: "moved to the session on 2026-04-20", MovedTo: 9}, "")
	h.env.ExecuteWorkflow(workflows.TrainingWorkflowName, trainIn)
	st := h.result()
	if st.Status != workflows.TrainingCancelled || st.MovedTo != 9 || st.Escalated {
		t.Fatalf("state = %s moved to %d escalated=%v", st.Status, st.MovedTo, st.Escalated)
	}
	if got := h.sent(); got != "invitation/rev0@03-02T08" {
		t.Errorf("notices = %s, want the invitation only", got)
	}
	if len(h.statuses) != 1 || h.statuses[0].To != workflows.TrainingCancelled || h.statuses[0].Note != "moved to the session on 2026-04-20" {
		t.Errorf("statuses = %+v", h.statuses)
	}
	if promoted != 1 {
		t.Errorf("the freed seat promoted %d, want 1", promoted)
	}
}
