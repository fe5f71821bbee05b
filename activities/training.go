package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// RecordEnrolmentStatus moves an enrolment row; repeating it is harmless.
func (a *Activities) RecordEnrolmentStatus(ctx context.Context, in workflows.EnrolmentStatusInput) error {
	if _, err := a.Store.SetEnrolmentStatusNoted(ctx, in.EnrolmentID, in.From, in.To, in.By, in.Note, time.Now()); err != nil {
		return classify(fmt.Errorf("record enrolment status: %w", err))
	}
	return nil
}

// ReleaseSeat promotes the first waitlisted enrolment of the session into a
// free seat and returns its ID (0 when nobody waits).
func (a *Activities) ReleaseSeat(ctx context.Context, sessionID uint) (uint, error) {
	id, err := a.Store.PromoteFromWaitlist(ctx, sessionID)
	if err != nil {
		return 0, classify(fmt.Errorf("release seat: %w", err))
	}
	return id, nil
}

// ReportTrainingCompletion tells every programme the employee is KAM in
// that their required training is complete, once all required courses are.
func (a *Activities) ReportTrainingCompletion(ctx context.Context, in workflows.CompletionInput) error {
	done, _, err := a.Store.HasCompletedRequiredCourses(ctx, in.EmployeeID)
	if err != nil {
		return classify(fmt.Errorf("required courses: %w", err))
	}
	if !done {
		return nil
	}
	programmes, err := a.Store.AssignedKAMs(ctx)
	if err != nil {
		return classify(err)
	}
	for _, pid := range programmes[in.EmployeeID] {
		req := workflows.TrainingRequest{Actor: in.Actor, EmployeeID: in.EmployeeID, Note: "completed " + in.Course}
		h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflows.ProgrammeWorkflowID(pid), UpdateName: workflows.UpdateTrainingComplete,
			Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err != nil && !settled(err) {
			return classify(fmt.Errorf("tell programme %d: %w", pid, err))
		}
	}
	return nil
}

// settled reports errors that retrying cannot change: the programme refused
// (already recorded, closed, not this KAM) or is gone.
func settled(err error) bool {
	if _, _, _, ok := workflows.RejectionOf(err); ok {
		return true
	}
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.NonRetryable() ||
		isNotFound(err)
}

// TrainingDeadline returns the programme's training due date and its lead.
func (a *Activities) TrainingDeadline(ctx context.Context, programmeID uint) (workflows.Deadline, error) {
	due, lead, err := a.Store.PhaseDue(ctx, programmeID, string(workflows.PhaseTraining))
	if err != nil {
		return workflows.Deadline{}, classify(fmt.Errorf("training deadline: %w", err))
	}
	return workflows.Deadline{Due: due, LeadEmail: lead}, nil
}

// MissingRequiredCourses lists the titles of required courses the employee
// has not completed.
func (a *Activities) MissingRequiredCourses(ctx context.Context, employeeID uint) ([]string, error) {
	_, missing, err := a.Store.HasCompletedRequiredCourses(ctx, employeeID)
	if err != nil {
		return nil, classify(fmt.Errorf("missing courses: %w", err))
	}
	out := []string{}
	for _, c := range missing {
		out = append(out, c.Title)
	}
	return out, nil
}

// RoleRecipients lists the e-mail addresses of users holding role.
func (a *Activities) RoleRecipients(ctx context.Context, role string) ([]string, error) {
	r := store.Role(role)
	if !r.Valid() {
		return nil, classify(fmt.Errorf("unknown role %q: %w", role, store.ErrInvalid))
	}
	emails, err := a.Store.UserEmailsWithRole(ctx, r)
	if err != nil {
		return nil, classify(fmt.Errorf("role recipients: %w", err))
	}
	return emails, nil
}
