package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestProgrammePageShowsEachKAMsTrainingStanding: at the training phase
// the programme's page lists its KAMs with their standing — training
// complete, an exception approved, or the phase waiting for her — from the
// programme's assignments and training record, which the page reads at
// this phase only.
func TestProgrammePageShowsEachKAMsTrainingStanding(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	lead := "lead@" + store.DemoDomain
	p, err := f.store.CreateProgramme(ctx, "Schulungsstand", lead, now)
	if err != nil {
		t.Fatal(err)
	}
	kams, _, err := f.store.SearchEmployees(ctx, "", store.Page{Number: 1, Size: 3})
	if err != nil || len(kams) != 3 {
		t.Fatalf("three employees: %v, %v", kams, err)
	}
	snap := store.ProgrammeSnapshot{
		Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: lead, Status: "active", CurrentPhase: "training", StartDate: now},
		Phases: []store.ProgrammePhase{{ProgrammeID: p.ID, Phase: "training", Position: 8, Status: "in_progress",
			Due: now.Add(30 * 24 * time.Hour), Responsible: lead}},
		Event: store.ProgrammeEvent{ProgrammeID: p.ID, Seq: 1, Kind: "phase_started", Phase: "training", Actor: "kamflow", At: now},
		Training: []store.ProgrammeTraining{
			{EmployeeID: kams[0].ID, Completed: true, RecordedBy: "hr@" + store.DemoDomain},
			{EmployeeID: kams[1].ID, Exception: true, Note: "trained elsewhere", RecordedBy: "hr@" + store.DemoDomain},
		},
		CandidatesReplaced: true,
	}
	for i, k := range kams {
		snap.Candidates = append(snap.Candidates, store.ProgrammeCandidate{CustomerID: uint(900 + i), Position: i, CustomerName: fmt.Sprintf("Kunde %d", i), Decision: "confirmed"})
		snap.Assignments = append(snap.Assignments, store.ProgrammeAssignment{CustomerID: uint(900 + i), KAMEmployeeID: k.ID, AssignedBy: lead})
	}
	if err := f.store.ApplyProgrammeEvent(ctx, snap); err != nil {
		t.Fatal(err)
	}
	f.login(lead, store.DemoPassword)
	code, page := f.get(fmt.Sprintf("/programmes/%d", p.ID))
	if code != http.StatusOK {
		t.Fatalf("programme page = %d:\n%s", code, page)
	}
	for i, want := range []string{"training complete", "exception approved", "the phase waits for this KAM"} {
		row := page[strings.Index(page, fmt.Sprintf(`id="training-%d"`, kams[i].ID)):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, want) || !strings.Contains(row, fmt.Sprintf("Kunde %d", i)) {
			t.Errorf("%s's row should say %q and name Kunde %d: %s", kams[i].Name, want, i, row)
		}
	}
}
