package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/schedules"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func (s *Server) accountWorkRoutes(api *echo.Group) {
	api.GET("/key-accounts/:id/workshop-schedule", s.apiGetWorkshopSchedule)
	api.PUT("/key-accounts/:id/workshop-schedule", s.apiSetWorkshopSchedule)
	api.POST("/key-accounts/:id/workshops", s.apiStartWorkshop)
	api.GET("/key-accounts/:id/workshops", s.apiListWorkshops)
	api.GET("/workshops/:id", s.apiGetWorkshop)
	api.POST("/workshops/:id/dates", s.apiWorkshopDates)
	api.POST("/workshops/:id/minutes", s.apiWorkshopMinutes)
	api.PUT("/workshops/:id/participants", s.apiWorkshopParticipants)
	api.POST("/workshops/:id/actions/:actionID/complete", s.apiWorkshopActionDone)
	api.GET("/key-accounts/:id/plan", s.apiGetPlan)
	api.PUT("/key-accounts/:id/plan", s.apiSavePlan)
	api.POST("/key-accounts/:id/plan/submit", s.apiSubmitPlan)
	api.POST("/key-accounts/:id/plan/approve", s.apiDecidePlan(workflows.UpdateApproveAccountPlan))
	api.POST("/key-accounts/:id/plan/reject", s.apiDecidePlan(workflows.UpdateRejectAccountPlan))
	api.POST("/key-accounts/:id/plan/actions/:actionID/complete", s.apiPlanActionDone)
	api.GET("/key-accounts/:id/actions", s.apiListActions)
}

// --- workshops ---

func (s *Server) apiGetWorkshopSchedule(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := s.opts.Temporal.ScheduleClient().GetHandle(ctx, workflows.WorkshopScheduleID(ka.ID)).Describe(ctx)
	if isNotFoundErr(err) {
		return apiErr(http.StatusNotFound, "not_found", "the key account has no workshop schedule")
	}
	if err != nil {
		return serverError(err)
	}
	month := 0
	if cal := d.Schedule.Spec.Calendars; len(cal) > 0 && len(cal[0].Month) > 0 {
		month = cal[0].Month[0].Start
	}
	return c.JSON(http.StatusOK, map[string]any{"key_account_id": ka.ID, "schedule_id": workflows.WorkshopScheduleID(ka.ID), "month": month,
		"paused": d.Schedule.State.Paused, "next_runs": d.Info.NextActionTimes})
}

