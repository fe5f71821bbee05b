package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/worker"
	"github.com/kamflow/kamflow/workflows"
)

// The no-op programme: the same number of updates and activities as a
// real programme, with no logic, as the baseline for workflow overhead.
const (
	noopWorkflowName = "BenchNoopProgramme"
	noopActivityName = "BenchNoop"
	noopUpdateName   = "step"
	noopTaskQueue    = "bench-noop"
	driveConcurrency = 8
)

type noopInput struct {
	Updates         int `json:"updates"`
	StartActivities int `json:"start_activities"`
}

type noopStep struct {
	Activities int `json:"activities"`
}

func noopWorkflow(ctx workflow.Context, in noopInput) (int, error) {
	ao := workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second}
	ctx = workflow.WithActivityOptions(ctx, ao)
	done := 0
	err := workflow.SetUpdateHandlerWithOptions(ctx, noopUpdateName, func(ctx workflow.Context, s noopStep) (int, error) {
		ctx = workflow.WithActivityOptions(ctx, ao)
		for i := 0; i < s.Activities; i++ {
			if err := workflow.ExecuteActivity(ctx, noopActivityName, i).Get(ctx, nil); err != nil {
				return 0, err
			}
		}
		done++
		return done, nil
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, s noopStep) error {
		if s.Activities < 0 {
			return errors.New("activities must not be negative")
		}
		return nil
	}})
	if err != nil {
		return 0, err
	}
	// Like the programme's start projections, after the handlers are set.
	for i := 0; i < in.StartActivities; i++ {
		if err := workflow.ExecuteActivity(ctx, noopActivityName, i).Get(ctx, nil); err != nil {
			return 0, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return done >= in.Updates }); err != nil {
		return 0, err
	}
	return done, nil
}

func noopActivity(ctx context.Context, i int) (int, error) { return i, nil }

// programmeDriver takes one programme through every phase with the
// Temporal client, as the API would, with the roles each step needs.
type programmeDriver struct {
	c         client.Client
	st        *store.Store
	taskQueue string
	customers []store.Customer
	emp       map[string]uint
}

// newProgrammeDriver drives programmes on the demo data: its customers to
// score and its KAMs to assign.
func newProgrammeDriver(ctx context.Context, c client.Client, st *store.Store) (*programmeDriver, error) {
	customers, _, err := st.ListCustomers(ctx, store.Page{Size: 10})
	if err != nil {
		return nil, err
	}
	d := &programmeDriver{c: c, st: st, taskQueue: "kamflow", customers: customers, emp: map[string]uint{}}
	for _, who := range []string{"kam", "kam2", "kam3"} {
		u, err := st.UserByEmail(ctx, who+"@"+store.DemoDomain)
		if err != nil {
			return nil, err
		}
		d.emp[who] = *u.EmployeeID
	}
	return d, nil
}

func actorOf(role string) workflows.Actor {
	return workflows.Actor{Email: role + "@" + store.DemoDomain, Roles: []string{strings.TrimRight(role, "0123456789")}}
}

func (d *programmeDriver) update(ctx context.Context, id uint, name string, arg any) (workflows.ProgrammeState, error) {
	var st workflows.ProgrammeState
	h, err := d.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.ProgrammeWorkflowID(id), UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return st, fmt.Errorf("%s: %w", name, err)
	}
	if err := h.Get(ctx, &st); err != nil {
		return st, fmt.Errorf("%s: %w", name, err)
	}
	return st, nil
}

// benchCriteria are the selection criteria the driven programmes use.
var benchCriteria = []workflows.Criterion{
	{Key: "revenue", Name: "Revenue potential", Measure: "above 1 M"}, {Key: "fit", Name: "Strategic fit", Measure: "fits"},
	{Key: "growth", Name: "Growth", Measure: "10 %"}, {Key: "reference", Name: "Reference value", Measure: "named"}}

// toCriteria takes a new programme through set-up and the approved
// strategy and sets its selection criteria.
func (d *programmeDriver) toCriteria(ctx context.Context, id uint) error {
	lead, committee := actorOf("lead"), actorOf("committee")
	if _, err := d.update(ctx, id, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: workflows.PhaseSetup, Result: "team set up"}); err != nil {
		return err
	}
	if _, err := d.update(ctx, id, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: workflows.PhaseStrategy, Result: "strategy"}); err != nil {
		return err
	}
	if _, err := d.update(ctx, id, workflows.UpdateApprove, workflows.DecisionRequest{Actor: committee, Phase: workflows.PhaseStrategy}); err != nil {
		return err
	}
	_, err := d.update(ctx, id, workflows.UpdateSetCriteria, workflows.CriteriaRequest{Actor: lead, Threshold: 2, Criteria: benchCriteria})
	return err
}

