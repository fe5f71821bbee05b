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
	anyone := requireRole(store.Roles()...)
	approvers := requireRole(store.RoleLead, store.RoleCommittee)
	api.GET("/key-accounts/:id/workshop-schedule", s.apiGetWorkshopSchedule, anyone)
	api.PUT("/key-accounts/:id/workshop-schedule", s.apiSetWorkshopSchedule, anyone)
	api.POST("/key-accounts/:id/workshops", s.apiStartWorkshop, anyone)
	api.GET("/key-accounts/:id/workshops", s.apiListWorkshops, anyone)
	api.GET("/workshops/:id", s.apiGetWorkshop, anyone)
	api.POST("/workshops/:id/dates", s.apiWorkshopDates, anyone)
	api.POST("/workshops/:id/minutes", s.apiWorkshopMinutes, anyone)
	api.POST("/workshops/:id/actions/:actionID/complete", s.apiWorkshopActionDone, anyone)
	api.GET("/key-accounts/:id/plan", s.apiGetPlan, anyone)
	api.PUT("/key-accounts/:id/plan", s.apiSavePlan, anyone)
	api.POST("/key-accounts/:id/plan/submit", s.apiSubmitPlan, anyone)
	api.POST("/key-accounts/:id/plan/approve", s.apiDecidePlan(workflows.UpdateApproveAccountPlan), approvers)
	api.POST("/key-accounts/:id/plan/reject", s.apiDecidePlan(workflows.UpdateRejectAccountPlan), approvers)
	api.POST("/key-accounts/:id/plan/actions/:actionID/complete", s.apiPlanActionDone, anyone)
	api.GET("/key-accounts/:id/actions", s.apiListActions, anyone)
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
	ctx := c.Request().Context()
	wid := fmt.Sprintf("%s-%d", workflows.WorkshopWorkflowIDPrefix(ka.ID), s.opts.Now().Year())
	_, err = s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: ka.ID})
	if err != nil {
		if strings.Contains(err.Error(), "already") {
			return apiErr(http.StatusConflict, "conflict", "this year's workshop exists already")
		}
		return serverError(err)
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": wid, "key_account_id": ka.ID})
}

