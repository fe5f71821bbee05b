package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// TestReviewCadenceScheduleAndReviewThroughHTTPAPI sets a cadence, finds
// the Schedule with the right spec, triggers it once and sees a review
// workflow run, pauses and deletes it; then runs an on-demand review from
// KPIs to closed measures and exports its report.
func TestReviewCadenceScheduleAndReviewThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	id := e.runWholeProgramme(t)
	p := fmt.Sprintf("/programmes/%d", id)
	ka, err := e.dev.Store.KeyAccounts(ctx, id)
	if err != nil || len(ka) == 0 {
		t.Fatal(err)
	}
	e.refused(t, 0, 422, "period", "controller", "PUT", fmt.Sprintf("/customers/%d/financials/Q1-2026", ka[0].CustomerID), map[string]any{"revenue": 1, "margin_percent": 1})
	e.ok(t, 200, "controller", "PUT", fmt.Sprintf("/customers/%d/financials/2026-Q1", ka[0].CustomerID), map[string]any{"revenue": 1250000, "margin_percent": 17.5})

	cadence := map[string]any{"cadence": "quarterly", "start_date": "2026-01-15"}
	e.refused(t, 0, 403, "", "kam", "PUT", p+"/review-cadence", cadence)
	e.refused(t, 0, 422, "cadence", "controller", "PUT", p+"/review-cadence", map[string]any{"cadence": "monthly", "start_date": "2026-01-15"})
	e.refused(t, 0, 404, "", "controller", "PUT", "/programmes/999/review-cadence", cadence)
	e.ok(t, 200, "controller", "PUT", p+"/review-cadence", cadence)

	h := e.dev.Client.ScheduleClient().GetHandle(ctx, workflows.ReviewScheduleID(id))
	d, err := h.Describe(ctx)
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	cal := d.Schedule.Spec.Calendars
	if len(cal) != 1 || fmt.Sprint(cal[0].Month) != "[{1 1 1} {4 4 1} {7 7 1} {10 10 1}]" || cal[0].DayOfMonth[0].Start != 15 || cal[0].Hour[0].Start != 6 || d.Schedule.State.Paused {
		t.Fatalf("schedule spec = %+v paused=%v", cal, d.Schedule.State.Paused)
	}
	action := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	if action.Workflow != workflows.ReviewWorkflowName || action.ID != workflows.ReviewWorkflowIDPrefix(id) {
		t.Errorf("schedule action = %+v", action)
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var scheduledReview map[string]any
	waitFor(t, "the scheduled review gathers its KPIs", func() bool {
		items := e.ok(t, 200, "lead", "GET", p+"/reviews", nil).body["items"].([]any)
		if len(items) == 1 {
			scheduledReview = items[0].(map[string]any)
			return true
		}
		return false
	})
	if wid := scheduledReview["workflow_id"].(string); !strings.HasPrefix(wid, workflows.ReviewWorkflowIDPrefix(id)+"-") {
		t.Errorf("scheduled review workflow ID = %s", wid)
	}
	// The controller is told by the programme's name, not its number.
	prog, _, err := e.dev.Store.ProgrammeByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the controller is told the review is ready", func() bool {
		list, err := e.dev.Store.Notifications(ctx, "controller@"+store.DemoDomain, store.Page{Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range list {
			if key, args, ok := n.Text(); ok && key == workflows.NoticeReviewReady {
				if n.Subject != "Review ready: "+prog.Name || len(args) == 0 || args[0] != prog.Name {
					t.Errorf("review-ready message %q with %v, want it to name %q", n.Subject, args, prog.Name)
				}
				return true
			}
		}
		return false
	})

	cadence["paused"] = true
	cadence["cadence"] = "half_yearly"
	got := e.ok(t, 200, "controller", "PUT", p+"/review-cadence", cadence)
	if got.body["paused"] != true || got.body["cadence"] != "half_yearly" {
		t.Errorf("cadence = %s", got.raw)
	}
	waitFor(t, "the schedule is paused with the half-yearly spec", func() bool {
		d, err = h.Describe(ctx)
		return err == nil && d.Schedule.State.Paused && len(d.Schedule.Spec.Calendars[0].Month) == 2
	})
	e.ok(t, 204, "controller", "DELETE", p+"/review-cadence", nil)
	if _, err := h.Describe(ctx); err == nil {
		t.Fatal("schedule still exists after DELETE")
	}
	e.refused(t, 0, 404, "", "controller", "DELETE", p+"/review-cadence", nil)

	// An on-demand review, once a day.
	e.ok(t, 202, "controller", "POST", p+"/reviews", nil)
	e.refused(t, 0, 409, "", "controller", "POST", p+"/reviews", nil)
	var reviewID int
	waitFor(t, "the on-demand review", func() bool {
		items := e.ok(t, 200, "lead", "GET", p+"/reviews", nil).body["items"].([]any)
		for _, it := range items {
			if strings.HasSuffix(it.(map[string]any)["workflow_id"].(string), time.Now().UTC().Format("2006-01-02")) {
				reviewID = int(it.(map[string]any)["id"].(float64))
			}
		}
		return reviewID != 0
	})
	r := fmt.Sprintf("/reviews/%d", reviewID)
	// Reviews are the controllers', the programme's lead's and committee's
	// (and their measures' owners'): a KAM who owns none reads none.
	e.refused(t, 0, 403, "", "kam", "GET", r, nil)
	e.refused(t, 0, 403, "", "hr", "GET", r+"/report.csv", nil)
	rep := e.ok(t, 200, "lead", "GET", r, nil)
	accounts := rep.body["accounts"].([]any)
	if len(accounts) != len(ka) {
		t.Fatalf("review accounts = %d, want %d key accounts", len(accounts), len(ka))
	}
	for _, a := range accounts {
		a := a.(map[string]any)
		if uint(a["customer_id"].(float64)) == ka[0].CustomerID && (a["period"] != "2026-Q1" || a["revenue"].(float64) != 1250000) {
			t.Errorf("KPIs of the account with financials = %v", a)
		}
	}
	cust := ka[0].CustomerID
	e.refused(t, 0, 403, "", "kam", "POST", r+"/findings", map[string]any{"customer_id": cust, "text": "x"})
	// The workflow takes findings once it has the gathered KPIs in hand.
	waitFor(t, "the review accepts findings", func() bool {
		return e.call(t, "controller", "POST", r+"/findings", map[string]any{"customer_id": cust, "text": "=SUM(A1) margin below plan"}).code == 200
	})
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	e.refused(t, 0, 422, "owner_email", "controller", "POST", r+"/measures", map[string]any{"customer_id": cust, "title": "Renegotiate", "owner_email": "nobody@example.com", "due": due})
	e.refused(t, 0, 422, "due", "controller", "POST", r+"/measures", map[string]any{"customer_id": cust, "title": "Renegotiate", "owner_email": "kam@demo.kamflow.test", "due": "2020-01-01"})
	st := e.ok(t, 200, "controller", "POST", r+"/measures", map[string]any{"customer_id": cust, "title": "Renegotiate prices", "owner_email": "kam@demo.kamflow.test", "due": due})
	mid := int(st.body["measures"].([]any)[0].(map[string]any)["id"].(float64))
	e.refused(t, 0, 422, "overall", "controller", "POST", r+"/sign-off", map[string]any{})
	e.ok(t, 200, "controller", "POST", r+"/sign-off", map[string]any{"overall": "On track; one account under margin"})
	e.refused(t, 0, 403, "", "kam2", "POST", fmt.Sprintf("%s/measures/%d/complete", r, mid), nil)
	e.refused(t, 0, 404, "", "kam", "POST", fmt.Sprintf("%s/measures/%d/complete", r, mid+1000), nil)
	e.ok(t, 200, "kam", "POST", fmt.Sprintf("%s/measures/%d/complete", r, mid), nil)
	waitFor(t, "the review closes", func() bool {
		return e.ok(t, 200, "lead", "GET", r, nil).body["status"] == "closed"
	})

	req, _ := http.NewRequest("GET", e.dev.URL+"/api/v1"+r+"/report.csv", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens["lead"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv = %v (%s)", err, resp.Header.Get("Content-Type"))
	}
	kinds := map[string]int{}
	for _, row := range rows[1:] {
		kinds[row[0]]++
		if row[0] == "kpi" && row[1] == fmt.Sprint(cust) && row[9] != "'=SUM(A1) margin below plan" {
			t.Errorf("findings cell = %q, want it defused", row[9])
		}
	}
	if kinds["kpi"] != len(ka) || kinds["finding"] != 1 || kinds["measure"] != 1 {
		t.Errorf("csv rows = %v:\n%s", kinds, raw)
	}
}
