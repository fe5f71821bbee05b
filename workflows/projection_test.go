package workflows_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"

	"github.com/kamflow/kamflow/workflows"
)

// foldEvents rebuilds what the database shows from the projected events
// alone, in sequence order, the way the store applies them.
func foldEvents(events []workflows.ProgrammeEvent) workflows.ProgrammeState {
	sorted := append([]workflows.ProgrammeEvent(nil), events...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Seq < sorted[j].Seq })
	var st workflows.ProgrammeState
	for _, ev := range sorted {
		st.ProgrammeID, st.Name, st.LeadEmail, st.StartDate = ev.ProgrammeID, ev.Name, ev.LeadEmail, ev.StartDate
		st.Status, st.CurrentPhase, st.CommitteeEmails = ev.Status, ev.CurrentPhase, ev.CommitteeEmails
		st.PausedAt, st.CancelReason, st.FocusLimit, st.EventSeq = ev.PausedAt, ev.CancelReason, ev.FocusLimit, ev.Seq
		st.RolloutChecks = ev.RolloutChecks
		for _, ph := range ev.Phases {
			if cur := st.Phase(ph.Phase); cur != nil {
				*cur = ph
			} else {
				st.Phases = append(st.Phases, ph)
			}
		}
		sort.SliceStable(st.Phases, func(i, j int) bool {
			return workflows.PhasePosition(st.Phases[i].Phase) < workflows.PhasePosition(st.Phases[j].Phase)
		})
		if len(ev.Criteria) > 0 || ev.Full {
			st.Criteria, st.Threshold = ev.Criteria, ev.Threshold
		}
		if ev.CandidatesReplaced {
			st.Candidates = append([]workflows.Candidate(nil), ev.Candidates...)
		} else {
			for _, c := range ev.Candidates {
				for i := range st.Candidates {
					if st.Candidates[i].CustomerID == c.CustomerID {
						st.Candidates[i] = c
					}
				}
			}
		}
		for _, a := range ev.Assignments {
			if cur := st.Assignment(a.CustomerID); cur != nil {
				*cur = a
			} else {
				st.Assignments = append(st.Assignments, a)
			}
		}
		for _, t := range ev.Training {
			found := false
			for i := range st.Training {
				if st.Training[i].EmployeeID == t.EmployeeID {
					st.Training[i], found = t, true
				}
			}
			if !found {
				st.Training = append(st.Training, t)
			}
		}
		st.PlansApproved = append(st.PlansApproved, ev.PlansApproved...)
		for _, c := range ev.Conflicts {
			if cur := st.Conflict(c.ID); cur != nil {
				*cur = c
			} else {
				st.Conflicts = append(st.Conflicts, c)
			}
		}
		st.Briefings = append(st.Briefings, ev.Briefings...)
	}
	return st
}

// assertEventsRebuildState checks the events carry everything a page
// shows of the final state, and each change only once.
func assertEventsRebuildState(t *testing.T, events []workflows.ProgrammeEvent, final workflows.ProgrammeState) {
	t.Helper()
	got := foldEvents(events)
	want := final
	want.Reminders = workflows.ReminderPolicy{}
	for i := range want.Phases {
		want.Phases[i].RemindersSent = nil
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("state rebuilt from events differs from the workflow's:\n%s\nwant\n%s", g, w)
	}
	// After the first event, an event carries only the phases it changed
	// (resume and re-plan move every open due date): a result's text
	// travels with its submission, not with every event.
	for _, ev := range events[1:] {
		if ev.Full {
			t.Errorf("event %d (%s) carries the whole state", ev.Seq, ev.Kind)
		}
		movesDueDates := ev.Kind == workflows.EventResumed || ev.Kind == workflows.EventReplanned
		if len(ev.Phases) > 2 && !movesDueDates {
			t.Errorf("event %d (%s) carries %d phases, want at most the two it changed", ev.Seq, ev.Kind, len(ev.Phases))
		}
	}
}

// TestPlanAndFocusLimitRules: the rules the web checks a new programme
// with are the workflow's, naming the offending entry.
func TestPlanAndFocusLimitRules(t *testing.T) {
	plan := workflows.DefaultPlan(start)
	if err := workflows.ValidatePlan(plan); err != nil {
		t.Fatalf("default plan refused: %v", err)
	}
	for _, tc := range []struct {
		name  string
		plan  []workflows.PhaseDue
		field string
	}{
		{"too short", plan[:3], "plan"},
		{"wrong order", append([]workflows.PhaseDue{plan[1], plan[0]}, plan[2:]...), "plan[0].phase"},
		{"backwards", func() []workflows.PhaseDue {
			p := append([]workflows.PhaseDue(nil), plan...)
			p[4].Due = p[3].Due.Add(-day)
			return p
		}(), "plan[4].due"},
	} {
		typ, _, field, ok := workflows.RejectionOf(workflows.ValidatePlan(tc.plan))
		if !ok || typ != workflows.ErrTypeInvalid || field != tc.field {
			t.Errorf("%s: rejection %s on %q, want Invalid on %q", tc.name, typ, field, tc.field)
		}
	}
	for n, ok := range map[int]bool{0: true, 1: true, workflows.MaxFocusLimit: true, -1: false, workflows.MaxFocusLimit + 1: false} {
		if err := workflows.ValidateFocusLimit(n); (err == nil) != ok {
			t.Errorf("focus limit %d: %v", n, err)
		}
	}
}
