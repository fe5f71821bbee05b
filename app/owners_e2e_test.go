package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// TestHandoverMovesOpenWorkAndOwnersChangeThroughHTTPAPI: ticking
// "actions moved" gives the outgoing KAM's open actions and measures of the
// account to the incoming KAM (done ones stay), who may then mark them done;
// one action or measure is given to someone else by the account's people or
// the programme's lead, and nobody else.
func TestHandoverMovesOpenWorkAndOwnersChangeThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programme := e.runWholeProgramme(t)
	ka := e.accountOf(t, programme, "kam3")
	base := fmt.Sprintf("/key-accounts/%d", ka.ID)
	out, in := "kam3@"+store.DemoDomain, "kam@"+store.DemoDomain
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")

	// A second plan version with two more actions of the outgoing KAM; one gets done.
	e.ok(t, 200, "kam3", "PUT", base+"/plan", map[string]any{"strategy": "Deepen", "goals": []map[string]any{{"title": "Growth",
		"objectives": []map[string]any{{"title": "New sites", "actions": []map[string]any{{"title": "Visit plant", "owner_email": out, "due": due}, {"title": "Send offer", "owner_email": out, "due": due}}}}}}})
	e.ok(t, 202, "kam3", "POST", base+"/plan/submit", nil)
	plan := e.ok(t, 200, "lead", "POST", base+"/plan/approve", map[string]any{"comment": "go"})
	tracked := plan.body["tracked"].([]any)
	visit, offer := uint(tracked[0].(map[string]any)["id"].(float64)), uint(tracked[1].(map[string]any)["id"].(float64))
	e.ok(t, 200, "kam3", "POST", fmt.Sprintf("%s/plan/actions/%d/complete", base, offer), nil)

	// A review with two measures for the outgoing KAM on this account; one gets done.
	p := fmt.Sprintf("/programmes/%d", programme)
	e.ok(t, 202, "controller", "POST", p+"/reviews", nil)
	var rid int
	waitFor(t, "review gathered", func() bool {
		for _, it := range e.ok(t, 200, "lead", "GET", p+"/reviews", nil).body["items"].([]any) {
			rid = int(it.(map[string]any)["id"].(float64))
		}
		return rid != 0
	})
	r := fmt.Sprintf("/reviews/%d", rid)
	measure := func(title string) uint {
		var st apiResult
		waitFor(t, "measure accepted", func() bool {
			st = e.call(t, "controller", "POST", r+"/measures", map[string]any{"customer_id": ka.CustomerID, "title": title, "owner_email": out, "due": due})
			return st.code == 200
		})
		ms := st.body["measures"].([]any)
		return uint(ms[len(ms)-1].(map[string]any)["id"].(float64))
	}
	mOpen, mDone := measure("Renegotiate prices"), measure("Price list")
	e.ok(t, 200, "controller", "POST", r+"/sign-off", map[string]any{"overall": "on track"})
	e.ok(t, 200, "kam3", "POST", fmt.Sprintf("%s/measures/%d/complete", r, mDone), nil)

	// The handover: kam3 changes role, the deputy covers, kam comes in.
	e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "role_change"})
	// The handover's row exists a moment before its workflow has taken it
	// up; until then choosing is refused with 409, and may be tried again.
	waitFor(t, "incoming KAM chosen", func() bool {
		r := e.call(t, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": e.emp["kam"]})
		if r.code != 200 && r.code != 409 && r.code != 404 {
			t.Fatalf("choosing the incoming KAM = %d: %s", r.code, r.raw)
		}
		return r.code == 200
	})
	e.ok(t, 200, "kam3", "POST", base+"/handover/items/knowledge_transfer", map[string]any{"note": "notes handed over"})
	if a, _ := e.dev.Store.ActionByID(ctx, visit); a.OwnerEmail != out {
		t.Fatalf("before the tick the action is %s's, want still %s's", a.OwnerEmail, out)
	}
	st := e.ok(t, 200, "lead", "POST", base+"/handover/items/actions_moved", map[string]any{"note": "moved"})
	if st.body["work_moved_to"] != in {
		t.Errorf("handover state after the tick = %v", st.body)
	}
	actions, err := e.dev.Store.ActionsOf(ctx, ka.ID)
	if err != nil {
		t.Fatal(err)
	}
	openMoved := 0
	for _, a := range actions {
		switch {
		case a.DoneAt == nil && a.OwnerEmail == out:
			t.Errorf("open action %d %q still belongs to the outgoing KAM", a.ID, a.Title)
		case a.DoneAt == nil && a.OwnerEmail == in:
			openMoved++
		case a.ID == offer && a.OwnerEmail != out:
			t.Errorf("the done action moved to %s", a.OwnerEmail)
		}
	}
	if openMoved < 2 {
		t.Errorf("%d open actions moved to the incoming KAM, want the plan's (at least 2)", openMoved)
	}
	if m, _ := e.dev.Store.MeasureByID(ctx, mOpen); m.OwnerEmail != in {
		t.Errorf("open measure belongs to %s, want %s", m.OwnerEmail, in)
	}
	if m, _ := e.dev.Store.MeasureByID(ctx, mDone); m.OwnerEmail != out {
		t.Errorf("done measure moved to %s", m.OwnerEmail)
	}
	// The record of who moved what, and the new owner's calendar.
	moved := e.ok(t, 200, "lead", "GET", base+"/handover", nil).body["moved"].([]any)
	if len(moved) < 3 || moved[0].(map[string]any)["by"] != "lead@"+store.DemoDomain || moved[0].(map[string]any)["from"] != out {
		t.Errorf("moved = %v", moved)
	}
	if list, _ := e.dev.Store.OpenMeasuresOwnedBy(ctx, in); len(list) != 1 {
		t.Errorf("the incoming KAM's open measures = %d, want 1", len(list))
	}
	// The plan workflow knows the new owner: she marks the action done, the outgoing KAM may not.
	var ps workflows.PlanState
	waitFor(t, "the plan workflow knows the new owner", func() bool {
		v, err := e.dev.Client.QueryWorkflow(ctx, workflows.PlanWorkflowID(ka.ID, 2), "", workflows.QueryPlanState)
		return err == nil && v.Get(&ps) == nil && ps.Tracked[0].OwnerEmail == in
	})

	// One action given to someone else: 404, 403, 422, 409, then 200.
	owner := func(id uint) string { return fmt.Sprintf("/actions/%d/owner", id) }
	e.refused(t, 0, 404, "", "lead", "PUT", owner(999999), map[string]any{"owner_email": "kam2@" + store.DemoDomain})
	e.refused(t, 0, 403, "", "hr", "PUT", owner(visit), map[string]any{"owner_email": "kam2@" + store.DemoDomain})
	e.refused(t, 0, 403, "", "committee", "PUT", owner(visit), map[string]any{"owner_email": "kam2@" + store.DemoDomain})
	e.refused(t, 0, 422, "owner_email", "kam", "PUT", owner(visit), map[string]any{"owner_email": "nobody@example.com"})
	e.refused(t, 0, 409, "", "lead", "PUT", owner(offer), map[string]any{"owner_email": "kam2@" + store.DemoDomain})
	got := e.ok(t, 200, "lead", "PUT", owner(visit), map[string]any{"owner_email": "KAM2@" + store.DemoDomain})
	if got.body["owner_email"] != "kam2@"+store.DemoDomain {
		t.Errorf("reassigned action = %v", got.body)
	}
	e.ok(t, 200, "lead", "PUT", owner(visit), map[string]any{"owner_email": "kam2@" + store.DemoDomain}) // again: nothing changes
	e.refused(t, 0, 403, "", "kam", "POST", fmt.Sprintf("%s/plan/actions/%d/complete", base, visit), nil)
	e.ok(t, 200, "kam2", "POST", fmt.Sprintf("%s/plan/actions/%d/complete", base, visit), nil)
	// Measures: the incoming KAM keeps the account and gives hers on.
	e.refused(t, 0, 404, "", "lead", "PUT", "/measures/999999/owner", map[string]any{"owner_email": in})
	e.refused(t, 0, 403, "", "hr", "PUT", fmt.Sprintf("/measures/%d/owner", mOpen), map[string]any{"owner_email": in})
	e.refused(t, 0, 422, "owner_email", "kam", "PUT", fmt.Sprintf("/measures/%d/owner", mOpen), map[string]any{"owner_email": "x"})
	e.ok(t, 200, "kam", "PUT", fmt.Sprintf("/measures/%d/owner", mOpen), map[string]any{"owner_email": "kam2@" + store.DemoDomain})
	e.ok(t, 200, "kam2", "POST", fmt.Sprintf("%s/measures/%d/complete", r, mOpen), nil)
}
