package workflows

import "time"

// projected is the programme as the database shows it after the last
// recorded event. Replay rebuilds it, so continue-as-new does not carry it:
// the first event of a run carries the whole state again.
type projected struct {
	valid         bool
	phases        []PhaseState
	criteria      []Criterion
	threshold     int
	candidates    []Candidate
	assignments   []Assignment
	training      []KAMTraining
	plansApproved int
	conflicts     []RolloutConflict
	briefings     int
}

// PhasePosition is a phase's place in the plan (0 for set-up), -1 if unknown.
func PhasePosition(p Phase) int { return phaseIndex(p) }

// fillChanges puts into ev what changed since the previous event, so each
// event is small: a phase's result text travels once, when it is submitted.
func (p *programme) fillChanges(ev *ProgrammeEvent) {
	s, prev := &p.state, &p.projected
	ev.FocusLimit, ev.PausedAt, ev.CancelReason, ev.RolloutChecks = s.FocusLimit, s.PausedAt, s.CancelReason, s.RolloutChecks
	if !prev.valid {
		ev.Full = true
		for _, ph := range s.Phases {
			ev.Phases = append(ev.Phases, forProjection(ph))
		}
		ev.Criteria, ev.Threshold = s.Criteria, s.Threshold
		ev.Candidates, ev.CandidatesReplaced = s.Candidates, true
		ev.Assignments, ev.Training, ev.PlansApproved = s.Assignments, s.Training, s.PlansApproved
		ev.Conflicts, ev.Briefings = s.Conflicts, s.Briefings
	} else {
		for i, ph := range s.Phases {
			if i >= len(prev.phases) || !samePhase(ph, prev.phases[i]) {
				ev.Phases = append(ev.Phases, forProjection(ph))
			}
		}
		if s.Threshold != prev.threshold || !sameCriteria(s.Criteria, prev.criteria) {
			ev.Criteria, ev.Threshold = s.Criteria, s.Threshold
		}
		if sameCandidateList(s.Candidates, prev.candidates) {
			for i, c := range s.Candidates {
				if !sameCandidate(c, prev.candidates[i]) {
					ev.Candidates = append(ev.Candidates, c)
				}
			}
		} else {
			ev.Candidates, ev.CandidatesReplaced = s.Candidates, true
		}
		for _, a := range s.Assignments {
			if old := findAssignment(prev.assignments, a.CustomerID); old == nil || *old != a {
				ev.Assignments = append(ev.Assignments, a)
			}
		}
		for _, t := range s.Training {
			if old := findTraining(prev.training, t.EmployeeID); old == nil || *old != t {
				ev.Training = append(ev.Training, t)
			}
		}
		if prev.plansApproved < len(s.PlansApproved) {
			ev.PlansApproved = s.PlansApproved[prev.plansApproved:]
		}
		for i, c := range s.Conflicts {
			if i >= len(prev.conflicts) || !sameConflict(c, prev.conflicts[i]) {
				ev.Conflicts = append(ev.Conflicts, c)
			}
		}
		// A briefing never changes once recorded.
		if prev.briefings < len(s.Briefings) {
			ev.Briefings = s.Briefings[prev.briefings:]
		}
	}
	p.projected = projected{
		valid:         true,
		phases:        append([]PhaseState(nil), s.Phases...),
		criteria:      append([]Criterion(nil), s.Criteria...),
		threshold:     s.Threshold,
		candidates:    append([]Candidate(nil), s.Candidates...),
		assignments:   append([]Assignment(nil), s.Assignments...),
		training:      append([]KAMTraining(nil), s.Training...),
		plansApproved: len(s.PlansApproved),
		conflicts:     append([]RolloutConflict(nil), s.Conflicts...),
		briefings:     len(s.Briefings),
	}
}

func sameConflict(a, b RolloutConflict) bool {
	return a.ID == b.ID && a.What == b.What && a.Between == b.Between && a.LoggedBy == b.LoggedBy && a.LoggedAt.Equal(b.LoggedAt) &&
		a.Resolution == b.Resolution && a.ResolvedBy == b.ResolvedBy && sameTime(a.ResolvedAt, b.ResolvedAt)
}

// forProjection drops what only the workflow needs.
func forProjection(ph PhaseState) PhaseState {
	ph.RemindersSent = nil
	return ph
}

func samePhase(a, b PhaseState) bool {
	return a.Phase == b.Phase && a.Gate == b.Gate && a.Status == b.Status && a.Due.Equal(b.Due) &&
		a.Responsible == b.Responsible && sameTime(a.StartedAt, b.StartedAt) && a.Result == b.Result &&
		a.SubmittedBy == b.SubmittedBy && sameTime(a.SubmittedAt, b.SubmittedAt) && a.ApprovedBy == b.ApprovedBy &&
		sameTime(a.ApprovedAt, b.ApprovedAt) && a.LastRejection == b.LastRejection && sameTime(a.CompletedAt, b.CompletedAt)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func sameCriteria(a, b []Criterion) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sameCandidateList reports whether both lists hold the same customers in
// the same order (decisions may differ).
func sameCandidateList(a, b []Candidate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].CustomerID != b[i].CustomerID {
			return false
		}
	}
	return true
}

func sameCandidate(a, b Candidate) bool {
	if a.CustomerID != b.CustomerID || a.CustomerName != b.CustomerName || a.Decision != b.Decision ||
		a.Reason != b.Reason || a.DecidedBy != b.DecidedBy || len(a.Met) != len(b.Met) {
		return false
	}
	for i := range a.Met {
		if a.Met[i] != b.Met[i] {
			return false
		}
	}
	return true
}

func findAssignment(list []Assignment, customerID uint) *Assignment {
	for i := range list {
		if list[i].CustomerID == customerID {
			return &list[i]
		}
	}
	return nil
}

func findTraining(list []KAMTraining, employeeID uint) *KAMTraining {
	for i := range list {
		if list[i].EmployeeID == employeeID {
			return &list[i]
		}
	}
	return nil
}
