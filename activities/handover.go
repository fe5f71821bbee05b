package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// StartHandover records the handover and puts the covering person in charge.
func (a *Activities) StartHandover(ctx context.Context, in workflows.StartHandoverInput) (uint, error) {
	h, err := a.Store.StartHandover(ctx, store.Handover{
		KeyAccountID: in.Input.KeyAccountID, WorkflowID: in.WorkflowID, Reason: in.Input.Reason, ReasonNote: in.Input.ReasonNote,
		OutgoingEmployeeID: in.Input.OutgoingEmployeeID, CoveringEmployeeID: in.Input.CoveringEmployeeID, StartedBy: in.Input.StartedBy,
	}, workflows.HandoverItems())
	if err != nil {
		return 0, fmt.Errorf("start handover: %w", err)
	}
	return h.ID, nil
}

// RecordIncoming stores the chosen incoming KAM.
func (a *Activities) RecordIncoming(ctx context.Context, in workflows.IncomingInput) error {
	return a.Store.SetHandoverIncoming(ctx, in.HandoverID, in.EmployeeID)
}

// TickHandoverItem stores a ticked checklist item.
func (a *Activities) TickHandoverItem(ctx context.Context, in workflows.TickInput) error {
	return a.Store.TickHandoverItem(ctx, in.HandoverID, in.Item, in.By, in.Note, in.Skipped, in.At)
}

// CompleteHandover hands the account to the incoming KAM.
func (a *Activities) CompleteHandover(ctx context.Context, handoverID uint) error {
	return a.Store.CompleteHandover(ctx, handoverID, time.Now())
}
