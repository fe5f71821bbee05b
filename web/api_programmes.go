package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func (s *Server) apiRoutes(g *echo.Group) {
	g.GET("/openapi.json", s.openAPI)
	api := g.Group("", s.apiAuth, s.idempotent(keyFromHeader), s.authorize)
	s.calendarRoutes(s.echo, api)

	api.POST("/programmes", s.apiCreateProgramme)
	api.GET("/programmes", s.apiListProgrammes)
	api.GET("/programmes/:id", s.apiGetProgramme)
	api.GET("/programmes/:id/audit", s.apiAudit)
	api.POST("/programmes/:id/phases/:phase/submit", s.apiSubmit)
	api.POST("/programmes/:id/phases/:phase/approve", s.apiDecision(workflows.UpdateApprove))
	api.POST("/programmes/:id/phases/:phase/reject", s.apiDecision(workflows.UpdateReject))
	api.POST("/programmes/:id/pause", s.apiLifecycle(workflows.UpdatePause))
	api.POST("/programmes/:id/resume", s.apiLifecycle(workflows.UpdateResume))
	api.POST("/programmes/:id/cancel", s.apiLifecycle(workflows.UpdateCancel))
	api.PUT("/programmes/:id/plan", s.apiReplan)
	api.PUT("/programmes/:id/criteria", s.apiSetCriteria)
	api.PUT("/programmes/:id/scores/:customerID", s.apiSetScores)
	api.GET("/programmes/:id/selection", s.apiSelection)
	api.POST("/programmes/:id/selection/compute", s.apiComputeSelection)
	api.POST("/programmes/:id/selection/:customerID/decision", s.apiDecide)
	api.PUT("/programmes/:id/assignments/:customerID", s.apiAssign)
	api.POST("/programmes/:id/training/:employeeID/complete", s.apiTraining(workflows.UpdateTrainingComplete))
	api.POST("/programmes/:id/training/:employeeID/exception", s.apiTraining(workflows.UpdateTrainingException))
	api.POST("/programmes/:id/plans/:customerID/approve", s.apiApprovePlan)
	api.POST("/programmes/:id/rollout/conflicts", s.apiLogConflict)
	api.POST("/programmes/:id/rollout/conflicts/:conflictID/resolve", s.apiResolveConflict)
	api.POST("/programmes/:id/rollout/briefings", s.apiStaffInformed)
	s.trainingRoutes(api)
	s.reviewRoutes(api)
	s.accountRoutes(api)
	s.directoryRoutes(api)
	s.accountWorkRoutes(api)
	s.ownerRoutes(api)
	s.jourFixeRoutes(api)
}

// programmeView is the JSON shape of a programme.
type programmeView struct {
	ID         uint   `json:"id"`
	WorkflowID string `json:"workflow_id"`
	workflows.ProgrammeState
	Warnings        []string `json:"warnings"`
	MissingTraining []uint   `json:"missing_training"`
}

func (s *Server) view(id uint, st workflows.ProgrammeState) programmeView {
	w := st.Warnings(s.opts.Now())
	if w == nil {
		w = []string{}
	}
	m := st.MissingTraining()
	if m == nil {
		m = []uint{}
	}
	return programmeView{ID: id, WorkflowID: workflows.ProgrammeWorkflowID(id), ProgrammeState: st, Warnings: w, MissingTraining: m}
}

type createProgrammeRequest struct {
	Name            string   `json:"name"`
	CommitteeEmails []string `json:"committee_emails"`
	StartDate       string   `json:"start_date"`
	Plan            []struct {
		Phase string `json:"phase"`
		Due   string `json:"due"`
	} `json:"plan"`
	FocusLimit int `json:"focus_limit"`
}

func parseDate(field, v string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, fieldError(field, "must be a date as YYYY-MM-DD")
	}
	return t.UTC(), nil
}

