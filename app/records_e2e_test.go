package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// devNamespace is the embedded default's Temporal namespace.
const devNamespace = "default"

// forget waits until a workflow has closed, then deletes its execution
// through the Temporal API, as the namespace's retention will, and waits
// until Temporal no longer knows it.
func (e *apiEnv) forget(t *testing.T, workflowID string) {
	t.Helper()
	ctx := context.Background()
	waitFor(t, workflowID+" closes", func() bool {
		d, err := e.dev.Client.DescribeWorkflowExecution(ctx, workflowID, "")
		return err == nil && d.WorkflowExecutionInfo.Status != enums.WORKFLOW_EXECUTION_STATUS_RUNNING
	})
	_, err := e.dev.Client.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
		Namespace: devNamespace, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: workflowID},
	})
	if err != nil {
		t.Fatalf("delete %s: %v", workflowID, err)
	}
	// Temporal deletes in the background; on a loaded machine that takes a while.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		_, err := e.dev.Client.DescribeWorkflowExecution(ctx, workflowID, "")
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is still known to Temporal: %v", workflowID, err)
		}
	}
}

// TestFinishedProcessesReadWholeAfterTemporalForgetsThem completes a
// handover, a workshop, a jour fixe, a review and a training enrolment,
// deletes their workflow executions, and reads each of them whole from
// every GET and page: the database is the record.
func TestFinishedProcessesReadWholeAfterTemporalForgetsThem(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programme := e.runWholeProgramme(t)
	p := fmt.Sprintf("/programmes/%d", programme)
	ka := e.accountOf(t, programme, "kam3")
	base := fmt.Sprintf("/key-accounts/%d", ka.ID)
	domain := "@" + store.DemoDomain

	// Training and jour fixe wait for a date; set both going first.
	start := time.Now().Add(30 * time.Second).UTC()
	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "Negotiating with purchasing", "duration_days": 1, "language": "en"})
	sess := e.ok(t, 201, "hr", "POST", "/sessions", map[string]any{"course_id": course.body["id"], "starts_at": start.Format(time.RFC3339),
		"ends_at": start.Add(8 * time.Hour).Format(time.RFC3339), "place": "Basel", "capacity": 1})
	sid := int(sess.body["id"].(float64))
	attended := int(e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": e.emp["kam2"]}).body["id"].(float64))
	waiting := int(e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": e.emp["kam3"]}).body["id"].(float64))
	if w := e.ok(t, 200, "hr", "GET", fmt.Sprintf("/enrolments/%d", waiting), nil); w.body["status"] != "waitlisted" || w.body["waitlist_position"].(float64) != 1 {
		t.Errorf("waitlisted enrolment = %s", w.raw)
	}

	e.ok(t, 202, "lead", "POST", p+"/jour-fixes", map[string]any{"key_account_id": ka.ID, "meeting_at": start.Format(time.RFC3339Nano)})
	var jf int
	waitFor(t, "the jour fixe asks for input", func() bool {
		items := e.ok(t, 200, "lead", "GET", p+"/jour-fixes", nil).body["items"].([]any)
		if len(items) == 1 {
			jf = int(items[0].(map[string]any)["id"].(float64))
		}
		return jf != 0
	})
	j := fmt.Sprintf("/jour-fixes/%d", jf)
	waitFor(t, "input accepted", func() bool {
		return e.call(t, "kam3", "POST", j+"/inputs", map[string]any{"key_account_id": ka.ID, "satisfaction": 4, "developments": "new CFO"}).code == 200
	})
	e.ok(t, 200, "kam2", "POST", j+"/inputs", map[string]any{"key_account_id": ka.ID, "satisfaction": 5, "risks": "a competitor's pilot"})

	// The workshop: dates, minutes with an agreed action, done.
	if err := e.dev.Client.ScheduleClient().GetHandle(ctx, workflows.WorkshopScheduleID(ka.ID)).Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var wsID int
	waitFor(t, "the workshop is prepared", func() bool {
		items := e.ok(t, 200, "kam3", "GET", base+"/workshops", nil).body["items"].([]any)
		if len(items) == 1 {
			wsID = int(items[0].(map[string]any)["id"].(float64))
		}
		return wsID != 0
	})
	ws := fmt.Sprintf("/workshops/%d", wsID)
	var held time.Time
	waitFor(t, "the workshop takes dates", func() bool {
		held = time.Now().Add(3 * time.Second).UTC()
		return e.call(t, "kam3", "POST", ws+"/dates", map[string]any{"starts_at": held.Format(time.RFC3339Nano), "place": "Zürich"}).code == 200
	})
	time.Sleep(time.Until(held) + 500*time.Millisecond)
	minutes := e.ok(t, 200, "kam3", "POST", ws+"/minutes", map[string]any{"minutes": "They face new regulation; we brief their board.", "actions": []map[string]any{
		{"title": "Regulation briefing", "owner_email": "kam2" + domain, "due": time.Now().AddDate(0, 1, 0).Format("2006-01-02")},
	}})
	actionID := int(minutes.body["actions"].([]any)[0].(map[string]any)["id"].(float64))
	e.ok(t, 200, "kam2", "POST", fmt.Sprintf("%s/actions/%d/complete", ws, actionID), nil)
	waitFor(t, "the workshop closes", func() bool { return e.ok(t, 200, "kam3", "GET", ws, nil).body["status"] == workflows.WorkshopClosed })

	// The review: findings, a measure, sign-off, the measure done.
	e.ok(t, 202, "controller", "POST", p+"/reviews", nil)
	var reviewID int
	waitFor(t, "the review", func() bool {
		items := e.ok(t, 200, "lead", "GET", p+"/reviews", nil).body["items"].([]any)
		if len(items) == 1 {
			reviewID = int(items[0].(map[string]any)["id"].(float64))
		}
		return reviewID != 0
	})
	r := fmt.Sprintf("/reviews/%d", reviewID)
	waitFor(t, "the review accepts findings", func() bool {
		return e.call(t, "controller", "POST", r+"/findings", map[string]any{"customer_id": ka.CustomerID, "text": "Margin below plan"}).code == 200
	})
	mst := e.ok(t, 200, "controller", "POST", r+"/measures", map[string]any{"customer_id": ka.CustomerID, "title": "Renegotiate prices",
		"owner_email": "kam" + domain, "due": time.Now().AddDate(0, 1, 0).Format("2006-01-02")})
	measureID := int(mst.body["measures"].([]any)[0].(map[string]any)["id"].(float64))
	e.ok(t, 200, "controller", "POST", r+"/sign-off", map[string]any{"overall": "On track"})
	e.ok(t, 200, "kam", "POST", fmt.Sprintf("%s/measures/%d/complete", r, measureID), nil)
	waitFor(t, "the review closes", func() bool { return e.ok(t, 200, "lead", "GET", r, nil).body["status"] == "closed" })

	// The handover: kam3 changes role, kam2 covers, kam takes over.
	started := e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "role_change", "reason_note": "heads the new region"})
	handoverWID := started.body["workflow_id"].(string)
	waitFor(t, "the handover is recorded", func() bool { return e.call(t, "kam2", "GET", base+"/handover", nil).code == 200 })
	waitFor(t, "the knowledge transfer is ticked", func() bool {
		return e.call(t, "kam3", "POST", base+"/handover/items/knowledge_transfer", map[string]any{"note": "account memo handed over"}).code == 200
	})
	e.ok(t, 200, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": e.emp["kam"]})
	running := e.ok(t, 200, "kam", "GET", base+"/handover", nil).body["state"].(map[string]any)
	if running["status"] != "open" || running["incoming_email"] != "kam"+domain || uint(running["responsible"].(float64)) != e.emp["kam2"] {
		t.Errorf("running handover = %v", running)
	}
	for _, step := range []struct{ who, item, note string }{{"kam2", "actions_moved", "moved 3 actions"}, {"kam2", "relationships_moved", ""},
		{"kam", "intro_meeting", "met their CEO"}, {"kam", "customer_informed", ""}} {
		e.ok(t, 200, step.who, "POST", base+"/handover/items/"+step.item, map[string]any{"note": step.note})
	}

	// Training: the waitlisted one withdraws, the other attends.
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("/enrolments/%d/cancel", waiting), map[string]any{"reason": "moved to the spring session"})
	time.Sleep(time.Until(start) + 500*time.Millisecond)
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("/enrolments/%d/attendance", attended), map[string]any{"attended": true, "note": "passed the case study"})
	waitFor(t, "the jour fixe is held", func() bool { return e.ok(t, 200, "lead", "GET", j, nil).body["status"] == "held" })

	// Temporal forgets them all.
	wsRec, err := e.dev.Store.WorkshopByID(ctx, uint(wsID))
	if err != nil {
		t.Fatal(err)
	}
	jfRec, err := e.dev.Store.JourFixeByID(ctx, uint(jf))
	if err != nil {
		t.Fatal(err)
	}
	rvRec, err := e.dev.Store.ReviewByID(ctx, uint(reviewID))
	if err != nil {
		t.Fatal(err)
	}
	for _, wid := range []string{handoverWID, wsRec.WorkflowID, jfRec.WorkflowID, rvRec.WorkflowID,
		workflows.TrainingWorkflowID(uint(attended)), workflows.TrainingWorkflowID(uint(waiting))} {
		e.forget(t, wid)
	}

	// The handover with who did what, when.
	e.refused(t, 0, 404, "", "lead", "GET", base+"/handover", nil)
	list := e.ok(t, 200, "lead", "GET", base+"/handovers", nil).body["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("handovers = %v", list)
	}
	h := list[0].(map[string]any)
	if h["status"] != "completed" || h["completed_at"] == nil || h["started_at"] == nil || h["reason"] != "role_change" || h["reason_note"] != "heads the new region" ||
		h["outgoing_email"] != "kam3"+domain || h["covering_email"] != "kam2"+domain || h["incoming_email"] != "kam"+domain ||
		uint(h["responsible"].(float64)) != e.emp["kam"] || h["outgoing_available"] != true || h["workflow_id"] != handoverWID {
		t.Errorf("finished handover = %v", h)
	}
	want := map[string][2]string{"knowledge_transfer": {"kam3" + domain, "account memo handed over"}, "actions_moved": {"kam2" + domain, "moved 3 actions"},
		"relationships_moved": {"kam2" + domain, ""}, "intro_meeting": {"kam" + domain, "met their CEO"}, "customer_informed": {"kam" + domain, ""}}
	items := h["items"].([]any)
	if len(items) != len(want) || items[0].(map[string]any)["item"] != "knowledge_transfer" {
		t.Errorf("checklist = %v", items)
	}
	for _, it := range items {
		it := it.(map[string]any)
		w := want[it["item"].(string)]
		if it["done"] != true || it["skipped"] != false || it["by"] != w[0] || it["note"] != w[1] || it["at"] == nil {
			t.Errorf("checklist item = %v, want by %s note %q", it, w[0], w[1])
		}
	}
	_, page := signIn(t, e.dev.URL, "lead").get(base)
	if !containsAll(page, "Handovers", "Knowledge transfer", "account memo handed over", "kam3"+domain, "met their CEO", "Introduction meeting with the customer", "heads the new region") {
		t.Errorf("the key-account page lacks the finished handover:\n%s", page)
	}
	if !containsAll(page, "They face new regulation; we brief their board.", "Regulation briefing") {
		t.Errorf("the key-account page lacks the workshop:\n%s", page)
	}

	// The workshop with its minutes and actions.
	got := e.ok(t, 200, "kam", "GET", ws, nil).body
	if got["status"] != workflows.WorkshopClosed || got["minutes"] != "They face new regulation; we brief their board." || got["minutes_by"] != "kam3"+domain ||
		got["minutes_due"] == nil || got["minutes_at"] == nil || got["starts_at"] == nil || got["place"] != "Zürich" || len(got["participants"].([]any)) < 2 ||
		!containsAll(got["agenda"].(string), workflows.GuidingQuestions()...) {
		t.Errorf("workshop = %v", got)
	}
	if acts := got["actions"].([]any); len(acts) != 1 || acts[0].(map[string]any)["done"] != true || acts[0].(map[string]any)["done_by"] != "kam2"+domain {
		t.Errorf("workshop actions = %v", acts)
	}
	wantDue := workflows.MinutesDue(held.Add(workflows.WorkshopDuration))
	if due, err := time.Parse(time.RFC3339Nano, got["minutes_due"].(string)); err != nil || due.Sub(wantDue).Abs() > time.Second {
		t.Errorf("minutes due = %v (%v), want five working days after the end: %v", got["minutes_due"], err, wantDue)
	}
	if n := len(e.ok(t, 200, "kam", "GET", base+"/workshops", nil).body["items"].([]any)); n != 1 {
		t.Errorf("workshops of the account = %d", n)
	}

	// The jour fixe: who was asked, who answered, what they said, the picture.
	jr := e.ok(t, 200, "lead", "GET", j, nil).body
	if jr["status"] != "held" || !containsAll(jr["summary"].(string), "4.5", "new CFO", "a competitor's pilot") {
		t.Errorf("jour fixe = %v", jr)
	}
	answered := map[string]bool{}
	for _, pt := range jr["participants"].([]any) {
		pt := pt.(map[string]any)
		if g := pt["given"].([]any); len(g) == 1 && uint(g[0].(float64)) == ka.ID {
			answered[pt["email"].(string)] = true
		}
	}
	if len(jr["participants"].([]any)) < 2 || !answered["kam3"+domain] || !answered["kam2"+domain] {
		t.Errorf("jour fixe participants = %v", jr["participants"])
	}
	pics := jr["pictures"].([]any)
	if len(jr["inputs"].([]any)) != 2 || len(pics) != 1 || pics[0].(map[string]any)["satisfaction"].(float64) != 4.5 {
		t.Errorf("jour fixe inputs = %v, pictures = %v", jr["inputs"], pics)
	}
	// Someone who may not see the account sees who was asked, not what was said.
	if other := e.ok(t, 200, "hr", "GET", j, nil).body; len(other["inputs"].([]any)) != 0 || len(other["pictures"].([]any)) != 0 {
		t.Errorf("HR sees the account's inputs: %v", other)
	}
	if hist := e.ok(t, 200, "kam", "GET", base+"/satisfaction", nil).body["items"].([]any); len(hist) != 1 {
		t.Errorf("satisfaction history = %v", hist)
	}

	// The review with KPIs, findings, measures and sign-off.
	rv := e.ok(t, 200, "lead", "GET", r, nil).body
	if rv["status"] != "closed" || rv["signed_off_by"] != "controller"+domain || rv["overall_findings"] != "On track" {
		t.Errorf("review = %v", rv)
	}
	found := false
	for _, a := range rv["accounts"].([]any) {
		a := a.(map[string]any)
		found = found || uint(a["customer_id"].(float64)) == ka.CustomerID && a["findings"] == "Margin below plan"
	}
	ms := rv["measures"].([]any)
	if !found || len(ms) != 1 || ms[0].(map[string]any)["done"] != true || ms[0].(map[string]any)["done_by"] != "kam"+domain {
		t.Errorf("review accounts = %v, measures = %v", rv["accounts"], ms)
	}
	if _, rpage := signIn(t, e.dev.URL, "controller").get(r); !containsAll(rpage, "Margin below plan", "Renegotiate prices", "On track") {
		t.Errorf("the review page lacks the review:\n%s", rpage)
	}

	// The enrolments: how each ended, by whom, with the note.
	done := e.ok(t, 200, "hr", "GET", fmt.Sprintf("/enrolments/%d", attended), nil).body
	if done["status"] != "completed" || done["status_note"] != "passed the case study" || done["updated_by"] != "hr"+domain || done["status_at"] == nil || done["place"] != "Basel" {
		t.Errorf("attended enrolment = %v", done)
	}
	gone := e.ok(t, 200, "hr", "GET", fmt.Sprintf("/enrolments/%d", waiting), nil).body
	if gone["status"] != "cancelled" || gone["status_note"] != "moved to the spring session" || gone["waitlisted_at"] == nil || gone["waitlist_position"].(float64) != 0 {
		t.Errorf("cancelled enrolment = %v", gone)
	}
	if _, tpage := signIn(t, e.dev.URL, "hr").get("/training"); !containsAll(tpage, "passed the case study", "moved to the spring session", "Negotiating with purchasing") ||
		!strings.Contains(tpage, fmt.Sprintf(`id="recorded-%d"`, attended)) {
		t.Errorf("the training page lacks the recorded attendance:\n%s", tpage)
	}
}
