package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/kamflow/kamflow/workflows"
)

// TestUpdateWhoseActivityKeepsFailingAnswersWithinTheBound: while the
// database is down the submit's projection fails again and again; the
// update must answer Unavailable within the bound instead of hanging, the
// step stays taken (once), and the main loop carries on.
func TestUpdateWhoseActivityKeepsFailingAnswersWithinTheBound(t *testing.T) {
	env := quietEnv(start)
	env.RegisterWorkflowWithOptions(workflows.Programme, workflow.RegisterOptions{Name: workflows.ProgrammeWorkflowName})
	attempts := 0
	env.RegisterActivityWithOptions(func(ctx context.Context, ev workflows.ProgrammeEvent) error {
		if ev.Kind == workflows.EventSubmitted {
			attempts++
			return errors.New("database unavailable")
		}
		return nil
	}, activity.RegisterOptions{Name: workflows.ActivityRecordProgrammeEvent})
	env.RegisterActivityWithOptions(func(ctx context.Context, n workflows.Notification) error { return nil },
		activity.RegisterOptions{Name: workflows.ActivityNotify})

	var sent, answered time.Time
	var updErr error
	env.RegisterDelayedCallback(func() {
		sent = env.Now()
		env.UpdateWorkflow(workflows.UpdateSubmit, "submit-1", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { t.Errorf("submit rejected: %v", err) },
			OnComplete: func(_ any, err error) {
				answered, updErr = env.Now(), err
			},
		}, submit(workflows.PhaseSetup))
	}, time.Hour)
	// The programme still answers afterwards: the lead cancels it.
	env.RegisterDelayedCallback(func() {
		expectUpdate(t, env, "cancel-1", workflows.UpdateCancel, workflows.LifecycleRequest{Actor: lead, Reason: "test over"}, "", "")
	}, 2*time.Hour)
	env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, inputFixed)

	if answered.IsZero() {
		t.Fatal("the update never answered")
	}
	if took := answered.Sub(sent); took > workflows.UpdateActivityBound+time.Second {
		t.Errorf("the update answered after %s, want within %s", took, workflows.UpdateActivityBound)
	}
	if !workflows.IsUnavailable(updErr) {
		t.Errorf("update error = %v, want %s", updErr, workflows.ErrTypeUnavailable)
	}
	if attempts < 2 {
		t.Errorf("the activity ran %d times; a bounded retry still retries", attempts)
	}
	var st workflows.ProgrammeState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != workflows.StatusCancelled || st.Phase(workflows.PhaseSetup).Status != workflows.PhaseDone {
		t.Errorf("programme = %s, setup %s; the submit counts once and the programme goes on", st.Status, st.Phase(workflows.PhaseSetup).Status)
	}
}
