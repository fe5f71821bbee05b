package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/kamflow/kamflow/workflows"
)

// toRollout schedules every phase before the roll-out, two days apart, and
// returns when the roll-out has started.
func (h *harness) toRollout() time.Duration {
	d := time.Duration(0)
	for _, p := range allPhases {
		if p == workflows.PhaseRollout {
			return d + 2*day
		}
		d += 2 * day
		h.work(p, d)
	}
	return d
}

// TestRolloutWaitsForResolvedConflictsAndInformedStaff: the lead logs a
// conflict and resolves it and records that staff were informed; the
// roll-out is refused, naming the field, while a conflict is open or no
// briefing named the key accounts, and its result is composed from the record.
func TestRolloutWaitsForResolvedConflictsAndInformedStaff(t *testing.T) {
	h := newHarness(t)
	t0 := h.toRollout()
	at := t0
	next := func() time.Duration { at += time.Hour; return at }
	noNotes := workflows.SubmitRequest{Actor: lead, Phase: workflows.PhaseRollout}
	conflictAbout := workflows.ConflictRequest{Actor: lead, What: "Key account orders jump the production queue", Between: "sales and production"}

	h.rejectAt(next(), workflows.UpdateSubmit, noNotes, workflows.ErrTypeConflict, "briefings")
	byKAM := conflictAbout
	byKAM.Actor = kam
	h.rejectAt(next(), workflows.UpdateLogConflict, byKAM, workflows.ErrTypeForbidden, "")
	h.rejectAt(next(), workflows.UpdateLogConflict, workflows.ConflictRequest{Actor: lead, What: " ", Between: "sales and service"}, workflows.ErrTypeInvalid, "what")
	h.rejectAt(next(), workflows.UpdateLogConflict, workflows.ConflictRequest{Actor: lead, What: "Discounts", Between: ""}, workflows.ErrTypeInvalid, "between")
	h.at(next(), workflows.UpdateLogConflict, conflictAbout)
	h.at(next(), workflows.UpdateLogConflict, workflows.ConflictRequest{Actor: lead, What: "Who visits the customer's CEO", Between: "CEO and head of sales"})

	notNamed := briefing
	notNamed.KeyAccountsNamed = false
	future := briefing
	future.InformedOn = start.AddDate(5, 0, 0)
	byMail := briefing
	byMail.Channel = "pigeon"
	nobody := briefing
	nobody.Groups = []string{" ", ""}
	h.rejectAt(next(), workflows.UpdateRecordStaffInformed, future, workflows.ErrTypeInvalid, "informed_on")
	h.rejectAt(next(), workflows.UpdateRecordStaffInformed, byMail, workflows.ErrTypeInvalid, "channel")
	h.rejectAt(next(), workflows.UpdateRecordStaffInformed, nobody, workflows.ErrTypeInvalid, "groups")
	h.at(next(), workflows.UpdateRecordStaffInformed, notNamed)
	// The second conflict is open: the refusal names its resolution field.
	h.at(next(), workflows.UpdateResolveConflict, workflows.ResolveConflictRequest{Actor: lead, ConflictID: 1, Resolution: "Weekly slot reserved for key accounts"})
	h.rejectAt(next(), workflows.UpdateSubmit, noNotes, workflows.ErrTypeConflict, "conflicts[1].resolution")
	h.rejectAt(next(), workflows.UpdateResolveConflict, workflows.ResolveConflictRequest{Actor: lead, ConflictID: 1, Resolution: "again"}, workflows.ErrTypeConflict, "")
	h.rejectAt(next(), workflows.UpdateResolveConflict, workflows.ResolveConflictRequest{Actor: lead, ConflictID: 9, Resolution: "x"}, workflows.ErrTypeNotFound, "conflict_id")
	h.rejectAt(next(), workflows.UpdateResolveConflict, workflows.ResolveConflictRequest{Actor: lead, ConflictID: 2, Resolution: "  "}, workflows.ErrTypeInvalid, "resolution")
	h.at(next(), workflows.UpdateResolveConflict, workflows.ResolveConflictRequest{Actor: lead, ConflictID: 2, Resolution: "The CEO visits, the KAM prepares"})
	// Staff were informed, but nobody named the key accounts.
	h.rejectAt(next(), workflows.UpdateSubmit, noNotes, workflows.ErrTypeConflict, "briefings")
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QueryProgrammeState)
		if err != nil {
			t.Fatal(err)
		}
		var st workflows.ProgrammeState
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		got := st.SubmitHindrances(workflows.PhaseRollout)
		if len(got) != 1 || got[0].Field != "briefings" || !strings.Contains(got[0].Reason, "key accounts") {
			t.Errorf("hindrances before the key accounts are named = %+v", got)
		}
	}, next())
	h.at(next(), workflows.UpdateRecordStaffInformed, briefing)
	h.at(next(), workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: workflows.PhaseRollout, Result: "Top-10 list on the intranet"})
	h.at(next(), workflows.UpdateCancel, workflows.LifecycleRequest{Actor: lead, Reason: "end of test"})
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, inputFixed)

	st := h.state()
	if !st.RolloutChecks || st.CurrentPhase != workflows.PhaseReviews {
		t.Fatalf("programme in %s (rollout checks %v), want reviews after the roll-out", st.CurrentPhase, st.RolloutChecks)
	}
	if len(st.Conflicts) != 2 || st.Conflicts[1].Open() || st.Conflicts[1].ResolvedBy != lead.Email || len(st.Briefings) != 2 {
		t.Fatalf("record = %+v / %+v", st.Conflicts, st.Briefings)
	}
	result := st.Phase(workflows.PhaseRollout).Result
	for _, want := range []string{"Staff informed (2)", "staff meeting: Sales, Service, Production; key accounts named",
		"Who visits the customer's CEO (between CEO and head of sales): The CEO visits, the KAM prepares", "Top-10 list on the intranet"} {
		if !strings.Contains(result, want) {
			t.Errorf("rollout result lacks %q:\n%s", want, result)
		}
	}
	kinds := strings.Join(eventKinds(t, h.events), ",")
	for _, k := range []string{workflows.EventConflictLogged, workflows.EventConflictResolved, workflows.EventStaffInformed} {
		if !strings.Contains(kinds, k) {
			t.Errorf("events %s lack %s", kinds, k)
		}
	}
	// kamflow's own comments come with their key and parameters, so pages
	// write them in their reader's language.
	texts := map[string]*workflows.CommentText{}
	for _, ev := range h.events {
		texts[ev.Kind] = ev.Text
	}
	if tx := texts[workflows.EventConflictLogged]; tx == nil || tx.Key != workflows.TextConflictLogged || len(tx.Args) != 2 || tx.Args[1] != "CEO and head of sales" {
		t.Errorf("conflict logged text = %+v", tx)
	}
	if tx := texts[workflows.EventStaffInformed]; tx == nil || tx.Key != workflows.TextStaffInformed || len(tx.Args) != 3 || tx.Args[1] != "staff_meeting" {
		t.Errorf("staff informed text = %+v", tx)
	}
	if tx := texts[workflows.EventConflictResolved]; tx != nil {
		t.Errorf("conflict resolved (a person's words only) has a text: %+v", tx)
	}
	assertEventsRebuildState(t, h.events, st)
}

