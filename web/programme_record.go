package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// programmeState reads a programme from the database, where its workflow
// projects every change: pages and GETs never wait on Temporal, and a
// programme stays readable after Temporal has deleted its history.
func (s *Server) programmeState(ctx context.Context, id uint) (workflows.ProgrammeState, error) {
	return stateOf(s.opts.Store.ProgrammeRecordByID(ctx, id))
}

// programmePageState is programmeState for the programme's page: of the
// lists its later phases fill (assignments, training, approved plans) only
// those the page reads at the current phase — those its hindrances read
// (workflows.ListsJudgedAt), and at training the assignments and training
// its table of KAMs shows. A programme in its second year has one of each
// per key account; at any other phase its page reads none of them.
func (s *Server) programmePageState(ctx context.Context, id uint) (workflows.ProgrammeState, error) {
	return stateOf(s.opts.Store.ProgrammePageRecordByID(ctx, id, func(p store.Programme) store.LaterLists {
		phase := workflows.Phase(p.CurrentPhase)
		l := workflows.ListsJudgedAt(phase)
		if phase == workflows.PhaseTraining { // programmeTrainingStanding
			l.Assignments, l.Training = true, true
		}
		return store.LaterLists{Assignments: l.Assignments, Training: l.Training, PlanApprovals: l.PlanApprovals}
	}))
}

// programmeSelectionState is programmeState for the selection page: the
// programme, its phases, committee, criteria and candidates, without the
// later phases' lists.
func (s *Server) programmeSelectionState(ctx context.Context, id uint) (workflows.ProgrammeState, error) {
	return stateOf(s.opts.Store.ProgrammeSelectionRecordByID(ctx, id))
}

// stateOf is a loaded programme record as its state: 404 when there is no
// such programme.
func stateOf(rec *store.ProgrammeRecord, err error) (workflows.ProgrammeState, error) {
	if errors.Is(err, store.ErrNotFound) {
		return workflows.ProgrammeState{}, apiErr(http.StatusNotFound, "not_found", "no such programme")
	}
	if err != nil {
		return workflows.ProgrammeState{}, serverError(err)
	}
	return stateFromRecord(rec), nil
}

// stateFromRecord shapes a programme's record like the workflow's state,
// so the API answers the same whichever side it reads.
func stateFromRecord(r *store.ProgrammeRecord) workflows.ProgrammeState {
	p := r.Programme
	st := workflows.ProgrammeState{
		ProgrammeID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, CommitteeEmails: r.Committee, StartDate: p.StartDate,
		Status: workflows.ProgrammeStatus(p.Status), CurrentPhase: workflows.Phase(p.CurrentPhase), PausedAt: p.PausedAt,
		CancelReason: p.CancelReason, EventSeq: p.LastEventSeq, FocusLimit: p.FocusLimit, Threshold: p.Threshold,
		RolloutChecks: p.RolloutChecks,
	}
	if st.FocusLimit == 0 {
		st.FocusLimit = workflows.DefaultFocusLimit
	}
	for _, ph := range r.Phases {
		st.Phases = append(st.Phases, workflows.PhaseState{
			Phase: workflows.Phase(ph.Phase), Gate: ph.Gate, Status: workflows.PhaseStatus(ph.Status), Due: ph.Due,
			Responsible: ph.Responsible, StartedAt: ph.StartedAt, Result: ph.Result, SubmittedBy: ph.SubmittedBy,
			SubmittedAt: ph.SubmittedAt, ApprovedBy: ph.ApprovedBy, ApprovedAt: ph.ApprovedAt,
			LastRejection: ph.LastRejection, CompletedAt: ph.CompletedAt,
		})
	}
	for _, c := range r.Criteria {
		st.Criteria = append(st.Criteria, workflows.Criterion{Key: c.CriterionKey, Name: c.Name, Measure: c.Measure})
	}
	for _, c := range r.Candidates {
		st.Candidates = append(st.Candidates, workflows.Candidate{
			CustomerID: c.CustomerID, CustomerName: c.CustomerName, Met: c.MetKeys(),
			Decision: c.Decision, Reason: c.Reason, DecidedBy: c.DecidedBy,
		})
	}
	for _, a := range r.Assignments {
		as := workflows.Assignment{CustomerID: a.CustomerID, KAMEmployeeID: a.KAMEmployeeID, AssignedBy: a.AssignedBy}
		if a.DeputyEmployeeID != nil {
			as.DeputyEmployeeID = *a.DeputyEmployeeID
		}
		st.Assignments = append(st.Assignments, as)
	}
	for _, t := range r.Training {
		st.Training = append(st.Training, workflows.KAMTraining{
			EmployeeID: t.EmployeeID, Completed: t.Completed, Exception: t.Exception, Note: t.Note, By: t.RecordedBy,
		})
	}
	for _, a := range r.PlanApprovals {
		st.PlansApproved = append(st.PlansApproved, a.CustomerID)
	}
	for _, c := range r.Conflicts {
		st.Conflicts = append(st.Conflicts, workflows.RolloutConflict{
			ID: c.ConflictID, What: c.What, Between: c.Parties, LoggedBy: c.LoggedBy, LoggedAt: c.LoggedAt,
			Resolution: c.Resolution, ResolvedBy: c.ResolvedBy, ResolvedAt: c.ResolvedAt,
		})
	}
	for _, b := range r.Briefings {
		st.Briefings = append(st.Briefings, workflows.StaffBriefing{
			ID: b.BriefingID, InformedOn: b.InformedOn, Channel: b.Channel, Groups: b.GroupList(),
			KeyAccountsNamed: b.KeyAccountsNamed, Note: b.Note, RecordedBy: b.RecordedBy, RecordedAt: b.RecordedAt,
		})
	}
	return st
}
