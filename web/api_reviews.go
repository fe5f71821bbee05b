package web

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/schedules"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func (s *Server) reviewRoutes(api *echo.Group) {
	api.GET("/programmes/:id/review-cadence", s.apiGetCadence)
	api.PUT("/programmes/:id/review-cadence", s.apiSetCadence)
	api.DELETE("/programmes/:id/review-cadence", s.apiDeleteCadence)
	api.POST("/programmes/:id/reviews", s.apiTriggerReview)
	api.GET("/programmes/:id/reviews", s.apiListReviews)
	api.GET("/reviews/:id", s.apiGetReview)
	api.GET("/reviews/:id/report.csv", s.apiReviewCSV)
	api.POST("/reviews/:id/findings", s.apiReviewFindings)
	api.POST("/reviews/:id/measures", s.apiAddMeasure)
	api.POST("/reviews/:id/measures/:measureID/complete", s.apiCompleteMeasure)
	api.POST("/reviews/:id/sign-off", s.apiSignOff)
	api.PUT("/customers/:id/financials/:period", s.apiSetFinancials)
}

func (s *Server) requireProgramme(ctx context.Context, id uint) error {
	if _, _, err := s.opts.Store.ProgrammeByID(ctx, id); err != nil {
		return storeError(err, "programme")
	}
	return nil
}