// apiSetWorkshopSchedule lets the KAM choose the workshop's month.
func (s *Server) apiSetWorkshopSchedule(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req struct {
		Month int `json:"month"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Month < 1 || req.Month > 12 {
		return fieldError("month", "month is 1 to 12")
	}
	ctx := c.Request().Context()
	spec := schedules.WorkshopSpec(time.Month(req.Month))
	if err := s.putSchedule(ctx, workflows.WorkshopScheduleID(ka.ID), spec, schedules.WorkshopAction(ka.ID, s.opts.TaskQueue), false, "month set by "+actor(c).Email); err != nil {
		return err
	}
	return s.apiGetWorkshopSchedule(c)
}

// apiStartWorkshop starts this year's workshop now (once a year).
func (s *Server) apiStartWorkshop(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	wid, err := s.startWorkshop(c.Request().Context(), ka)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": wid, "key_account_id": ka.ID})
}

// startWorkshop starts the key account's workshop of this year; the API
// and the key-account page start through it.
func (s *Server) startWorkshop(ctx context.Context, ka *store.KeyAccount) (string, error) {
	year := s.opts.Now().Year()
	// One workshop per key account and year, however it was started (the
	// Schedule's workflow IDs differ); the workflow also ends a second quietly.
	if _, err := s.opts.Store.WorkshopOfYear(ctx, ka.ID, year); err == nil {
		return "", apiErr(http.StatusConflict, "conflict", "this year's workshop exists already")
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", serverError(err)
	}
	wid := fmt.Sprintf("%s-%d", workflows.WorkshopWorkflowIDPrefix(ka.ID), year)
	_, err := s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: ka.ID})
	if err != nil {
		if isAlreadyStarted(err) {
			return "", apiErr(http.StatusConflict, "conflict", "this year's workshop exists already")
		}
		return "", serverError(err)
	}
	return wid, nil
}

func workshopJSON(w store.Workshop) map[string]any {
	parts := make([]map[string]any, 0, len(w.Participants))
	for _, p := range w.Participants {
		parts = append(parts, map[string]any{"side": p.Side, "id": p.PersonID, "name": p.Name, "level": p.Level})
	}
	return map[string]any{"id": w.ID, "key_account_id": w.KeyAccountID, "workflow_id": w.WorkflowID, "year": w.Year, "status": w.Status,
		"starts_at": w.StartsAt, "ends_at": w.EndsAt, "date_options": w.Options(), "place": w.Place, "agenda": w.Agenda, "minutes": w.Minutes, "participants": parts}
}

func (s *Server) apiListWorkshops(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	list, err := s.opts.Store.WorkshopsOf(c.Request().Context(), ka.ID)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, w := range list {
		items = append(items, workshopJSON(w))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// workshopFor loads the route's workshop (the route's policy entry
// decided access through its key account).
func (s *Server) workshopFor(c echo.Context) (*store.Workshop, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	w, err := s.opts.Store.WorkshopByID(c.Request().Context(), id)
	if err != nil {
		return nil, storeError(err, "workshop")
	}
	return w, nil
}

func (s *Server) apiGetWorkshop(c echo.Context) error {
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	out := workshopJSON(*w)
	actions, err := s.opts.Store.ActionsFrom(c.Request().Context(), "workshop", w.ID)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(actions))
	for _, a := range actions {
		items = append(items, map[string]any{"id": a.ID, "title": a.Title, "owner_email": a.OwnerEmail, "due": a.Due,
			"done": a.DoneAt != nil, "done_at": a.DoneAt, "done_by": a.DoneBy})
	}
	out["actions"], out["minutes_due"], out["minutes_by"], out["minutes_at"] = items, w.MinutesDue, w.MinutesBy, w.MinutesAt
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiWorkshopDates(c echo.Context) error {
	var req struct {
		StartsAt     string   `json:"starts_at"`
		Alternatives []string `json:"alternatives"`
		Place        string   `json:"place"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	start, err := parseTimestamp("starts_at", req.StartsAt)
	if err != nil {
		return err
	}
	var alternatives []time.Time
	for i, v := range req.Alternatives {
		t, err := parseTimestamp(fmt.Sprintf("alternatives[%d]", i), v)
		if err != nil {
			return err
		}
		alternatives = append(alternatives, t)
	}
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	return s.updateJSON(c, w.WorkflowID, workflows.UpdateProposeDates, workflows.ProposeDatesRequest{Actor: actor(c), StartsAt: start, Alternatives: alternatives, Place: req.Place}, "the workshop is closed")
}

// apiWorkshopParticipants sets who takes part, both sides, as a whole:
// our employees and the customer's contacts by ID.
func (s *Server) apiWorkshopParticipants(c echo.Context) error {
	var req struct {
		Participants []struct {
			Side string `json:"side"`
			ID   uint   `json:"id"`
		} `json:"participants"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ka, err := s.opts.Store.KeyAccountByID(ctx, w.KeyAccountID)
	if err != nil {
		return serverError(err)
	}
	if len(req.Participants) > workflows.MaxWorkshopParticipants {
		return fieldError("participants", fmt.Sprintf("at most %d participants", workflows.MaxWorkshopParticipants))
	}
	people := make([]workflows.WorkshopPerson, 0, len(req.Participants))
	for i, p := range req.Participants {
		person, err := s.participantOf(ctx, ka, p.Side, p.ID, fmt.Sprintf("participants[%d].id", i))
		if err != nil {
			return err
		}
		people = append(people, person)
	}
	if err := s.setParticipants(ctx, w, actor(c), people); err != nil {
		return err
	}
	saved, err := s.opts.Store.WorkshopByID(ctx, w.ID)
	if err != nil {
		return serverError(err)
	}
	return c.JSON(http.StatusOK, workshopJSON(*saved))
}

type actionBody struct {
	Title      string `json:"title"`
	OwnerEmail string `json:"owner_email"`
	Due        string `json:"due"`
}

// parseActions checks owners exist and turns due dates into end of day.
func (s *Server) parseActions(ctx context.Context, field string, in []actionBody) ([]workflows.ActionInput, error) {
	out := make([]workflows.ActionInput, 0, len(in))
	for i, a := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		due, err := parseDate(f+".due", a.Due)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(a.OwnerEmail) == "" {
			return nil, fieldError(f+".owner_email", "choose the action's owner")
		}
		if _, err := s.opts.Store.UserByEmail(ctx, a.OwnerEmail); errors.Is(err, store.ErrNotFound) {
			return nil, fieldError(f+".owner_email", fmt.Sprintf("no user %q", a.OwnerEmail))
		} else if err != nil {
			return nil, serverError(err)
		}
		out = append(out, workflows.ActionInput{Title: a.Title, OwnerEmail: a.OwnerEmail, Due: due.Add(23*time.Hour + 59*time.Minute)})
	}
	return out, nil
}

func (s *Server) apiWorkshopMinutes(c echo.Context) error {
	var req struct {
		Minutes string       `json:"minutes"`
		Actions []actionBody `json:"actions"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	actions, err := s.parseActions(c.Request().Context(), "actions", req.Actions)
	if err != nil {
		return err
	}
	return s.updateJSON(c, w.WorkflowID, workflows.UpdateRecordMinutes, workflows.MinutesRequest{Actor: actor(c), Minutes: req.Minutes, Actions: actions}, "the workshop is closed")
}

func (s *Server) apiWorkshopActionDone(c echo.Context) error {
	aid, err := idParam(c, "actionID")
	if err != nil {
		return err
	}
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	return s.updateJSON(c, w.WorkflowID, workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: actor(c), ActionID: aid}, "the workshop is closed")
}

// --- account plans ---

type planBody struct {
	Strategy string         `json:"strategy"`
	Goals    []planGoalBody `json:"goals"`
}

type planGoalBody struct {
	Title      string              `json:"title"`
	Objectives []planObjectiveBody `json:"objectives"`
}

type planObjectiveBody struct {
	Title   string       `json:"title"`
	Actions []actionBody `json:"actions"`
}

func planJSON(p store.AccountPlan) map[string]any {
	goals := make([]map[string]any, 0, len(p.Goals))
	for _, g := range p.Goals {
		objs := make([]map[string]any, 0, len(g.Objectives))
		for _, o := range g.Objectives {
			var actions []any
			_ = json.Unmarshal([]byte(o.PlannedActions), &actions)
			objs = append(objs, map[string]any{"id": o.ID, "title": o.Title, "actions": actions})
		}
		goals = append(goals, map[string]any{"id": g.ID, "title": g.Title, "objectives": objs})
	}
	return map[string]any{"id": p.ID, "key_account_id": p.KeyAccountID, "version": p.Version, "strategy": p.Strategy, "status": p.Status,
		"submitted_by": p.SubmittedBy, "submitted_at": p.SubmittedAt, "decided_by": p.DecidedBy, "decided_at": p.DecidedAt, "comment": p.Comment, "goals": goals}
}

func (s *Server) apiGetPlan(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	p, err := s.opts.Store.LatestPlan(c.Request().Context(), ka.ID)
	if err != nil {
		return storeError(err, "account plan")
	}
	return c.JSON(http.StatusOK, planJSON(*p))
}

// apiSavePlan stores the KAM's draft: strategy, goals, objectives, actions.
func (s *Server) apiSavePlan(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req planBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	saved, err := s.savePlanDraft(c.Request().Context(), ka, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, planJSON(*saved))
}

// savePlanDraft checks a plan and stores it as the key account's draft
// (replacing a draft, or as the next version after a decision); the API
// and the plan editor both save through it. A refusal names its field.
func (s *Server) savePlanDraft(ctx context.Context, ka *store.KeyAccount, req planBody) (*store.AccountPlan, error) {
	if strings.TrimSpace(req.Strategy) == "" || len(req.Strategy) > 20000 {
		return nil, fieldError("strategy", "strategy is required (up to 20000 characters)")
	}
	if len(req.Goals) == 0 || len(req.Goals) > 20 {
		return nil, fieldError("goals", "a plan has 1 to 20 goals")
	}
	p := &store.AccountPlan{KeyAccountID: ka.ID, Strategy: strings.TrimSpace(req.Strategy)}
	for gi, g := range req.Goals {
		gf := fmt.Sprintf("goals[%d]", gi)
		if strings.TrimSpace(g.Title) == "" || len(g.Title) > 300 {
			return nil, fieldError(gf+".title", "title is required (up to 300 characters)")
		}
		if len(g.Objectives) == 0 {
			return nil, fieldError(gf+".objectives", "each goal needs at least one objective")
		}
		goal := store.PlanGoal{Position: gi, Title: strings.TrimSpace(g.Title)}
		for oi, o := range g.Objectives {
			of := fmt.Sprintf("%s.objectives[%d]", gf, oi)
			if strings.TrimSpace(o.Title) == "" || len(o.Title) > 300 {
				return nil, fieldError(of+".title", "title is required (up to 300 characters)")
			}
			actions, err := s.parseActions(ctx, of+".actions", o.Actions)
			if err != nil {
				return nil, err
			}
			for ai, a := range actions {
				if strings.TrimSpace(a.Title) == "" || len(a.Title) > 300 {
					return nil, fieldError(fmt.Sprintf("%s.actions[%d].title", of, ai), "title is required (up to 300 characters)")
				}
				if !a.Due.After(s.opts.Now()) {
					return nil, fieldError(fmt.Sprintf("%s.actions[%d].due", of, ai), "the due date must be in the future")
				}
			}
			raw, _ := json.Marshal(actions)
			goal.Objectives = append(goal.Objectives, store.PlanObjective{Position: oi, Title: strings.TrimSpace(o.Title), PlannedActions: string(raw)})
		}
		p.Goals = append(p.Goals, goal)
	}
	if err := s.opts.Store.SavePlanDraft(ctx, p); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return nil, apiErr(http.StatusConflict, "conflict", "the submitted plan waits for its decision")
		}
		return nil, serverError(err)
	}
	saved, err := s.opts.Store.LatestPlan(ctx, ka.ID)
	if err != nil {
		return nil, serverError(err)
	}
	return saved, nil
}