func (d *programmeDriver) run(ctx context.Context, n int) (uint, error) {
	p, err := d.st.CreateProgramme(ctx, fmt.Sprintf("Bench programme %d", n), "lead@"+store.DemoDomain, time.Now().UTC())
	if err != nil {
		return 0, err
	}
	_, err = d.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ProgrammeWorkflowID(p.ID), TaskQueue: d.taskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, workflows.ProgrammeWorkflowName,
		workflows.ProgrammeInput{ProgrammeID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, CommitteeEmails: []string{"committee@" + store.DemoDomain}, StartDate: p.StartDate})
	if err != nil {
		return 0, err
	}
	if err := d.toCriteria(ctx, p.ID); err != nil {
		return p.ID, fmt.Errorf("programme %d: %w", p.ID, err)
	}
	lead, committee, hr := actorOf("lead"), actorOf("committee"), actorOf("hr")
	submit := func(ph workflows.Phase, result string) error {
		_, err := d.update(ctx, p.ID, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: lead, Phase: ph, Result: result})
		return err
	}
	approve := func(ph workflows.Phase) error {
		_, err := d.update(ctx, p.ID, workflows.UpdateApprove, workflows.DecisionRequest{Actor: committee, Phase: ph})
		return err
	}
	steps := []func() error{
		func() error {
			met := [][]string{{"revenue", "fit", "growth"}, {"revenue", "fit"}, {"growth"}}
			for i, cu := range d.customers[:3] {
				var in []store.ScoreInput
				for _, k := range []string{"revenue", "fit", "growth", "reference"} {
					m := false
					for _, x := range met[i] {
						m = m || x == k
					}
					in = append(in, store.ScoreInput{CriterionKey: k, Met: m})
				}
				if err := d.st.SetScores(ctx, p.ID, cu.ID, lead.Email, in); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return submit(workflows.PhaseCriteria, "criteria") },
		func() error { return approve(workflows.PhaseCriteria) },
		func() error { return submit(workflows.PhaseKAMProfile, "profile") },
		func() error {
			_, err := d.update(ctx, p.ID, workflows.UpdateComputeSelection, workflows.ComputeSelectionRequest{Actor: lead})
			return err
		},
		func() error { return submit(workflows.PhaseProvisionalSelection, "two candidates") },
		func() error {
			for _, cu := range d.customers[:2] {
				if _, err := d.update(ctx, p.ID, workflows.UpdateDecide, workflows.DecideRequest{Actor: lead, CustomerID: cu.ID, Decision: "confirmed", Reason: "checked"}); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return submit(workflows.PhaseDefinitiveSelection, "two key accounts") },
		func() error { return approve(workflows.PhaseDefinitiveSelection) },
		func() error {
			for i, cu := range d.customers[:2] {
				kam := []string{"kam3", "kam"}[i]
				if _, err := d.update(ctx, p.ID, workflows.UpdateAssign, workflows.AssignRequest{Actor: lead, CustomerID: cu.ID, KAMEmployeeID: d.emp[kam], DeputyEmployeeID: d.emp["kam2"]}); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return submit(workflows.PhaseResponsibilities, "named") },
		func() error { return approve(workflows.PhaseResponsibilities) },
		func() error {
			_, err := d.update(ctx, p.ID, workflows.UpdateTrainingComplete, workflows.TrainingRequest{Actor: hr, EmployeeID: d.emp["kam"], Note: "CAS"})
			return err
		},
		func() error {
			_, err := d.update(ctx, p.ID, workflows.UpdateTrainingException, workflows.TrainingRequest{Actor: committee, EmployeeID: d.emp["kam3"], Note: "experience"})
			return err
		},
		func() error {
			// The bench measures the programme alone: it reports each plan's
			// approval as the plan workflow's activity does.
			for i, cu := range d.customers[:2] {
				req := workflows.PlanApprovalRequest{Actor: lead, CustomerID: cu.ID, PlanWorkflowID: workflows.PlanWorkflowID(uint(i+1), 1)}
				if _, err := d.update(ctx, p.ID, workflows.UpdateApprovePlan, req); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			req := workflows.StaffInformedRequest{Actor: lead, InformedOn: time.Now().UTC().Truncate(24 * time.Hour), Channel: "staff_meeting",
				Groups: []string{"Sales", "Service"}, KeyAccountsNamed: true}
			_, err := d.update(ctx, p.ID, workflows.UpdateRecordStaffInformed, req)
			return err
		},
		func() error { return submit(workflows.PhaseRollout, "rolled out") },
		func() error { return submit(workflows.PhaseReviews, "first review") },
		func() error { return approve(workflows.PhaseReviews) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return p.ID, fmt.Errorf("programme %d step %d: %w", p.ID, i, err)
		}
	}
	var st workflows.ProgrammeState
	if err := d.c.GetWorkflow(ctx, workflows.ProgrammeWorkflowID(p.ID), "").Get(ctx, &st); err != nil {
		return p.ID, err
	}
	if st.Status != workflows.StatusCompleted {
		return p.ID, fmt.Errorf("programme %d ended %s", p.ID, st.Status)
	}
	return p.ID, nil
}

// shape is the order of work in a workflow's history: the activities each
// accepted update scheduled while it ran, in update order, and those the
// workflow scheduled outside any update.
type shape struct {
	perUpdate []int
	outside   int
}

func (s shape) activities() int {
	n := s.outside
	for _, a := range s.perUpdate {
		n += a
	}
	return n
}

// historyShape reads a workflow's shape from its history. The driver sends
// one update at a time, so an activity belongs to the update still open.
func historyShape(ctx context.Context, c client.Client, id string) (shape, error) {
	var s shape
	open := 0
	it := c.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return s, err
		}
		switch ev.GetEventType() {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			open++
			s.perUpdate = append(s.perUpdate, 0)
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			open--
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			if open > 0 {
				s.perUpdate[len(s.perUpdate)-1]++
			} else {
				s.outside++
			}
		}
	}
	return s, nil
}

// parallel runs job(0..n-1) on k goroutines and returns the wall time.
func parallel(n, k int, job func(i int) error) (time.Duration, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	start := time.Now()
	for w := 0; w < k; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := job(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), first
}

func benchWorkflows(ctx context.Context, o options, r *report) error {
	e, err := startEnv(ctx, o, "sqlite", "workflows")
	if err != nil {
		return err
	}
	defer e.stop()
	// The baseline's worker is tuned as kamflow's.
	w := sdkworker.New(e.client, noopTaskQueue, worker.Options(e.cfg.Temporal.WorkerPollers))
	w.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: noopWorkflowName})
	w.RegisterActivityWithOptions(noopActivity, activity.RegisterOptions{Name: noopActivityName})
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	d, err := newProgrammeDriver(ctx, e.client, e.store)
	if err != nil {
		return err
	}
	// One programme first: its history gives the baseline's shape.
	id, err := d.run(ctx, 0)
	if err != nil {
		return err
	}
	sh, err := historyShape(ctx, e.client, workflows.ProgrammeWorkflowID(id))
	if err != nil {
		return err
	}
	updates, acts := len(sh.perUpdate), sh.activities()
	o.log.Info("programme shape", "updates", updates, "activities", acts, "per_update", sh.perUpdate)

	runProgrammes := func(round int) (time.Duration, error) {
		return parallel(o.programmes, driveConcurrency, func(i int) error {
			_, err := d.run(ctx, 1+round*o.programmes+i)
			return err
		})
	}
	runNoops := func(round int) (time.Duration, error) {
		return parallel(o.programmes, driveConcurrency, func(i int) error {
			wid := fmt.Sprintf("bench-noop-%d-%d", round, i)
			_, err := e.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: noopTaskQueue}, noopWorkflowName,
				noopInput{Updates: updates, StartActivities: sh.outside})
			if err != nil {
				return err
			}
			for _, n := range sh.perUpdate {
				h, err := e.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: noopUpdateName,
					Args: []any{noopStep{Activities: n}}, WaitForStage: client.WorkflowUpdateStageCompleted})
				if err != nil {
					return err
				}
				if err := h.Get(ctx, nil); err != nil {
					return err
				}
			}
			return e.client.GetWorkflow(ctx, wid, "").Get(ctx, nil)
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d programmes per round driven from start through every phase to completion with the Temporal client (%d at a time) on the embedded real server (SQLite), against a no-op workflow with the same shape: %d updates and %d activities each, every update running as many activities in a row as the programme's did (%v; %d outside updates), measured from a programme's history. %d rounds; odd rounds run the programmes first, even rounds the no-ops first; the ratio is the median of the rounds' ratios.\n\n", o.programmes, driveConcurrency, updates, acts, sh.perUpdate, sh.outside, o.rounds)
	b.WriteString("| round | first | programmes wall | no-ops wall | per programme | per no-op | ratio |\n|---|---|---|---|---|---|---|\n")
	var ratios []float64
	for round := 0; round < o.rounds; round++ {
		var progWall, noopWall time.Duration
		first := "programmes"
		if round%2 == 0 {
			if progWall, err = runProgrammes(round); err == nil {
				noopWall, err = runNoops(round)
			}
		} else {
			first = "no-ops"
			if noopWall, err = runNoops(round); err == nil {
				progWall, err = runProgrammes(round)
			}
		}
		if err != nil {
			return err
		}
		ratio := progWall.Seconds() / noopWall.Seconds()
		ratios = append(ratios, ratio)
		n := time.Duration(o.programmes)
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %.2f |\n", round+1, first, progWall.Round(time.Millisecond), noopWall.Round(time.Millisecond),
			(progWall / n).Round(time.Millisecond), (noopWall / n).Round(time.Millisecond), ratio)
		o.log.Info("workflow round", "round", round+1, "ratio", ratio)
	}
	lo, hi := spread(ratios)
	fmt.Fprintf(&b, "\n**Ratio** programme / no-op = %.2f as the median of %d rounds (spread %.2f–%.2f; target ≤ 1.3) — %s.\n", median(ratios), len(ratios), lo, hi, verdict(median(ratios) <= 1.3))
	r.section("Workflows: programmes against a no-op of the same shape", b.String())
	return nil
}
