package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/app"
	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// apiEnv is kamflow dev's wiring with API tokens for the demo roles.
type apiEnv struct {
	dev    *app.Dev
	tokens map[string]string // demo local part -> token
	emp    map[string]uint   // demo local part -> employee ID
}

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	return newAPIEnvWith(t, nil)
}

// newAPIEnvWith is newAPIEnv with settings changed by adjust before start.
func newAPIEnvWith(t *testing.T, adjust func(*config.Config)) *apiEnv {
	t.Helper()
	cfg := devConfig(t, t.TempDir())
	if adjust != nil {
		adjust(cfg)
	}
	d := startDev(t, cfg)
	t.Cleanup(func() { d.Stop(context.Background()) })
	e := &apiEnv{dev: d, tokens: map[string]string{}, emp: map[string]uint{}}
	ctx := context.Background()
	for _, local := range []string{"lead", "committee", "committee2", "hr", "controller", "kam", "kam2", "kam3", "admin"} {
		u, err := d.Store.UserByEmail(ctx, local+"@"+store.DemoDomain)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := d.Store.CreateAPIToken(ctx, u.ID, "e2e")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[local] = tok
		e.emp[local] = *u.EmployeeID
	}
	return e
}

type apiResult struct {
	code int
	body map[string]any
	raw  string
}

func (r apiResult) field(name string) string {
	errObj, _ := r.body["error"].(map[string]any)
	fields, _ := errObj["fields"].(map[string]any)
	v, _ := fields[name].(string)
	return v
}

