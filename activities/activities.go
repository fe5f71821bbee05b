// Package activities holds the I/O the workflows delegate: projections to
// the database and the notification outbox. Every activity is idempotent,
// because Temporal retries them.
package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// Activities are registered with the worker under the workflows' names.
type Activities struct {
	Store *store.Store
	// Temporal lets an activity tell another workflow of a fact (a completed
	// training reaches the programme as an update, with its validator).
	Temporal client.Client
	// TaskQueue is where Schedules created by activities start workflows.
	TaskQueue string
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// RecordProgrammeEvent projects one programme transition to the DB.
func (a *Activities) RecordProgrammeEvent(ctx context.Context, ev workflows.ProgrammeEvent) error {
	snap := store.ProgrammeSnapshot{
		Programme: store.Programme{
			ID: ev.ProgrammeID, Name: ev.Name, LeadEmail: ev.LeadEmail, Status: string(ev.Status),
			CurrentPhase: string(ev.CurrentPhase), StartDate: ev.StartDate.UTC(),
		},
		Committee: ev.CommitteeEmails,
		Event: store.ProgrammeEvent{
			ProgrammeID: ev.ProgrammeID, Seq: ev.Seq, Kind: ev.Kind, Phase: string(ev.Phase),
			Actor: ev.Actor, Comment: ev.Comment, At: ev.At.UTC(),
		},
	}
	for i, ph := range ev.Phases {
		snap.Phases = append(snap.Phases, store.ProgrammePhase{
			ProgrammeID: ev.ProgrammeID, Phase: string(ph.Phase), Position: i, Gate: ph.Gate, Status: string(ph.Status),
			Due: ph.Due.UTC(), Responsible: ph.Responsible, StartedAt: ph.StartedAt, SubmittedBy: ph.SubmittedBy,
			SubmittedAt: ph.SubmittedAt, ApprovedBy: ph.ApprovedBy, ApprovedAt: ph.ApprovedAt, CompletedAt: ph.CompletedAt,
		})
	}
	if err := a.Store.ApplyProgrammeEvent(ctx, snap); err != nil {
		return fmt.Errorf("record programme event: %w", err)
	}
	return nil
}

// Notify queues a notification in the outbox, once per idempotency key.
func (a *Activities) Notify(ctx context.Context, n workflows.Notification) error {
	var pid *uint
	if n.ProgrammeID != 0 {
		pid = &n.ProgrammeID
	}
	if err := a.Store.EnqueueNotification(ctx, n.IdempotencyKey, n.Recipients, n.Subject, n.Body, pid); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// ComputeCandidates reads the programme's scores and returns the customers
// that meet at least threshold of the criteria. It only reads.
func (a *Activities) ComputeCandidates(ctx context.Context, in workflows.ComputeCandidatesInput) ([]workflows.Candidate, error) {
	table, err := a.Store.ScoreTable(ctx, in.ProgrammeID, in.Criteria)
	if err != nil {
		return nil, fmt.Errorf("compute candidates: %w", err)
	}
	out := []workflows.Candidate{}
	for _, c := range table {
		if len(c.Met) >= in.Threshold {
			out = append(out, workflows.Candidate{CustomerID: c.CustomerID, CustomerName: c.CustomerName, Met: c.Met})
		}
	}
	return out, nil
}

// ConfirmKeyAccounts records the definitive selection as key accounts and
// gives each its yearly workshop Schedule (in the month it became key).
func (a *Activities) ConfirmKeyAccounts(ctx context.Context, in workflows.KeyAccountsInput) error {
	if err := a.Store.ConfirmKeyAccounts(ctx, in.ProgrammeID, in.CustomerIDs, in.At); err != nil {
		return fmt.Errorf("confirm key accounts: %w", err)
	}
	if a.Temporal == nil {
		return nil
	}
	kas, err := a.Store.KeyAccounts(ctx, in.ProgrammeID)
	if err != nil {
		return err
	}
	for _, ka := range kas {
		if err := a.EnsureWorkshopSchedule(ctx, ka.ID, ka.ConfirmedAt.Month()); err != nil {
			return err
		}
	}
	return nil
}

// AssignKeyAccount writes a key account's KAM and deputy.
func (a *Activities) AssignKeyAccount(ctx context.Context, in workflows.AssignmentInput) error {
	var deputy *uint
	if in.Assignment.DeputyEmployeeID != 0 {
		d := in.Assignment.DeputyEmployeeID
		deputy = &d
	}
	if err := a.Store.AssignKeyAccount(ctx, in.ProgrammeID, in.Assignment.CustomerID, in.Assignment.KAMEmployeeID, deputy); err != nil {
		return fmt.Errorf("assign key account: %w", err)
	}
	return nil
}
