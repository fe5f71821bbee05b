// Package activities holds the I/O the workflows delegate: projections to
// the database and the notification outbox. Every activity is idempotent,
// because Temporal retries them.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

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

// classify makes a permanent store error (not found, invalid, duplicate)
// a non-retryable application error: retrying cannot change it, and a
// retried missing row would keep a workflow waiting for ever. Every
// activity returns its error through classify; other errors (an outage)
// stay retryable.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return err
	}
	for _, permanent := range []struct {
		sentinel error
		errType  string
	}{
		{store.ErrNotFound, ErrTypeNotFound},
		{store.ErrInvalid, ErrTypeInvalid},
		{store.ErrDuplicate, ErrTypeDuplicate},
	} {
		if errors.Is(err, permanent.sentinel) {
			return temporal.NewNonRetryableApplicationError(err.Error(), permanent.errType, err)
		}
	}
	return err
}

// Error types of permanent store errors, as activities report them.
const (
	ErrTypeNotFound  = "NotFound"
	ErrTypeInvalid   = "StoreInvalid"
	ErrTypeDuplicate = "Duplicate"
)

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// RecordProgrammeEvent projects one programme transition to the DB.
func (a *Activities) RecordProgrammeEvent(ctx context.Context, ev workflows.ProgrammeEvent) error {
	if err := a.Store.ApplyProgrammeEvent(ctx, ProgrammeSnapshot(ev)); err != nil {
		return classify(fmt.Errorf("record programme event: %w", err))
	}
	return nil
}

