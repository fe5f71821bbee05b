package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/schedules"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func (s *Server) jourFixeRoutes(api *echo.Group) {
	api.PUT("/programmes/:id/jour-fixe-schedule", s.apiSetJourFixeSchedule)
	api.DELETE("/programmes/:id/jour-fixe-schedule", s.apiDeleteJourFixeSchedule)
	api.POST("/programmes/:id/jour-fixes", s.apiStartJourFixe)
	api.GET("/programmes/:id/jour-fixes", s.apiListJourFixes)
	api.GET("/jour-fixes/:id", s.apiGetJourFixe)
	api.POST("/jour-fixes/:id/inputs", s.apiJourFixeInput)
	api.GET("/key-accounts/:id/satisfaction", s.apiSatisfaction)
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
	next, err := s.setJourFixeSchedule(c, id, req.KeyAccountID, req.DayOfMonth)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"schedule_id": workflows.JourFixeScheduleID(id, req.KeyAccountID), "day_of_month": req.DayOfMonth,
		"key_account_id": req.KeyAccountID, "next_runs": next})
}

// setJourFixeSchedule creates or changes the monthly Schedule and keeps
// it in the database for the programme page; it answers the next runs.
// The API and the programme page both set it through here.
func (s *Server) setJourFixeSchedule(c echo.Context, programmeID, keyAccountID uint, day int) ([]time.Time, error) {
	if day < 1 || day > 28 {
		return nil, fieldError("day_of_month", "day_of_month is 1 to 28 (every month has it)")
	}
	if err := s.jourFixeScope(c, programmeID, keyAccountID); err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	by := actor(c).Email
	sid := workflows.JourFixeScheduleID(programmeID, keyAccountID)
	if err := s.putSchedule(ctx, sid, schedules.JourFixeSpec(day), schedules.JourFixeAction(programmeID, keyAccountID, s.opts.TaskQueue), false, "set by "+by); err != nil {
		return nil, err
	}
	if err := s.opts.Store.SaveJourFixeSchedule(ctx, store.JourFixeSchedule{ProgrammeID: programmeID, KeyAccountID: keyAccountID, DayOfMonth: day, SetBy: by}); err != nil {
		return nil, serverError(err)
	}
	d, err := s.opts.Temporal.ScheduleClient().GetHandle(ctx, sid).Describe(ctx)
	if err != nil {
		return nil, serverError(err)
	}
	return d.Info.NextActionTimes, nil
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
	if err := s.deleteJourFixeSchedule(c.Request().Context(), id, ka); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// deleteJourFixeSchedule stops a monthly jour fixe: its Schedule and its
// record go (a record whose Schedule is gone already goes too).
func (s *Server) deleteJourFixeSchedule(ctx context.Context, programmeID, keyAccountID uint) error {
	err := s.opts.Temporal.ScheduleClient().GetHandle(ctx, workflows.JourFixeScheduleID(programmeID, keyAccountID)).Delete(ctx)
	missing := isNotFoundErr(err)
	if err != nil && !missing {
		return serverError(err)
	}
	recorded, err := s.opts.Store.DeleteJourFixeSchedule(ctx, programmeID, keyAccountID)
	if err != nil {
		return serverError(err)
	}
	if missing && !recorded {
		return apiErr(http.StatusNotFound, "not_found", "no such jour fixe schedule")
	}
	return nil
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
	var at time.Time
	if req.MeetingAt != "" {
		if at, err = parseTimestamp("meeting_at", req.MeetingAt); err != nil {
			return err
		}
	}
	wid, meeting, err := s.startJourFixe(c, id, req.KeyAccountID, at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": wid, "meeting_at": meeting})
}

// startJourFixe starts a jour fixe now for a meeting at (zero: a week
// from now), for all the programme's key accounts or one; the API and the
// programme page both start through here.
func (s *Server) startJourFixe(c echo.Context, programmeID, keyAccountID uint, at time.Time) (string, time.Time, error) {
	if err := s.jourFixeScope(c, programmeID, keyAccountID); err != nil {
		return "", time.Time{}, err
	}
	now := s.opts.Now()
	lead := 7 * 24 * time.Hour
	if !at.IsZero() {
		if !at.After(now) || at.After(now.AddDate(0, 3, 0)) {
			return "", time.Time{}, fieldError("meeting_at", "the meeting is within the next three months")
		}
		lead = at.Sub(now)
	}
	ctx := c.Request().Context()
	wid := keyedWorkflowID(ctx, workflows.JourFixeWorkflowIDPrefix(programmeID, keyAccountID)+"-"+now.UTC().Format("20060102T150405"))
	_, err := s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.JourFixeWorkflowName, workflows.JourFixeInput{ProgrammeID: programmeID, KeyAccountID: keyAccountID, LeadTime: lead})
	if err != nil && !startedByThisKey(ctx, err) {
		if isAlreadyStarted(err) {
			return "", time.Time{}, apiErr(http.StatusConflict, "conflict", "a jour fixe was started this very second")
		}
		return "", time.Time{}, serverError(err)
	}
	return wid, now.Add(lead).UTC(), nil
}

func jourFixeJSON(j store.JourFixe) map[string]any {
	return map[string]any{"id": j.ID, "workflow_id": j.WorkflowID, "programme_id": j.ProgrammeID, "key_account_id": j.KeyAccountID,
		"meeting_at": j.MeetingAt, "status": j.Status, "summary": j.Summary}
}

// accountVisibility answers, once per account and request, whether the
// user may read a key account (policy.ActAccountRead): what a jour fixe
// shows of each account follows it.
type accountVisibility struct {
	s    *Server
	c    echo.Context
	seen map[uint]bool
}

func (s *Server) visibility(c echo.Context) *accountVisibility {
	return &accountVisibility{s: s, c: c, seen: map[uint]bool{}}
}

func (v *accountVisibility) may(keyAccountID uint) (bool, error) {
	if ok, known := v.seen[keyAccountID]; known {
		return ok, nil
	}
	ok, err := v.s.maySeeAccount(v.c, keyAccountID)
	v.seen[keyAccountID] = ok
	return ok, err
}

// visiblePictures keeps the pictures of the accounts the user may read.
func (v *accountVisibility) pictures(all []store.AccountPicture) ([]store.AccountPicture, error) {
	var out []store.AccountPicture
	for _, p := range all {
		ok, err := v.may(p.KeyAccountID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// jourFixeSeen is a jour fixe as the user may read it: its summary covers
// only the accounts she may read, as do its pictures.
func jourFixeSeen(v *accountVisibility, r *store.JourFixeRecord) (store.JourFixe, []store.AccountPicture, error) {
	pics, err := v.pictures(r.Pictures)
	if err != nil {
		return store.JourFixe{}, nil, err
	}
	j := r.JourFixe
	if j.Status == "held" {
		j.Summary = store.SummaryOf(pics)
	} else {
		j.Summary = ""
	}
	return j, pics, nil
}

func (s *Server) apiListJourFixes(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := s.opts.Store.JourFixesOf(ctx, id)
	if err != nil {
		return serverError(err)
	}
	v := s.visibility(c)
	items := make([]map[string]any, 0, len(list))
	for _, j := range list {
		r, err := s.opts.Store.JourFixeRecordByID(ctx, j.ID)
		if err != nil {
			return serverError(err)
		}
		seen, _, err := jourFixeSeen(v, r)
		if err != nil {
			return err
		}
		items = append(items, jourFixeJSON(seen))
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

// jourFixeReading is a jour fixe as one reader may see it: the summary,
// pictures and inputs only of the accounts she may read (and her own
// inputs), who was asked about those accounts and who answered.
type jourFixeReading struct {
	JourFixe     store.JourFixe
	Pictures     []store.AccountPicture
	Inputs       []store.JourFixeInput
	Participants []jourFixeAsked
	// Readable are the accounts of the jour fixe the reader may read.
	Readable map[uint]bool
}

// jourFixeAsked is a participant with the accounts she was asked about
// and those she answered for, as the reader may see them.
type jourFixeAsked struct {
	EmployeeID   uint
	Email, Name  string
	Accounts     []uint
	Given        []uint
	givenAccount map[uint]bool
}

// Gave reports whether she gave her input on the key account.
func (p jourFixeAsked) Gave(keyAccountID uint) bool { return p.givenAccount[keyAccountID] }

// readJourFixe reads a jour fixe from the record for the signed-in user;
// the API and the jour-fixe page both read through it.
func (s *Server) readJourFixe(c echo.Context, id uint) (*jourFixeReading, error) {
	r, err := s.opts.Store.JourFixeRecordByID(c.Request().Context(), id)
	if err != nil {
		return nil, storeError(err, "jour fixe")
	}
	v := s.visibility(c)
	seen, pics, err := jourFixeSeen(v, r)
	if err != nil {
		return nil, err
	}
	out := &jourFixeReading{JourFixe: seen, Pictures: pics}
	me := currentUser(c).EmployeeID
	mine := func(employeeID uint) bool { return me != nil && *me == employeeID }
	given := map[uint][]uint{}
	for _, in := range r.Inputs {
		ok, err := v.may(in.KeyAccountID)
		if err != nil {
			return nil, err
		}
		// Her own input she sees; others' only on accounts she may read.
		if ok || mine(in.EmployeeID) {
			given[in.EmployeeID] = append(given[in.EmployeeID], in.KeyAccountID)
			out.Inputs = append(out.Inputs, in)
		}
	}
	for _, p := range r.Participants {
		// Who was asked about which account is itself about the account.
		accounts := []uint{}
		for _, ka := range p.Accounts {
			ok, err := v.may(ka)
			if err != nil {
				return nil, err
			}
			if ok || mine(p.EmployeeID) {
				accounts = append(accounts, ka)
			}
		}
		if len(accounts) == 0 {
			continue
		}
		a := jourFixeAsked{EmployeeID: p.EmployeeID, Email: p.Email, Name: p.Name, Accounts: accounts, Given: given[p.EmployeeID], givenAccount: map[uint]bool{}}
		if a.Given == nil {
			a.Given = []uint{}
		}
		for _, g := range a.Given {
			a.givenAccount[g] = true
		}
		out.Participants = append(out.Participants, a)
	}
	out.Readable = map[uint]bool{}
	for ka, ok := range v.seen {
		if ok {
			out.Readable[ka] = true
		}
	}
	return out, nil
}

// apiGetJourFixe is the meeting from the record: who was asked about which
// account and who answered, and the inputs and pooled picture of the
// accounts the user may see.
func (s *Server) apiGetJourFixe(c echo.Context) error {
	j, err := s.loadJourFixe(c)
	if err != nil {
		return err
	}
	r, err := s.readJourFixe(c, j.ID)
	if err != nil {
		return err
	}
	out := jourFixeJSON(r.JourFixe)
	inputs := []map[string]any{}
	for _, in := range r.Inputs {
		inputs = append(inputs, map[string]any{"key_account_id": in.KeyAccountID, "employee_id": in.EmployeeID, "satisfaction": in.Satisfaction,
			"developments": in.Developments, "needs": in.Needs, "risks": in.Risks, "updated_at": in.UpdatedAt})
	}
	participants := make([]map[string]any, 0, len(r.Participants))
	for _, p := range r.Participants {
		participants = append(participants, map[string]any{"employee_id": p.EmployeeID, "email": p.Email, "name": p.Name, "accounts": p.Accounts, "given": p.Given})
	}
	pictures := []map[string]any{}
	for _, p := range r.Pictures {
		pictures = append(pictures, map[string]any{"key_account_id": p.KeyAccountID, "inputs": p.Inputs, "satisfaction": p.Satisfaction,
			"developments": nonNil(p.Developments), "needs": nonNil(p.Needs), "risks": nonNil(p.Risks)})
	}
	out["participants"], out["inputs"], out["pictures"] = participants, inputs, pictures
	return c.JSON(http.StatusOK, out)
}

// maySeeAccount applies the key-account access policy to one account of a
// summary: false when the user may not see it.
func (s *Server) maySeeAccount(c echo.Context, keyAccountID uint) (bool, error) {
	_, err := s.keyAccountAccess(c, keyAccountID)
	var ae *apiError
	if errors.As(err, &ae) && (ae.Status == http.StatusForbidden || ae.Status == http.StatusNotFound) {
		return false, nil
	}
	return err == nil, err
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
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
	var st json.RawMessage
	if err := s.giveJourFixeInput(c.Request().Context(), j, workflows.InputRequest{Actor: actor(c), KeyAccountID: req.KeyAccountID,
		Satisfaction: req.Satisfaction, Developments: req.Developments, Needs: req.Needs, Risks: req.Risks}, &st); err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, st)
}

// giveJourFixeInput sends a participant's view of one account to the jour
// fixe, whose validator decides; the API and the jour-fixe page both give
// input through it.
func (s *Server) giveJourFixeInput(ctx context.Context, j *store.JourFixe, r workflows.InputRequest, dst any) error {
	return s.sendUpdate(ctx, j.WorkflowID, workflows.UpdateSubmitInput, r, dst, "the jour fixe took place")
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
