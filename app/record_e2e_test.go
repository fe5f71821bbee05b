package app_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/kamflow/kamflow/activities"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// TestProgrammesOutliveTheirWorkflowHistory: a completed and a cancelled
// programme read the same from the API and the UI after Temporal has
// deleted their workflows, and the projection rebuilt from a workflow's
// history equals the one kept live.
func TestProgrammesOutliveTheirWorkflowHistory(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	completed := e.runWholeProgramme(t)
	r := e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{
		"name": "Cancelled rollout", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05",
	})
	cancelled := uint(r.body["id"].(float64))
	e.ok(t, 200, "lead", "POST", fmt.Sprintf("/programmes/%d/phases/setup/submit", cancelled), map[string]string{"result": "team set up"})
	e.ok(t, 200, "committee", "POST", fmt.Sprintf("/programmes/%d/cancel", cancelled), map[string]string{"reason": "merged into the group programme"})

	// What the API says while the workflows' histories exist.
	reads := func(id uint) []string {
		p := fmt.Sprintf("/programmes/%d", id)
		return []string{p, p + "/selection", p + "/audit"}
	}
	before := map[string]any{}
	for _, id := range []uint{completed, cancelled} {
		waitClosed(t, e.dev.Client, workflows.ProgrammeWorkflowID(id))
		for _, path := range reads(id) {
			before[path] = e.ok(t, 200, "controller", "GET", path, nil).body
		}
	}
	got := before[fmt.Sprintf("/programmes/%d", completed)].(map[string]any)
	if got["status"] != "completed" || len(got["criteria"].([]any)) != 4 || len(got["assignments"].([]any)) != 2 ||
		len(got["plans_approved"].([]any)) != 2 || len(got["training"].([]any)) != 2 {
		t.Fatalf("completed programme from the database = %v", got)
	}
	phases := got["phases"].([]any)
	if strategy := phases[1].(map[string]any); strategy["result"] != "Strategy plus analysis of today's service and reserves" ||
		strategy["last_rejection"] != "Analyse how key customers are served today" || strategy["approved_by"] != "committee@"+store.DemoDomain {
		t.Errorf("strategy phase = %v", strategy)
	}

	// A projection rebuilt from the history alone equals the live one.
	for _, id := range []uint{completed, cancelled} {
		h := history(t, e, workflows.ProgrammeWorkflowID(id))
		fresh, err := store.Open(ctx, store.Options{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rebuilt.db")})
		if err != nil {
			t.Fatal(err)
		}
		if err := fresh.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := activities.RebuildProgramme(ctx, fresh, h)
		if err != nil || n == 0 {
			t.Fatalf("rebuild programme %d: %d events, %v", id, n, err)
		}
		live, err := e.dev.Store.ProgrammeRecordByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt, err := fresh.ProgrammeRecordByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range []*store.ProgrammeRecord{live, rebuilt} {
			rec.Programme.CreatedAt, rec.Programme.UpdatedAt = time.Time{}, time.Time{}
		}
		if !reflect.DeepEqual(normalised(live), normalised(rebuilt)) {
			t.Errorf("programme %d rebuilt from its history:\n%+v\nlive:\n%+v", id, rebuilt, live)
		}
		liveAudit, _ := e.dev.Store.ProgrammeEvents(ctx, id)
		rebuiltAudit, _ := fresh.ProgrammeEvents(ctx, id)
		if len(liveAudit) != len(rebuiltAudit) {
			t.Errorf("audit: %d events live, %d rebuilt", len(liveAudit), len(rebuiltAudit))
		}
		_ = fresh.Close()
	}

	// Temporal deletes the closed workflows (as retention does).
	for _, id := range []uint{completed, cancelled} {
		deleteWorkflow(t, e, workflows.ProgrammeWorkflowID(id))
	}
	for _, id := range []uint{completed, cancelled} {
		for _, path := range reads(id) {
			after := e.ok(t, 200, "controller", "GET", path, nil).body
			if !reflect.DeepEqual(after, before[path]) {
				t.Errorf("GET %s changed after the workflow was deleted:\n%v\nbefore:\n%v", path, after, before[path])
			}
		}
	}
	b := signIn(t, e.dev.URL, "lead")
	for id, want := range map[uint][]string{
		completed: {"Strategy plus analysis of today&#39;s service and reserves", "Analyse how key customers are served today"},
		cancelled: {"Cancelled rollout", "merged into the group programme"},
	} {
		code, body := b.get(fmt.Sprintf("/programmes/%d", id))
		if code != 200 {
			t.Fatalf("programme page %d after deletion = %d", id, code)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("programme page %d lacks %q", id, w)
			}
		}
		if code, _ := b.get(fmt.Sprintf("/programmes/%d/selection", id)); code != 200 {
			t.Errorf("selection page %d after deletion = %d", id, code)
		}
	}
}

// normalised drops what differs between two projections of the same events
// only by when rows were written.
func normalised(r *store.ProgrammeRecord) store.ProgrammeRecord {
	out := *r
	for i := range out.Phases {
		out.Phases[i].Due = out.Phases[i].Due.UTC()
	}
	return out
}

func history(t *testing.T, e *apiEnv, workflowID string) *historypb.History {
	t.Helper()
	h := &historypb.History{}
	iter := e.dev.Client.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

// deleteWorkflow deletes a workflow execution through the Temporal API and
// waits until the server no longer knows it.
func deleteWorkflow(t *testing.T, e *apiEnv, workflowID string) {
	t.Helper()
	ctx := context.Background()
	_, err := e.dev.Client.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: workflowID},
	})
	if err != nil {
		t.Fatalf("delete %s: %v", workflowID, err)
	}
	// The server deletes a closed execution once its close tasks are
	// acknowledged, which the embedded server does about once a minute.
	began := time.Now()
	for {
		_, err := e.dev.Client.DescribeWorkflowExecution(ctx, workflowID, "")
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			t.Logf("%s deleted after %s", workflowID, time.Since(began).Round(time.Second))
			return
		}
		if time.Since(began) > 3*time.Minute {
			t.Fatalf("%s not deleted after %s (last: %v)", workflowID, time.Since(began), err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
