package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// untouchedAfter flags contacts nobody of ours met for this long; the
// ?untouched_days= parameter overrides it.
const untouchedAfter = 90 * 24 * time.Hour

func (s *Server) accountRoutes(api *echo.Group) {
	api.GET("/key-accounts/:id/contact-matrix", s.apiContactMatrix)
	api.GET("/key-accounts/:id/contact-matrix.csv", s.apiContactMatrixCSV)
	api.PUT("/key-accounts/:id/relationships", s.apiSaveRelationship)
	api.POST("/key-accounts/:id/relationships/:relationshipID/end", s.apiEndRelationship)
	api.POST("/key-accounts/:id/handover", s.apiStartHandover)
	api.GET("/key-accounts/:id/handover", s.apiGetHandover)
	api.GET("/key-accounts/:id/handovers", s.apiListHandovers)
	api.POST("/key-accounts/:id/handover/incoming", s.apiChooseIncoming)
	api.POST("/key-accounts/:id/handover/items/:item", s.apiTickHandover)
}

// keyAccountFor loads the route's key account; the route's policy entry
// (authorize.go) has decided who may act on it.
func (s *Server) keyAccountFor(c echo.Context) (*store.KeyAccount, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	if ka := loadedKeyAccount(c, id); ka != nil {
		return ka, nil
	}
	ka, err := s.opts.Store.KeyAccountByID(c.Request().Context(), id)
	if err != nil {
		return nil, storeError(err, "key account")
	}
	return ka, nil
}

// keyAccountScope is policy.AccountScope: which key accounts a list shows.
func keyAccountScope(u *store.User) (all bool, employeeID *uint) { return policy.AccountScope(u) }

