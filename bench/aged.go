package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// toRollout drives a programme, through its workflow as the UI's requests
// would, from its start to the roll-out with every one of its key
// accounts: each scored, selected, confirmed, given its KAM and deputy,
// its KAM trained and its plan approved. Its page then shows what a
// programme's page shows in its second year: a full record, a long audit
// trail. The accounts keep the KAMs and deputies they were generated with.
func (d *programmeDriver) toRollout(ctx context.Context, id uint, accounts []store.KeyAccount) error {
	if err := d.toCriteria(ctx, id); err != nil {
		return err
	}
	lead, committee, hr := actorOf("lead"), actorOf("committee"), actorOf("hr")
	step := func(name string, arg any) error {
		_, err := d.update(ctx, id, name, arg)
		return err
	}
	submit := func(ph workflows.Phase) error {
		return step(workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: ph, Result: string(ph) + " done"})
	}
	approve := func(ph workflows.Phase) error {
		return step(workflows.UpdateApprove, workflows.DecisionRequest{Actor: committee, Phase: ph})
	}

	// Every account's customer meets three of the four criteria.
	scores := make([]store.CustomerScores, len(accounts))
	for i, a := range accounts {
		scores[i] = store.CustomerScores{CustomerID: a.CustomerID}
		for j, cr := range benchCriteria {
			scores[i].Scores = append(scores[i].Scores, store.ScoreInput{CriterionKey: cr.Key, Met: j != i%len(benchCriteria)})
		}
	}
	if err := d.st.ImportScores(ctx, id, lead.Email, scores); err != nil {
		return fmt.Errorf("scores: %w", err)
	}
	for _, s := range []func() error{
		func() error { return submit(workflows.PhaseCriteria) },
		func() error { return approve(workflows.PhaseCriteria) },
		func() error { return submit(workflows.PhaseKAMProfile) },
		func() error {
			return step(workflows.UpdateComputeSelection, workflows.ComputeSelectionRequest{Actor: lead})
		},
		func() error { return submit(workflows.PhaseProvisionalSelection) },
	} {
		if err := s(); err != nil {
			return err
		}
	}
	for _, a := range accounts {
		if err := step(workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: a.CustomerID,
			Decision: workflows.DecisionConfirmed, Reason: "meets the criteria"}); err != nil {
			return fmt.Errorf("decide %d: %w", a.CustomerID, err)
		}
	}
	if err := submit(workflows.PhaseDefinitiveSelection); err != nil {
		return err
	}
	if err := approve(workflows.PhaseDefinitiveSelection); err != nil {
		return err
	}
	var kams []uint
	trained := map[uint]bool{}
	for _, a := range accounts {
		if a.KAMEmployeeID == nil || a.DeputyEmployeeID == nil {
			return fmt.Errorf("key account %d has no KAM or deputy to assign", a.ID)
		}
		if err := step(workflows.UpdateAssign, workflows.AssignRequest{Actor: lead, CustomerID: a.CustomerID,
			KAMEmployeeID: *a.KAMEmployeeID, DeputyEmployeeID: *a.DeputyEmployeeID}); err != nil {
			return fmt.Errorf("assign %d: %w", a.CustomerID, err)
		}
		if !trained[*a.KAMEmployeeID] {
			trained[*a.KAMEmployeeID] = true
			kams = append(kams, *a.KAMEmployeeID)
		}
	}
	if err := submit(workflows.PhaseResponsibilities); err != nil {
		return err
	}
	if err := approve(workflows.PhaseResponsibilities); err != nil {
		return err
	}
	for _, kam := range kams {
		if err := step(workflows.UpdateTrainingComplete, workflows.TrainingRequest{Actor: hr, EmployeeID: kam, Note: "KAM course"}); err != nil {
			return fmt.Errorf("training of %d: %w", kam, err)
		}
	}
	// Each plan's approval as the plan workflow's activity reports it.
	for _, a := range accounts {
		if err := step(workflows.UpdateApprovePlan, workflows.PlanApprovalRequest{Actor: lead, CustomerID: a.CustomerID,
			PlanWorkflowID: workflows.PlanWorkflowID(a.ID, 1)}); err != nil {
			return fmt.Errorf("plan of %d: %w", a.CustomerID, err)
		}
	}
	return step(workflows.UpdateRecordStaffInformed, workflows.StaffInformedRequest{Actor: lead,
		InformedOn: time.Now().UTC().Truncate(24 * time.Hour), Channel: "staff_meeting", Groups: []string{"Sales", "Service"}, KeyAccountsNamed: true})
}
