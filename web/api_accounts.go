package web

import (
	"context"
	"encoding/csv"
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

// untouchedAfter flags contacts nobody of ours met for this long; the
// ?untouched_days= parameter overrides it.
const untouchedAfter = 90 * 24 * time.Hour

func (s *Server) accountRoutes(api *echo.Group) {
	anyone := requireRole(store.Roles()...)
	lead := requireRole(store.RoleLead)
	api.GET("/key-accounts/:id/contact-matrix", s.apiContactMatrix, anyone)
	api.GET("/key-accounts/:id/contact-matrix.csv", s.apiContactMatrixCSV, anyone)
	api.PUT("/key-accounts/:id/relationships", s.apiSaveRelationship, anyone)
	api.POST("/key-accounts/:id/handover", s.apiStartHandover, lead)
	api.GET("/key-accounts/:id/handover", s.apiGetHandover, anyone)
	api.POST("/key-accounts/:id/handover/incoming", s.apiChooseIncoming, lead)
	api.POST("/key-accounts/:id/handover/items/:item", s.apiTickHandover, anyone)
}

// keyAccountFor loads the key account and checks the user may see and work
// on it: its KAM, deputy or covering person, a lead, committee member or admin.
func (s *Server) keyAccountFor(c echo.Context) (*store.KeyAccount, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	return s.keyAccountAccess(c, id)
}

// keyAccountAccess loads key account id if the user may work on it.
func (s *Server) keyAccountAccess(c echo.Context, id uint) (*store.KeyAccount, error) {
	ka, err := s.opts.Store.KeyAccountByID(c.Request().Context(), id)
	if err != nil {
		return nil, storeError(err, "key account")
	}
	u := currentUser(c)
	if u.HasRole(store.RoleLead) || u.HasRole(store.RoleCommittee) || u.HasRole(store.RoleAdmin) || u.HasRole(store.RoleController) {
		return ka, nil
	}
	if u.EmployeeID != nil {
		for _, p := range []*uint{ka.KAMEmployeeID, ka.DeputyEmployeeID, ka.CoveringEmployeeID} {
			if p != nil && *p == *u.EmployeeID {
				return ka, nil
			}
		}
		// The incoming KAM of a running handover works on the account too.
		if h, err := s.opts.Store.OpenHandoverOf(c.Request().Context(), ka.ID); err == nil && h.IncomingEmployeeID != nil && *h.IncomingEmployeeID == *u.EmployeeID {
			return ka, nil
		}
	}
	return nil, apiErr(http.StatusForbidden, "forbidden", "this is not one of your key accounts")
}

func (s *Server) matrix(c echo.Context) (*store.ContactMatrix, error) {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return nil, err
	}
	after := untouchedAfter
	if v := c.QueryParam("untouched_days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3650 {
			return nil, fieldError("untouched_days", "must be a whole number of days from 1 to 3650")
		}
		after = time.Duration(n) * 24 * time.Hour
	}
	m, err := s.opts.Store.ContactMatrix(c.Request().Context(), ka.ID, s.opts.Now(), after)
	if err != nil {
		return nil, serverError(err)
	}
	return m, nil
}

func employeeJSON(e *store.Employee) any {
	if e == nil {
		return nil
	}
	return map[string]any{"id": e.ID, "name": e.Name, "level": e.HierarchyLevel}
}

// apiContactMatrix returns the contacts by hierarchy level with our
// counterparts and the gaps.
func (s *Server) apiContactMatrix(c echo.Context) error {
	m, err := s.matrix(c)
	if err != nil {
		return err
	}
	rows := make([]map[string]any, 0, len(m.Rows))
	for _, r := range m.Rows {
		contacts := make([]map[string]any, 0, len(r.Contacts))
		for _, mc := range r.Contacts {
			cps := make([]map[string]any, 0, len(mc.Counterparts))
			for _, cp := range mc.Counterparts {
				cps = append(cps, map[string]any{"relationship_id": cp.RelationshipID, "employee_id": cp.EmployeeID, "employee_name": cp.EmployeeName,
					"employee_level": cp.EmployeeLevel, "quality": cp.Quality, "last_contact_at": cp.LastContactAt, "notes": cp.Notes, "level_mismatch": cp.LevelMismatch})
			}
			contacts = append(contacts, map[string]any{"contact_id": mc.Contact.ID, "name": mc.Contact.Name, "job_title": mc.Contact.JobTitle,
				"reports_to_id": mc.Contact.ReportsToID, "counterparts": cps, "untouched": mc.Untouched})
		}
		rows = append(rows, map[string]any{"level": r.Level, "label": r.Level.Label(), "contacts": contacts, "no_counterpart": r.NoCounterpart})
	}
	return c.JSON(http.StatusOK, map[string]any{
		"key_account_id": m.KeyAccount.ID, "customer_id": m.Customer.ID, "customer_name": m.Customer.Name,
		"kam": employeeJSON(m.KAM), "deputy": employeeJSON(m.Deputy), "covering_employee_id": m.KeyAccount.CoveringEmployeeID,
		"bow_tie": m.BowTie, "untouched_days": int(m.UntouchedAfter.Hours() / 24), "rows": rows,
	})
}