// keyAccountAccess loads key account id if the policy lets the user read it.
func (s *Server) keyAccountAccess(c echo.Context, id uint) (*store.KeyAccount, error) {
	ka := loadedKeyAccount(c, id)
	if ka == nil {
		var err error
		if ka, err = s.opts.Store.KeyAccountByID(c.Request().Context(), id); err != nil {
			return nil, storeError(err, "key account")
		}
	}
	ok, err := s.policy.May(c.Request().Context(), currentUser(c), policy.ActAccountRead, policy.Target{KeyAccount: ka})
	if err != nil {
		return nil, serverError(err)
	}
	if !ok {
		return nil, apiErr(http.StatusForbidden, "forbidden", "this is not one of your key accounts")
	}
	return ka, nil
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
	m, err := s.opts.Store.ContactMatrixOf(c.Request().Context(), ka, s.opts.Now(), after)
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

// relationshipInput is one of our people's relationship to a contact as
// the API and the contact matrix's forms send it.
type relationshipInput struct {
	ContactID     uint   `json:"contact_id"`
	EmployeeID    uint   `json:"employee_id"`
	Quality       int    `json:"quality"`
	LastContactAt string `json:"last_contact_at"`
	Notes         string `json:"notes"`
	// ReplacesID names the contact's former counterpart, who ends where
	// another employee takes over.
	ReplacesID uint `json:"replaces_relationship_id"`
}

// apiSaveRelationship records one of our people's relationship to a contact.
func (s *Server) apiSaveRelationship(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req relationshipInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	saved, err := s.saveRelationship(c.Request().Context(), ka, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": saved.ID, "contact_id": saved.ContactID, "employee_id": saved.EmployeeID, "quality": saved.Quality, "last_contact_at": saved.LastContactAt})
}

// saveRelationship checks and stores a relationship of the key account's
// customer; the API and the contact matrix save through it. A refusal
// names its field.
func (s *Server) saveRelationship(ctx context.Context, ka *store.KeyAccount, req relationshipInput) (*store.Relationship, error) {
	if _, err := s.opts.Store.ContactOfCustomer(ctx, req.ContactID, ka.CustomerID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fieldError("contact_id", fmt.Sprintf("no contact %d at this customer", req.ContactID))
		}
		return nil, serverError(err)
	}
	if req.ReplacesID != 0 {
		old, err := s.opts.Store.ActiveRelationshipAt(ctx, req.ReplacesID, ka.CustomerID)
		if errors.Is(err, store.ErrNotFound) || err == nil && old.ContactID != req.ContactID {
			return nil, fieldError("replaces_relationship_id", "this relationship is no longer active with this contact; reload the page")
		} else if err != nil {
			return nil, serverError(err)
		}
	}
	if emp, err := s.opts.Store.Employee(ctx, req.EmployeeID); err != nil || emp.ArchivedAt != nil {
		if err == nil || errors.Is(err, store.ErrNotFound) {
			return nil, fieldError("employee_id", "choose one of our people")
		}
		return nil, serverError(err)
	}
	if req.Quality < 1 || req.Quality > 5 {
		return nil, fieldError("quality", "quality is 1 (poor) to 5 (excellent)")
	}
	if len(req.Notes) > 5000 {
		return nil, fieldError("notes", "notes are longer than 5000 characters")
	}
	r := store.Relationship{ContactID: req.ContactID, EmployeeID: req.EmployeeID, Quality: req.Quality, Notes: strings.TrimSpace(req.Notes)}
	if strings.TrimSpace(req.LastContactAt) != "" {
		d, err := parseDate("last_contact_at", req.LastContactAt)
		if err != nil {
			return nil, err
		}
		if d.After(s.opts.Now()) {
			return nil, fieldError("last_contact_at", "the last contact cannot be in the future")
		}
		r.LastContactAt = &d
	}
	saved, err := s.opts.Store.ReplaceRelationship(ctx, req.ReplacesID, r, s.opts.Now())
	if err != nil {
		return nil, storeError(err, "relationship")
	}
	return saved, nil
}

// apiEndRelationship ends one of our people's relationship to a contact.
func (s *Server) apiEndRelationship(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	rid, err := idParam(c, "relationshipID")
	if err != nil {
		return err
	}
	if err := s.endRelationship(c.Request().Context(), ka, rid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// endRelationship ends an active relationship of the key account's
// customer (it stays as history); the API and the contact matrix end
// through it.
func (s *Server) endRelationship(ctx context.Context, ka *store.KeyAccount, id uint) error {
	if _, err := s.opts.Store.ActiveRelationshipAt(ctx, id, ka.CustomerID); errors.Is(err, store.ErrNotFound) {
		return apiErr(http.StatusNotFound, "not_found", "no active relationship with this customer's contacts")
	} else if err != nil {
		return serverError(err)
	}
	if err := s.opts.Store.EndRelationship(ctx, id, s.opts.Now()); err != nil {
		return storeError(err, "relationship")
	}
	return nil
}

// handoverLabels name the handover's reasons and checklist items in English
// (the template translates them).
var handoverLabels = map[string]string{
	workflows.ReasonLeft: "The KAM left the company", workflows.ReasonRoleChange: "The KAM changed roles",
	workflows.ReasonPersonaNonGrata: "The KAM is persona non grata with the customer",
	workflows.ItemKnowledgeTransfer: "Knowledge transfer", workflows.ItemActionsMoved: "Actions moved",
	workflows.ItemRelationshipsMoved: "Relationships moved", workflows.ItemIntroMeeting: "Introduction meeting with the customer",
	workflows.ItemCustomerInformed: "Customer informed",
}

func handoverLabel(key string) string {
	if l, ok := handoverLabels[key]; ok {
		return l
	}
	return key
}

var handoverReasons = map[string]bool{workflows.ReasonLeft: true, workflows.ReasonRoleChange: true, workflows.ReasonPersonaNonGrata: true}

// apiStartHandover starts replacing the KAM; the deputy (or the person
// named) covers the account from the first moment.
func (s *Server) apiStartHandover(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req handoverStart
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	started, err := s.startHandover(c.Request().Context(), ka, req, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"workflow_id": started.WorkflowID, "key_account_id": ka.ID,
		"covering_employee_id": started.Covering.ID, "outgoing_employee_id": started.Outgoing.ID})
}

// handoverStart is what starting a handover takes (the API's body, the
// key-account page's form).
type handoverStart struct {
	Reason             string `json:"reason"`
	ReasonNote         string `json:"reason_note"`
	OutgoingAvailable  *bool  `json:"outgoing_available"`
	CoveringEmployeeID uint   `json:"covering_employee_id"`
}

// startedHandover names the workflow and the people of a started handover.
type startedHandover struct {
	WorkflowID         string
	Outgoing, Covering store.Employee
}

// startHandover checks a handover's start and starts its workflow; the
// API and the key-account page both start through it. A refusal names its
// field.
func (s *Server) startHandover(ctx context.Context, ka *store.KeyAccount, req handoverStart, by workflows.Actor) (*startedHandover, error) {
	if !handoverReasons[req.Reason] {
		return nil, fieldError("reason", `reason must be "left", "role_change" or "persona_non_grata"`)
	}
	if len(req.ReasonNote) > 5000 {
		return nil, fieldError("reason_note", "the note is longer than 5000 characters")
	}
	if ka.KAMEmployeeID == nil {
		return nil, apiErr(http.StatusConflict, "conflict", "the key account has no KAM to hand over")
	}
	if _, err := s.opts.Store.OpenHandoverOf(ctx, ka.ID); err == nil {
		return nil, apiErr(http.StatusConflict, "conflict", "a handover of this account is running")
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, serverError(err)
	}
	covering := req.CoveringEmployeeID
	if covering == 0 && ka.DeputyEmployeeID != nil {
		covering = *ka.DeputyEmployeeID
	}
	if covering == 0 {
		return nil, fieldError("covering_employee_id", "the account has no deputy: name who covers it during the handover")
	}
	if covering == *ka.KAMEmployeeID {
		return nil, fieldError("covering_employee_id", "the outgoing KAM cannot cover the account")
	}
	emps, err := s.opts.Store.EmployeesByID(ctx, []uint{*ka.KAMEmployeeID, covering})
	if err != nil {
		return nil, serverError(err)
	}
	cov, ok := emps[covering]
	if !ok {
		return nil, fieldError("covering_employee_id", fmt.Sprintf("no employee %d", covering))
	}
	out := emps[*ka.KAMEmployeeID]
	cust, err := s.opts.Store.Customer(ctx, ka.CustomerID)
	if err != nil {
		return nil, serverError(err)
	}
	prog, _, err := s.opts.Store.ProgrammeByID(ctx, ka.ProgrammeID)
	if err != nil {
		return nil, serverError(err)
	}
	// A KAM who left is unavailable unless the lead says otherwise.
	available := req.Reason != workflows.ReasonLeft
	if req.OutgoingAvailable != nil {
		available = *req.OutgoingAvailable
	}
	now := s.opts.Now()
	wid := keyedWorkflowID(ctx, workflows.HandoverWorkflowID(ka.ID, now))
	in := workflows.HandoverInput{
		KeyAccountID: ka.ID, CustomerName: cust.Name, Reason: req.Reason, ReasonNote: strings.TrimSpace(req.ReasonNote),
		OutgoingEmployeeID: out.ID, OutgoingEmail: out.Email, OutgoingAvailable: available,
		CoveringEmployeeID: cov.ID, CoveringEmail: cov.Email, LeadEmail: prog.LeadEmail, StartedBy: by.Email,
	}
	_, err = s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.opts.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.HandoverWorkflowName, in)
	if err != nil && !startedByThisKey(ctx, err) {
		return nil, serverError(fmt.Errorf("start handover: %w", err))
	}
	return &startedHandover{WorkflowID: wid, Outgoing: out, Covering: cov}, nil
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

// apiGetHandover is the running handover, from the record.
func (s *Server) apiGetHandover(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	h, err := s.opts.Store.OpenHandoverOf(ctx, ka.ID)
	if errors.Is(err, store.ErrNotFound) {
		return apiErr(http.StatusNotFound, "not_found", "no handover of this account is running; GET .../handovers lists the finished ones")
	}
	if err != nil {
		return serverError(err)
	}
	// The open row has no checklist loaded; the record's one does.
	if h, err = s.opts.Store.HandoverByID(ctx, h.ID); err != nil {
		return serverError(err)
	}
	views, err := s.handoverViews(ctx, ka, []store.Handover{*h})
	if err != nil {
		return err
	}
	sugg, err := s.opts.Store.SuggestIncomingKAM(ctx, ka.CustomerID, h.OutgoingEmployeeID)
	if err != nil {
		return serverError(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"workflow_id": h.WorkflowID, "state": views[0].JSON(), "incoming_suggestion": suggestionJSON(sugg), "moved": views[0].Moved})
}

// apiListHandovers lists the account's handovers, running and finished,
// newest first, each with its checklist: who did what, when.
func (s *Server) apiListHandovers(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := s.opts.Store.HandoversOf(ctx, ka.ID)
	if err != nil {
		return serverError(err)
	}
	views, err := s.handoverViews(ctx, ka, list)
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(views))
	for _, v := range views {
		items = append(items, v.JSON())
	}
	return c.JSON(http.StatusOK, map[string]any{"key_account_id": ka.ID, "items": items})
}

// handoverView is a handover from the record, with its people's names and
// its checklist in the order the items usually happen.
type handoverView struct {
	store.Handover
	CustomerName                             string
	OutgoingName, CoveringName, IncomingName string
	Nudges                                   int
	// Moved is who moved which open action or measure, when: the record
	// of "actions moved".
	Moved []map[string]any
}

// handoverViews reads what the pages and the API show of handovers: the
// record only, so a handover stays whole after its workflow is gone.
func (s *Server) handoverViews(ctx context.Context, ka *store.KeyAccount, list []store.Handover) ([]handoverView, error) {
	if len(list) == 0 {
		return nil, nil
	}
	cust, err := s.opts.Store.Customer(ctx, ka.CustomerID)
	if err != nil {
		return nil, serverError(err)
	}
	var ids []uint
	for _, h := range list {
		ids = append(ids, h.OutgoingEmployeeID, h.CoveringEmployeeID)
		if h.IncomingEmployeeID != nil {
			ids = append(ids, *h.IncomingEmployeeID)
		}
	}
	emps, err := s.opts.Store.EmployeesByID(ctx, ids)
	if err != nil {
		return nil, serverError(err)
	}
	order := map[string]int{}
	for i, it := range workflows.HandoverItems() {
		order[it] = i
	}
	out := make([]handoverView, 0, len(list))
	for _, h := range list {
		v := handoverView{Handover: h, CustomerName: cust.Name, OutgoingName: emps[h.OutgoingEmployeeID].Name, CoveringName: emps[h.CoveringEmployeeID].Name}
		if h.IncomingEmployeeID != nil {
			v.IncomingName = emps[*h.IncomingEmployeeID].Name
		}
		changes, err := s.opts.Store.OwnerChangesOfHandover(ctx, h.ID)
		if err != nil {
			return nil, serverError(err)
		}
		v.Moved = make([]map[string]any, 0, len(changes))
		for _, oc := range changes {
			v.Moved = append(v.Moved, map[string]any{"kind": oc.Kind, "id": oc.ItemID, "from": oc.FromEmail, "to": oc.ToEmail, "by": oc.ChangedBy, "at": oc.ChangedAt})
		}
		v.Items = append([]store.HandoverItem(nil), h.Items...)
		sort.SliceStable(v.Items, func(a, b int) bool { return order[v.Items[a].Item] < order[v.Items[b].Item] })
		if h.Status != "completed" {
			// Stall notices and escalations sent since the last progress.
			notices, err := s.opts.Store.HandoverNotices(ctx, h.WorkflowID)
			if err != nil {
				return nil, serverError(err)
			}
			for _, n := range notices {
				if n.At.After(h.LastProgress()) {
					v.Nudges++
				}
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// JSON is the handover as the API shows it: the fields of the workflow's
// state, plus when it started and ended.
func (v handoverView) JSON() map[string]any {
	items := make([]map[string]any, 0, len(v.Items))
	for _, it := range v.Items {
		items = append(items, map[string]any{"item": it.Item, "done": it.DoneAt != nil, "skipped": it.Skipped, "by": it.DoneBy, "at": it.DoneAt, "note": it.Note})
	}
	return map[string]any{
		"handover_id": v.ID, "workflow_id": v.WorkflowID, "key_account_id": v.KeyAccountID, "customer_name": v.CustomerName,
		"reason": v.Reason, "reason_note": v.ReasonNote, "status": v.Status, "started_by": v.StartedBy, "lead_email": v.LeadEmail,
		"outgoing_employee_id": v.OutgoingEmployeeID, "outgoing_name": v.OutgoingName, "outgoing_email": v.OutgoingEmail, "outgoing_available": v.OutgoingAvailable,
		"covering_employee_id": v.CoveringEmployeeID, "covering_name": v.CoveringName, "covering_email": v.CoveringEmail,
		"incoming_employee_id": v.IncomingEmployeeID, "incoming_name": v.IncomingName, "incoming_email": v.IncomingEmail, "incoming_chosen_at": v.IncomingChosenAt,
		"responsible": v.Responsible(), "stall_after": time.Duration(v.StallAfterSeconds) * time.Second, "last_progress": v.LastProgress(), "nudges": v.Nudges,
		"items": items, "started_at": v.CreatedAt, "completed_at": v.CompletedAt, "moved": v.Moved,
	}
}

func (s *Server) handoverUpdate(ctx context.Context, ka *store.KeyAccount, name string, arg, dst any) error {
	wid, err := s.handoverWorkflow(ctx, ka)
	if err != nil {
		return err
	}
	return s.sendUpdate(ctx, wid, name, arg, dst, "the handover is closed")
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
	var st json.RawMessage
	if err := s.chooseIncoming(c.Request().Context(), ka, req.EmployeeID, actor(c), &st); err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, st)
}

// chooseIncoming names the running handover's incoming KAM, a
// KAM-qualified employee; the workflow's validator decides the rest. The
// API and the key-account page both choose through it.
func (s *Server) chooseIncoming(ctx context.Context, ka *store.KeyAccount, employeeID uint, by workflows.Actor, dst any) error {
	e, err := s.opts.Store.Employee(ctx, employeeID)
	if errors.Is(err, store.ErrNotFound) {
		return fieldError("employee_id", fmt.Sprintf("no employee %d", employeeID))
	} else if err != nil {
		return serverError(err)
	}
	if !e.KAMQualified || e.ArchivedAt != nil {
		return fieldError("employee_id", fmt.Sprintf("%s is not qualified as KAM", e.Name))
	}
	return s.handoverUpdate(ctx, ka, workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: by, EmployeeID: e.ID, Email: e.Email}, dst)
}

func (s *Server) apiTickHandover(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	var req struct {
		Note string `json:"note"`
		Skip bool   `json:"skip"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var st json.RawMessage
	if err := s.tickHandover(c.Request().Context(), ka, workflows.TickRequest{Actor: actor(c), Item: c.Param("item"), Note: req.Note, Skip: req.Skip}, &st); err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, st)
}

// tickHandover ticks an item of the running handover's checklist; the API
// and the key-account page both tick through it.
func (s *Server) tickHandover(ctx context.Context, ka *store.KeyAccount, r workflows.TickRequest, dst any) error {
	return s.handoverUpdate(ctx, ka, workflows.UpdateTickItem, r, dst)
}
