package workflows_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/kamflow/kamflow/workflows"
)

// TestListsJudgedAtAreAllTheHindrancesRead: for every phase, what keeps it
// from being handed in is the same whether the state holds every later
// list or only those ListsJudgedAt names, across states where each list
// is full, half or empty. A rule that starts reading another list fails
// here until ListsJudgedAt names it (the programme's page reads no more).
func TestListsJudgedAtAreAllTheHindrancesRead(t *testing.T) {
	share := []string{"none", "half", "all"}
	for _, assigned := range share {
		for _, trained := range share {
			for _, planned := range share {
				full := laterListsState(assigned, trained, planned)
				for _, phase := range allPhases {
					want := full.SubmitHindrances(phase)
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
					if got := trimmed.SubmitHindrances(phase); !reflect.DeepEqual(got, want) {
						t.Errorf("%s with %s assigned, %s trained, %s planned: %v with the lists ListsJudgedAt names, %v with all",
							phase, assigned, trained, planned, got, want)
					}
				}
			}
		}
	}
}

// laterListsState is a programme of four confirmed key accounts (one more
// candidate rejected) whose assignments, KAMs' training and approved plans
// cover none, half or all of them.
func laterListsState(assigned, trained, planned string) workflows.ProgrammeState {
	st := workflows.ProgrammeState{RolloutChecks: true,
		Criteria: []workflows.Criterion{{Key: "revenue", Name: "Revenue"}, {Key: "fit", Name: "Strategic fit"}}}
	count := func(share string, of int) int {
		switch share {
		case "half":
			return of / 2
		case "all":
			return of
		}
		return 0
	}
	for i := range 5 {
		c := workflows.Candidate{CustomerID: uint(10 + i), CustomerName: fmt.Sprintf("Kunde %d", i), Decision: workflows.DecisionConfirmed}
		if i == 4 {
			c.Decision = workflows.DecisionRejected
		}
		st.Candidates = append(st.Candidates, c)
	}
	keyAccounts := st.KeyAccounts()
	for i, id := range keyAccounts[:count(assigned, len(keyAccounts))] {
		st.Assignments = append(st.Assignments, workflows.Assignment{CustomerID: id, KAMEmployeeID: uint(100 + i)})
	}
	for i := range count(trained, len(st.Assignments)) {
		st.Training = append(st.Training, workflows.KAMTraining{EmployeeID: uint(100 + i), Completed: i%2 == 0, Exception: i%2 == 1})
	}
	st.PlansApproved = keyAccounts[:count(planned, len(keyAccounts))]
	return st
}
