package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// GatherReview creates the review with each key account's KPIs; the key
// accounts and approved plans come from the programme's live state.
func (a *Activities) GatherReview(ctx context.Context, in workflows.GatherInput) (workflows.ReviewGathered, error) {
	var st workflows.ProgrammeState
	v, err := a.Temporal.QueryWorkflow(ctx, workflows.ProgrammeWorkflowID(in.ProgrammeID), "", workflows.QueryProgrammeState)
	if err != nil {
		return workflows.ReviewGathered{}, classify(fmt.Errorf("programme %d state: %w", in.ProgrammeID, err))
	}
	if err := v.Get(&st); err != nil {
		return workflows.ReviewGathered{}, classify(fmt.Errorf("programme %d state: %w", in.ProgrammeID, err))
	}
	r, err := a.Store.GatherReview(ctx, store.KPIInput{
		ProgrammeID: in.ProgrammeID, WorkflowID: in.WorkflowID, ControllerEmail: in.ControllerEmail,
		KeyAccounts: st.KeyAccounts(), PlansApproved: st.PlansApproved, Now: time.Now(),
	})
	if err != nil {
		return workflows.ReviewGathered{}, classify(err)
	}
	out := workflows.ReviewGathered{ReviewID: r.ID, LeadEmail: st.LeadEmail, ProgrammeName: st.Name, Accounts: []workflows.ReviewAccountKPI{}}
	for _, acc := range r.Accounts {
		out.Accounts = append(out.Accounts, workflows.ReviewAccountKPI{CustomerID: acc.CustomerID, CustomerName: acc.CustomerName})
	}
	return out, nil
}

// SaveFindings stores the controller's findings on one account.
func (a *Activities) SaveFindings(ctx context.Context, in workflows.SaveFindingsInput) error {
	return classify(a.Store.SetAccountFindings(ctx, in.ReviewID, in.CustomerID, in.Text))
}

// SaveMeasure stores a measure once per key and returns its ID.
func (a *Activities) SaveMeasure(ctx context.Context, in workflows.SaveMeasureInput) (uint, error) {
	m := store.Measure{ReviewID: in.ReviewID, IdemKey: in.Key, Title: in.Measure.Title, OwnerEmail: in.Measure.OwnerEmail, Due: in.Measure.Due}
	if in.Measure.CustomerID != 0 {
		c := in.Measure.CustomerID
		m.CustomerID = &c
	}
	id, err := a.Store.AddMeasure(ctx, m)
	return id, classify(err)
}

// CompleteMeasure marks a measure done.
func (a *Activities) CompleteMeasure(ctx context.Context, in workflows.MeasureDoneInput) error {
	return classify(a.Store.CompleteMeasure(ctx, in.MeasureID, in.By, in.At))
}

// SetReviewStatus records sign-off or closing.
func (a *Activities) SetReviewStatus(ctx context.Context, in workflows.ReviewStatusInput) error {
	return classify(a.Store.SetReviewStatus(ctx, in.ReviewID, in.Status, in.Overall, in.By, in.At))
}