// ProgrammeSnapshot turns a workflow's event into the rows it writes; a
// projection rebuilt from a workflow's history applies the same.
func ProgrammeSnapshot(ev workflows.ProgrammeEvent) store.ProgrammeSnapshot {
	snap := store.ProgrammeSnapshot{
		Programme: store.Programme{
			ID: ev.ProgrammeID, Name: ev.Name, LeadEmail: ev.LeadEmail, Status: string(ev.Status),
			CurrentPhase: string(ev.CurrentPhase), StartDate: ev.StartDate.UTC(),
			PausedAt: utcPtr(ev.PausedAt), CancelReason: ev.CancelReason, FocusLimit: ev.FocusLimit, Threshold: ev.Threshold,
			RolloutChecks: ev.RolloutChecks,
		},
		Committee: ev.CommitteeEmails,
		Event: store.ProgrammeEvent{
			ProgrammeID: ev.ProgrammeID, Seq: ev.Seq, Kind: ev.Kind, Phase: string(ev.Phase),
			Actor: ev.Actor, Comment: ev.Comment, At: ev.At.UTC(),
		},
		CriteriaSet:        len(ev.Criteria) > 0 || ev.Full,
		CandidatesReplaced: ev.CandidatesReplaced,
	}
	if ev.Text != nil {
		snap.Event.CommentKey = ev.Text.Key
		if args, err := json.Marshal(ev.Text.Args); err == nil && len(ev.Text.Args) > 0 {
			snap.Event.CommentArgs = string(args)
		}
	}
	for _, ph := range ev.Phases {
		snap.Phases = append(snap.Phases, store.ProgrammePhase{
			ProgrammeID: ev.ProgrammeID, Phase: string(ph.Phase), Position: workflows.PhasePosition(ph.Phase), Gate: ph.Gate,
			Status: string(ph.Status), Due: ph.Due.UTC(), Responsible: ph.Responsible, StartedAt: utcPtr(ph.StartedAt),
			SubmittedBy: ph.SubmittedBy, SubmittedAt: utcPtr(ph.SubmittedAt), ApprovedBy: ph.ApprovedBy, ApprovedAt: utcPtr(ph.ApprovedAt),
			CompletedAt: utcPtr(ph.CompletedAt), Result: ph.Result, LastRejection: ph.LastRejection,
		})
	}
	if t := ev.TrainingFact; t != nil {
		snap.TrainingFact = &store.TrainingFact{EmployeeID: t.EmployeeID, Exception: t.Exception, Note: t.Note, By: ev.Actor, At: ev.At.UTC()}
	}
	for _, c := range ev.Criteria {
		snap.Criteria = append(snap.Criteria, store.ProgrammeCriterion{CriterionKey: c.Key, Name: c.Name, Measure: c.Measure})
	}
	for i, c := range ev.Candidates {
		snap.Candidates = append(snap.Candidates, store.ProgrammeCandidate{
			CustomerID: c.CustomerID, Position: i, CustomerName: c.CustomerName, Met: strings.Join(c.Met, ","),
			Decision: c.Decision, Reason: c.Reason, DecidedBy: c.DecidedBy,
		})
	}
	for _, as := range ev.Assignments {
		row := store.ProgrammeAssignment{CustomerID: as.CustomerID, KAMEmployeeID: as.KAMEmployeeID, AssignedBy: as.AssignedBy}
		if as.DeputyEmployeeID != 0 {
			d := as.DeputyEmployeeID
			row.DeputyEmployeeID = &d
		}
		snap.Assignments = append(snap.Assignments, row)
	}
	for _, t := range ev.Training {
		snap.Training = append(snap.Training, store.ProgrammeTraining{
			EmployeeID: t.EmployeeID, Completed: t.Completed, Exception: t.Exception, Note: t.Note, RecordedBy: t.By,
		})
	}
	for _, id := range ev.PlansApproved {
		approval := store.ProgrammePlanApproval{CustomerID: id, ApprovedAt: ev.At.UTC()}
		if ev.Kind == workflows.EventPlanApproved {
			approval.ApprovedBy = ev.Actor
		}
		snap.PlanApprovals = append(snap.PlanApprovals, approval)
	}
	for _, c := range ev.Conflicts {
		snap.Conflicts = append(snap.Conflicts, store.ProgrammeConflict{
			ConflictID: c.ID, What: c.What, Parties: c.Between, LoggedBy: c.LoggedBy, LoggedAt: c.LoggedAt.UTC(),
			Resolution: c.Resolution, ResolvedBy: c.ResolvedBy, ResolvedAt: utcPtr(c.ResolvedAt),
		})
	}
	for _, b := range ev.Briefings {
		snap.Briefings = append(snap.Briefings, store.ProgrammeBriefing{
			BriefingID: b.ID, InformedOn: b.InformedOn.UTC(), Channel: b.Channel, Groups: strings.Join(b.Groups, "\n"),
			KeyAccountsNamed: b.KeyAccountsNamed, Note: b.Note, RecordedBy: b.RecordedBy, RecordedAt: b.RecordedAt.UTC(),
		})
	}
	return snap
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Notify queues a notification in the outbox, once per idempotency key.
func (a *Activities) Notify(ctx context.Context, n workflows.Notification) error {
	var pid *uint
	if n.ProgrammeID != 0 {
		pid = &n.ProgrammeID
	}
	nn := store.NewNotification{Key: n.IdempotencyKey, Recipients: n.Recipients,
		Subject: n.Subject, Body: n.Body, Link: n.Link, ProgrammeID: pid}
	if n.Text != nil {
		nn.TextKey, nn.TextArgs = n.Text.Key, n.Text.Args
	}
	if err := a.Store.EnqueueNotification(ctx, nn); err != nil {
		return classify(fmt.Errorf("notify: %w", err))
	}
	return nil
}

// ComputeCandidates reads the programme's scores and returns the customers
// that meet at least threshold of the criteria. It only reads.
func (a *Activities) ComputeCandidates(ctx context.Context, in workflows.ComputeCandidatesInput) ([]workflows.Candidate, error) {
	table, err := a.Store.ScoreTable(ctx, in.ProgrammeID, in.Criteria)
	if err != nil {
		return nil, classify(fmt.Errorf("compute candidates: %w", err))
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
		return classify(fmt.Errorf("confirm key accounts: %w", err))
	}
	if a.Temporal == nil {
		return nil
	}
	kas, err := a.Store.KeyAccounts(ctx, in.ProgrammeID)
	if err != nil {
		return classify(err)
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
		return classify(fmt.Errorf("assign key account: %w", err))
	}
	return nil
}
