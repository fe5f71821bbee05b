package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestAccountPlanInTheBrowser: the KAM writes her plan in the editor,
// adding and removing rows without JavaScript; a refusal shows at its
// field with everything typed kept; she submits it. The committee sends
// it back with a comment from its "Plans waiting" list, the KAM revises
// it, and the lead approves it on the key-account page: the programme's
// account_plans phase counts it.
func TestAccountPlanInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	id, _ := e.programmeInTraining(t)
	p := fmt.Sprintf("/programmes/%d", id)
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, e.emp["kam"]), map[string]string{})
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, e.emp["kam3"]), map[string]string{})
	ka := e.accountOf(t, id, "kam")
	page := fmt.Sprintf("/key-accounts/%d", ka.ID)
	kamEmail, kam3Email := "kam@"+store.DemoDomain, "kam3@"+store.DemoDomain
	due := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	past := time.Now().AddDate(0, 0, -3).Format("2006-01-02")

	kam := signIn(t, e.dev.URL, "kam")
	code, body := kam.get(page)
	if code != 200 || !strings.Contains(body, `href="`+page+`/plan"`) {
		t.Fatalf("key-account page = %d without the link to the plan editor", code)
	}
	if code, body = kam.get(page + "/plan"); code != 200 || !strings.Contains(body, `name="goals[0].objectives[0].actions[0].owner_email"`) ||
		!strings.Contains(body, `<option value="`+kam3Email+`"`) {
		t.Fatalf("plan editor = %d without a blank goal whose action owner is picked from people:\n%s", code, body)
	}
	form := url.Values{"csrf": {kam.csrf}, "strategy": {"Become their partner for regulation topics"},
		"goals[0].title": {"Deepen the relationship"}, "goals[0].objectives[0].title": {"Board contact twice a year"},
		"goals[0].objectives[0].actions[0].title": {"Invite their CEO"}, "goals[0].objectives[0].actions[0].owner_email": {kamEmail},
		"goals[0].objectives[0].actions[0].due": {due}}
	send := func(op string) (int, string) {
		t.Helper()
		form.Set("op", op)
		return kam.post(page+"/plan-form", form)
	}
	// Rows are added and removed by the form's buttons, what was typed kept.
	code, body = send("add-goal")
	if code != 200 || !strings.Contains(body, `name="goals[1].title"`) || !strings.Contains(body, `value="Invite their CEO"`) ||
		!strings.Contains(body, `<option value="`+kamEmail+`" selected>`) || !strings.Contains(body, "Become their partner for regulation topics") {
		t.Fatalf("add goal = %d, want a second goal and the typed values kept:\n%s", code, body)
	}
	form.Set("goals[1].title", "Grow the business")
	form.Set("goals[1].objectives[0].title", "Second product line")
	code, body = send("add-action:0.0")
	if code != 200 || !strings.Contains(body, `name="goals[0].objectives[0].actions[1].title"`) || !strings.Contains(body, `value="Second product line"`) {
		t.Fatalf("add action = %d:\n%s", code, body)
	}
	form.Set("goals[0].objectives[0].actions[1].title", "Workshop with their compliance team")
	form.Set("goals[0].objectives[0].actions[1].owner_email", kam3Email)
	form.Set("goals[0].objectives[0].actions[1].due", past)
	code, body = send("remove-goal:1")
	if code != 200 || strings.Contains(body, `name="goals[1].title"`) || strings.Contains(body, "Grow the business") ||
		!strings.Contains(body, `value="Workshop with their compliance team"`) {
		t.Fatalf("remove goal = %d, want the second goal gone and the rest kept:\n%s", code, body)
	}
	for _, k := range []string{"goals[1].title", "goals[1].objectives[0].title"} {
		form.Del(k)
	}
	// A due date in the past is refused at its field, nothing saved, input kept.
	code, body = send("save")
	if code != 422 || !strings.Contains(body, "the due date must be in the future") ||
		!strings.Contains(body, `name="goals[0].objectives[0].actions[1].due" type="date" value="`+past+`"`) ||
		!strings.Contains(body, `value="Workshop with their compliance team"`) || !strings.Contains(body, `<option value="`+kam3Email+`" selected>`) {
		t.Fatalf("past due date = %d, want 422 at the field with the input kept:\n%s", code, body)
	}
	if _, err := e.dev.Store.LatestPlan(ctx, ka.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused plan was saved: %v", err)
	}
	form.Set("goals[0].objectives[0].actions[1].due", due)
	if code, body = send("submit"); code != 303 {
		t.Fatalf("save and submit = %d:\n%s", code, body)
	}
	plan := latestPlan(t, e, ka.ID)
	if plan.Status != "submitted" || plan.Version != 1 || len(plan.Goals) != 1 || len(plan.Goals[0].Objectives) != 1 ||
		!strings.Contains(plan.Goals[0].Objectives[0].PlannedActions, kam3Email) {
		t.Fatalf("submitted plan = %+v", plan)
	}

	// Someone not on the programme's committee may not decide; a KAM sees no list.
	outsider := signIn(t, e.dev.URL, "committee2")
	if code, _ := outsider.post(page+"/plan/decision-form", url.Values{"csrf": {outsider.csrf}, "decision": {"approve"}}); code != 403 {
		t.Errorf("committee2 deciding = %d, want 403", code)
	}
	if _, home := kam.get("/"); strings.Contains(home, `id="plans-waiting"`) {
		t.Error("a KAM's start page lists plans waiting for a decision")
	}
	// The committee sends it back from its start page; a comment is needed.
	committee := signIn(t, e.dev.URL, "committee")
	_, home := committee.get("/")
	if !strings.Contains(home, `id="plans-waiting"`) || !strings.Contains(home, `action="`+page+`/plan/decision-form"`) {
		t.Fatalf("committee's start page does not list the plan waiting:\n%s", home)
	}
	code, body = committee.post(page+"/plan/decision-form", url.Values{"csrf": {committee.csrf}, "back": {"home"}, "decision": {"reject"}, "comment": {"  "}})
	if code != 422 || !strings.Contains(body, "say what the KAM should rework") {
		t.Fatalf("reject without a comment = %d:\n%s", code, body)
	}
	code, _ = committee.post(page+"/plan/decision-form", url.Values{"csrf": {committee.csrf}, "back": {"home"}, "decision": {"reject"}, "comment": {"add a revenue objective"}})
	if code != 303 {
		t.Fatalf("reject = %d", code)
	}
	if plan := latestPlan(t, e, ka.ID); plan.Status != "rejected" || plan.Comment != "add a revenue objective" || plan.DecidedBy != "committee@"+store.DemoDomain {
		t.Fatalf("after reject the plan is %+v", plan)
	}
	if _, home = committee.get("/"); strings.Contains(home, `action="`+page+`/plan/decision-form"`) {
		t.Error("a decided plan still waits on the committee's start page")
	}

	// The KAM sees the decision and revises the plan from the form filled in.
	_, body = kam.get(page)
	if !strings.Contains(body, "add a revenue objective") || !strings.Contains(body, "Revise the plan") {
		t.Fatalf("KAM's key-account page does not show the decision:\n%s", body)
	}
	_, body = kam.get(page + "/plan")
	if !strings.Contains(body, `value="Workshop with their compliance team"`) || !strings.Contains(body, `value="`+due+`"`) {
		t.Fatalf("the editor does not start from the rejected plan:\n%s", body)
	}
	form.Set("csrf", kam.csrf)
	form.Set("goals[0].objectives[1].title", "Revenue up 10 % a year")
	if code, body = send("submit"); code != 303 {
		t.Fatalf("resubmit = %d:\n%s", code, body)
	}
	if plan := latestPlan(t, e, ka.ID); plan.Status != "submitted" || plan.Version != 2 || len(plan.Goals[0].Objectives) != 2 {
		t.Fatalf("revised plan = %+v", plan)
	}

	// The lead approves it on the key-account page.
	lead := signIn(t, e.dev.URL, "lead")
	if _, home = lead.get("/"); !strings.Contains(home, `action="`+page+`/plan/decision-form"`) {
		t.Error("the lead's start page does not list the plan waiting")
	}
	if _, body = lead.get(page); !strings.Contains(body, `id="plan-decision"`) {
		t.Fatalf("lead's key-account page has no decision form:\n%s", body)
	}
	if code, body = lead.post(page+"/plan/decision-form", url.Values{"csrf": {lead.csrf}, "decision": {"approve"}, "comment": {"good"}}); code != 303 {
		t.Fatalf("approve = %d:\n%s", code, body)
	}
	if plan := latestPlan(t, e, ka.ID); plan.Status != "approved" || plan.DecidedBy != "lead@"+store.DemoDomain {
		t.Fatalf("after approve the plan is %+v", plan)
	}
	approved, _ := e.ok(t, 200, "lead", "GET", p, nil).body["plans_approved"].([]any)
	if len(approved) != 1 || uint(approved[0].(float64)) != ka.CustomerID {
		t.Errorf("programme's plans approved = %v, want customer %d", approved, ka.CustomerID)
	}
	if list, err := e.dev.Store.ActionsFrom(ctx, "plan", latestPlan(t, e, ka.ID).ID); err != nil || len(list) != 2 {
		t.Errorf("tracked actions of the approved plan = %d, %v; want 2", len(list), err)
	}
	if _, body = kam.get(page); strings.Contains(body, `id="plan-decision"`) {
		t.Error("the KAM sees the decision form")
	}
}

func latestPlan(t *testing.T, e *apiEnv, keyAccountID uint) *store.AccountPlan {
	t.Helper()
	p, err := e.dev.Store.LatestPlan(context.Background(), keyAccountID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
