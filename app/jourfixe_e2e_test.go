package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kamflow/kamflow/workflows"
)

// TestJourFixeThroughHTTPAPI: a monthly Schedule is set; a jour fixe asks
// the account's people, pools their inputs, and the satisfaction history
// feeds the controller's review.
func TestJourFixeThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programme := e.runWholeProgramme(t)
	p := fmt.Sprintf("/programmes/%d", programme)
	ka := e.accountOf(t, programme, "kam3")

	e.refused(t, 0, 422, "day_of_month", "lead", "PUT", p+"/jour-fixe-schedule", map[string]any{"day_of_month": 31})
	e.refused(t, 0, 403, "", "hr", "PUT", p+"/jour-fixe-schedule", map[string]any{"day_of_month": 5})
	sch := e.ok(t, 200, "lead", "PUT", p+"/jour-fixe-schedule", map[string]any{"day_of_month": 5})
	if len(sch.body["next_runs"].([]any)) == 0 {
		t.Errorf("schedule has no next runs: %s", sch.raw)
	}
	if d, err := e.dev.Client.ScheduleClient().GetHandle(ctx, workflows.JourFixeScheduleID(programme, 0)).Describe(ctx); err != nil || d.Schedule.Spec.Calendars[0].DayOfMonth[0].Start != 5 {
		t.Fatalf("jour fixe schedule: %v", err)
	}
	e.ok(t, 204, "lead", "DELETE", p+"/jour-fixe-schedule", nil)

	e.refused(t, 0, 422, "meeting_at", "lead", "POST", p+"/jour-fixes", map[string]any{"meeting_at": "2020-01-01T00:00:00Z"})
	// Far enough ahead for both inputs even on a loaded machine.
	meeting := time.Now().Add(15 * time.Second).UTC()
	e.ok(t, 202, "lead", "POST", p+"/jour-fixes", map[string]any{"meeting_at": meeting.Format(time.RFC3339Nano)})
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
	e.refused(t, 0, 403, "", "hr", "POST", j+"/inputs", map[string]any{"key_account_id": ka.ID, "satisfaction": 3})
	e.refused(t, 0, 422, "satisfaction", "kam2", "POST", j+"/inputs", map[string]any{"key_account_id": ka.ID, "satisfaction": 0})
	e.ok(t, 200, "kam2", "POST", j+"/inputs", map[string]any{"key_account_id": ka.ID, "satisfaction": 5, "needs": "faster invoices"})
	waitFor(t, "the jour fixe is held", func() bool {
		return e.ok(t, 200, "lead", "GET", j, nil).body["status"] == "held"
	})
	hist := e.ok(t, 200, "kam3", "GET", fmt.Sprintf("/key-accounts/%d/satisfaction", ka.ID), nil).body["items"].([]any)
	if len(hist) != 1 || hist[0].(map[string]any)["satisfaction"].(float64) != 4.5 {
		t.Fatalf("satisfaction history = %v", hist)
	}
	if sum := e.ok(t, 200, "lead", "GET", j, nil).body["summary"].(string); !containsAll(sum, "4.5", "new CFO", "faster invoices") {
		t.Errorf("summary = %q", sum)
	}
	// The controller's review shows the satisfaction.
	e.ok(t, 202, "controller", "POST", p+"/reviews", nil)
	waitFor(t, "the review shows the satisfaction", func() bool {
		items := e.ok(t, 200, "lead", "GET", p+"/reviews", nil).body["items"].([]any)
		if len(items) == 0 {
			return false
		}
		rep := e.ok(t, 200, "lead", "GET", fmt.Sprintf("/reviews/%d", int(items[0].(map[string]any)["id"].(float64))), nil)
		for _, a := range rep.body["accounts"].([]any) {
			if s, ok := a.(map[string]any)["satisfaction"].(float64); ok && uint(a.(map[string]any)["customer_id"].(float64)) == ka.CustomerID {
				return s == 4.5
			}
		}
		return false
	})
}
