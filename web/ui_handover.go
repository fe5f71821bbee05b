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

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// handoverUI is the handover part of the key-account page: the start
// form while none runs, and for the running one the choice of the
// incoming KAM and the checklist's tick forms — each only for who may.
type handoverUI struct {
	CanStart, CanChoose, CanTick bool
	Reasons                      []handoverReason
	// Covers are who may cover the account (KAM-qualified, not the
	// outgoing KAM); Deputy is who covers when the form names nobody.
	Covers []store.Employee
	Deputy *store.Employee
	// Candidates are the KAM-qualified employees who may come in;
	// Suggestion the hierarchy match among them, TopLevel its reason.
	Candidates []store.Employee
	Suggestion *store.Employee
	TopLevel   store.HierarchyLevel
	// Start, Incoming and Tick keep a refused form as typed, with why.
	Start    handoverStartForm
	Incoming *incomingForm
	Tick     *tickForm
}

type handoverReason struct{ Key, Label string }

// handoverStartForm is the start form as typed; Errors by field.
type handoverStartForm struct {
	Reason, ReasonNote, Covering, Available string
	Errors                                  map[string]string
}

type incomingForm struct {
	EmployeeID uint
	Error      string
}

type tickForm struct {
	Item, Note, Error string
}

// Tickable reports whether the running handover's item can be ticked
// now: every item but the knowledge transfer waits for the incoming KAM
// (the workflow's validator says so too).
func (h handoverView) Tickable(item string) bool {
	return h.Status == "open" && (item == workflows.ItemKnowledgeTransfer || h.IncomingEmployeeID != nil)
}

// fillHandoverUI adds what the user may do about handovers to the page,
// keeping a refused form's input already on it.
func (s *Server) fillHandoverUI(c echo.Context, ka *store.KeyAccount, p *accountPage) error {
	ctx := c.Request().Context()
	t := policy.Target{KeyAccount: ka}
	h := &p.HandoverUI
	h.CanStart = p.Handover == nil && ka.KAMEmployeeID != nil && s.may(c, policy.ActHandoverStart, t)
	h.CanChoose = p.Handover != nil && s.may(c, policy.ActHandoverChoose, t)
	// The workflow lets the people in the handover and leads tick: a
	// deputy who does not cover this one keeps the account, not its checklist.
	h.CanTick = p.Handover != nil && s.may(c, policy.ActHandoverTick, t) && inHandover(currentUser(c), p.Handover)
	if !h.CanStart && !h.CanChoose {
		return nil
	}
	var outgoing uint
	switch {
	case p.Handover != nil:
		outgoing = p.Handover.OutgoingEmployeeID
	case ka.KAMEmployeeID != nil:
		outgoing = *ka.KAMEmployeeID
	}
	kams, err := s.opts.Store.KAMCandidates(ctx)
	if err != nil {
		return serverError(err)
	}
	for _, e := range kams {
		if e.ID != outgoing {
			h.Candidates = append(h.Candidates, e)
		}
	}
	if h.CanStart {
		for _, r := range []string{workflows.ReasonLeft, workflows.ReasonRoleChange, workflows.ReasonPersonaNonGrata} {
			h.Reasons = append(h.Reasons, handoverReason{Key: r, Label: handoverLabel(r)})
		}
		h.Covers = h.Candidates
		if ka.DeputyEmployeeID != nil {
			if d, err := s.opts.Store.Employee(ctx, *ka.DeputyEmployeeID); err == nil {
				h.Deputy = d
			} else if !errors.Is(err, store.ErrNotFound) {
				return serverError(err)
			}
		}
	}
	if h.CanChoose {
		sg, err := s.opts.Store.SuggestIncomingKAM(ctx, ka.CustomerID, outgoing)
		if err != nil {
			return serverError(err)
		}
		h.Suggestion, h.TopLevel = sg.Employee, sg.TopLevel
	}
	return nil
}

