package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kamflow/kamflow/schedules"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// PrepareWorkshop creates the workshop with suggested participants and the
// agenda around the three guiding questions.
func (a *Activities) PrepareWorkshop(ctx context.Context, in workflows.PrepareWorkshopInput) (workflows.WorkshopPrepared, error) {
	ka, err := a.Store.KeyAccountByID(ctx, in.KeyAccountID)
	if err != nil {
		return workflows.WorkshopPrepared{}, classify(err)
	}
	cust, err := a.Store.Customer(ctx, ka.CustomerID)
	if err != nil {
		return workflows.WorkshopPrepared{}, classify(err)
	}
	participants, err := a.Store.SuggestWorkshopParticipants(ctx, ka.ID)
	if err != nil {
		return workflows.WorkshopPrepared{}, classify(err)
	}
	w := &store.Workshop{KeyAccountID: ka.ID, WorkflowID: in.WorkflowID, Year: in.Year, Status: workflows.WorkshopPlanning,
		Agenda: workflows.WorkshopAgenda(cust.Name), Participants: participants}
	if err := a.Store.CreateWorkshop(ctx, w); errors.Is(err, store.ErrDuplicate) && w.ID != 0 {
		// Another start (on demand or the Schedule's) holds this year's workshop.
		return workflows.WorkshopPrepared{WorkshopID: w.ID, Duplicate: true, CustomerName: cust.Name, Ours: []string{}}, nil
	} else if err != nil {
		return workflows.WorkshopPrepared{}, classify(err)
	}
	out := workflows.WorkshopPrepared{WorkshopID: w.ID, Agenda: w.Agenda, Ours: []string{}, CustomerName: cust.Name}
	for _, p := range w.Participants {
		if p.Side == "ours" {
			out.Ours = append(out.Ours, p.Email)
		}
	}
	if ka.Responsible() != nil {
		if e, err := a.Store.Employee(ctx, *ka.Responsible()); err == nil {
			out.KAMEmail = e.Email
		}
	}
	if prog, _, err := a.Store.ProgrammeByID(ctx, ka.ProgrammeID); err == nil {
		out.LeadEmail = prog.LeadEmail
	}
	return out, nil
}

// UpdateWorkshop writes dates, status or minutes.
func (a *Activities) UpdateWorkshop(ctx context.Context, in workflows.WorkshopUpdateInput) error {
	f := map[string]any{"status": in.Status}
	if in.StartsAt != nil {
		f["starts_at"], f["ends_at"], f["place"] = in.StartsAt.UTC(), in.EndsAt.UTC(), in.Place
		f["minutes_due"] = workflows.MinutesDue(in.EndsAt.UTC())
		// A confirmed date ends the choice.
		f["date_options"] = ""
	}
	if len(in.DateOptions) > 0 {
		options := make([]time.Time, len(in.DateOptions))
		for i, t := range in.DateOptions {
			options[i] = t.UTC()
		}
		raw, err := json.Marshal(options)
		if err != nil {
			return temporal.NewNonRetryableApplicationError("date options", "invalid", err)
		}
		f["date_options"], f["place"] = string(raw), in.Place
	}
	if in.Minutes != "" {
		f["minutes"], f["minutes_by"], f["minutes_at"] = in.Minutes, in.MinutesBy, time.Now().UTC()
	}
	return classify(a.Store.UpdateWorkshop(ctx, in.WorkshopID, f))
}

// SetWorkshopParticipants writes who takes part, both sides.
func (a *Activities) SetWorkshopParticipants(ctx context.Context, in workflows.WorkshopParticipantsInput) error {
	rows := make([]store.WorkshopParticipant, len(in.Participants))
	for i, p := range in.Participants {
		rows[i] = store.WorkshopParticipant{Side: p.Side, PersonID: p.PersonID, Name: p.Name, Email: p.Email, Level: store.HierarchyLevel(p.Level)}
	}
	return classify(a.Store.SetWorkshopParticipants(ctx, in.WorkshopID, rows))
}

// SaveActions stores actions once per key and returns their IDs.
func (a *Activities) SaveActions(ctx context.Context, in workflows.SaveActionsInput) ([]uint, error) {
	rows := make([]store.Action, len(in.Actions))
	for i, x := range in.Actions {
		rows[i] = store.Action{IdemKey: fmt.Sprintf("%s/a%d", in.KeyPrefix, i), KeyAccountID: in.KeyAccountID, Source: in.Source,
			SourceID: in.SourceID, Title: x.Title, OwnerEmail: x.OwnerEmail, Due: x.Due}
		if x.ObjectiveID != 0 {
			id := x.ObjectiveID
			rows[i].ObjectiveID = &id
		}
	}
	ids, err := a.Store.AddActions(ctx, rows)
	return ids, classify(err)
}

// CompleteAction marks an action done.
func (a *Activities) CompleteAction(ctx context.Context, in workflows.CompleteActionInput) error {
	return classify(a.Store.CompleteAction(ctx, in.ActionID, in.By, in.At))
}

// SetPlanStatus moves a plan's row.
func (a *Activities) SetPlanStatus(ctx context.Context, in workflows.PlanStatusInput) error {
	_, err := a.Store.SetPlanStatus(ctx, in.PlanID, in.From, in.To, in.By, in.Comment, time.Now())
	return classify(err)
}

// ReportPlanApproved tells the programme a key account's plan is approved;
// a programme past that phase (or closed) needs no telling.
func (a *Activities) ReportPlanApproved(ctx context.Context, in workflows.PlanApprovedInput) error {
	// Only the plan workflow runs this activity: its ID tells the programme
	// the approval comes from a submitted plan.
	req := workflows.PlanApprovalRequest{Actor: in.Actor, CustomerID: in.CustomerID, Comment: in.Comment,
		PlanWorkflowID: activity.GetInfo(ctx).WorkflowExecution.ID}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.ProgrammeWorkflowID(in.ProgrammeID), UpdateName: workflows.UpdateApprovePlan,
		Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil && !settled(err) {
		return classify(fmt.Errorf("tell programme %d: %w", in.ProgrammeID, err))
	}
	return nil
}

// EnsureWorkshopSchedule creates a key account's yearly workshop Schedule
// (default: the month it became key) unless it exists.
func (a *Activities) EnsureWorkshopSchedule(ctx context.Context, keyAccountID uint, month time.Month) error {
	_, err := a.Temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:     workflows.WorkshopScheduleID(keyAccountID),
		Spec:   schedules.WorkshopSpec(month),
		Action: schedules.WorkshopAction(keyAccountID, a.TaskQueue),
		Note:   "annual workshop",
	})
	var exists *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) && !errors.As(err, &exists) {
		return classify(fmt.Errorf("workshop schedule of key account %d: %w", keyAccountID, err))
	}
	return nil
}