// apiCreateProgramme reserves the programme's row, then starts its
// workflow; if the start fails the row is removed again.
func (s *Server) apiCreateProgramme(c echo.Context) error {
	var req createProgrammeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 200 {
		return fieldError("name", "name is required (up to 200 characters)")
	}
	start, err := parseDate("start_date", req.StartDate)
	if err != nil {
		return err
	}
	if len(req.CommitteeEmails) == 0 {
		return fieldError("committee_emails", "the steering committee needs at least one member")
	}
	var committee []string
	for i, e := range req.CommitteeEmails {
		field := fmt.Sprintf("committee_emails[%d]", i)
		u, err := s.opts.Store.UserByEmail(ctx, e)
		if errors.Is(err, store.ErrNotFound) {
			return fieldError(field, fmt.Sprintf("no user %q", e))
		}
		if err != nil {
			return serverError(err)
		}
		if !u.HasRole(store.RoleCommittee) {
			return fieldError(field, fmt.Sprintf("%s is not a steering committee member", u.Email))
		}
		committee = append(committee, u.Email)
	}
	if err := workflows.ValidateFocusLimit(req.FocusLimit); err != nil {
		return workflowError(err)
	}
	var plan []workflows.PhaseDue
	for i, d := range req.Plan {
		due, err := parseDate(fmt.Sprintf("plan[%d].due", i), d.Due)
		if err != nil {
			return err
		}
		plan = append(plan, workflows.PhaseDue{Phase: workflows.Phase(d.Phase), Due: due})
	}
	if len(plan) > 0 {
		if err := workflows.ValidatePlan(plan); err != nil {
			return workflowError(err)
		}
	}
	a := actor(c)
	id, err := s.createProgramme(ctx, a.Email, workflows.ProgrammeInput{
		Name: req.Name, LeadEmail: a.Email, CommitteeEmails: committee, StartDate: start, Plan: plan, FocusLimit: req.FocusLimit,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/programmes/%d", id))
	return c.JSON(http.StatusCreated, map[string]any{
		"id": id, "workflow_id": workflows.ProgrammeWorkflowID(id), "name": req.Name,
		"lead_email": a.Email, "committee_emails": committee, "start_date": start.Format("2006-01-02"),
	})
}

// createProgramme reserves the programme's row, then starts its workflow;
// if the start fails the row is removed again.
func (s *Server) createProgramme(ctx context.Context, lead string, in workflows.ProgrammeInput) (uint, error) {
	p, err := s.opts.Store.CreateProgramme(ctx, in.Name, lead, in.StartDate)
	if err != nil {
		return 0, storeError(err, "programme")
	}
	in.ProgrammeID = p.ID
	if err := s.opts.Store.PlanProgramme(ctx, p.ID, in.CommitteeEmails, plannedPhases(in)); err != nil {
		if delErr := s.opts.Store.DeleteProgramme(context.WithoutCancel(ctx), p.ID); delErr != nil {
			s.logFor(ctx).Error("remove programme whose plan was not recorded", "id", p.ID, "err", delErr)
		}
		return 0, serverError(err)
	}
	_, err = s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ProgrammeWorkflowID(p.ID), TaskQueue: s.opts.TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.ProgrammeWorkflowName, in)
	if err != nil {
		if delErr := s.opts.Store.DeleteProgramme(context.WithoutCancel(ctx), p.ID); delErr != nil {
			s.logFor(ctx).Error("remove programme whose workflow did not start", "id", p.ID, "err", delErr)
		}
		return 0, serverError(fmt.Errorf("start programme workflow: %w", err))
	}
	return p.ID, nil
}

// plannedPhases are a new programme's milestones as planned, shown until
// its workflow records its start.
func plannedPhases(in workflows.ProgrammeInput) []store.ProgrammePhase {
	plan := in.Plan
	if len(plan) == 0 {
		plan = workflows.DefaultPlan(in.StartDate)
	}
	out := make([]store.ProgrammePhase, 0, len(plan))
	for i, d := range plan {
		out = append(out, store.ProgrammePhase{
			Phase: string(d.Phase), Position: i, Gate: d.Phase.IsGate(), Status: string(workflows.PhasePending),
			Due: d.Due.UTC(), Responsible: in.LeadEmail,
		})
	}
	return out
}

func pageParams(c echo.Context) (store.Page, error) {
	p := store.Page{Number: 1, Size: 50}
	for _, q := range []struct {
		name string
		dst  *int
		max  int
	}{{"page", &p.Number, 1_000_000}, {"size", &p.Size, store.MaxPageSize}} {
		if v := c.QueryParam(q.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > q.max {
				return p, fieldError(q.name, fmt.Sprintf("must be a whole number from 1 to %d", q.max))
			}
			*q.dst = n
		}
	}
	return p, nil
}

func (s *Server) apiListProgrammes(c echo.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	list, total, err := s.opts.Store.ListProgrammes(c.Request().Context(), page)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, p := range list {
		items = append(items, map[string]any{
			"id": p.ID, "name": p.Name, "lead_email": p.LeadEmail, "status": p.Status,
			"current_phase": p.CurrentPhase, "start_date": p.StartDate.Format("2006-01-02"), "updated_at": p.UpdatedAt,
		})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "page": page.Number, "size": page.Size, "total": total})
}

