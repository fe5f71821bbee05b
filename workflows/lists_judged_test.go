package workflows_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kamflow/kamflow/workflows"
)

// TestListsJudgedAtAreAllTheHindrancesRead: for every phase, what keeps it
// from being handed in, and what the lead is warned of, are the same
// whether the state holds every later list or only those ListsJudgedAt
// names — the programme running or paused at that phase, its key accounts
// decided or one still open, and each later list full, half or empty. A
// rule whose answer starts to depend on another list over these states
// fails here until ListsJudgedAt names it (the programme's page reads no
// more).
func TestListsJudgedAtAreAllTheHindrancesRead(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	share := []string{"none", "half", "all"}
	for _, phase := range allPhases {
		for _, status := range []workflows.ProgrammeStatus{workflows.StatusActive, workflows.StatusPaused} {
			for _, undecided := range []bool{false, true} {
				for _, assigned := range share {
					for _, trained := range share {
						for _, planned := range share {
							full := laterListsState(phase, status, undecided, assigned, trained, planned)
							lists := workflows.ListsJudgedAt(phase)
							trimmed := full
							if !lists.Assignments {
								trimmed.Assignments = nil
							}
							if !lists.Training {
								trimmed.Training = nil
							}
							if !lists.PlanApprovals {
								trimmed.PlansApproved = nil
							}
							what := fmt.Sprintf("%s, %s, undecided %v, %s assigned, %s trained, %s planned", phase, status, undecided, assigned, trained, planned)
							if got, want := trimmed.SubmitHindrances(phase), full.SubmitHindrances(phase); !reflect.DeepEqual(got, want) {
								t.Errorf("%s: hindrances %v with the lists ListsJudgedAt names, %v with all", what, got, want)
							}
							if got, want := trimmed.Warnings(now), full.Warnings(now); !reflect.DeepEqual(got, want) {
								t.Errorf("%s: warnings %v with the lists ListsJudgedAt names, %v with all", what, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// laterListsState is a programme at phase (in progress, the phases before
// it done) of four confirmed key accounts — one more candidate rejected,
// and with undecided one left open — whose assignments, KAMs' training
// and approved plans cover none, half or all of them. A KAM holds two
// accounts; one KAM's training is recorded as neither completed nor
// excepted.
func laterListsState(phase workflows.Phase, status workflows.ProgrammeStatus, undecided bool, assigned, trained, planned string) workflows.ProgrammeState {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	st := workflows.ProgrammeState{Status: status, CurrentPhase: phase, StartDate: start, RolloutChecks: true,
		Criteria: []workflows.Criterion{{Key: "revenue", Name: "Revenue"}, {Key: "fit", Name: "Strategic fit"}}}
	reached := false
	for i, p := range workflows.Phases() {
		ph := workflows.PhaseState{Phase: p, Due: start.AddDate(0, 2*(i+1), 0), Status: workflows.PhaseDone}
		switch {
		case p == phase:
			ph.Status, reached = workflows.PhaseInProgress, true
		case reached:
			ph.Status = workflows.PhasePending
		}
		st.Phases = append(st.Phases, ph)
	}
	count := func(share string, of int) int {
		switch share {
		case "half":
			return of / 2
		case "all":
			return of
		}
		return 0
	}
	for i := range 6 {
		c := workflows.Candidate{CustomerID: uint(10 + i), CustomerName: fmt.Sprintf("Kunde %d", i), Decision: workflows.DecisionConfirmed}
		switch {
		case i == 4:
			c.Decision = workflows.DecisionRejected
		case i == 5 && undecided:
			c.Decision = ""
		case i == 5:
			continue
		}
		st.Candidates = append(st.Candidates, c)
	}
	keyAccounts := st.KeyAccounts()
	for i, id := range keyAccounts[:count(assigned, len(keyAccounts))] {
		// KAM 100 keeps the first two accounts.
		st.Assignments = append(st.Assignments, workflows.Assignment{CustomerID: id, KAMEmployeeID: uint(100 + max(i-1, 0))})
	}
	kams := map[uint]bool{}
	for _, a := range st.Assignments {
		kams[a.KAMEmployeeID] = true
	}
	for i := range count(trained, len(kams)) {
		st.Training = append(st.Training, workflows.KAMTraining{EmployeeID: uint(100 + i), Completed: i%3 == 0, Exception: i%3 == 1})
	}
	st.PlansApproved = keyAccounts[:count(planned, len(keyAccounts))]
	return st
}