// apiContactMatrixCSV exports the matrix: one row per contact and counterpart.
func (s *Server) apiContactMatrixCSV(c echo.Context) error {
	m, err := s.matrix(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="contact-matrix-%d.csv"`, m.KeyAccount.ID))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"level", "contact", "job_title", "counterpart", "counterpart_level", "quality", "last_contact", "gaps"})
	for _, r := range m.Rows {
		if len(r.Contacts) == 0 {
			continue
		}
		for _, mc := range r.Contacts {
			var gaps []string
			if r.NoCounterpart {
				gaps = append(gaps, "no counterpart on this level")
			}
			if mc.Untouched {
				gaps = append(gaps, "untouched")
			}
			if m.BowTie {
				gaps = append(gaps, "bow tie")
			}
			if len(mc.Counterparts) == 0 {
				_ = w.Write([]string{string(r.Level), csvSafe(mc.Contact.Name), csvSafe(mc.Contact.JobTitle), "", "", "", "", strings.Join(gaps, "; ")})
				continue
			}
			for _, cp := range mc.Counterparts {
				g := gaps
				if cp.LevelMismatch {
					g = append(append([]string{}, gaps...), "level mismatch")
				}
				last := ""
				if cp.LastContactAt != nil {
					last = cp.LastContactAt.Format("2006-01-02")
				}
				_ = w.Write([]string{string(r.Level), csvSafe(mc.Contact.Name), csvSafe(mc.Contact.JobTitle), csvSafe(cp.EmployeeName), string(cp.EmployeeLevel), strconv.Itoa(cp.Quality), last, strings.Join(g, "; ")})
			}
		}
	}
	w.Flush()
	return w.Error()
}

// apiSaveRelationship records one of our people's relationship to a contact.
func (s *Server) apiSaveRelationship(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req struct {
		ContactID     uint   `json:"contact_id"`
		EmployeeID    uint   `json:"employee_id"`
		Quality       int    `json:"quality"`
		LastContactAt string `json:"last_contact_at"`
		Notes         string `json:"notes"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.opts.Store.ContactOfCustomer(ctx, req.ContactID, ka.CustomerID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fieldError("contact_id", fmt.Sprintf("no contact %d at this customer", req.ContactID))
		}
		return serverError(err)
	}
	if _, err := s.opts.Store.Employee(ctx, req.EmployeeID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fieldError("employee_id", fmt.Sprintf("no employee %d", req.EmployeeID))
		}
		return serverError(err)
	}
	if req.Quality < 1 || req.Quality > 5 {
		return fieldError("quality", "quality is 1 (poor) to 5 (excellent)")
	}
	if len(req.Notes) > 5000 {
		return fieldError("notes", "notes are longer than 5000 characters")
	}
	r := store.Relationship{ContactID: req.ContactID, EmployeeID: req.EmployeeID, Quality: req.Quality, Notes: strings.TrimSpace(req.Notes)}
	if req.LastContactAt != "" {
		d, err := parseDate("last_contact_at", req.LastContactAt)
		if err != nil {
			return err
		}
		if d.After(s.opts.Now()) {
			return fieldError("last_contact_at", "the last contact cannot be in the future")
		}
		r.LastContactAt = &d
	}
	saved, err := s.opts.Store.SaveRelationship(ctx, r)
	if err != nil {
		return storeError(err, "relationship")
	}
	return c.JSON(http.StatusOK, map[string]any{"id": saved.ID, "contact_id": saved.ContactID, "employee_id": saved.EmployeeID, "quality": saved.Quality, "last_contact_at": saved.LastContactAt})
}

var handoverReasons = map[string]bool{workflows.ReasonLeft: true, workflows.ReasonRoleChange: true, workflows.ReasonPersonaNonGrata: true}

