package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// StartHandover records the handover and puts the covering person in charge.
func (a *Activities) StartHandover(ctx context.Context, in workflows.StartHandoverInput) (uint, error) {
	h, err := a.Store.StartHandover(ctx, store.Handover{
		KeyAccountID: in.Input.KeyAccountID, WorkflowID: in.WorkflowID, Reason: in.Input.Reason, ReasonNote: in.Input.ReasonNote,
		OutgoingEmployeeID: in.Input.OutgoingEmployeeID, CoveringEmployeeID: in.Input.CoveringEmployeeID, StartedBy: in.Input.StartedBy,
		OutgoingEmail: strings.ToLower(in.Input.OutgoingEmail), CoveringEmail: strings.ToLower(in.Input.CoveringEmail), LeadEmail: in.Input.LeadEmail,
		OutgoingAvailable: in.Input.OutgoingAvailable, StallAfterSeconds: int64(in.Input.StallAfter / time.Second),
	}, workflows.HandoverItems())
	if err != nil {
		return 0, classify(fmt.Errorf("start handover: %w", err))
	}
	return h.ID, nil
}

// RecordIncoming stores the chosen incoming KAM and when they were chosen.
func (a *Activities) RecordIncoming(ctx context.Context, in workflows.IncomingInput) error {
	return classify(a.Store.SetHandoverIncoming(ctx, in.HandoverID, in.EmployeeID))
}

// TickHandoverItem stores a ticked checklist item.
func (a *Activities) TickHandoverItem(ctx context.Context, in workflows.TickInput) error {
	return classify(a.Store.TickHandoverItem(ctx, in.HandoverID, in.Item, in.By, in.Note, in.Skipped, in.At))
}

// CompleteHandover hands the account to the incoming KAM.
func (a *Activities) CompleteHandover(ctx context.Context, handoverID uint) error {
	return classify(a.Store.CompleteHandover(ctx, handoverID, time.Now()))
}

// RunningWorkshops names the key account's workshop workflows that have not
// closed, so the handover tells them who answers for the account now.
func (a *Activities) RunningWorkshops(ctx context.Context, keyAccountID uint) ([]string, error) {
	ids, err := a.Store.OpenWorkshopWorkflows(ctx, keyAccountID)
	if err != nil {
		return nil, classify(fmt.Errorf("running workshops of key account %d: %w", keyAccountID, err))
	}
	return ids, nil
}

// MoveAccountWork gives the outgoing KAM's open actions and measures of the
// account to their new owner and names the workflows that track them.
func (a *Activities) MoveAccountWork(ctx context.Context, in workflows.MoveWorkInput) ([]workflows.MovedWork, error) {
	moved, err := a.Store.MoveAccountWork(ctx, store.MoveWork{HandoverID: in.HandoverID, KeyAccountID: in.KeyAccountID,
		FromEmail: in.FromEmail, ToEmail: in.ToEmail, By: in.By, At: time.Now()})
	if err != nil {
		return nil, fmt.Errorf("move account work: %w", err)
	}
	out := make([]workflows.MovedWork, 0, len(moved))
	for _, m := range moved {
		wid, err := a.trackingWorkflow(ctx, in.KeyAccountID, m)
		if err != nil {
			return nil, err
		}
		kind := workflows.WorkAction
		if m.Kind == store.WorkMeasure {
			kind = workflows.WorkMeasure
		}
		out = append(out, workflows.MovedWork{Kind: kind, ID: m.ID, OwnerEmail: m.OwnerEmail, WorkflowID: wid})
	}
	return out, nil
}

// trackingWorkflow names the workflow that reminds of an action or measure.
func (a *Activities) trackingWorkflow(ctx context.Context, keyAccountID uint, m store.MovedItem) (string, error) {
	switch m.Source {
	case "plan":
		v, err := a.Store.PlanVersion(ctx, m.SourceID)
		if err != nil {
			return "", err
		}
		return workflows.PlanWorkflowID(keyAccountID, v), nil
	case "workshop":
		w, err := a.Store.WorkshopByID(ctx, m.SourceID)
		if err != nil {
			return "", err
		}
		return w.WorkflowID, nil
	case "review":
		r, err := a.Store.ReviewByID(ctx, m.SourceID)
		if err != nil {
			return "", err
		}
		return r.WorkflowID, nil
	}
	return "", nil
}
