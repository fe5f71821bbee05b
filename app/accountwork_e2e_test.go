package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// accountOf returns the programme's key account whose KAM is who.
func (e *apiEnv) accountOf(t *testing.T, programme uint, who string) store.KeyAccount {
	t.Helper()
	kas, err := e.dev.Store.KeyAccounts(context.Background(), programme)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kas {
		if k.KAMEmployeeID != nil && *k.KAMEmployeeID == e.emp[who] {
			return k
		}
	}
	t.Fatalf("no key account with KAM %s", who)
	return store.KeyAccount{}
}

// TestWorkshopScheduleAndOneWorkshopThroughHTTPAPI: confirming a key account
// creates its yearly workshop Schedule; triggered once, the workshop runs
// from planning and invitation to minutes and closed actions.
func TestWorkshopScheduleAndOneWorkshopThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programme := e.runWholeProgramme(t)
	ka := e.accountOf(t, programme, "kam3")
	base := fmt.Sprintf("/key-accounts/%d", ka.ID)

	sch := e.ok(t, 200, "kam3", "GET", base+"/workshop-schedule", nil)
	if int(sch.body["month"].(float64)) != int(time.Now().UTC().Month()) {
		t.Errorf("default workshop month = %v, want the month the account became key", sch.body["month"])
	}
	e.refused(t, 0, 422, "month", "kam3", "PUT", base+"/workshop-schedule", map[string]any{"month": 13})
	e.refused(t, 0, 403, "", "kam", "PUT", base+"/workshop-schedule", map[string]any{"month": 3})
	if r := e.ok(t, 200, "kam3", "PUT", base+"/workshop-schedule", map[string]any{"month": 3}); int(r.body["month"].(float64)) != 3 {
		t.Errorf("month after change = %v", r.body["month"])
	}
	h := e.dev.Client.ScheduleClient().GetHandle(ctx, workflows.WorkshopScheduleID(ka.ID))
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var wid int
	waitFor(t, "the scheduled workshop is prepared", func() bool {
		items := e.ok(t, 200, "kam3", "GET", base+"/workshops", nil).body["items"].([]any)
		if len(items) == 1 {
			wid = int(items[0].(map[string]any)["id"].(float64))
		}
		return wid != 0
	})
	w := fmt.Sprintf("/workshops/%d", wid)
	got := e.ok(t, 200, "kam3", "GET", w, nil)
	if agenda := got.body["agenda"].(string); !containsAll(agenda, workflows.GuidingQuestions()...) {
		t.Errorf("agenda = %q", agenda)
	}
	if len(got.body["participants"].([]any)) < 2 {
		t.Errorf("participants = %v", got.body["participants"])
	}
	e.refused(t, 0, 403, "", "kam2", "POST", w+"/dates", map[string]any{"starts_at": time.Now().Add(time.Hour).Format(time.RFC3339), "place": "Zürich"})
	var start time.Time
	waitFor(t, "the workshop takes dates", func() bool {
		start = time.Now().Add(3 * time.Second).UTC()
		return e.call(t, "kam3", "POST", w+"/dates", map[string]any{"starts_at": start.Format(time.RFC3339Nano), "place": "Zürich"}).code == 200
	})
	// The invitation reaches our participants' outbox.
	notes, _ := e.dev.Store.Notifications(ctx, "kam3@"+store.DemoDomain, store.Page{})
	invited := false
	for _, n := range notes {
		invited = invited || strings.HasPrefix(n.Subject, "Invitation")
	}
	if !invited {
		t.Error("no invitation in the KAM's outbox")
	}
	// The workshop is in the participants' calendars.
	feed := e.ok(t, 201, "kam3", "POST", "/me/calendar-token", nil).body["path"].(string)
	if _, cal := e.feed(t, feed); eventsByUID(cal)[fmt.Sprintf("workshop-%d@kamflow", wid)] == nil {
		t.Errorf("workshop missing from the KAM's calendar: %s", cal.Serialize())
	}
	// The account's plan (written in runWholeProgramme) has actions of its own.
	before := len(e.ok(t, 200, "lead", "GET", base+"/actions", nil).body["items"].([]any))
	time.Sleep(time.Until(start) + 500*time.Millisecond)
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	e.refused(t, 0, 422, "actions[0].owner_email", "kam3", "POST", w+"/minutes", map[string]any{"minutes": "x", "actions": []map[string]any{{"title": "x", "owner_email": "nobody@example.com", "due": due}}})
	st := e.ok(t, 200, "kam3", "POST", w+"/minutes", map[string]any{"minutes": "They face new regulation; we support with a briefing.", "actions": []map[string]any{
		{"title": "Regulation briefing", "owner_email": "kam2@" + store.DemoDomain, "due": due},
		{"title": "Pilot proposal", "owner_email": "kam3@" + store.DemoDomain, "due": due},
	}})
	actions := st.body["actions"].([]any)
	if len(actions) != 2 {
		t.Fatalf("actions = %v", actions)
	}
	if _, home := signIn(t, e.dev.URL, "kam2").get("/"); !strings.Contains(home, "Regulation briefing") || !strings.Contains(home, "My key accounts") {
		t.Errorf("kam2's home lacks the action:\n%s", home)
	}
	list := e.ok(t, 200, "lead", "GET", base+"/actions", nil).body["items"].([]any)
	if len(list) != before+2 {
		t.Errorf("account actions = %d, want the %d of its plan and the workshop's 2", len(list), before)
	}
	e.refused(t, 0, 404, "", "kam3", "POST", fmt.Sprintf("%s/actions/%d/complete", w, 99999), nil)
	for _, a := range actions {
		id := int(a.(map[string]any)["id"].(float64))
		owner := a.(map[string]any)["owner_email"].(string)
		who := map[string]string{"kam2@" + store.DemoDomain: "kam2", "kam3@" + store.DemoDomain: "kam3"}[owner]
		e.ok(t, 200, who, "POST", fmt.Sprintf("%s/actions/%d/complete", w, id), nil)
	}
	waitFor(t, "the workshop closes", func() bool {
		return e.ok(t, 200, "kam3", "GET", w, nil).body["status"] == workflows.WorkshopClosed
	})
	// One workshop per account and year: the scheduled one holds this year,
	// so starting another on demand is a conflict.
	e.refused(t, 0, 409, "", "kam3", "POST", base+"/workshops", nil)
}

