package activities

import (
	"context"
	"strings"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// PrepareJourFixe records the meeting and lists who is asked about what.
func (a *Activities) PrepareJourFixe(ctx context.Context, in workflows.PrepareJourFixeInput) (workflows.JourFixePrepared, error) {
	j := &store.JourFixe{WorkflowID: in.WorkflowID, ProgrammeID: in.ProgrammeID, MeetingAt: in.MeetingAt.UTC()}
	if in.KeyAccountID != 0 {
		id := in.KeyAccountID
		j.KeyAccountID = &id
	}
	people, _, err := a.Store.PrepareJourFixe(ctx, j)
	if err != nil {
		return workflows.JourFixePrepared{}, err
	}
	out := workflows.JourFixePrepared{JourFixeID: j.ID, Participants: []workflows.JourFixeParticipant{}}
	for _, p := range people {
		out.Participants = append(out.Participants, workflows.JourFixeParticipant{EmployeeID: p.EmployeeID, Email: strings.ToLower(p.Email), Accounts: p.Accounts})
	}
	return out, nil
}

// SaveJourFixeInput stores a participant's view of an account.
func (a *Activities) SaveJourFixeInput(ctx context.Context, in workflows.SaveInputInput) error {
	return a.Store.SaveJourFixeInput(ctx, store.JourFixeInput{JourFixeID: in.JourFixeID, KeyAccountID: in.Input.KeyAccountID, EmployeeID: in.EmployeeID,
		Satisfaction: in.Input.Satisfaction, Developments: strings.TrimSpace(in.Input.Developments), Needs: strings.TrimSpace(in.Input.Needs), Risks: strings.TrimSpace(in.Input.Risks)})
}

// PoolJourFixe pools the inputs into one picture per account and returns it.
func (a *Activities) PoolJourFixe(ctx context.Context, jourFixeID uint) (string, error) {
	_, summary, err := a.Store.PoolJourFixe(ctx, jourFixeID)
	return summary, err
}