// apiSetCadence creates or changes the programme's review Schedule (and
// pauses or resumes it), then records the cadence for lists and forms.
func (s *Server) apiSetCadence(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Cadence   string `json:"cadence"`
		StartDate string `json:"start_date"`
		Paused    bool   `json:"paused"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	start, err := parseCadence(req.Cadence, req.StartDate)
	if err != nil {
		return err
	}
	if err := s.setCadence(c.Request().Context(), id, req.Cadence, start, req.Paused, actor(c).Email); err != nil {
		return err
	}
	return s.apiGetCadence(c)
}

// parseCadence checks a cadence and its start date, in that order.
func parseCadence(cadence, startDate string) (time.Time, error) {
	if !schedules.ValidCadence(cadence) {
		return time.Time{}, fieldError("cadence", `cadence must be "quarterly", "half_yearly" or "yearly"`)
	}
	return parseDate("start_date", startDate)
}

// setCadence creates or changes a programme's review Schedule (and pauses
// or resumes it), then records the cadence for lists and forms; the API
// and the controller's page share it. The cadence is checked already.
func (s *Server) setCadence(ctx context.Context, id uint, cadence string, start time.Time, paused bool, who string) error {
	if err := s.requireProgramme(ctx, id); err != nil {
		return err
	}
	spec, action := schedules.ReviewSpec(cadence, start), schedules.ReviewAction(id, who, s.opts.TaskQueue)
	if err := s.putSchedule(ctx, workflows.ReviewScheduleID(id), spec, action, paused, "set by "+who); err != nil {
		return err
	}
	if err := s.opts.Store.SaveCadence(ctx, store.ReviewCadence{ProgrammeID: id, Cadence: cadence, StartDate: start, Paused: paused, ControllerEmail: who}); err != nil {
		return serverError(err)
	}
	return nil
}

func (s *Server) apiGetCadence(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cad, err := s.opts.Store.Cadence(ctx, id)
	if err != nil {
		return storeError(err, "review cadence")
	}
	out := map[string]any{"programme_id": id, "cadence": cad.Cadence, "start_date": cad.StartDate.Format("2006-01-02"),
		"paused": cad.Paused, "controller_email": cad.ControllerEmail, "schedule_id": workflows.ReviewScheduleID(id)}
	if d, err := s.opts.Temporal.ScheduleClient().GetHandle(ctx, workflows.ReviewScheduleID(id)).Describe(ctx); err == nil {
		out["next_runs"] = d.Info.NextActionTimes
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiDeleteCadence(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = s.opts.Temporal.ScheduleClient().GetHandle(ctx, workflows.ReviewScheduleID(id)).Delete(ctx)
	if isNotFoundErr(err) {
		return apiErr(http.StatusNotFound, "not_found", "the programme has no review cadence")
	}
	if err != nil {
		return serverError(fmt.Errorf("delete review schedule: %w", err))
	}
	if err := s.opts.Store.DeleteCadence(ctx, id); err != nil {
		return serverError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// apiTriggerReview starts a review now; one on-demand review per programme
// and day.
func (s *Server) apiTriggerReview(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	wid, err := s.triggerReview(c.Request().Context(), id, actor(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": wid, "programme_id": id})
}

// triggerReview starts a programme's review now (once a day).
func (s *Server) triggerReview(ctx context.Context, programmeID uint, controller string) (string, error) {
	if err := s.requireProgramme(ctx, programmeID); err != nil {
		return "", err
	}
	wid := todaysReviewWorkflowID(programmeID, s.opts.Now())
	_, err := s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL, WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.ReviewWorkflowName, workflows.ReviewInput{ProgrammeID: programmeID, ControllerEmail: controller})
	if err != nil {
		if isAlreadyStarted(err) {
			return "", apiErr(http.StatusConflict, "conflict", "a review of this programme was started today already")
		}
		return "", serverError(fmt.Errorf("start review: %w", err))
	}
	return wid, nil
}

// todaysReviewWorkflowID names the day's on-demand review of a programme:
// one per programme and day.
func todaysReviewWorkflowID(programmeID uint, now time.Time) string {
	return workflows.ReviewWorkflowIDPrefix(programmeID) + "-" + now.UTC().Format("2006-01-02")
}

func reviewJSON(r store.Review) map[string]any {
	return map[string]any{"id": r.ID, "programme_id": r.ProgrammeID, "workflow_id": r.WorkflowID, "status": r.Status,
		"controller_email": r.ControllerEmail, "overall_findings": r.OverallFindings, "signed_off_by": r.SignedOffBy,
		"signed_off_at": r.SignedOffAt, "created_at": r.CreatedAt}
}

func (s *Server) apiListReviews(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.opts.Store.ReviewsOfProgramme(c.Request().Context(), id)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, r := range list {
		items = append(items, reviewJSON(r))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// apiGetReview is the review report: KPIs per account, findings, measures.
func (s *Server) apiGetReview(c echo.Context) error {
	r, err := s.loadReview(c)
	if err != nil {
		return err
	}
	if r, err = s.reviewSeenBy(c, r); err != nil {
		return err
	}
	out := reviewJSON(*r)
	accounts := make([]map[string]any, 0, len(r.Accounts))
	for _, a := range r.Accounts {
		accounts = append(accounts, map[string]any{"customer_id": a.CustomerID, "customer_name": a.CustomerName, "period": a.Period,
			"revenue": a.Revenue, "margin_percent": a.MarginPercent, "satisfaction": a.Satisfaction, "plan_approved": a.PlanApproved,
			"open_overdue": a.OpenOverdue, "findings": a.Findings})
	}
	measures := make([]map[string]any, 0, len(r.Measures))
	for _, m := range r.Measures {
		measures = append(measures, map[string]any{"id": m.ID, "customer_id": m.CustomerID, "title": m.Title, "owner_email": m.OwnerEmail,
			"due": m.Due.Format("2006-01-02"), "done": m.DoneAt != nil, "done_at": m.DoneAt, "done_by": m.DoneBy})
	}
	out["accounts"], out["measures"] = accounts, measures
	return c.JSON(http.StatusOK, out)
}

func (s *Server) loadReview(c echo.Context) (*store.Review, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	r, err := s.opts.Store.ReviewByID(c.Request().Context(), id)
	if err != nil {
		return nil, storeError(err, "review")
	}
	return r, nil
}

// apiReviewCSV exports the report: one row per account KPI set, finding and measure.
func (s *Server) apiReviewCSV(c echo.Context) error {
	r, err := s.loadReview(c)
	if err != nil {
		return err
	}
	if r, err = s.reviewSeenBy(c, r); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="review-%d.csv"`, r.ID))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"record", "customer_id", "customer", "period", "revenue", "margin_percent", "satisfaction", "plan_approved", "open_overdue", "text", "owner", "due", "status"})
	names := map[uint]string{}
	for _, a := range r.Accounts {
		names[a.CustomerID] = a.CustomerName
		sat := ""
		if a.Satisfaction != nil {
			sat = strconv.FormatFloat(*a.Satisfaction, 'f', 1, 64)
		}
		_ = w.Write([]string{"kpi", uitoa(a.CustomerID), csvSafe(a.CustomerName), a.Period, strconv.FormatInt(a.Revenue, 10),
			strconv.FormatFloat(a.MarginPercent, 'f', 1, 64), sat, strconv.FormatBool(a.PlanApproved), strconv.Itoa(a.OpenOverdue), csvSafe(a.Findings), "", "", ""})
	}
	if r.OverallFindings != "" {
		_ = w.Write([]string{"finding", "", "overall", "", "", "", "", "", "", csvSafe(r.OverallFindings), "", "", r.Status})
	}
	for _, m := range r.Measures {
		cid, cname := "", ""
		if m.CustomerID != nil {
			cid, cname = uitoa(*m.CustomerID), csvSafe(names[*m.CustomerID])
		}
		status := "open"
		if m.DoneAt != nil {
			status = "done"
		}
		_ = w.Write([]string{"measure", cid, cname, "", "", "", "", "", "", csvSafe(m.Title), m.OwnerEmail, m.Due.Format("2006-01-02"), status})
	}
	w.Flush()
	return w.Error()
}

func uitoa(v uint) string { return strconv.FormatUint(uint64(v), 10) }

// csvSafe keeps spreadsheet programs from running a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// reviewUpdate sends an update to the review's workflow.
func (s *Server) reviewUpdate(c echo.Context, r *store.Review, name string, arg any) error {
	return s.updateJSON(c, r.WorkflowID, name, arg, "the review is closed")
}