func (e *apiEnv) call(t *testing.T, who, method, path string, body any) apiResult {
	t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.dev.URL+"/api/v1"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResult{code: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// ok calls and insists on the status.
func (e *apiEnv) ok(t *testing.T, want int, who, method, path string, body any) apiResult {
	t.Helper()
	r := e.call(t, who, method, path, body)
	if r.code != want {
		t.Fatalf("%s %s %s = %d, want %d: %s", who, method, path, r.code, want, r.raw)
	}
	return r
}

// refused checks a call is refused with status (and field, for 422) and
// that the programme's audit trail did not change.
func (e *apiEnv) refused(t *testing.T, id uint, status int, field, who, method, path string, body any) {
	t.Helper()
	before := 0
	if id != 0 {
		before = e.auditLen(t, id)
	}
	r := e.call(t, who, method, path, body)
	if r.code != status {
		t.Fatalf("%s %s %s = %d, want %d: %s", who, method, path, r.code, status, r.raw)
	}
	errObj, _ := r.body["error"].(map[string]any)
	if msg, _ := errObj["message"].(string); msg == "" {
		t.Errorf("%s %s: error without a message: %s", method, path, r.raw)
	}
	if field != "" && r.field(field) == "" {
		t.Errorf("%s %s: want a reason for field %q: %s", method, path, field, r.raw)
	}
	if id != 0 {
		if after := e.auditLen(t, id); after != before {
			t.Errorf("%s %s was refused but the audit trail grew from %d to %d", method, path, before, after)
		}
	}
}

// auditLen counts the programme's audit entries that requests cause.
// Reminders and overdue notices come from the workflow's own timers at
// any moment (a programme started in the past is overdue at once), so a
// refused request is judged without them.
func (e *apiEnv) auditLen(t *testing.T, id uint) int {
	t.Helper()
	r := e.ok(t, 200, "lead", "GET", fmt.Sprintf("/programmes/%d/audit", id), nil)
	items, _ := r.body["items"].([]any)
	n := 0
	for _, it := range items {
		switch it.(map[string]any)["kind"] {
		case workflows.EventReminder, workflows.EventOverdue:
		default:
			n++
		}
	}
	return n
}

func (e *apiEnv) customers(t *testing.T) []store.Customer {
	t.Helper()
	list, _, err := e.dev.Store.ListCustomers(context.Background(), store.Page{Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

var criteriaBody = map[string]any{"threshold": 2, "criteria": []map[string]string{
	{"key": "revenue", "name": "Revenue potential", "measure": "annual revenue with us above 1 M"},
	{"key": "fit", "name": "Strategic fit", "measure": "matches our marketing strategy"},
	{"key": "growth", "name": "Growth potential", "measure": "expected growth above 10 % a year"},
	{"key": "reference", "name": "Reference value", "measure": "named reference in its industry"},
}}

// programmeInDefinitiveSelection drives a programme through the API up to
// the definitive selection of three candidates.
func (e *apiEnv) programmeInDefinitiveSelection(t *testing.T) uint {
	t.Helper()
	r := e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{
		"name": "KAM-Einführung Demo AG", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05",
	})
	id := uint(r.body["id"].(float64))
	p := fmt.Sprintf("/programmes/%d", id)
	e.ok(t, 200, "lead", "POST", p+"/phases/setup/submit", map[string]string{"result": "Team: CEO, CFO, head of sales; goals and milestones agreed"})
	e.ok(t, 200, "lead", "POST", p+"/phases/strategy/submit", map[string]string{"result": "KAM role derived from the marketing strategy"})
	e.ok(t, 200, "committee", "POST", p+"/phases/strategy/reject", map[string]string{"comment": "Analyse how key customers are served today"})
	e.ok(t, 200, "lead", "POST", p+"/phases/strategy/submit", map[string]string{"result": "Strategy plus analysis of today's service and reserves"})
	e.ok(t, 200, "committee", "POST", p+"/phases/strategy/approve", map[string]string{"comment": "good"})
	e.ok(t, 200, "lead", "PUT", p+"/criteria", criteriaBody)

	custs := e.customers(t)
	met := map[int][]string{0: {"revenue", "fit", "growth"}, 1: {"revenue", "fit"}, 2: {"growth", "reference"}, 3: {"revenue"}}
	for i, c := range custs {
		var scores []map[string]any
		for _, k := range []string{"revenue", "fit", "growth", "reference"} {
			m := false
			for _, x := range met[i] {
				m = m || x == k
			}
			scores = append(scores, map[string]any{"criterion": k, "met": m})
		}
		e.ok(t, 200, "lead", "PUT", fmt.Sprintf("%s/scores/%d", p, c.ID), map[string]any{"scores": scores})
	}
	e.ok(t, 200, "lead", "POST", p+"/phases/criteria/submit", map[string]string{"result": "4 criteria, at least 2 met"})
	e.ok(t, 200, "committee", "POST", p+"/phases/criteria/approve", map[string]string{})
	e.ok(t, 200, "lead", "POST", p+"/phases/kam_profile/submit", map[string]string{"result": "KAM profile: relationship builder, strategic thinker"})
	st := e.ok(t, 200, "lead", "POST", p+"/selection/compute", nil)
	if cands, _ := st.body["candidates"].([]any); len(cands) != 3 {
		t.Fatalf("provisional list = %v, want 3 customers meeting 2 of 4 criteria", st.body["candidates"])
	}
	e.ok(t, 200, "lead", "POST", p+"/phases/provisional_selection/submit", map[string]string{"result": "3 candidates"})
	return id
}

// programmeInTraining drives a programme through the API up to its training
// phase, kam3 and kam being the KAMs; it returns the ID and key accounts.
func (e *apiEnv) programmeInTraining(t *testing.T) (uint, []uint) {
	t.Helper()
	id := e.programmeInDefinitiveSelection(t)
	p := fmt.Sprintf("/programmes/%d", id)
	sel := e.ok(t, 200, "lead", "GET", p+"/selection", nil)
	// An ID the path does not know is 404, whatever the body says.
	e.refused(t, id, 404, "", "lead", "POST", p+"/selection/99999/decision", map[string]string{"decision": "confirmed"})
	for i, cand := range sel.body["candidates"].([]any) {
		cid := uint(cand.(map[string]any)["customer_id"].(float64))
		body := map[string]string{"decision": "confirmed", "reason": "checked in detail"}
		if i == 2 {
			body = map[string]string{"decision": "rejected", "reason": "no access to its decision makers yet"}
		}
		e.ok(t, 200, "lead", "POST", fmt.Sprintf("%s/selection/%d/decision", p, cid), body)
	}
	e.ok(t, 200, "lead", "POST", p+"/phases/definitive_selection/submit", map[string]string{"result": "2 key accounts"})
	pr := e.ok(t, 200, "committee", "POST", p+"/phases/definitive_selection/approve", map[string]string{})
	var keyAccounts []uint
	for _, c := range pr.body["candidates"].([]any) {
		if c.(map[string]any)["decision"] == "confirmed" {
			keyAccounts = append(keyAccounts, uint(c.(map[string]any)["customer_id"].(float64)))
		}
	}
	kams := []string{"kam3", "kam"}
	e.refused(t, id, 404, "", "lead", "PUT", p+"/assignments/99999", map[string]any{"kam_employee_id": e.emp["kam"]})
	for i, ka := range keyAccounts {
		e.ok(t, 200, "lead", "PUT", fmt.Sprintf("%s/assignments/%d", p, ka), map[string]any{"kam_employee_id": e.emp[kams[i]], "deputy_employee_id": e.emp["kam2"]})
	}
	e.ok(t, 200, "lead", "POST", p+"/phases/responsibilities/submit", map[string]string{"result": "KAMs and deputies named"})
	e.ok(t, 200, "committee", "POST", p+"/phases/responsibilities/approve", map[string]string{})
	return id, keyAccounts
}

// submitPlan has the KAM who write and submit a one-action plan for her key
// account of the programme.
func (e *apiEnv) submitPlan(t *testing.T, programme uint, who string) {
	t.Helper()
	ka := e.accountOf(t, programme, who)
	base := fmt.Sprintf("/key-accounts/%d", ka.ID)
	e.ok(t, 200, who, "PUT", base+"/plan", map[string]any{"strategy": "Partner for their regulation topics", "goals": []map[string]any{{"title": "Relationship",
		"objectives": []map[string]any{{"title": "Board contact", "actions": []map[string]any{{"title": "Invite their CEO", "owner_email": who + "@" + store.DemoDomain, "due": time.Now().AddDate(0, 2, 0).Format("2006-01-02")}}}}}}})
	e.ok(t, 202, who, "POST", base+"/plan/submit", nil)
}

// runWholeProgramme drives a programme from set-up to closing through the
// API, with the roles each step needs, and returns its ID.
func (e *apiEnv) runWholeProgramme(t *testing.T) uint {
	t.Helper()
	id, keyAccounts := e.programmeInTraining(t)
	p := fmt.Sprintf("/programmes/%d", id)
	e.refused(t, id, 404, "", "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, 99999), map[string]string{"note": "x"})
	e.refused(t, id, 404, "", "committee", "POST", fmt.Sprintf("%s/training/%d/exception", p, e.emp["kam2"]), map[string]string{"note": "deputy, not a KAM"})
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, e.emp["kam"]), map[string]string{"note": "CAS Key Account Management"})
	tr := e.ok(t, 200, "committee", "POST", fmt.Sprintf("%s/training/%d/exception", p, e.emp["kam3"]), map[string]string{"note": "long-standing KAM experience"})
	if tr.body["current_phase"] != "account_plans" {
		t.Fatalf("after training = %v, want account_plans", tr.body["current_phase"])
	}
	// A plan no KAM submitted is not approved.
	e.refused(t, id, 409, "", "lead", "POST", fmt.Sprintf("%s/plans/%d/approve", p, keyAccounts[0]), map[string]string{})
	e.submitPlan(t, id, "kam3")
	e.submitPlan(t, id, "kam")
	e.refused(t, id, 404, "", "lead", "POST", fmt.Sprintf("%s/plans/%d/approve", p, 99999), map[string]string{})
	e.ok(t, 200, "lead", "POST", fmt.Sprintf("%s/plans/%d/approve", p, keyAccounts[0]), map[string]string{})
	e.ok(t, 200, "committee", "POST", fmt.Sprintf("%s/plans/%d/approve", p, keyAccounts[1]), map[string]string{"comment": "ambitious"})
	// The roll-out waits for its record: a conflict resolved, staff informed with the key accounts named.
	e.refused(t, id, 409, "briefings", "lead", "POST", p+"/phases/rollout/submit", map[string]string{"result": "Staff informed"})
	e.ok(t, 200, "lead", "POST", p+"/rollout/conflicts", map[string]string{"what": "Key account orders jump the production queue", "between": "sales and production"})
	e.refused(t, id, 409, "conflicts[0].resolution", "lead", "POST", p+"/phases/rollout/submit", map[string]string{"result": "Staff informed"})
	e.ok(t, 200, "lead", "POST", p+"/rollout/conflicts/1/resolve", map[string]string{"resolution": "A weekly production slot for key accounts"})
	e.ok(t, 200, "lead", "POST", p+"/rollout/briefings", map[string]any{"informed_on": time.Now().UTC().Format("2006-01-02"), "channel": "staff_meeting",
		"groups": []string{"Sales", "Service", "Production"}, "key_accounts_named": true})
	e.ok(t, 200, "lead", "POST", p+"/phases/rollout/submit", map[string]string{"result": "Top-10 list on the intranet"})
	e.ok(t, 200, "lead", "POST", p+"/phases/reviews/submit", map[string]string{"result": "First controller review done"})
	done := e.ok(t, 200, "committee", "POST", p+"/phases/reviews/approve", map[string]string{"comment": "programme closed"})
	if done.body["status"] != "completed" {
		t.Fatalf("final status = %v", done.body["status"])
	}
	return id
}

// TestProgrammeThroughHTTPAPI drives a programme through all phases on the
// embedded real Temporal server via the API, and checks that wrong roles and
// bad input get the documented errors and change nothing.
func TestProgrammeThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()

	// Creation: authentication, roles, field errors.
	// Starting today keeps reminders quiet, so refused calls can be checked
	// against an audit trail nothing else writes to.
	today := time.Now().UTC().Format("2006-01-02")
	good := map[string]any{"name": "KAM", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": today}
	e.refused(t, 0, 401, "", "", "POST", "/programmes", good)
	e.refused(t, 0, 403, "", "kam", "POST", "/programmes", good)
	e.refused(t, 0, 422, "name", "lead", "POST", "/programmes", map[string]any{"committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05"})
	e.refused(t, 0, 422, "start_date", "lead", "POST", "/programmes", map[string]any{"name": "x", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "5.1.2026"})
	e.refused(t, 0, 422, "committee_emails[0]", "lead", "POST", "/programmes", map[string]any{"name": "x", "committee_emails": []string{"kam@" + store.DemoDomain}, "start_date": "2026-01-05"})
	e.refused(t, 0, 422, "body", "lead", "POST", "/programmes", `{"name": "x",`)
	e.refused(t, 0, 422, "colour", "lead", "POST", "/programmes", map[string]any{"name": "x", "colour": "red"})
	e.refused(t, 0, 422, "focus_limit", "lead", "POST", "/programmes", map[string]any{"name": "x", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05", "focus_limit": "ten"})
	if list := e.ok(t, 200, "kam", "GET", "/programmes", nil); list.body["total"].(float64) != 0 {
		t.Fatalf("refused creations left programmes behind: %s", list.raw)
	}

	r := e.ok(t, 201, "lead", "POST", "/programmes", good)
	id := uint(r.body["id"].(float64))
	p := fmt.Sprintf("/programmes/%d", id)
	// The start projects "created" and "phase_started" asynchronously.
	deadline := time.Now().Add(10 * time.Second)
	for e.auditLen(t, id) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	e.ok(t, 200, "kam", "GET", p, nil)
	e.refused(t, 0, 404, "", "lead", "GET", "/programmes/99999", nil)
	e.refused(t, 0, 404, "", "lead", "GET", "/programmes/abc", nil)
	e.refused(t, id, 404, "", "lead", "POST", p+"/phases/marketing/submit", map[string]string{"result": "x"})
	e.refused(t, id, 409, "", "lead", "POST", p+"/phases/criteria/submit", map[string]string{"result": "x"})
	e.refused(t, id, 422, "result", "lead", "POST", p+"/phases/setup/submit", map[string]string{"result": " "})
	e.refused(t, id, 403, "", "kam", "POST", p+"/phases/setup/submit", map[string]string{"result": "x"})
	e.ok(t, 200, "lead", "POST", p+"/phases/setup/submit", map[string]string{"result": "team set up"})
	e.ok(t, 200, "lead", "POST", p+"/phases/strategy/submit", map[string]string{"result": "strategy"})
	// committee2 holds the role but is not on this programme's committee.
	e.refused(t, id, 403, "", "committee2", "POST", p+"/phases/strategy/approve", map[string]string{})
	e.refused(t, id, 403, "", "lead", "POST", p+"/phases/strategy/approve", map[string]string{})
	e.refused(t, id, 422, "comment", "committee", "POST", p+"/phases/strategy/reject", map[string]string{})
	e.ok(t, 200, "committee", "POST", p+"/phases/strategy/approve", map[string]string{})
	e.refused(t, id, 422, "criteria", "lead", "PUT", p+"/criteria", map[string]any{"criteria": []map[string]string{{"key": "revenue", "name": "Revenue", "measure": "M"}}})
	e.refused(t, id, 409, "", "lead", "PUT", fmt.Sprintf("%s/scores/%d", p, e.customers(t)[0].ID), map[string]any{"scores": []any{}})
	e.ok(t, 200, "lead", "PUT", p+"/criteria", criteriaBody)
	cust := e.customers(t)[0].ID
	e.refused(t, id, 422, "scores[0].criterion", "lead", "PUT", fmt.Sprintf("%s/scores/%d", p, cust), map[string]any{"scores": []map[string]any{{"criterion": "size", "met": true}}})
	e.refused(t, id, 422, "scores[0].met", "lead", "PUT", fmt.Sprintf("%s/scores/%d", p, cust), map[string]any{"scores": []map[string]any{{"criterion": "fit"}}})
	e.refused(t, id, 404, "", "lead", "PUT", p+"/scores/99999", map[string]any{"scores": []any{}})
	e.refused(t, id, 403, "", "kam", "PUT", fmt.Sprintf("%s/scores/%d", p, cust), map[string]any{"scores": []any{}})
	e.refused(t, id, 422, "reason", "lead", "POST", p+"/cancel", map[string]string{})
	e.refused(t, id, 409, "", "lead", "POST", p+"/resume", map[string]string{})
	e.ok(t, 200, "lead", "POST", p+"/pause", map[string]string{"reason": "reorganisation"})
	e.refused(t, id, 409, "", "lead", "POST", p+"/phases/criteria/submit", map[string]string{"result": "x"})
	e.ok(t, 200, "lead", "POST", p+"/resume", map[string]string{})
	e.refused(t, id, 422, "set[0].due", "lead", "PUT", p+"/plan", map[string]any{"set": []map[string]string{{"phase": "criteria", "due": "soon"}}, "reason": "x"})
	e.ok(t, 200, "lead", "PUT", p+"/plan", map[string]any{"shift_days": 14, "reason": "training provider booked later"})
	e.ok(t, 200, "committee", "POST", p+"/cancel", map[string]string{"reason": "replaced by the full run below"})
	e.refused(t, id, 409, "", "lead", "POST", p+"/phases/criteria/submit", map[string]string{"result": "x"})

	// The whole programme with every role's step.
	id2 := e.runWholeProgramme(t)
	p2 := fmt.Sprintf("/programmes/%d", id2)
	e.refused(t, id2, 409, "", "lead", "POST", p2+"/phases/reviews/submit", map[string]string{"result": "again"})
	got := e.ok(t, 200, "controller", "GET", p2, nil)
	for _, ph := range got.body["phases"].([]any) {
		if ph.(map[string]any)["status"] != "done" {
			t.Errorf("phase %v = %v", ph.(map[string]any)["phase"], ph.(map[string]any)["status"])
		}
	}
	audit := e.ok(t, 200, "kam", "GET", p2+"/audit", nil)
	items := audit.body["items"].([]any)
	for i, it := range items {
		if int(it.(map[string]any)["seq"].(float64)) != i+1 {
			t.Fatalf("audit seq gap at %d", i)
		}
	}
	// Overdue notices already under way may be recorded after the end;
	// the completion must be there.
	completed := false
	for _, it := range items {
		completed = completed || it.(map[string]any)["kind"] == "completed"
	}
	if !completed || got.body["status"] != "completed" {
		t.Errorf("programme not recorded as completed: %v", got.body["status"])
	}
	kas, err := e.dev.Store.KeyAccounts(ctx, id2)
	if err != nil || len(kas) != 2 || kas[0].KAMEmployeeID == nil || kas[1].DeputyEmployeeID == nil {
		t.Fatalf("key accounts in the DB = %+v, %v", kas, err)
	}
	list := e.ok(t, 200, "hr", "GET", "/programmes?size=1", nil)
	if list.body["total"].(float64) != 2 || len(list.body["items"].([]any)) != 1 {
		t.Errorf("list = %s", list.raw)
	}
	e.refused(t, 0, 422, "size", "hr", "GET", "/programmes?size=0", nil)
}