// apiSubmitPlan hands the draft to the programme lead and committee.
func (s *Server) apiSubmitPlan(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	p, wid, err := s.submitPlan(c.Request().Context(), ka, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": wid, "plan_id": p.ID, "version": p.Version})
}

// submitPlan starts the approval of the key account's draft plan; the API
// and the plan editor both submit through it.
func (s *Server) submitPlan(ctx context.Context, ka *store.KeyAccount, by workflows.Actor) (*store.AccountPlan, string, error) {
	p, err := s.opts.Store.LatestPlan(ctx, ka.ID)
	if err != nil {
		return nil, "", storeError(err, "account plan")
	}
	if p.Status != "draft" {
		return nil, "", apiErr(http.StatusConflict, "conflict", "there is no draft to submit (status "+p.Status+")")
	}
	st, err := s.programmeState(ctx, ka.ProgrammeID)
	if err != nil {
		return nil, "", err
	}
	cust, err := s.opts.Store.Customer(ctx, ka.CustomerID)
	if err != nil {
		return nil, "", serverError(err)
	}
	var actions []workflows.ActionInput
	for _, g := range p.Goals {
		for _, o := range g.Objectives {
			var list []workflows.ActionInput
			if err := json.Unmarshal([]byte(o.PlannedActions), &list); err != nil && o.PlannedActions != "" {
				return nil, "", serverError(err)
			}
			for i := range list {
				list[i].ObjectiveID = o.ID
			}
			actions = append(actions, list...)
		}
	}
	if ok, err := s.opts.Store.SetPlanStatus(ctx, p.ID, "draft", "submitted", by.Email, "", s.opts.Now()); err != nil {
		return nil, "", serverError(err)
	} else if !ok {
		return nil, "", apiErr(http.StatusConflict, "conflict", "the plan changed meanwhile; reload it")
	}
	in := workflows.PlanInput{KeyAccountID: ka.ID, PlanID: p.ID, Version: p.Version, ProgrammeID: ka.ProgrammeID, CustomerID: ka.CustomerID,
		CustomerName: cust.Name, KAMEmail: by.Email, LeadEmail: st.LeadEmail, CommitteeEmails: st.CommitteeEmails, Actions: actions}
	wid := workflows.PlanWorkflowID(ka.ID, p.Version)
	_, err = s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.PlanWorkflowName, in)
	if err != nil {
		if _, rErr := s.opts.Store.SetPlanStatus(context.WithoutCancel(ctx), p.ID, "submitted", "draft", "", "", s.opts.Now()); rErr != nil {
			s.logFor(ctx).Error("return plan to draft after a failed start", "plan", p.ID, "err", rErr)
		}
		return nil, "", serverError(fmt.Errorf("start plan approval: %w", err))
	}
	return p, wid, nil
}