// apiStartHandover starts replacing the KAM; the deputy (or the person
// named) covers the account from the first moment.
func (s *Server) apiStartHandover(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req struct {
		Reason             string `json:"reason"`
		ReasonNote         string `json:"reason_note"`
		OutgoingAvailable  *bool  `json:"outgoing_available"`
		CoveringEmployeeID uint   `json:"covering_employee_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !handoverReasons[req.Reason] {
		return fieldError("reason", `reason must be "left", "role_change" or "persona_non_grata"`)
	}
	ctx := c.Request().Context()
	if ka.KAMEmployeeID == nil {
		return apiErr(http.StatusConflict, "conflict", "the key account has no KAM to hand over")
	}
	if _, err := s.opts.Store.OpenHandoverOf(ctx, ka.ID); err == nil {
		return apiErr(http.StatusConflict, "conflict", "a handover of this account is running")
	} else if !errors.Is(err, store.ErrNotFound) {
		return serverError(err)
	}
	covering := req.CoveringEmployeeID
	if covering == 0 && ka.DeputyEmployeeID != nil {
		covering = *ka.DeputyEmployeeID
	}
	if covering == 0 {
		return fieldError("covering_employee_id", "the account has no deputy: name who covers it during the handover")
	}
	if covering == *ka.KAMEmployeeID {
		return fieldError("covering_employee_id", "the outgoing KAM cannot cover the account")
	}
	emps, err := s.opts.Store.EmployeesByID(ctx, []uint{*ka.KAMEmployeeID, covering})
	if err != nil {
		return serverError(err)
	}
	cov, ok := emps[covering]
	if !ok {
		return fieldError("covering_employee_id", fmt.Sprintf("no employee %d", covering))
	}
	out := emps[*ka.KAMEmployeeID]
	cust, err := s.opts.Store.Customer(ctx, ka.CustomerID)
	if err != nil {
		return serverError(err)
	}
	prog, _, err := s.opts.Store.ProgrammeByID(ctx, ka.ProgrammeID)
	if err != nil {
		return serverError(err)
	}
	// A KAM who left is unavailable unless the lead says otherwise.
	available := req.Reason != workflows.ReasonLeft
	if req.OutgoingAvailable != nil {
		available = *req.OutgoingAvailable
	}
	now := s.opts.Now()
	wid := workflows.HandoverWorkflowID(ka.ID, now)
	in := workflows.HandoverInput{
		KeyAccountID: ka.ID, CustomerName: cust.Name, Reason: req.Reason, ReasonNote: strings.TrimSpace(req.ReasonNote),
		OutgoingEmployeeID: out.ID, OutgoingEmail: out.Email, OutgoingAvailable: available,
		CoveringEmployeeID: cov.ID, CoveringEmail: cov.Email, LeadEmail: prog.LeadEmail, StartedBy: actor(c).Email,
	}
	_, err = s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.HandoverWorkflowName, in)
	if err != nil {
		return serverError(fmt.Errorf("start handover: %w", err))
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": wid, "key_account_id": ka.ID, "covering_employee_id": cov.ID, "outgoing_employee_id": out.ID})
}

// handoverWorkflow finds the running handover's workflow ID.
func (s *Server) handoverWorkflow(ctx context.Context, ka *store.KeyAccount) (string, error) {
	h, err := s.opts.Store.OpenHandoverOf(ctx, ka.ID)
	if errors.Is(err, store.ErrNotFound) {
		return "", apiErr(http.StatusNotFound, "not_found", "no handover of this account is running")
	}
	if err != nil {
		return "", serverError(err)
	}
	return h.WorkflowID, nil
}

func (s *Server) apiGetHandover(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	wid, err := s.handoverWorkflow(ctx, ka)
	if err != nil {
		return err
	}
	v, err := s.opts.Temporal.QueryWorkflow(ctx, wid, "", workflows.QueryHandoverState)
	if err != nil {
		return workflowError(err)
	}
	var st workflows.HandoverState
	if err := v.Get(&st); err != nil {
		return serverError(err)
	}
	sugg, err := s.kamSuggestions(ctx, []uint{ka.CustomerID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"workflow_id": wid, "state": st, "incoming_suggestion": sugg[0]})
}

func (s *Server) handoverUpdate(c echo.Context, ka *store.KeyAccount, name string, arg any) error {
	wid, err := s.handoverWorkflow(c.Request().Context(), ka)
	if err != nil {
		return err
	}
	return s.updateJSON(c, wid, name, arg, "the handover is closed")
}

func (s *Server) apiChooseIncoming(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req struct {
		EmployeeID uint `json:"employee_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.opts.Store.Employee(c.Request().Context(), req.EmployeeID)
	if errors.Is(err, store.ErrNotFound) {
		return fieldError("employee_id", fmt.Sprintf("no employee %d", req.EmployeeID))
	} else if err != nil {
		return serverError(err)
	}
	if !e.KAMQualified {
		return fieldError("employee_id", fmt.Sprintf("%s is not qualified as KAM", e.Name))
	}
	return s.handoverUpdate(c, ka, workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: actor(c), EmployeeID: e.ID, Email: e.Email})
}

func (s *Server) apiTickHandover(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.handoverUpdate(c, ka, workflows.UpdateTickItem, workflows.TickRequest{Actor: actor(c), Item: c.Param("item"), Note: req.Note})
}