// TestAccountPlanApprovalThroughHTTPAPI: the KAM writes and submits a plan,
// the committee sends it back, the KAM revises, the lead approves; the
// approval reaches the programme's account_plans phase.
func TestAccountPlanApprovalThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	id, keyAccounts := e.programmeInTraining(t)
	p := fmt.Sprintf("/programmes/%d", id)
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, e.emp["kam"]), map[string]string{})
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, e.emp["kam3"]), map[string]string{})
	ka := e.accountOf(t, id, "kam")
	base := fmt.Sprintf("/key-accounts/%d", ka.ID)
	due := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	plan := map[string]any{"strategy": "Become their partner for regulation topics", "goals": []map[string]any{{
		"title": "Deepen the relationship", "objectives": []map[string]any{{
			"title": "Board-level contact twice a year", "actions": []map[string]any{{"title": "Invite the CEO to our CEO", "owner_email": "kam@" + store.DemoDomain, "due": due}},
		}},
	}}}
	e.refused(t, 0, 403, "", "kam3", "PUT", base+"/plan", plan)
	e.refused(t, 0, 422, "goals", "kam", "PUT", base+"/plan", map[string]any{"strategy": "x", "goals": []any{}})
	e.ok(t, 200, "kam", "PUT", base+"/plan", plan)
	e.refused(t, 0, 409, "", "lead", "POST", base+"/plan/approve", map[string]any{})
	e.ok(t, 202, "kam", "POST", base+"/plan/submit", nil)
	e.refused(t, 0, 409, "", "kam", "PUT", base+"/plan", plan)
	e.refused(t, 0, 403, "", "committee2", "POST", base+"/plan/approve", map[string]any{})
	e.refused(t, 0, 422, "comment", "committee", "POST", base+"/plan/reject", map[string]any{})
	e.ok(t, 200, "committee", "POST", base+"/plan/reject", map[string]any{"comment": "add a revenue objective"})
	waitFor(t, "the plan is rejected", func() bool {
		return e.ok(t, 200, "kam", "GET", base+"/plan", nil).body["status"] == "rejected"
	})
	e.ok(t, 200, "kam", "PUT", base+"/plan", plan)
	e.ok(t, 202, "kam", "POST", base+"/plan/submit", nil)
	st := e.ok(t, 200, "lead", "POST", base+"/plan/approve", map[string]any{"comment": "good"})
	tracked := st.body["tracked"].([]any)
	if len(tracked) != 1 {
		t.Fatalf("tracked actions = %v", tracked)
	}
	prog := e.ok(t, 200, "lead", "GET", p, nil)
	approved := prog.body["plans_approved"].([]any)
	if len(approved) != 1 || uint(approved[0].(float64)) != ka.CustomerID {
		t.Errorf("programme plans approved = %v, want customer %d", approved, ka.CustomerID)
	}
	// Approving the other account's plan through the programme completes the phase.
	other := keyAccounts[0]
	if other == ka.CustomerID {
		other = keyAccounts[1]
	}
	e.refused(t, id, 409, "", "committee", "POST", fmt.Sprintf("%s/plans/%d/approve", p, other), map[string]string{})
	if prog := e.ok(t, 200, "lead", "GET", p, nil); len(prog.body["plans_approved"].([]any)) != 1 {
		t.Errorf("a plan no KAM submitted counts: %v", prog.body["plans_approved"])
	}
	e.submitPlan(t, id, "kam3")
	e.refused(t, id, 403, "", "committee2", "POST", fmt.Sprintf("%s/plans/%d/approve", p, other), map[string]string{})
	done := e.ok(t, 200, "committee", "POST", fmt.Sprintf("%s/plans/%d/approve", p, other), map[string]string{})
	if done.body["current_phase"] != "rollout" {
		t.Errorf("after both plans the programme is in %v, want rollout", done.body["current_phase"])
	}
	e.refused(t, id, 409, "", "committee", "POST", fmt.Sprintf("%s/plans/%d/approve", p, other), map[string]string{})
	aid := int(tracked[0].(map[string]any)["id"].(float64))
	e.refused(t, 0, 404, "", "kam", "POST", fmt.Sprintf("%s/plan/actions/%d/complete", base, aid+1000), nil)
	e.ok(t, 200, "kam", "POST", fmt.Sprintf("%s/plan/actions/%d/complete", base, aid), nil)
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestWorkshopFollowsTheHandoverThroughHTTPAPI: a KAM's running workshop
// follows her handover — the cover chooses its participants while she
// covers, and once the handover is done the incoming KAM proposes its date
// (and is invited) while the KAM who handed over is refused.
func TestWorkshopFollowsTheHandoverThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programme := e.runWholeProgramme(t)
	ka := e.accountOf(t, programme, "kam3")
	base := fmt.Sprintf("/key-accounts/%d", ka.ID)
	e.ok(t, 202, "kam3", "POST", base+"/workshops", nil)
	var wid int
	waitFor(t, "the workshop is prepared", func() bool {
		for _, it := range e.ok(t, 200, "kam3", "GET", base+"/workshops", nil).body["items"].([]any) {
			wid = int(it.(map[string]any)["id"].(float64))
		}
		return wid != 0
	})
	w := fmt.Sprintf("/workshops/%d", wid)
	var people []map[string]any
	for _, p := range e.ok(t, 200, "kam3", "GET", w, nil).body["participants"].([]any) {
		pm := p.(map[string]any)
		people = append(people, map[string]any{"side": pm["side"], "id": pm["id"]})
	}

	r := e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "role_change", "covering_employee_id": e.emp["kam2"]})
	hid := r.body["workflow_id"].(string)
	// The cover is told right after the handover is recorded.
	waitFor(t, "the cover chooses the participants", func() bool {
		return e.call(t, "kam2", "PUT", w+"/participants", map[string]any{"participants": people}).code == 200
	})
	e.refused(t, 0, 403, "", "kam3", "PUT", w+"/participants", map[string]any{"participants": people})
	waitFor(t, "the handover started", func() bool { return e.call(t, "lead", "GET", base+"/handover", nil).code == 200 })
	e.ok(t, 200, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": e.emp["kam"]})
	for _, item := range workflows.HandoverItems() {
		e.ok(t, 200, "lead", "POST", base+"/handover/items/"+item, map[string]any{"note": "done"})
	}
	waitClosed(t, e.dev.Client, hid)

	start := time.Now().AddDate(0, 2, 0).UTC().Truncate(time.Minute)
	dates := map[string]any{"starts_at": start.Format(time.RFC3339), "place": "Zürich"}
	e.refused(t, 0, 403, "", "kam3", "POST", w+"/dates", dates)
	e.refused(t, 0, 403, "", "kam2", "POST", w+"/dates", dates)
	got := e.ok(t, 200, "kam", "POST", w+"/dates", dates)
	if got.body["status"] != workflows.WorkshopInvited {
		t.Errorf("workshop after the new KAM's date = %v", got.body["status"])
	}
	notes, err := e.dev.Store.Notifications(ctx, "kam@"+store.DemoDomain, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	invited := false
	for _, n := range notes {
		invited = invited || strings.HasPrefix(n.Subject, "Invitation: workshop")
	}
	if !invited {
		t.Error("the new KAM got no invitation to the workshop")
	}
}
