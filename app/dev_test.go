package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/kamflow/kamflow/app"
	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/devserver"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

var (
	leadActor      = workflows.Actor{Email: "lead@" + store.DemoDomain, Roles: []string{"lead"}}
	committeeActor = workflows.Actor{Email: "committee@" + store.DemoDomain, Roles: []string{"committee"}}
	kamActor       = workflows.Actor{Email: "kam@" + store.DemoDomain, Roles: []string{"kam"}}
)

// handedOut are the ports freePort gave to a test of this process: tests
// run in parallel, and a port closed after the check is free again for the
// kernel until its test binds it.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

func freePort(t *testing.T, n int) int {
	t.Helper()
	handedOut.Lock()
	defer handedOut.Unlock()
	for attempt := 0; attempt < 50; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := l.Addr().(*net.TCPAddr).Port
		l.Close()
		ok := base+n <= 65535
		for p := base; ok && p < base+n; p++ {
			if handedOut.ports[p] {
				ok = false
			} else if p > base {
				if l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err != nil {
					ok = false
				} else {
					l2.Close()
				}
			}
		}
		if ok {
			for p := base; p < base+n; p++ {
				handedOut.ports[p] = true
			}
			return base
		}
	}
	t.Fatal("no free ports")
	return 0
}

// devConfig is what `kamflow dev --data DIR --http ... --temporal-port ...` loads.
func devConfig(t *testing.T, dataDir string) *config.Config {
	t.Helper()
	args := []string{"--data", dataDir, "--http", "127.0.0.1:" + strconv.Itoa(freePort(t, 1)), "--temporal-port", strconv.Itoa(freePort(t, devserver.PortsUsed))}
	cfg, err := config.Load(config.ModeDev, args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startDev(t *testing.T, cfg *config.Config) *app.Dev {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := app.StartDev(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start dev: %v", err)
	}
	return d
}

func getOK(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d: %s", url, resp.StatusCode, body)
	}
	return string(body)
}

// startProgramme reserves the row and starts the workflow, as the API does.
func startProgramme(t *testing.T, d *app.Dev, name string, taskQueue string) uint {
	t.Helper()
	ctx := context.Background()
	p, err := d.Store.CreateProgramme(ctx, name, leadActor.Email, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ProgrammeWorkflowID(p.ID), TaskQueue: taskQueue,
	}, workflows.ProgrammeWorkflowName, workflows.ProgrammeInput{
		ProgrammeID: p.ID, Name: name, LeadEmail: leadActor.Email,
		CommitteeEmails: []string{committeeActor.Email}, StartDate: p.StartDate,
	})
	if err != nil {
		t.Fatalf("start programme: %v", err)
	}
	return p.ID
}

func update(t *testing.T, c client.Client, id uint, name string, arg any) (workflows.ProgrammeState, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.ProgrammeWorkflowID(id), UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var st workflows.ProgrammeState
	if err != nil {
		return st, err
	}
	return st, h.Get(ctx, &st)
}

func mustUpdate(t *testing.T, c client.Client, id uint, name string, arg any) workflows.ProgrammeState {
	t.Helper()
	st, err := update(t, c, id, name, arg)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return st
}

func submit(p workflows.Phase) workflows.SubmitRequest {
	return workflows.SubmitRequest{Actor: leadActor, Phase: p, Result: "results of " + string(p)}
}

func approve(p workflows.Phase) workflows.DecisionRequest {
	return workflows.DecisionRequest{Actor: committeeActor, Phase: p, Comment: "approved"}
}

func waitResult(t *testing.T, c client.Client, id uint) workflows.ProgrammeState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var st workflows.ProgrammeState
	if err := c.GetWorkflow(ctx, workflows.ProgrammeWorkflowID(id), "").Get(ctx, &st); err != nil {
		t.Fatalf("programme result: %v", err)
	}
	return st
}