func (s *Server) apiGetProgramme(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	st, err := s.programmeState(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.view(id, st))
}

func (s *Server) apiAudit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, _, err := s.opts.Store.ProgrammeByID(ctx, id); err != nil {
		return storeError(err, "programme")
	}
	events, err := s.opts.Store.ProgrammeEvents(ctx, id)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(events))
	for _, e := range events {
		items = append(items, map[string]any{"seq": e.Seq, "kind": e.Kind, "phase": e.Phase, "actor": e.Actor, "comment": e.Comment, "at": e.At})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// update sends a validated update and answers with the programme after it.
func (s *Server) update(c echo.Context, id uint, name string, arg any) error {
	var st workflows.ProgrammeState
	if err := s.sendUpdate(c.Request().Context(), workflows.ProgrammeWorkflowID(id), name, arg, &st, "the programme is closed"); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.view(id, st))
}

func phaseParam(c echo.Context) (workflows.Phase, error) {
	p := workflows.Phase(c.Param("phase"))
	if !p.Valid() {
		return "", apiErr(http.StatusNotFound, "not_found", fmt.Sprintf("no phase %q", c.Param("phase")))
	}
	return p, nil
}

func (s *Server) apiSubmit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	phase, err := phaseParam(c)
	if err != nil {
		return err
	}
	var req struct {
		Result string            `json:"result"`
		Parts  map[string]string `json:"parts"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	result, err := submitResult(phase, req.Result, req.Parts)
	if err != nil {
		return err
	}
	return s.update(c, id, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: actor(c), Phase: phase, Result: result})
}

func (s *Server) apiDecision(update string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		phase, err := phaseParam(c)
		if err != nil {
			return err
		}
		var req struct {
			Comment string `json:"comment"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		return s.update(c, id, update, workflows.DecisionRequest{Actor: actor(c), Phase: phase, Comment: req.Comment})
	}
}