func (s *Server) planWorkflowID(c echo.Context) (string, error) {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return "", err
	}
	return s.planWorkflowIDOf(c.Request().Context(), ka)
}

// planWorkflowIDOf names the approval of the key account's newest plan;
// a draft has none yet.
func (s *Server) planWorkflowIDOf(ctx context.Context, ka *store.KeyAccount) (string, error) {
	p, err := s.opts.Store.LatestPlan(ctx, ka.ID)
	if err != nil {
		return "", storeError(err, "account plan")
	}
	if p.Status == "draft" {
		return "", apiErr(http.StatusConflict, "conflict", "the plan is a draft; the KAM submits it first")
	}
	return workflows.PlanWorkflowID(ka.ID, p.Version), nil
}

func (s *Server) apiDecidePlan(update string) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req struct {
			Comment string `json:"comment"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		ka, err := s.keyAccountFor(c)
		if err != nil {
			return err
		}
		var st json.RawMessage
		if err := s.decidePlan(c.Request().Context(), ka, update, workflows.PlanDecision{Actor: actor(c), Comment: req.Comment}, &st); err != nil {
			return err
		}
		return c.JSONBlob(http.StatusOK, st)
	}
}

// decidePlan approves or rejects (update) the key account's submitted
// plan; the workflow's validator decides who may and what is missing.
// The API and the pages both decide through it.
func (s *Server) decidePlan(ctx context.Context, ka *store.KeyAccount, update string, d workflows.PlanDecision, dst any) error {
	wid, err := s.planWorkflowIDOf(ctx, ka)
	if err != nil {
		return err
	}
	return s.sendUpdate(ctx, wid, update, d, dst, "the plan's approval is closed")
}

func (s *Server) apiPlanActionDone(c echo.Context) error {
	aid, err := idParam(c, "actionID")
	if err != nil {
		return err
	}
	wid, err := s.planWorkflowID(c)
	if err != nil {
		return err
	}
	return s.updateJSON(c, wid, workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: actor(c), ActionID: aid}, "the plan's actions are all done")
}

func (s *Server) apiListActions(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	list, err := s.opts.Store.ActionsOf(c.Request().Context(), ka.ID)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, a := range list {
		items = append(items, map[string]any{"id": a.ID, "source": a.Source, "source_id": a.SourceID, "title": a.Title, "owner_email": a.OwnerEmail,
			"due": a.Due.Format("2006-01-02"), "done": a.DoneAt != nil, "done_by": a.DoneBy, "overdue": a.DoneAt == nil && a.Due.Before(s.opts.Now())})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