// TestDevRestartKeepsDataAndRunningWorkflows starts the dev wiring, starts a
// programme, stops everything, starts again on the same data directory and
// finds the demo data, the projection and the programme still running.
func TestDevRestartKeepsDataAndRunningWorkflows(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	cfg := devConfig(t, dataDir)
	d := startDev(t, cfg)
	if !d.Seeded {
		t.Error("first start did not seed the demo company")
	}
	var health map[string]string
	if err := json.Unmarshal([]byte(getOK(t, d.URL+"/healthz")), &health); err != nil || health["db"] != "ok" || health["temporal"] != "ok" {
		t.Fatalf("health = %v, %v", health, err)
	}
	if page := getOK(t, d.URL+"/login"); !strings.Contains(page, "lead@"+store.DemoDomain) || !strings.Contains(page, `name="password"`) {
		t.Fatalf("login page lacks the form or demo logins:\n%s", page)
	}
	id := startProgramme(t, d, "KAM introduction Demo AG", cfg.Temporal.TaskQueue)
	mustUpdate(t, d.Client, id, workflows.UpdateSubmit, submit(workflows.PhaseSetup))
	d.Stop(context.Background())

	if _, err := os.Stat(filepath.Join(dataDir, "temporal.db")); err != nil {
		t.Fatalf("temporal state not persisted: %v", err)
	}
	if mode := journalMode(t, filepath.Join(dataDir, "temporal.db")); mode != "wal" {
		t.Errorf("temporal.db journal mode = %q, want wal", mode)
	}
	d2 := startDev(t, cfg) // same ports and data, as `kamflow dev` restarts

	defer d2.Stop(context.Background())
	if d2.Seeded {
		t.Error("second start seeded the demo company again")
	}
	getOK(t, d2.URL+"/healthz")
	if _, err := d2.Store.Authenticate(context.Background(), "hr@"+store.DemoDomain, store.DemoPassword); err != nil {
		t.Fatalf("demo user lost: %v", err)
	}
	ctx := context.Background()
	resp, err := d2.Client.QueryWorkflow(ctx, workflows.ProgrammeWorkflowID(id), "", workflows.QueryProgrammeState)
	if err != nil {
		t.Fatalf("query after restart: %v", err)
	}
	var st workflows.ProgrammeState
	if err := resp.Get(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != workflows.StatusActive || st.CurrentPhase != workflows.PhaseStrategy {
		t.Fatalf("after restart: %s in %s, want active in strategy", st.Status, st.CurrentPhase)
	}
	// The programme carries on after the restart.
	st = mustUpdate(t, d2.Client, id, workflows.UpdateSubmit, submit(workflows.PhaseStrategy))
	if st.Phase(workflows.PhaseStrategy).Status != workflows.PhaseSubmitted {
		t.Fatalf("strategy = %s, want submitted", st.Phase(workflows.PhaseStrategy).Status)
	}
	prog, phases, err := d2.Store.ProgrammeByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if prog.CurrentPhase != string(workflows.PhaseStrategy) || len(phases) != len(workflows.Phases()) || phases[0].Status != string(workflows.PhaseDone) {
		t.Fatalf("projection = %+v with %d phases", prog, len(phases))
	}
}

// TestRecordGoldenHistories records golden histories, driven through the
// HTTP API, when KAMFLOW_RECORD_GOLDEN is set. Existing files are never
// overwritten: a change to running logic goes behind workflow.GetVersion and
// gets new files beside the old ones.
func TestRecordGoldenHistories(t *testing.T) {
	if os.Getenv("KAMFLOW_RECORD_GOLDEN") == "" {
		t.Skip("set KAMFLOW_RECORD_GOLDEN=1 to record golden histories into testdata/histories")
	}
	dir := filepath.Join("..", "testdata", "histories")
	e := newAPIEnv(t)
	record := func(name string, run func() string) {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err == nil {
			t.Logf("%s exists; golden histories are never overwritten", path)
			return
		}
		writeHistory(t, e.dev.Client, run(), path)
	}
	programme := e.runWholeProgramme(t)
	record("programme-v2-selection-complete.json", func() string {
		return workflows.ProgrammeWorkflowID(programme)
	})
	// v3: one reminder timer per phase instead of one per update.
	record("programme-v3-steady-reminder-timer-complete.json", func() string {
		return workflows.ProgrammeWorkflowID(programme)
	})
	// v4: compute_selection marks the list as being computed before it awaits it.
	record("programme-v4-computing-state-first-complete.json", func() string {
		return workflows.ProgrammeWorkflowID(programme)
	})
	review := func() string {
		p := fmt.Sprintf("/programmes/%d", programme)
		e.ok(t, 202, "controller", "POST", p+"/reviews", nil)
		wid := workflows.ReviewWorkflowIDPrefix(programme) + "-" + time.Now().UTC().Format("2006-01-02")
		var rid int
		waitFor(t, "review gathered", func() bool {
			for _, it := range e.ok(t, 200, "lead", "GET", p+"/reviews", nil).body["items"].([]any) {
				rid = int(it.(map[string]any)["id"].(float64))
			}
			return rid != 0
		})
		r := fmt.Sprintf("/reviews/%d", rid)
		ka, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		waitFor(t, "findings accepted", func() bool {
			return e.call(t, "controller", "POST", r+"/findings", map[string]any{"customer_id": ka[0].CustomerID, "text": "margin below plan"}).code == 200
		})
		st := e.ok(t, 200, "controller", "POST", r+"/measures", map[string]any{"customer_id": ka[0].CustomerID, "title": "Renegotiate prices", "owner_email": "kam@demo.kamflow.test", "due": time.Now().AddDate(0, 1, 0).Format("2006-01-02")})
		mid := int(st.body["measures"].([]any)[0].(map[string]any)["id"].(float64))
		e.ok(t, 200, "controller", "POST", r+"/sign-off", map[string]any{"overall": "on track"})
		e.ok(t, 200, "kam", "POST", fmt.Sprintf("%s/measures/%d/complete", r, mid), nil)
		waitClosed(t, e.dev.Client, wid)
		return wid
	}
	record("review-v1-measure-closed.json", review)
	// v2: add_measure puts the measure into the state before its save.
	record("review-v2-measure-state-first-closed.json", review)
	record("handover-v1-deputy-covers.json", func() string {
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		ka := kas[0]
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		r := e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "role_change"})
		wid := r.body["workflow_id"].(string)
		waitFor(t, "handover started", func() bool { return e.call(t, "lead", "GET", base+"/handover", nil).code == 200 })
		incoming := e.emp["kam"]
		if *ka.KAMEmployeeID == incoming {
			incoming = e.emp["kam3"]
		}
		e.ok(t, 200, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": incoming})
		for _, item := range []string{"knowledge_transfer", "actions_moved", "relationships_moved", "intro_meeting", "customer_informed"} {
			e.ok(t, 200, "lead", "POST", base+"/handover/items/"+item, map[string]any{"note": "done"})
		}
		waitClosed(t, e.dev.Client, wid)
		return wid
	})
	// v4: approve_plan only from a submitted plan's workflow; training
	// events carry the KAM's training fact.
	record("programme-v4-plans-through-plan-workflow-complete.json", func() string {
		return workflows.ProgrammeWorkflowID(programme)
	})
	// v5: each event carries only what changed, and the whole state a page
	// shows (criteria, candidates, assignments, training, plans, results).
	record("programme-v5-projection-deltas-complete.json", func() string {
		return workflows.ProgrammeWorkflowID(programme)
	})
	// v6: the roll-out's record — a conflict logged and resolved, staff
	// informed with the key accounts named — before the rollout is handed in.
	record("programme-v6-rollout-record-complete.json", func() string {
		return workflows.ProgrammeWorkflowID(programme)
	})
	workshopRun := func() string {
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		base := fmt.Sprintf("/key-accounts/%d", kas[len(kas)-1].ID)
		r := e.ok(t, 202, "lead", "POST", base+"/workshops", nil)
		wfID := r.body["workflow_id"].(string)
		var wid int
		waitFor(t, "workshop prepared", func() bool {
			for _, it := range e.ok(t, 200, "lead", "GET", base+"/workshops", nil).body["items"].([]any) {
				wid = int(it.(map[string]any)["id"].(float64))
			}
			return wid != 0
		})
		w := fmt.Sprintf("/workshops/%d", wid)
		var start time.Time
		waitFor(t, "dates accepted", func() bool {
			start = time.Now().Add(3 * time.Second).UTC()
			return e.call(t, "lead", "POST", w+"/dates", map[string]any{"starts_at": start.Format(time.RFC3339Nano), "place": "Zürich"}).code == 200
		})
		time.Sleep(time.Until(start) + 500*time.Millisecond)
		st := e.ok(t, 200, "lead", "POST", w+"/minutes", map[string]any{"minutes": "agreed", "actions": []map[string]any{{"title": "Briefing", "owner_email": "kam2@" + store.DemoDomain, "due": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}}})
		aid := int(st.body["actions"].([]any)[0].(map[string]any)["id"].(float64))
		e.ok(t, 200, "kam2", "POST", fmt.Sprintf("%s/actions/%d/complete", w, aid), nil)
		waitClosed(t, e.dev.Client, wfID)
		return wfID
	}
	record("workshop-v1-actions-closed.json", workshopRun)
	// v2: the customer's name from preparation; one workshop per year.
	record("workshop-v2-one-per-year-actions-closed.json", workshopRun)
	record("workshop-v2-second-of-the-year-ends-quietly.json", func() string {
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		ctx := context.Background()
		h := e.dev.Client.ScheduleClient().GetHandle(ctx, workflows.WorkshopScheduleID(kas[len(kas)-1].ID))
		if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
			t.Fatal(err)
		}
		var wfID string
		waitFor(t, "the scheduled start", func() bool {
			d, err := h.Describe(ctx)
			if err == nil && len(d.Info.RecentActions) > 0 {
				wfID = d.Info.RecentActions[len(d.Info.RecentActions)-1].StartWorkflowResult.WorkflowID
			}
			return wfID != ""
		})
		waitClosed(t, e.dev.Client, wfID)
		return wfID
	})
	// v3: up to three dates go to the customer, the chosen one is confirmed;
	// participants change on both sides (our late joiner is invited).
	record("workshop-v3-date-options-participants-actions-closed.json", func() string {
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		base := fmt.Sprintf("/key-accounts/%d", kas[len(kas)-1].ID)
		r := e.ok(t, 202, "lead", "POST", base+"/workshops", nil)
		wfID := r.body["workflow_id"].(string)
		var wid int
		waitFor(t, "workshop prepared", func() bool {
			for _, it := range e.ok(t, 200, "lead", "GET", base+"/workshops", nil).body["items"].([]any) {
				wid = int(it.(map[string]any)["id"].(float64))
			}
			return wid != 0
		})
		w := fmt.Sprintf("/workshops/%d", wid)
		var people []map[string]any
		for _, p := range e.ok(t, 200, "lead", "GET", w, nil).body["participants"].([]any) {
			pm := p.(map[string]any)
			people = append(people, map[string]any{"side": pm["side"], "id": pm["id"]})
		}
		people = append(people, map[string]any{"side": "ours", "id": e.emp["kam2"]})
		far := time.Now().AddDate(0, 2, 0).UTC()
		e.ok(t, 200, "lead", "POST", w+"/dates", map[string]any{"starts_at": far.Format(time.RFC3339),
			"alternatives": []string{far.AddDate(0, 0, 7).Format(time.RFC3339), far.AddDate(0, 0, 14).Format(time.RFC3339)}, "place": "Zürich"})
		var start time.Time
		waitFor(t, "the chosen date confirmed", func() bool {
			start = time.Now().Add(4 * time.Second).UTC()
			return e.call(t, "lead", "POST", w+"/dates", map[string]any{"starts_at": start.Format(time.RFC3339Nano), "place": "Zürich"}).code == 200
		})
		e.ok(t, 200, "lead", "PUT", w+"/participants", map[string]any{"participants": people})
		time.Sleep(time.Until(start) + 500*time.Millisecond)
		st := e.ok(t, 200, "lead", "POST", w+"/minutes", map[string]any{"minutes": "agreed", "actions": []map[string]any{{"title": "Briefing", "owner_email": "kam2@" + store.DemoDomain, "due": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}}})
		aid := int(st.body["actions"].([]any)[0].(map[string]any)["id"].(float64))
		e.ok(t, 200, "kam2", "POST", fmt.Sprintf("%s/actions/%d/complete", w, aid), nil)
		waitClosed(t, e.dev.Client, wfID)
		return wfID
	})
	record("plan-v1-approved-actions-done.json", func() string {
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		ka := kas[len(kas)-1]
		var who string
		for local, id := range e.emp {
			if ka.Responsible() != nil && *ka.Responsible() == id {
				who = local
			}
		}
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		e.ok(t, 200, who, "PUT", base+"/plan", map[string]any{"strategy": "Partner for regulation", "goals": []map[string]any{{"title": "Relationship",
			"objectives": []map[string]any{{"title": "Board contact", "actions": []map[string]any{{"title": "Invite", "owner_email": who + "@" + store.DemoDomain, "due": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}}}}}}})
		r := e.ok(t, 202, who, "POST", base+"/plan/submit", nil)
		wfID := r.body["workflow_id"].(string)
		st := e.ok(t, 200, "lead", "POST", base+"/plan/approve", map[string]any{"comment": "good"})
		aid := int(st.body["tracked"].([]any)[0].(map[string]any)["id"].(float64))
		e.ok(t, 200, who, "POST", fmt.Sprintf("%s/plan/actions/%d/complete", base, aid), nil)
		waitClosed(t, e.dev.Client, wfID)
		return wfID
	})
	jourFixe := func() string {
		p := fmt.Sprintf("/programmes/%d", programme)
		r := e.ok(t, 202, "lead", "POST", p+"/jour-fixes", map[string]any{"meeting_at": time.Now().Add(4 * time.Second).UTC().Format(time.RFC3339Nano)})
		wfID := r.body["workflow_id"].(string)
		var jf int
		waitFor(t, "jour fixe prepared", func() bool {
			for _, it := range e.ok(t, 200, "lead", "GET", p+"/jour-fixes", nil).body["items"].([]any) {
				jf = int(it.(map[string]any)["id"].(float64))
			}
			return jf != 0
		})
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		waitFor(t, "input accepted", func() bool {
			return e.call(t, "kam2", "POST", fmt.Sprintf("/jour-fixes/%d/inputs", jf), map[string]any{"key_account_id": kas[0].ID, "satisfaction": 4}).code == 200
		})
		waitClosed(t, e.dev.Client, wfID)
		return wfID
	}
	record("jourfixe-v1-held.json", jourFixe)
	// v2: an input counts as given before its save.
	record("jourfixe-v2-input-state-first-held.json", jourFixe)
	// v3: the picture goes to each participant with only the accounts she may read.
	record("jourfixe-v3-picture-per-reader-held.json", jourFixe)
	// v2: the handover moves the outgoing KAM's open work (to the cover when
	// she left, to the incoming KAM on "actions moved"), signalling the plan workflow.
	record("handover-v2-left-moves-work.json", func() string {
		ka := e.accountOf(t, programme, "kam")
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		r := e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "left", "covering_employee_id": e.emp["kam2"]})
		wid := r.body["workflow_id"].(string)
		waitFor(t, "handover started", func() bool { return e.call(t, "lead", "GET", base+"/handover", nil).code == 200 })
		e.ok(t, 200, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": e.emp["kam3"]})
		for _, item := range []string{"actions_moved", "relationships_moved", "intro_meeting", "customer_informed"} {
			e.ok(t, 200, "lead", "POST", base+"/handover/items/"+item, map[string]any{"note": "done"})
		}
		waitClosed(t, e.dev.Client, wid)
		return wid
	})
	// v3: someone in the handover skips an item that is not needed, saying why.
	record("handover-v3-item-skipped.json", func() string {
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		ka := kas[len(kas)-1]
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		r := e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "persona_non_grata", "reason_note": "the customer asked for another KAM"})
		wid := r.body["workflow_id"].(string)
		waitFor(t, "handover started", func() bool { return e.call(t, "lead", "GET", base+"/handover", nil).code == 200 })
		incoming := e.emp["kam"]
		if *ka.KAMEmployeeID == incoming {
			incoming = e.emp["kam3"]
		}
		e.ok(t, 200, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": incoming})
		e.ok(t, 200, "lead", "POST", base+"/handover/items/actions_moved", map[string]any{"note": "no open actions", "skip": true})
		for _, item := range []string{"knowledge_transfer", "relationships_moved", "intro_meeting", "customer_informed"} {
			e.ok(t, 200, "lead", "POST", base+"/handover/items/"+item, map[string]any{"note": "done"})
		}
		waitClosed(t, e.dev.Client, wid)
		return wid
	})
	// v4: a tick that comes while the handover's record is still written
	// waits for it (here the knowledge transfer, ticked right after the start).
	record("handover-v4-tick-after-start.json", func() string {
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		ka := kas[len(kas)-1]
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		r := e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "role_change"})
		wid := r.body["workflow_id"].(string)
		waitFor(t, "the knowledge transfer is ticked", func() bool {
			return e.call(t, "lead", "POST", base+"/handover/items/knowledge_transfer", map[string]any{"note": "memo"}).code == 200
		})
		incoming := e.emp["kam"]
		if *ka.KAMEmployeeID == incoming {
			incoming = e.emp["kam3"]
		}
		waitFor(t, "the incoming KAM is chosen", func() bool {
			return e.call(t, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": incoming}).code == 200
		})
		for _, item := range []string{"actions_moved", "relationships_moved", "intro_meeting", "customer_informed"} {
			e.ok(t, 200, "lead", "POST", base+"/handover/items/"+item, map[string]any{"note": "done"})
		}
		waitClosed(t, e.dev.Client, wid)
		return wid
	})
	// v6: the steering committee starts the handover, chooses the incoming
	// KAM and ticks the checklist.
	record("handover-v6-committee-steers.json", func() string {
		kas, _ := e.dev.Store.KeyAccounts(context.Background(), programme)
		ka := kas[len(kas)-1]
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		r := e.ok(t, 202, "committee", "POST", base+"/handover", map[string]any{"reason": "role_change"})
		wid := r.body["workflow_id"].(string)
		incoming := e.emp["kam"]
		if *ka.KAMEmployeeID == incoming {
			incoming = e.emp["kam3"]
		}
		waitFor(t, "the incoming KAM is chosen", func() bool {
			return e.call(t, "committee", "POST", base+"/handover/incoming", map[string]any{"employee_id": incoming}).code == 200
		})
		for _, item := range workflows.HandoverItems() {
			e.ok(t, 200, "committee", "POST", base+"/handover/items/"+item, map[string]any{"note": "done"})
		}
		waitClosed(t, e.dev.Client, wid)
		return wid
	})
	// v2: the plan's action follows its new owner (owner_changed), who marks it done.
	record("plan-v2-owner-changed-actions-done.json", func() string {
		ka := e.accountOf(t, programme, "kam3")
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		for _, it := range e.ok(t, 200, "kam3", "GET", base+"/actions", nil).body["items"].([]any) {
			a := it.(map[string]any)
			if a["done"] == true || a["source"] != "plan" {
				continue
			}
			e.ok(t, 200, "lead", "PUT", fmt.Sprintf("/actions/%d/owner", int(a["id"].(float64))), map[string]any{"owner_email": "kam2@" + store.DemoDomain})
			e.ok(t, 200, "kam2", "POST", fmt.Sprintf("%s/plan/actions/%d/complete", base, int(a["id"].(float64))), nil)
		}
		p, err := e.dev.Store.LatestPlan(context.Background(), ka.ID)
		if err != nil {
			t.Fatal(err)
		}
		wfID := workflows.PlanWorkflowID(ka.ID, p.Version)
		waitClosed(t, e.dev.Client, wfID)
		return wfID
	})
	// handover v5 / workshop v4: the handover tells the account's running
	// workshop who answers for it (responsible_changed) — the cover at its
	// start, who chooses the participants, and the incoming KAM on
	// completion, who then plans and minutes the workshop.
	var followed struct{ handover, workshop string }
	handoverWithWorkshop := func() {
		if followed.handover != "" {
			return
		}
		ctx := context.Background()
		kas, _ := e.dev.Store.KeyAccounts(ctx, programme)
		var ka store.KeyAccount
		for _, k := range kas {
			if _, err := e.dev.Store.WorkshopOfYear(ctx, k.ID, time.Now().UTC().Year()); err != nil && k.KAMEmployeeID != nil {
				ka = k
			}
		}
		if ka.ID == 0 {
			t.Fatal("no key account without this year's workshop")
		}
		var outgoing string
		var others []string
		for _, who := range []string{"kam", "kam2", "kam3"} {
			if e.emp[who] == *ka.KAMEmployeeID {
				outgoing = who
			} else {
				others = append(others, who)
			}
		}
		if outgoing == "" || len(others) != 2 {
			t.Fatalf("key account %d's KAM is none of the demo KAMs", ka.ID)
		}
		cover, incoming := others[0], others[1]
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		followed.workshop = e.ok(t, 202, outgoing, "POST", base+"/workshops", nil).body["workflow_id"].(string)
		var wid int
		waitFor(t, "workshop prepared", func() bool {
			for _, it := range e.ok(t, 200, outgoing, "GET", base+"/workshops", nil).body["items"].([]any) {
				wid = int(it.(map[string]any)["id"].(float64))
			}
			return wid != 0
		})
		w := fmt.Sprintf("/workshops/%d", wid)
		var people []map[string]any
		for _, p := range e.ok(t, 200, outgoing, "GET", w, nil).body["participants"].([]any) {
			pm := p.(map[string]any)
			people = append(people, map[string]any{"side": pm["side"], "id": pm["id"]})
		}
		people = append(people, map[string]any{"side": "ours", "id": e.emp[incoming]})
		r := e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "role_change", "covering_employee_id": e.emp[cover]})
		followed.handover = r.body["workflow_id"].(string)
		waitFor(t, "the cover chooses the participants", func() bool {
			return e.call(t, cover, "PUT", w+"/participants", map[string]any{"participants": people}).code == 200
		})
		waitFor(t, "handover started", func() bool { return e.call(t, "lead", "GET", base+"/handover", nil).code == 200 })
		e.ok(t, 200, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": e.emp[incoming]})
		for _, item := range workflows.HandoverItems() {
			e.ok(t, 200, "lead", "POST", base+"/handover/items/"+item, map[string]any{"note": "done"})
		}
		waitClosed(t, e.dev.Client, followed.handover)
		var start time.Time
		waitFor(t, "the incoming KAM sets the date", func() bool {
			start = time.Now().Add(3 * time.Second).UTC()
			return e.call(t, incoming, "POST", w+"/dates", map[string]any{"starts_at": start.Format(time.RFC3339Nano), "place": "Zürich"}).code == 200
		})
		time.Sleep(time.Until(start) + 500*time.Millisecond)
		st := e.ok(t, 200, incoming, "POST", w+"/minutes", map[string]any{"minutes": "agreed", "actions": []map[string]any{{"title": "Briefing", "owner_email": incoming + "@" + store.DemoDomain, "due": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}}})
		aid := int(st.body["actions"].([]any)[0].(map[string]any)["id"].(float64))
		e.ok(t, 200, incoming, "POST", fmt.Sprintf("%s/actions/%d/complete", w, aid), nil)
		waitClosed(t, e.dev.Client, followed.workshop)
	}
	record("handover-v5-tells-workshop.json", func() string {
		handoverWithWorkshop()
		return followed.handover
	})
	record("workshop-v4-follows-responsible-actions-closed.json", func() string {
		handoverWithWorkshop()
		return followed.workshop
	})
	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "KAM Basics", "duration_days": 1, "required_for_kams": true})
	start := time.Now().Add(4 * time.Second).UTC()
	sess := e.ok(t, 201, "hr", "POST", "/sessions", map[string]any{"course_id": course.body["id"], "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339), "capacity": 1})
	sid := int(sess.body["id"].(float64))
	enrol := func(who string) int {
		r := e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": e.emp[who]})
		return int(r.body["id"].(float64))
	}
	first, second := enrol("kam2"), enrol("kam3")
	record("training-v1-cancelled.json", func() string {
		e.ok(t, 200, "hr", "POST", fmt.Sprintf("/enrolments/%d/cancel", first), map[string]any{"reason": "sick leave"})
		waitClosed(t, e.dev.Client, workflows.TrainingWorkflowID(uint(first)))
		return workflows.TrainingWorkflowID(uint(first))
	})
	record("training-v1-waitlist-completed.json", func() string {
		waitFor(t, "promotion", func() bool {
			return e.ok(t, 200, "hr", "GET", fmt.Sprintf("/enrolments/%d", second), nil).body["status"] == "enrolled"
		})
		time.Sleep(time.Until(start) + 500*time.Millisecond)
		e.ok(t, 200, "hr", "POST", fmt.Sprintf("/enrolments/%d/attendance", second), map[string]any{"attended": true})
		waitClosed(t, e.dev.Client, workflows.TrainingWorkflowID(uint(second)))
		return workflows.TrainingWorkflowID(uint(second))
	})
	// v2: a cancellation that moves the enrolment to another session leaves
	// re-enrolment and escalation to the enrolment it moved to.
	record("training-v2-moved-cancelled.json", func() string {
		day := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
		session := func(at time.Time) int {
			r := e.ok(t, 201, "hr", "POST", "/sessions", map[string]any{"course_id": course.body["id"], "starts_at": at.Format(time.RFC3339), "ends_at": at.Add(8 * time.Hour).Format(time.RFC3339), "place": "Luzern", "capacity": 4})
			return int(r.body["id"].(float64))
		}
		from, to := session(day), session(day.Add(7*24*time.Hour))
		r := e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", from), map[string]any{"employee_id": e.emp["kam"]})
		wid := workflows.TrainingWorkflowID(uint(r.body["id"].(float64)))
		e.ok(t, 200, "hr", "POST", fmt.Sprintf("/enrolments/%d/move", int(r.body["id"].(float64))), map[string]any{"session_id": to, "reason": "customer visit"})
		waitClosed(t, e.dev.Client, wid)
		return wid
	})
	recordYears(t, e, dir, programme)
}

// recordYears records what happens over months and years, squeezed into
// seconds through the workflows' inputs (due dates, reminder policy,
// history limit, stall time): reminders and overdue notices, pause, resume
// and replan on the steady timer, a continue-as-new resume, a stalled and
// escalated handover, a session moved and cancelled, and a training phase
// completed by exceptions.
func recordYears(t *testing.T, e *apiEnv, dir string, programme uint) {
	record := func(name string, run func() string) {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err == nil {
			t.Logf("%s exists; golden histories are never overwritten", path)
			return
		}
		writeHistory(t, e.dev.Client, run(), path)
	}
	ctx := context.Background()
	c := e.dev.Client
	queue := "kamflow"
	cancel := func(id uint) {
		mustUpdate(t, c, id, workflows.UpdateCancel, workflows.LifecycleRequest{Actor: leadActor, Reason: "golden history recorded"})
		waitClosed(t, c, workflows.ProgrammeWorkflowID(id))
	}
	// startShort starts a programme whose set-up is due after setupDue,
	// reminded before (seconds) and overdue every overdueEvery.
	startShort := func(name string, setupDue time.Duration, before []time.Duration, overdueEvery time.Duration, historyLimit int) (uint, string) {
		now := time.Now().UTC()
		p, err := e.dev.Store.CreateProgramme(ctx, name, leadActor.Email, now)
		if err != nil {
			t.Fatal(err)
		}
		plan := workflows.DefaultPlan(now)
		plan[0].Due = now.Add(setupDue)
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ProgrammeWorkflowID(p.ID), TaskQueue: queue},
			workflows.ProgrammeWorkflowName, workflows.ProgrammeInput{
				ProgrammeID: p.ID, Name: name, LeadEmail: leadActor.Email, CommitteeEmails: []string{committeeActor.Email},
				StartDate: now, Plan: plan, Reminders: workflows.ReminderPolicy{Before: before, OverdueEvery: overdueEvery},
				HistoryLimit: historyLimit,
			})
		if err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		return p.ID, run.GetRunID()
	}
	eventsOf := func(id uint, kind string) int {
		evs, err := e.dev.Store.ProgrammeEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range evs {
			if ev.Kind == kind {
				n++
			}
		}
		return n
	}

	record("programme-v3-reminder-and-overdue.json", func() string {
		id, _ := startShort("Reminders", 6*time.Second, []time.Duration{3 * time.Second}, 3*time.Second, 0)
		waitFor(t, "a reminder and two overdue notices", func() bool {
			return eventsOf(id, workflows.EventReminder) >= 1 && eventsOf(id, workflows.EventOverdue) >= 2
		})
		cancel(id)
		return workflows.ProgrammeWorkflowID(id)
	})
	record("programme-v3-pause-resume-replan.json", func() string {
		id, _ := startShort("Pause and replan", 8*time.Second, []time.Duration{4 * time.Second}, time.Hour, 0)
		time.Sleep(time.Second)
		mustUpdate(t, c, id, workflows.UpdatePause, workflows.LifecycleRequest{Actor: leadActor, Reason: "budget freeze"})
		time.Sleep(2 * time.Second)
		mustUpdate(t, c, id, workflows.UpdateResume, workflows.LifecycleRequest{Actor: leadActor, Reason: "budget released"})
		mustUpdate(t, c, id, workflows.UpdateReplan, workflows.ReplanRequest{Actor: leadActor, Reason: "earlier kick-off",
			Set: []workflows.PhaseDue{{Phase: workflows.PhaseSetup, Due: time.Now().UTC().Add(5 * time.Second)}}})
		waitFor(t, "the reminder and the overdue notice after the replan", func() bool {
			return eventsOf(id, workflows.EventReminder) >= 1 && eventsOf(id, workflows.EventOverdue) >= 1
		})
		mustUpdate(t, c, id, workflows.UpdateSubmit, submit(workflows.PhaseSetup))
		cancel(id)
		return workflows.ProgrammeWorkflowID(id)
	})
	{
		// The first run continues as new after set-up; the resumed run
		// carries on from the state it was handed.
		id, firstRun := "", ""
		var pid uint
		first := filepath.Join(dir, "programme-v3-continue-as-new-first-run.json")
		resumed := filepath.Join(dir, "programme-v3-continue-as-new-resumed.json")
		_, errFirst := os.Stat(first)
		_, errResumed := os.Stat(resumed)
		if errFirst != nil || errResumed != nil {
			pid, firstRun = startShort("Continue as new", 24*time.Hour, []time.Duration{time.Hour}, 24*time.Hour, 10)
			id = workflows.ProgrammeWorkflowID(pid)
			// Set-up is submitted once the run waits in it, so the phase
			// boundary (where the limit is checked) comes after the start.
			waitFor(t, "the programme waits in set-up", func() bool {
				iter := c.GetWorkflowHistory(ctx, id, firstRun, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
				for iter.HasNext() {
					if ev, err := iter.Next(); err == nil && ev.GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED {
						return true
					}
				}
				return false
			})
			mustUpdate(t, c, pid, workflows.UpdateSubmit, submit(workflows.PhaseSetup))
			waitFor(t, "continue-as-new", func() bool {
				d, err := c.DescribeWorkflowExecution(ctx, id, "")
				return err == nil && d.GetWorkflowExecutionInfo().GetExecution().GetRunId() != firstRun
			})
			mustUpdate(t, c, pid, workflows.UpdateSubmit, submit(workflows.PhaseStrategy))
			mustUpdate(t, c, pid, workflows.UpdateApprove, approve(workflows.PhaseStrategy))
			cancel(pid)
			writeRunHistory(t, c, id, firstRun, first)
			writeHistory(t, c, id, resumed)
		}
	}
	record("handover-v1-stalled-escalated.json", func() string {
		kas, _ := e.dev.Store.KeyAccounts(ctx, programme)
		ka := kas[len(kas)-1]
		cust, err := e.dev.Store.Customer(ctx, ka.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.dev.Store.Employee(ctx, *ka.KAMEmployeeID)
		if err != nil {
			t.Fatal(err)
		}
		cov, err := e.dev.Store.Employee(ctx, *ka.DeputyEmployeeID)
		if err != nil {
			t.Fatal(err)
		}
		wid := workflows.HandoverWorkflowID(ka.ID, time.Now())
		if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: queue}, workflows.HandoverWorkflowName, workflows.HandoverInput{
			KeyAccountID: ka.ID, CustomerName: cust.Name, Reason: "left", OutgoingEmployeeID: out.ID, OutgoingEmail: out.Email, OutgoingAvailable: true,
			CoveringEmployeeID: cov.ID, CoveringEmail: cov.Email, LeadEmail: leadActor.Email, StartedBy: leadActor.Email,
			StallAfter: 3 * time.Second,
		}); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/key-accounts/%d", ka.ID)
		waitFor(t, "escalation", func() bool {
			v, err := c.QueryWorkflow(ctx, wid, "", workflows.QueryHandoverState)
			var st workflows.HandoverState
			return err == nil && v.Get(&st) == nil && st.Nudges >= 2
		})
		incoming := e.emp["kam"]
		if out.ID == incoming {
			incoming = e.emp["kam3"]
		}
		e.ok(t, 200, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": incoming})
		for _, item := range workflows.HandoverItems() {
			e.ok(t, 200, "lead", "POST", base+"/handover/items/"+item, map[string]any{"note": "done late"})
		}
		waitClosed(t, c, wid)
		return wid
	})
	record("training-v1-session-moved-cancelled.json", func() string {
		course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "Negotiation", "duration_days": 1})
		start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
		sess := e.ok(t, 201, "hr", "POST", "/sessions", map[string]any{"course_id": course.body["id"], "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339), "place": "Bern", "capacity": 4})
		sid := int(sess.body["id"].(float64))
		r := e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": e.emp["kam2"]})
		wid := workflows.TrainingWorkflowID(uint(r.body["id"].(float64)))
		moved := start.Add(7 * 24 * time.Hour)
		e.ok(t, 200, "hr", "PUT", fmt.Sprintf("/sessions/%d", sid), map[string]any{"course_id": course.body["id"], "starts_at": moved.Format(time.RFC3339), "ends_at": moved.Add(8 * time.Hour).Format(time.RFC3339), "place": "Zürich", "capacity": 4})
		waitFor(t, "the move reached the enrolment", func() bool {
			v, err := c.QueryWorkflow(ctx, wid, "", workflows.QueryTrainingState)
			var st workflows.TrainingState
			return err == nil && v.Get(&st) == nil && st.Place == "Zürich"
		})
		e.ok(t, 200, "hr", "POST", fmt.Sprintf("/sessions/%d/cancel", sid), nil)
		waitClosed(t, c, wid)
		return wid
	})
	record("programme-v3-training-exceptions.json", func() string {
		id, _ := e.programmeInTraining(t)
		p := fmt.Sprintf("/programmes/%d", id)
		e.ok(t, 200, "committee", "POST", fmt.Sprintf("%s/training/%d/exception", p, e.emp["kam"]), map[string]string{"note": "certified KAM"})
		tr := e.ok(t, 200, "committee", "POST", fmt.Sprintf("%s/training/%d/exception", p, e.emp["kam3"]), map[string]string{"note": "long-standing KAM experience"})
		if tr.body["current_phase"] != "account_plans" {
			t.Fatalf("after the exceptions = %v, want account_plans", tr.body["current_phase"])
		}
		cancel(id)
		return workflows.ProgrammeWorkflowID(id)
	})
}

func waitClosed(t *testing.T, c client.Client, workflowID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.GetWorkflow(ctx, workflowID, "").Get(ctx, nil); err != nil {
		t.Fatalf("%s: %v", workflowID, err)
	}
}

func writeHistory(t *testing.T, c client.Client, workflowID, path string) {
	t.Helper()
	writeRunHistory(t, c, workflowID, "", path)
}

// writeRunHistory writes one run's history (runID "" is the latest run).
func writeRunHistory(t *testing.T, c client.Client, workflowID, runID, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		t.Logf("%s exists; golden histories are never overwritten", path)
		return
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var h historypb.History
	iter := c.GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Println("wrote", path, len(h.Events), "events")
}

// journalMode reads the journal mode a SQLite file was left in.
func journalMode(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatalf("journal mode of %s: %v", path, err)
	}
	return mode
}