func (s *Server) apiLifecycle(update string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var req struct {
			Reason string `json:"reason"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		return s.update(c, id, update, workflows.LifecycleRequest{Actor: actor(c), Reason: req.Reason})
	}
}

func (s *Server) apiReplan(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		ShiftDays int `json:"shift_days"`
		Set       []struct {
			Phase string `json:"phase"`
			Due   string `json:"due"`
		} `json:"set"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r := workflows.ReplanRequest{Actor: actor(c), ShiftDays: req.ShiftDays, Reason: req.Reason}
	for i, d := range req.Set {
		if !workflows.Phase(d.Phase).Valid() {
			return fieldError(fmt.Sprintf("set[%d].phase", i), fmt.Sprintf("%q is not a phase", d.Phase))
		}
		due, err := parseDate(fmt.Sprintf("set[%d].due", i), d.Due)
		if err != nil {
			return err
		}
		r.Set = append(r.Set, workflows.PhaseDue{Phase: workflows.Phase(d.Phase), Due: due})
	}
	return s.update(c, id, workflows.UpdateReplan, r)
}

func (s *Server) apiSetCriteria(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Criteria  []workflows.Criterion `json:"criteria"`
		Threshold *int                  `json:"threshold"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	threshold := workflows.DefaultThreshold
	if req.Threshold != nil {
		threshold = *req.Threshold
	}
	return s.update(c, id, workflows.UpdateSetCriteria, workflows.CriteriaRequest{Actor: actor(c), Criteria: req.Criteria, Threshold: threshold})
}

// apiSetScores stores a customer's scores against the programme's criteria.
func (s *Server) apiSetScores(c echo.Context) error {
	id, customerID, err := twoIDs(c, "customerID")
	if err != nil {
		return err
	}
	var req struct {
		Scores []struct {
			Criterion string `json:"criterion"`
			Met       *bool  `json:"met"`
			Value     string `json:"value"`
			Evidence  string `json:"evidence"`
		} `json:"scores"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := make([]scoreEntry, len(req.Scores))
	for i, sc := range req.Scores {
		in[i] = scoreEntry{Criterion: sc.Criterion, Met: sc.Met, Value: sc.Value, Evidence: sc.Evidence}
	}
	n, err := s.setScores(c.Request().Context(), id, customerID, actor(c).Email, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"programme_id": id, "customer_id": customerID, "scores": n})
}

// scoreEntry is one criterion's score as a request gives it.
type scoreEntry struct {
	Criterion       string
	Met             *bool
	Value, Evidence string
}

// setScores checks a customer's scores against the programme's criteria
// and replaces the stored ones; refusals name the field (scores[i].…). The
// API and the selection page's row form both score through it.
func (s *Server) setScores(ctx context.Context, id, customerID uint, by string, scores []scoreEntry) (int, error) {
	st, err := s.programmeState(ctx, id)
	if err != nil {
		return 0, err
	}
	if len(st.Criteria) == 0 {
		return 0, apiErr(http.StatusConflict, "conflict", "the programme has no criteria yet")
	}
	if _, err := s.opts.Store.Customer(ctx, customerID); err != nil {
		return 0, storeError(err, "customer")
	}
	known := map[string]bool{}
	for _, cr := range st.Criteria {
		known[cr.Key] = true
	}
	seen := map[string]bool{}
	var in []store.ScoreInput
	for i, sc := range scores {
		field := fmt.Sprintf("scores[%d]", i)
		if !known[sc.Criterion] {
			return 0, fieldError(field+".criterion", fmt.Sprintf("%q is not a criterion of this programme", sc.Criterion))
		}
		if seen[sc.Criterion] {
			return 0, fieldError(field+".criterion", fmt.Sprintf("%q is scored twice", sc.Criterion))
		}
		seen[sc.Criterion] = true
		if sc.Met == nil {
			return 0, fieldError(field+".met", "say whether the criterion is met (true or false)")
		}
		if err := checkScoreText(field, sc.Value, sc.Evidence); err != nil {
			return 0, err
		}
		in = append(in, store.ScoreInput{CriterionKey: sc.Criterion, Met: *sc.Met, Value: strings.TrimSpace(sc.Value), Evidence: strings.TrimSpace(sc.Evidence)})
	}
	if err := s.opts.Store.SetScores(ctx, id, customerID, by, in); err != nil {
		return 0, storeError(err, "scores")
	}
	return len(in), nil
}

// checkScoreText bounds a score's value and evidence.
func checkScoreText(field, value, evidence string) error {
	if len(value) > 200 {
		return fieldError(field+".value", "value is longer than 200 characters")
	}
	if len(evidence) > 5000 {
		return fieldError(field+".evidence", "evidence is longer than 5000 characters")
	}
	return nil
}

