package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/schedules"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func (s *Server) jourFixeRoutes(api *echo.Group) {
	anyone := requireRole(store.Roles()...)
	leadOrKAM := requireRole(store.RoleLead, store.RoleKAM)
	api.PUT("/programmes/:id/jour-fixe-schedule", s.apiSetJourFixeSchedule, leadOrKAM)
	api.DELETE("/programmes/:id/jour-fixe-schedule", s.apiDeleteJourFixeSchedule, leadOrKAM)
	api.POST("/programmes/:id/jour-fixes", s.apiStartJourFixe, leadOrKAM)
	api.GET("/programmes/:id/jour-fixes", s.apiListJourFixes, anyone)
	api.GET("/jour-fixes/:id", s.apiGetJourFixe, anyone)
	api.POST("/jour-fixes/:id/inputs", s.apiJourFixeInput, anyone)
	api.GET("/key-accounts/:id/satisfaction", s.apiSatisfaction, anyone)
}

// jourFixeScope reads the optional key account the jour fixe is for.
func (s *Server) jourFixeScope(c echo.Context, programmeID, keyAccountID uint) error {
	ctx := c.Request().Context()
	if err := s.requireProgramme(ctx, programmeID); err != nil {
		return err
	}
	if keyAccountID == 0 {
		return nil
	}
	ka, err := s.opts.Store.KeyAccountByID(ctx, keyAccountID)
	if err != nil || ka.ProgrammeID != programmeID {
		return fieldError("key_account_id", fmt.Sprintf("no key account %d in this programme", keyAccountID))
	}
	return nil
}

// apiSetJourFixeSchedule sets the monthly day of a jour fixe for all key
// accounts of the programme, or for one.
func (s *Server) apiSetJourFixeSchedule(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		DayOfMonth   int  `json:"day_of_month"`
		KeyAccountID uint `json:"key_account_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.DayOfMonth == 0 {
		req.DayOfMonth = 1
	}
	if req.DayOfMonth < 1 || req.DayOfMonth > 28 {
		return fieldError("day_of_month", "day_of_month is 1 to 28 (every month has it)")
	}
	if err := s.jourFixeScope(c, id, req.KeyAccountID); err != nil {
		return err
	}
	ctx := c.Request().Context()
	sid := workflows.JourFixeScheduleID(id, req.KeyAccountID)
	if err := s.putSchedule(ctx, sid, schedules.JourFixeSpec(req.DayOfMonth), schedules.JourFixeAction(id, req.KeyAccountID, s.opts.TaskQueue), false, "set by "+actor(c).Email); err != nil {
		return err
	}
	h := s.opts.Temporal.ScheduleClient().GetHandle(ctx, sid)
	d, err := h.Describe(ctx)
	if err != nil {
		return serverError(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"schedule_id": sid, "day_of_month": req.DayOfMonth, "key_account_id": req.KeyAccountID, "next_runs": d.Info.NextActionTimes})
}

func (s *Server) apiDeleteJourFixeSchedule(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var ka uint
	if v := c.QueryParam("key_account_id"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fieldError("key_account_id", "must be a key account ID")
		}
		ka = uint(n)
	}
	ctx := c.Request().Context()
	err = s.opts.Temporal.ScheduleClient().GetHandle(ctx, workflows.JourFixeScheduleID(id, ka)).Delete(ctx)
	if isNotFoundErr(err) {
		return apiErr(http.StatusNotFound, "not_found", "no such jour fixe schedule")
	}
	if err != nil {
		return serverError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// apiStartJourFixe asks for input now, for a meeting at meeting_at
// (default a week from now).
func (s *Server) apiStartJourFixe(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		KeyAccountID uint   `json:"key_account_id"`
		MeetingAt    string `json:"meeting_at"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.jourFixeScope(c, id, req.KeyAccountID); err != nil {
		return err
	}
	now := s.opts.Now()
	lead := 7 * 24 * time.Hour
	if req.MeetingAt != "" {
		at, err := parseTimestamp("meeting_at", req.MeetingAt)
		if err != nil {
			return err
		}
		if !at.After(now) || at.After(now.AddDate(0, 3, 0)) {
			return fieldError("meeting_at", "the meeting is within the next three months")
		}
		lead = at.Sub(now)
	}
	wid := workflows.JourFixeWorkflowIDPrefix(id, req.KeyAccountID) + "-" + now.UTC().Format("20060102T150405")
	_, err = s.opts.Temporal.ExecuteWorkflow(c.Request().Context(), client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.JourFixeWorkflowName, workflows.JourFixeInput{ProgrammeID: id, KeyAccountID: req.KeyAccountID, LeadTime: lead})
	if err != nil {
		if strings.Contains(err.Error(), "already") {
			return apiErr(http.StatusConflict, "conflict", "a jour fixe was started this very second")
		}
		return serverError(err)
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": wid, "meeting_at": now.Add(lead).UTC()})
}

func jourFixeJSON(j store.JourFixe) map[string]any {
	return map[string]any{"id": j.ID, "workflow_id": j.WorkflowID, "programme_id": j.ProgrammeID, "key_account_id": j.KeyAccountID,
		"meeting_at": j.MeetingAt, "status": j.Status, "summary": j.Summary}
}

func (s *Server) apiListJourFixes(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.opts.Store.JourFixesOf(c.Request().Context(), id)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, j := range list {
		items = append(items, jourFixeJSON(j))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) loadJourFixe(c echo.Context) (*store.JourFixe, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	j, err := s.opts.Store.JourFixeByID(c.Request().Context(), id)
	if err != nil {
		return nil, storeError(err, "jour fixe")
	}
	return j, nil
}

func (s *Server) apiGetJourFixe(c echo.Context) error {
	j, err := s.loadJourFixe(c)
	if err != nil {
		return err
	}
	out := jourFixeJSON(*j)
	ctx := c.Request().Context()
	if v, err := s.opts.Temporal.QueryWorkflow(ctx, j.WorkflowID, "", workflows.QueryJourFixeState); err == nil {
		var st workflows.JourFixeState
		if v.Get(&st) == nil {
			out["participants"] = st.Participants
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiJourFixeInput(c echo.Context) error {
	j, err := s.loadJourFixe(c)
	if err != nil {
		return err
	}
	var req struct {
		KeyAccountID uint   `json:"key_account_id"`
		Satisfaction int    `json:"satisfaction"`
		Developments string `json:"developments"`
		Needs        string `json:"needs"`
		Risks        string `json:"risks"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.updateJSON(c, j.WorkflowID, workflows.UpdateSubmitInput, workflows.InputRequest{Actor: actor(c), KeyAccountID: req.KeyAccountID,
		Satisfaction: req.Satisfaction, Developments: req.Developments, Needs: req.Needs, Risks: req.Risks}, "the jour fixe took place")
}

// apiSatisfaction is an account's satisfaction per jour fixe (it feeds the
// controller's reviews).
func (s *Server) apiSatisfaction(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	points, err := s.opts.Store.SatisfactionHistory(c.Request().Context(), ka.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(points))
	for _, p := range points {
		items = append(items, map[string]any{"meeting_at": p.MeetingAt, "satisfaction": p.Satisfaction, "inputs": p.Inputs})
	}
	return c.JSON(http.StatusOK, map[string]any{"key_account_id": ka.ID, "items": items})
}