// TestRolloutOfAnEarlierProgrammeIsHandedInAsText: a programme started
// before the roll-out's record (the golden histories up to v5) hands the
// roll-out in as text and records no conflicts.
func TestRolloutOfAnEarlierProgrammeIsHandedInAsText(t *testing.T) {
	h := newHarness(t)
	h.env.OnGetVersion("rollout-record", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	t0 := h.toRollout()
	h.rejectAt(t0+time.Hour, workflows.UpdateLogConflict, workflows.ConflictRequest{Actor: lead, What: "x", Between: "y"}, workflows.ErrTypeConflict, "")
	h.rejectAt(t0+2*time.Hour, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: workflows.PhaseRollout}, workflows.ErrTypeInvalid, "result")
	h.at(t0+3*time.Hour, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: workflows.PhaseRollout, Result: "Staff informed at the general assembly"})
	h.at(t0+4*time.Hour, workflows.UpdateCancel, workflows.LifecycleRequest{Actor: lead, Reason: "end of test"})
	h.env.ExecuteWorkflow(workflows.ProgrammeWorkflowName, inputFixed)
	st := h.state()
	if st.RolloutChecks || st.CurrentPhase != workflows.PhaseReviews || st.Phase(workflows.PhaseRollout).Result != "Staff informed at the general assembly" {
		t.Fatalf("programme in %s (rollout checks %v), result %q", st.CurrentPhase, st.RolloutChecks, st.Phase(workflows.PhaseRollout).Result)
	}
}