// apiSelection shows the criteria × customers table with met counts, the
// provisional and definitive state, and a KAM suggestion per key account.
func (s *Server) apiSelection(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	st, err := s.programmeState(ctx, id)
	if err != nil {
		return err
	}
	keys := make([]string, len(st.Criteria))
	for i, cr := range st.Criteria {
		keys[i] = cr.Key
	}
	table, err := s.opts.Store.ScoreTable(ctx, id, keys)
	if err != nil {
		return serverError(err)
	}
	rows := make([]map[string]any, 0, len(table))
	for _, r := range table {
		met := r.Met
		if met == nil {
			met = []string{}
		}
		rows = append(rows, map[string]any{
			"customer_id": r.CustomerID, "customer_name": r.CustomerName, "met": met, "met_count": len(r.Met),
			"meets_threshold": len(st.Criteria) > 0 && len(r.Met) >= st.Threshold,
		})
	}
	suggestions, err := s.kamSuggestions(ctx, st.KeyAccounts())
	if err != nil {
		return err
	}
	candidates := st.Candidates
	if candidates == nil {
		candidates = []workflows.Candidate{}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"criteria": st.Criteria, "threshold": st.Threshold, "focus_limit": st.FocusLimit,
		"customers": rows, "candidates": candidates, "key_accounts": st.KeyAccounts(),
		"kam_suggestions": suggestions, "warnings": s.view(id, st).Warnings,
	})
}

// kamSuggestions shapes the store's hierarchy-matched KAM proposals for
// the API.
func (s *Server) kamSuggestions(ctx context.Context, keyAccounts []uint) ([]map[string]any, error) {
	suggestions, err := s.opts.Store.SuggestKAMs(ctx, keyAccounts)
	if err != nil {
		return nil, serverError(err)
	}
	out := make([]map[string]any, 0, len(suggestions))
	for _, sg := range suggestions {
		out = append(out, suggestionJSON(sg))
	}
	return out, nil
}

// suggestionJSON is a KAM suggestion as the API shows it.
func suggestionJSON(sg store.KAMSuggestion) map[string]any {
	entry := map[string]any{"customer_id": sg.CustomerID, "customer_top_level": sg.TopLevel}
	if e := sg.Employee; e != nil {
		entry["employee_id"], entry["employee_name"], entry["employee_level"] = e.ID, e.Name, e.HierarchyLevel
	}
	return entry
}

func (s *Server) apiComputeSelection(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.update(c, id, workflows.UpdateComputeSelection, workflows.ComputeSelectionRequest{Actor: actor(c)})
}

func (s *Server) apiDecide(c echo.Context) error {
	id, customerID, err := twoIDs(c, "customerID")
	if err != nil {
		return err
	}
	var req struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.update(c, id, workflows.UpdateDecide, workflows.DecideRequest{Actor: actor(c), CustomerID: customerID, Decision: req.Decision, Reason: req.Reason})
}

// apiAssign checks the employees in the database, then lets the workflow
// check its own rules.
func (s *Server) apiAssign(c echo.Context) error {
	id, customerID, err := twoIDs(c, "customerID")
	if err != nil {
		return err
	}
	var body struct {
		KAMEmployeeID    uint `json:"kam_employee_id"`
		DeputyEmployeeID uint `json:"deputy_employee_id"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	req := workflows.AssignRequest{Actor: actor(c), CustomerID: customerID, KAMEmployeeID: body.KAMEmployeeID, DeputyEmployeeID: body.DeputyEmployeeID}
	if err := s.checkAssignees(c.Request().Context(), req); err != nil {
		return err
	}
	return s.update(c, id, workflows.UpdateAssign, req)
}

// checkAssignees checks an assignment's people in the database (the KAM
// active and KAM-qualified, the deputy active); the workflow checks its
// own rules when the update arrives.
func (s *Server) checkAssignees(ctx context.Context, req workflows.AssignRequest) error {
	if req.KAMEmployeeID == 0 {
		return fieldError("kam_employee_id", "a key account needs a KAM")
	}
	ids := []uint{req.KAMEmployeeID}
	if req.DeputyEmployeeID != 0 {
		ids = append(ids, req.DeputyEmployeeID)
	}
	emps, err := s.opts.Store.EmployeesByID(ctx, ids)
	if err != nil {
		return serverError(err)
	}
	kam, ok := emps[req.KAMEmployeeID]
	if !ok || kam.ArchivedAt != nil {
		return fieldError("kam_employee_id", fmt.Sprintf("no employee %d", req.KAMEmployeeID))
	}
	if !kam.KAMQualified {
		return fieldError("kam_employee_id", fmt.Sprintf("%s is not qualified as KAM (see the KAM profile)", kam.Name))
	}
	if req.DeputyEmployeeID != 0 {
		if d, ok := emps[req.DeputyEmployeeID]; !ok || d.ArchivedAt != nil {
			return fieldError("deputy_employee_id", fmt.Sprintf("no employee %d", req.DeputyEmployeeID))
		}
	}
	return nil
}

func (s *Server) apiTraining(update string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, employeeID, err := twoIDs(c, "employeeID")
		if err != nil {
			return err
		}
		var req struct {
			Note string `json:"note"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		return s.update(c, id, update, workflows.TrainingRequest{Actor: actor(c), EmployeeID: employeeID, Note: req.Note})
	}
}