func workshopJSON(w store.Workshop) map[string]any {
	parts := make([]map[string]any, 0, len(w.Participants))
	for _, p := range w.Participants {
		parts = append(parts, map[string]any{"side": p.Side, "id": p.PersonID, "name": p.Name, "level": p.Level})
	}
	return map[string]any{"id": w.ID, "key_account_id": w.KeyAccountID, "workflow_id": w.WorkflowID, "year": w.Year, "status": w.Status,
		"starts_at": w.StartsAt, "ends_at": w.EndsAt, "place": w.Place, "agenda": w.Agenda, "minutes": w.Minutes, "participants": parts}
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

// workshopFor loads a workshop and checks access through its key account.
func (s *Server) workshopFor(c echo.Context) (*store.Workshop, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	w, err := s.opts.Store.WorkshopByID(c.Request().Context(), id)
	if err != nil {
		return nil, storeError(err, "workshop")
	}
	if _, err := s.keyAccountAccess(c, w.KeyAccountID); err != nil {
		return nil, err
	}
	return w, nil
}

func (s *Server) apiGetWorkshop(c echo.Context) error {
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	out := workshopJSON(*w)
	ctx := c.Request().Context()
	if v, err := s.opts.Temporal.QueryWorkflow(ctx, w.WorkflowID, "", workflows.QueryWorkshopState); err == nil {
		var st workflows.WorkshopState
		if v.Get(&st) == nil {
			out["actions"], out["minutes_due"] = st.Actions, st.MinutesDue
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiWorkshopDates(c echo.Context) error {
	var req struct {
		StartsAt string `json:"starts_at"`
		Place    string `json:"place"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	start, err := parseTimestamp("starts_at", req.StartsAt)
	if err != nil {
		return err
	}
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	return s.updateJSON(c, w.WorkflowID, workflows.UpdateProposeDates, workflows.ProposeDatesRequest{Actor: actor(c), StartsAt: start, Place: req.Place}, "the workshop is closed")
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
	Strategy string `json:"strategy"`
	Goals    []struct {
		Title      string `json:"title"`
		Objectives []struct {
			Title   string       `json:"title"`
			Actions []actionBody `json:"actions"`
		} `json:"objectives"`
	} `json:"goals"`
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

// isAccountsKAM: the KAM (or covering person) of the account, or an admin.
func isAccountsKAM(c echo.Context, ka *store.KeyAccount) bool {
	u := currentUser(c)
	if u.HasRole(store.RoleAdmin) {
		return true
	}
	r := ka.Responsible()
	return u.EmployeeID != nil && r != nil && *r == *u.EmployeeID
}

// apiSavePlan stores the KAM's draft: strategy, goals, objectives, actions.
func (s *Server) apiSavePlan(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	if !isAccountsKAM(c, ka) {
		return apiErr(http.StatusForbidden, "forbidden", "only the account's KAM writes its plan")
	}
	var req planBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Strategy) == "" || len(req.Strategy) > 20000 {
		return fieldError("strategy", "strategy is required (up to 20000 characters)")
	}
	if len(req.Goals) == 0 || len(req.Goals) > 20 {
		return fieldError("goals", "a plan has 1 to 20 goals")
	}
	ctx := c.Request().Context()
	p := &store.AccountPlan{KeyAccountID: ka.ID, Strategy: strings.TrimSpace(req.Strategy)}
	for gi, g := range req.Goals {
		gf := fmt.Sprintf("goals[%d]", gi)
		if strings.TrimSpace(g.Title) == "" || len(g.Title) > 300 {
			return fieldError(gf+".title", "title is required (up to 300 characters)")
		}
		if len(g.Objectives) == 0 {
			return fieldError(gf+".objectives", "each goal needs at least one objective")
		}
		goal := store.PlanGoal{Position: gi, Title: strings.TrimSpace(g.Title)}
		for oi, o := range g.Objectives {
			of := fmt.Sprintf("%s.objectives[%d]", gf, oi)
			if strings.TrimSpace(o.Title) == "" || len(o.Title) > 300 {
				return fieldError(of+".title", "title is required (up to 300 characters)")
			}
			actions, err := s.parseActions(ctx, of+".actions", o.Actions)
			if err != nil {
				return err
			}
			for ai, a := range actions {
				if strings.TrimSpace(a.Title) == "" || len(a.Title) > 300 {
					return fieldError(fmt.Sprintf("%s.actions[%d].title", of, ai), "title is required (up to 300 characters)")
				}
				if !a.Due.After(s.opts.Now()) {
					return fieldError(fmt.Sprintf("%s.actions[%d].due", of, ai), "the due date must be in the future")
				}
			}
			raw, _ := json.Marshal(actions)
			goal.Objectives = append(goal.Objectives, store.PlanObjective{Position: oi, Title: strings.TrimSpace(o.Title), PlannedActions: string(raw)})
		}
		p.Goals = append(p.Goals, goal)
	}
	if err := s.opts.Store.SavePlanDraft(ctx, p); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return apiErr(http.StatusConflict, "conflict", "the submitted plan waits for its decision")
		}
		return serverError(err)
	}
	saved, err := s.opts.Store.LatestPlan(ctx, ka.ID)
	if err != nil {
		return serverError(err)
	}
	return c.JSON(http.StatusOK, planJSON(*saved))
}

// apiSubmitPlan hands the draft to the programme lead and committee.
func (s *Server) apiSubmitPlan(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	if !isAccountsKAM(c, ka) {
		return apiErr(http.StatusForbidden, "forbidden", "only the account's KAM submits its plan")
	}
	ctx := c.Request().Context()
	p, err := s.opts.Store.LatestPlan(ctx, ka.ID)
	if err != nil {
		return storeError(err, "account plan")
	}
	if p.Status != "draft" {
		return apiErr(http.StatusConflict, "conflict", "there is no draft to submit (status "+p.Status+")")
	}
	st, err := s.programmeState(ctx, ka.ProgrammeID)
	if err != nil {
		return err
	}
	cust, err := s.opts.Store.Customer(ctx, ka.CustomerID)
	if err != nil {
		return serverError(err)
	}
	var actions []workflows.ActionInput
	for _, g := range p.Goals {
		for _, o := range g.Objectives {
			var list []workflows.ActionInput
			if err := json.Unmarshal([]byte(o.PlannedActions), &list); err != nil && o.PlannedActions != "" {
				return serverError(err)
			}
			for i := range list {
				list[i].ObjectiveID = o.ID
			}
			actions = append(actions, list...)
		}
	}
	if ok, err := s.opts.Store.SetPlanStatus(ctx, p.ID, "draft", "submitted", actor(c).Email, "", s.opts.Now()); err != nil {
		return serverError(err)
	} else if !ok {
		return apiErr(http.StatusConflict, "conflict", "the plan changed meanwhile; reload it")
	}
	in := workflows.PlanInput{KeyAccountID: ka.ID, PlanID: p.ID, Version: p.Version, ProgrammeID: ka.ProgrammeID, CustomerID: ka.CustomerID,
		CustomerName: cust.Name, KAMEmail: actor(c).Email, LeadEmail: st.LeadEmail, CommitteeEmails: st.CommitteeEmails, Actions: actions}
	wid := workflows.PlanWorkflowID(ka.ID, p.Version)
	_, err = s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.PlanWorkflowName, in)
	if err != nil {
		if _, rErr := s.opts.Store.SetPlanStatus(context.WithoutCancel(ctx), p.ID, "submitted", "draft", "", "", s.opts.Now()); rErr != nil {
			s.log.Error("return plan to draft after a failed start", "plan", p.ID, "err", rErr)
		}
		return serverError(fmt.Errorf("start plan approval: %w", err))
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": wid, "plan_id": p.ID, "version": p.Version})
}

func (s *Server) planWorkflowID(c echo.Context) (string, error) {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return "", err
	}
	p, err := s.opts.Store.LatestPlan(c.Request().Context(), ka.ID)
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
		wid, err := s.planWorkflowID(c)
		if err != nil {
			return err
		}
		return s.updateJSON(c, wid, update, workflows.PlanDecision{Actor: actor(c), Comment: req.Comment}, "the plan's approval is closed")
	}
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
