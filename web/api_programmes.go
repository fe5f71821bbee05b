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
	api := g.Group("", s.apiAuth)
	s.calendarRoutes(s.echo, api)
	lead := requireRole(store.RoleLead)
	committee := requireRole(store.RoleCommittee)
	leadOrCommittee := requireRole(store.RoleLead, store.RoleCommittee)
	anyone := requireRole(store.Roles()...)

	api.POST("/programmes", s.apiCreateProgramme, lead)
	api.GET("/programmes", s.apiListProgrammes, anyone)
	api.GET("/programmes/:id", s.apiGetProgramme, anyone)
	api.GET("/programmes/:id/audit", s.apiAudit, anyone)
	api.POST("/programmes/:id/phases/:phase/submit", s.apiSubmit, lead)
	api.POST("/programmes/:id/phases/:phase/approve", s.apiDecision(workflows.UpdateApprove), committee)
	api.POST("/programmes/:id/phases/:phase/reject", s.apiDecision(workflows.UpdateReject), committee)
	api.POST("/programmes/:id/pause", s.apiLifecycle(workflows.UpdatePause), lead)
	api.POST("/programmes/:id/resume", s.apiLifecycle(workflows.UpdateResume), lead)
	api.POST("/programmes/:id/cancel", s.apiLifecycle(workflows.UpdateCancel), leadOrCommittee)
	api.PUT("/programmes/:id/plan", s.apiReplan, lead)
	api.PUT("/programmes/:id/criteria", s.apiSetCriteria, lead)
	api.PUT("/programmes/:id/scores/:customerID", s.apiSetScores, lead)
	api.GET("/programmes/:id/selection", s.apiSelection, anyone)
	api.POST("/programmes/:id/selection/compute", s.apiComputeSelection, lead)
	api.POST("/programmes/:id/selection/:customerID/decision", s.apiDecide, lead)
	api.PUT("/programmes/:id/assignments/:customerID", s.apiAssign, lead)
	api.POST("/programmes/:id/training/:employeeID/complete", s.apiTraining(workflows.UpdateTrainingComplete), requireRole(store.RoleHR))
	api.POST("/programmes/:id/training/:employeeID/exception", s.apiTraining(workflows.UpdateTrainingException), committee)
	api.POST("/programmes/:id/plans/:customerID/approve", s.apiApprovePlan, leadOrCommittee)
	s.trainingRoutes(api)
	s.reviewRoutes(api)
	s.accountRoutes(api)
	s.accountWorkRoutes(api)
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
	if req.FocusLimit < 0 || req.FocusLimit > 1000 {
		return fieldError("focus_limit", "focus_limit must be between 1 and 1000")
	}
	var plan []workflows.PhaseDue
	if len(req.Plan) > 0 {
		phases := workflows.Phases()
		if len(req.Plan) != len(phases) {
			return fieldError("plan", fmt.Sprintf("plan needs a due date for each of the %d phases, in order", len(phases)))
		}
		for i, d := range req.Plan {
			if workflows.Phase(d.Phase) != phases[i] {
				return fieldError(fmt.Sprintf("plan[%d].phase", i), fmt.Sprintf("must be %q", phases[i]))
			}
			due, err := parseDate(fmt.Sprintf("plan[%d].due", i), d.Due)
			if err != nil {
				return err
			}
			if i > 0 && due.Before(plan[i-1].Due) {
				return fieldError(fmt.Sprintf("plan[%d].due", i), "due dates must not go backwards")
			}
			plan = append(plan, workflows.PhaseDue{Phase: phases[i], Due: due})
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
	_, err = s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ProgrammeWorkflowID(p.ID), TaskQueue: s.opts.TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.ProgrammeWorkflowName, in)
	if err != nil {
		if delErr := s.opts.Store.DeleteProgramme(context.WithoutCancel(ctx), p.ID); delErr != nil {
			s.log.Error("remove programme whose workflow did not start", "id", p.ID, "err", delErr)
		}
		return 0, serverError(fmt.Errorf("start programme workflow: %w", err))
	}
	return p.ID, nil
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

// programmeState queries the workflow for its full live state.
func (s *Server) programmeState(ctx context.Context, id uint) (workflows.ProgrammeState, error) {
	var st workflows.ProgrammeState
	v, err := s.opts.Temporal.QueryWorkflow(ctx, workflows.ProgrammeWorkflowID(id), "", workflows.QueryProgrammeState)
	if err != nil {
		return st, workflowError(err)
	}
	if err := v.Get(&st); err != nil {
		return st, serverError(err)
	}
	return st, nil
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
		Result string `json:"result"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.update(c, id, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: actor(c), Phase: phase, Result: req.Result})
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
	threshold := 2 // DOMAIN.md: at least 2 met, unless the programme says otherwise
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
	ctx := c.Request().Context()
	st, err := s.programmeState(ctx, id)
	if err != nil {
		return err
	}
	if !strings.EqualFold(st.LeadEmail, actor(c).Email) && !currentUser(c).HasRole(store.RoleAdmin) {
		return apiErr(http.StatusForbidden, "forbidden", "only the programme lead enters scores")
	}
	if len(st.Criteria) == 0 {
		return apiErr(http.StatusConflict, "conflict", "the programme has no criteria yet")
	}
	if _, err := s.opts.Store.Customer(ctx, customerID); err != nil {
		return storeError(err, "customer")
	}
	known := map[string]bool{}
	for _, cr := range st.Criteria {
		known[cr.Key] = true
	}
	seen := map[string]bool{}
	var in []store.ScoreInput
	for i, sc := range req.Scores {
		field := fmt.Sprintf("scores[%d]", i)
		if !known[sc.Criterion] {
			return fieldError(field+".criterion", fmt.Sprintf("%q is not a criterion of this programme", sc.Criterion))
		}
		if seen[sc.Criterion] {
			return fieldError(field+".criterion", fmt.Sprintf("%q is scored twice", sc.Criterion))
		}
		seen[sc.Criterion] = true
		if sc.Met == nil {
			return fieldError(field+".met", "say whether the criterion is met (true or false)")
		}
		if len(sc.Value) > 200 {
			return fieldError(field+".value", "value is longer than 200 characters")
		}
		if len(sc.Evidence) > 5000 {
			return fieldError(field+".evidence", "evidence is longer than 5000 characters")
		}
		in = append(in, store.ScoreInput{CriterionKey: sc.Criterion, Met: *sc.Met, Value: strings.TrimSpace(sc.Value), Evidence: strings.TrimSpace(sc.Evidence)})
	}
	if err := s.opts.Store.SetScores(ctx, id, customerID, actor(c).Email, in); err != nil {
		return storeError(err, "scores")
	}
	return c.JSON(http.StatusOK, map[string]any{"programme_id": id, "customer_id": customerID, "scores": len(in)})
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

// kamSuggestions proposes, per key account, the KAM-qualified employee whose
// hierarchy level is closest to the customer's most senior contact
// ("Chef zu Chef"); ties go to the more senior employee.
func (s *Server) kamSuggestions(ctx context.Context, keyAccounts []uint) ([]map[string]any, error) {
	out := []map[string]any{}
	if len(keyAccounts) == 0 {
		return out, nil
	}
	levels, err := s.opts.Store.SeniorContactLevels(ctx, keyAccounts)
	if err != nil {
		return nil, serverError(err)
	}
	kams, err := s.opts.Store.KAMCandidates(ctx)
	if err != nil {
		return nil, serverError(err)
	}
	for _, id := range keyAccounts {
		level, ok := levels[id]
		entry := map[string]any{"customer_id": id, "customer_top_level": level}
		if ok && len(kams) > 0 {
			best := kams[0]
			for _, e := range kams[1:] {
				d, bd := abs(e.HierarchyLevel.Rank()-level.Rank()), abs(best.HierarchyLevel.Rank()-level.Rank())
				if d < bd || d == bd && e.HierarchyLevel.Rank() < best.HierarchyLevel.Rank() {
					best = e
				}
			}
			entry["employee_id"], entry["employee_name"], entry["employee_level"] = best.ID, best.Name, best.HierarchyLevel
		}
		out = append(out, entry)
	}
	return out, nil
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
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
	var req struct {
		KAMEmployeeID    uint `json:"kam_employee_id"`
		DeputyEmployeeID uint `json:"deputy_employee_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.KAMEmployeeID == 0 {
		return fieldError("kam_employee_id", "a key account needs a KAM")
	}
	ctx := c.Request().Context()
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
	return s.update(c, id, workflows.UpdateAssign, workflows.AssignRequest{Actor: actor(c), CustomerID: customerID, KAMEmployeeID: req.KAMEmployeeID, DeputyEmployeeID: req.DeputyEmployeeID})
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
	return s.update(c, id, workflows.UpdateApprovePlan, workflows.PlanApprovalRequest{Actor: actor(c), CustomerID: customerID, Comment: req.Comment})
}