// apiApprovePlan approves a key account's submitted plan on behalf of the
// programme: the decision goes to that plan's workflow, which reports it to
// the programme. A key account without a submitted plan has nothing to approve.
func (s *Server) apiApprovePlan(c echo.Context) error {
	id, customerID, err := twoIDs(c, "customerID")
	if err != nil {
		return err
	}
	var req struct {
		Comment string `json:"comment"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	kas, err := s.opts.Store.KeyAccounts(ctx, id)
	if err != nil {
		return serverError(err)
	}
	var ka *store.KeyAccount
	for i := range kas {
		if kas[i].CustomerID == customerID {
			ka = &kas[i]
		}
	}
	if ka == nil {
		return apiErr(http.StatusNotFound, "not_found", fmt.Sprintf("customer %d is not a key account of this programme", customerID))
	}
	p, err := s.opts.Store.LatestPlan(ctx, ka.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.Status != "submitted" {
		return apiErr(http.StatusConflict, "conflict", "no submitted plan of this key account waits for a decision: its KAM writes and submits the plan first")
	}
	if err != nil {
		return serverError(err)
	}
	var plan workflows.PlanState
	if err := s.sendUpdate(ctx, workflows.PlanWorkflowID(ka.ID, p.Version), workflows.UpdateApproveAccountPlan,
		workflows.PlanDecision{Actor: actor(c), Comment: req.Comment}, &plan, "the plan's approval is closed"); err != nil {
		return err
	}
	st, err := s.programmeState(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.view(id, st))
}

// apiLogConflict logs a conflict of the roll-out (what, between whom).
func (s *Server) apiLogConflict(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		What    string `json:"what"`
		Between string `json:"between"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.update(c, id, workflows.UpdateLogConflict, workflows.ConflictRequest{Actor: actor(c), What: req.What, Between: req.Between})
}

// apiResolveConflict records how a logged conflict was resolved.
func (s *Server) apiResolveConflict(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("conflictID"))
	if err != nil || n < 1 {
		return apiErr(http.StatusNotFound, "not_found", fmt.Sprintf("no conflict %q", c.Param("conflictID")))
	}
	var req struct {
		Resolution string `json:"resolution"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.update(c, id, workflows.UpdateResolveConflict, workflows.ResolveConflictRequest{Actor: actor(c), ConflictID: n, Resolution: req.Resolution})
}

// apiStaffInformed records a briefing of staff, as the page's form does.
func (s *Server) apiStaffInformed(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		InformedOn       string   `json:"informed_on"`
		Channel          string   `json:"channel"`
		Groups           []string `json:"groups"`
		KeyAccountsNamed bool     `json:"key_accounts_named"`
		Note             string   `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := briefingRequest(actor(c), req.InformedOn, req.Channel, req.Groups, "", req.KeyAccountsNamed, req.Note)
	if err != nil {
		return err
	}
	return s.update(c, id, workflows.UpdateRecordStaffInformed, r)
}