// handoverStartForm starts a handover from the key-account page; a
// refusal shows at its field with the input kept.
func (s *Server) handoverStartForm(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	f := handoverStartForm{Reason: c.FormValue("reason"), ReasonNote: c.FormValue("reason_note"),
		Covering: strings.TrimSpace(c.FormValue("covering_employee_id")), Available: c.FormValue("outgoing_available")}
	req := handoverStart{Reason: f.Reason, ReasonNote: f.ReasonNote}
	err = func() error {
		if f.Covering != "" {
			n, perr := strconv.ParseUint(f.Covering, 10, 32)
			if perr != nil || n == 0 {
				return fieldError("covering_employee_id", "choose who covers the account")
			}
			req.CoveringEmployeeID = uint(n)
		}
		switch f.Available {
		case "":
		case "yes", "no":
			available := f.Available == "yes"
			req.OutgoingAvailable = &available
		default:
			return fieldError("outgoing_available", "choose whether the outgoing KAM can hand over her knowledge")
		}
		return nil
	}()
	ctx := c.Request().Context()
	if err == nil {
		_, err = s.startHandover(ctx, ka, req, actor(c))
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		f.Errors = ae.Fields
		msg := ""
		if len(ae.Fields) == 0 {
			msg = ae.Message
		}
		return s.renderAccountPage(c, ka.ID, ae.Status, accountPage{Error: msg, HandoverUI: handoverUI{Start: f}})
	}
	// The workflow records the handover at once; the page shows it when
	// it is there, so nobody starts it twice from a page that lags.
	s.awaitRecord(ctx, func(ctx context.Context) bool {
		_, err := s.opts.Store.OpenHandoverOf(ctx, ka.ID)
		return err == nil
	})
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d?done=handover-started#handovers", ka.ID))
}

// handoverIncomingForm chooses the incoming KAM (the suggestion's button
// sends the suggested employee).
func (s *Server) handoverIncomingForm(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	n, perr := strconv.ParseUint(strings.TrimSpace(c.FormValue("employee_id")), 10, 32)
	if perr != nil || n == 0 {
		err = fieldError("employee_id", "choose the incoming KAM")
	} else {
		err = s.chooseIncoming(c.Request().Context(), ka, uint(n), actor(c), new(workflows.HandoverState))
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		return s.renderAccountPage(c, ka.ID, ae.Status, accountPage{HandoverUI: handoverUI{Incoming: &incomingForm{EmployeeID: uint(n), Error: refusalText(ae, "employee_id")}}})
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d?done=incoming-chosen#handovers", ka.ID))
}

// handoverTickForm ticks a checklist item as done, or skips it with the
// reason in the note.
func (s *Server) handoverTickForm(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	item, note := c.Param("item"), c.FormValue("note")
	skip := c.FormValue("op") == "skip"
	err = s.tickHandover(c.Request().Context(), ka, workflows.TickRequest{Actor: actor(c), Item: item, Note: note, Skip: skip}, new(workflows.HandoverState))
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		return s.renderAccountPage(c, ka.ID, ae.Status, accountPage{HandoverUI: handoverUI{Tick: &tickForm{Item: item, Note: note, Error: refusalText(ae, "note")}}})
	}
	done := "item-ticked"
	if skip {
		done = "item-skipped"
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d?done=%s#handover-item-%s", ka.ID, done, item))
}

// refusalText is the refusal's reason at field, else its message.
func refusalText(ae *apiError, field string) string {
	if m := ae.Fields[field]; m != "" {
		return m
	}
	return ae.text()
}

// awaitRecord waits up to two seconds for a workflow's first activity to
// write what the next page shows (recorded reports it is there).
func (s *Server) awaitRecord(ctx context.Context, recorded func(context.Context) bool) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for !recorded(ctx) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// IncomingIs reports whether the employee is the chosen incoming KAM.
func (h handoverView) IncomingIs(employeeID uint) bool {
	return h.IncomingEmployeeID != nil && *h.IncomingEmployeeID == employeeID
}

// inHandover reports whether the user is outgoing, covering or incoming
// in the handover, or a lead or admin.
func inHandover(u *store.User, h *store.Handover) bool {
	if u.HasRole(store.RoleLead) || u.HasRole(store.RoleAdmin) {
		return true
	}
	for _, e := range []string{h.OutgoingEmail, h.CoveringEmail, h.IncomingEmail} {
		if e != "" && strings.EqualFold(e, u.Email) {
			return true
		}
	}
	return false
}