func (s *Server) apiReviewFindings(c echo.Context) error {
	r, err := s.loadReview(c)
	if err != nil {
		return err
	}
	var req struct {
		CustomerID uint   `json:"customer_id"`
		Text       string `json:"text"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.reviewUpdate(c, r, workflows.UpdateRecordFindings, workflows.FindingsRequest{Actor: actor(c), CustomerID: req.CustomerID, Text: req.Text})
}

func (s *Server) apiAddMeasure(c echo.Context) error {
	r, err := s.loadReview(c)
	if err != nil {
		return err
	}
	var req struct {
		CustomerID uint   `json:"customer_id"`
		Title      string `json:"title"`
		OwnerEmail string `json:"owner_email"`
		Due        string `json:"due"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	due, err := parseDate("due", req.Due)
	if err != nil {
		return err
	}
	if _, err := s.opts.Store.UserByEmail(c.Request().Context(), req.OwnerEmail); errors.Is(err, store.ErrNotFound) {
		return fieldError("owner_email", fmt.Sprintf("no user %q", req.OwnerEmail))
	} else if err != nil {
		return serverError(err)
	}
	// Due at the end of the day, so "due today" is not overdue at 00:00.
	due = due.Add(23*time.Hour + 59*time.Minute)
	return s.reviewUpdate(c, r, workflows.UpdateAddMeasure, workflows.MeasureRequest{Actor: actor(c), CustomerID: req.CustomerID, Title: req.Title, OwnerEmail: req.OwnerEmail, Due: due})
}

func (s *Server) apiCompleteMeasure(c echo.Context) error {
	r, err := s.loadReview(c)
	if err != nil {
		return err
	}
	mid, err := idParam(c, "measureID")
	if err != nil {
		return err
	}
	return s.reviewUpdate(c, r, workflows.UpdateCompleteMeasure, workflows.MeasureDoneRequest{Actor: actor(c), MeasureID: mid})
}

func (s *Server) apiSignOff(c echo.Context) error {
	r, err := s.loadReview(c)
	if err != nil {
		return err
	}
	var req struct {
		Overall string `json:"overall"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.reviewUpdate(c, r, workflows.UpdateSignOff, workflows.SignOffRequest{Actor: actor(c), Overall: req.Overall})
}

var periodRe = regexp.MustCompile(`^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$`)

// apiSetFinancials enters a key account's revenue and margin for a period.
func (s *Server) apiSetFinancials(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	period := c.Param("period")
	if !periodRe.MatchString(period) {
		return fieldError("period", "period is a year (2026), a quarter (2026-Q1) or a month (2026-03)")
	}
	var req struct {
		Revenue       *int64   `json:"revenue"`
		MarginPercent *float64 `json:"margin_percent"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Revenue == nil || *req.Revenue < 0 {
		return fieldError("revenue", "revenue is required and not negative")
	}
	if req.MarginPercent == nil || store.FiniteProblem(*req.MarginPercent) != "" || *req.MarginPercent < -100 || *req.MarginPercent > 100 {
		return fieldError("margin_percent", "margin_percent is required, between -100 and 100")
	}
	ctx := c.Request().Context()
	if _, err := s.opts.Store.Customer(ctx, id); err != nil {
		return storeError(err, "customer")
	}
	if err := s.opts.Store.SetFinancials(ctx, store.AccountFinancials{CustomerID: id, Period: period, Revenue: *req.Revenue, MarginPercent: *req.MarginPercent}); err != nil {
		return serverError(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"customer_id": id, "period": period, "revenue": *req.Revenue, "margin_percent": *req.MarginPercent})
}

// reviewSeenBy is the review as the signed-in user may read it: whole for
// controllers, the programme's lead and committee (policy.ActReviewReadAll);
// for someone who only owns measures of it, her measures and the KPIs of
// the key accounts she may read, without the overall findings.
func (s *Server) reviewSeenBy(c echo.Context, r *store.Review) (*store.Review, error) {
	t := policy.Target{ProgrammeID: r.ProgrammeID, ReviewID: r.ID}
	ctx := c.Request().Context()
	u := currentUser(c)
	all, err := s.policy.May(ctx, u, policy.ActReviewReadAll, t)
	if err != nil || all {
		return r, err
	}
	kas, err := s.opts.Store.KeyAccounts(ctx, r.ProgrammeID)
	if err != nil {
		return nil, serverError(err)
	}
	readable := map[uint]bool{}
	for i := range kas {
		ok, err := s.policy.May(ctx, u, policy.ActAccountRead, policy.Target{KeyAccount: &kas[i]})
		if err != nil {
			return nil, serverError(err)
		}
		readable[kas[i].CustomerID] = ok
	}
	seen := *r
	seen.OverallFindings, seen.Accounts, seen.Measures = "", nil, nil
	for _, a := range r.Accounts {
		if readable[a.CustomerID] {
			seen.Accounts = append(seen.Accounts, a)
		}
	}
	for _, m := range r.Measures {
		if strings.EqualFold(m.OwnerEmail, u.Email) {
			seen.Measures = append(seen.Measures, m)
		}
	}
	return &seen, nil
}
