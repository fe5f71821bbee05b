package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
)

type trendPoint struct {
	X, Y  int
	Label string
}

type accountPage struct {
	Matrix  *store.ContactMatrix
	Plan    *store.AccountPlan
	Actions []store.Action
	// ActionsPager pages the actions (?page=), open ones first.
	ActionsPager pager
	OpenActions  int
	Workshops    []store.Workshop
	Trend        []trendPoint
	History      []store.SatisfactionPoint
	TrendPath    string
	Handover     *store.Handover
	Handovers    []handoverView
	OverdueCount int
	Error        string
	Now          time.Time
	// CanAssign shows the forms that give an action to someone else (and
	// mark any action done); CanPlanWorkshop the workshop's forms. Owners
	// see "mark done" on their own actions.
	CanAssign, CanPlanWorkshop bool
	// OwnerError is a refused owner change, shown at its action's field.
	OwnerError *ownerFormError
	// CanWritePlan shows the plan editor's link and "submit";
	// CanDecidePlan the approve/reject form of a submitted plan.
	CanWritePlan, CanDecidePlan bool
	// PlanDecision is a refused decision, shown at its field as typed.
	PlanDecision *planDecisionError
	// HandoverUI holds the handover forms the user may use.
	HandoverUI handoverUI
	// Notice says what the form just sent did (after its redirect).
	Notice string
	// CanWriteAccount shows the contact matrix's relationship forms and
	// "Start a workshop" (CanStartWorkshop: none this year yet).
	CanWriteAccount, CanStartWorkshop bool
	// OpenForms are the matrix's forms the page carries open, written out
	// by their template ("relform"), by key: "contact-<id>" adds a
	// counterpart to a contact, "rel-<id>" changes or ends a relationship.
	// A refused one carries what was typed and its errors.
	OpenForms map[string]template.HTML
	// Refused is the relationship form a refusal re-shows.
	Refused *relationshipForm
}

// relationshipForm is one form of the contact matrix, as shown or typed.
type relationshipForm struct {
	Key          string
	KeyAccountID uint
	ContactID    uint
	// ReplacesID is the relationship a change form edits (0: add one).
	ReplacesID                              uint
	EmployeeID, Quality, LastContact, Notes string
	// Picker is the counterpart select, EmployeeID chosen.
	Picker employeePicker
	Errors map[string]string
	CSRF   string
}

// FieldError is the refusal at the input named field, or "".
func (f *relationshipForm) FieldError(field string) string { return f.Errors[field] }

// relationshipForms fills the forms the contact matrix shows open: the
// refused one as typed, else the one the reader asked for with ?form= (the
// way in without JavaScript). Every other form is fetched when its box is
// first opened (relationshipFormFragment): sending them all would carry a
// form and a select of employees per contact and per relationship, most
// of them never opened.
func (s *Server) relationshipForms(c echo.Context, p *accountPage) error {
	csrf, _ := c.Get(ctxCSRF).(string)
	p.OpenForms = map[string]template.HTML{}
	open := func(key string, f *relationshipForm) (err error) {
		p.OpenForms[key], err = s.fragmentHTML(c, "account.html", "relform", f)
		return err
	}
	if r := p.Refused; r != nil {
		if _, _, ok := relationshipFormOf(p.Matrix, r.Key); ok {
			r.CSRF, r.KeyAccountID = csrf, p.Matrix.KeyAccount.ID
			r.Picker = employeePicker{Field: "employee_id", Blank: "— choose —"}
			if err := s.loadEmployeePicker(c, &r.Picker, "", []string{r.EmployeeID}); err != nil {
				return err
			}
			if err := open(r.Key, r); err != nil {
				return err
			}
		} else if p.Error == "" {
			// The form's contact or relationship is gone: say why on top.
			p.Error = strings.Join(fieldErrors(r.Errors), "; ")
		}
		return nil
	}
	key := c.QueryParam("form")
	if key == "" {
		return nil
	}
	f, counterpart, ok := relationshipFormOf(p.Matrix, key)
	if !ok {
		if p.Error == "" {
			p.Error = relationshipFormGone
		}
		return nil
	}
	if err := s.fillRelationshipForm(c, f, counterpart); err != nil {
		return err
	}
	return open(key, f)
}

// relationshipFormGone says why a form of the matrix cannot be shown.
const relationshipFormGone = "That contact or relationship is no longer on this account."

// relationshipFormOf is the matrix's form named key, as stored: "contact-<id>"
// adds a counterpart to one of the account's contacts, "rel-<id>" changes
// or ends one of its relationships (whose counterpart is returned). ok is
// false when the matrix has no such contact or relationship.
func relationshipFormOf(m *store.ContactMatrix, key string) (f *relationshipForm, counterpart *store.Employee, ok bool) {
	for _, row := range m.Rows {
		for _, mc := range row.Contacts {
			if key == fmt.Sprintf("contact-%d", mc.Contact.ID) {
				return &relationshipForm{Key: key, KeyAccountID: m.KeyAccount.ID, ContactID: mc.Contact.ID, Quality: "3"}, nil, true
			}
			for _, cp := range mc.Counterparts {
				if key != fmt.Sprintf("rel-%d", cp.RelationshipID) {
					continue
				}
				f := &relationshipForm{Key: key, KeyAccountID: m.KeyAccount.ID, ContactID: mc.Contact.ID, ReplacesID: cp.RelationshipID,
					EmployeeID: uitoa(cp.EmployeeID), Quality: strconv.Itoa(cp.Quality), Notes: cp.Notes}
				if cp.LastContactAt != nil {
					f.LastContact = cp.LastContactAt.Format(time.DateOnly)
				}
				return f, &store.Employee{ID: cp.EmployeeID, Name: cp.EmployeeName, HierarchyLevel: cp.EmployeeLevel}, true
			}
		}
	}
	return nil, nil, false
}

// fillRelationshipForm gives a stored form its select of employees (the
// counterpart, if any, chosen and selectable whether listed or not) and the
// page's CSRF token.
func (s *Server) fillRelationshipForm(c echo.Context, f *relationshipForm, counterpart *store.Employee) error {
	f.CSRF, _ = c.Get(ctxCSRF).(string)
	f.Picker = employeePicker{Field: "employee_id", Blank: "— choose —"}
	if err := s.loadEmployeePicker(c, &f.Picker, "", nil); err != nil {
		return err
	}
	if counterpart != nil {
		f.Picker = f.Picker.choosing(*counterpart)
	}
	return nil
}

// relationshipForm adds a counterpart to a contact, changes one (another
// employee takes over, quality, last contact) or ends it (op=end), then
// shows the account again; a refusal shows at its field with what was
// typed kept.
func (s *Server) relationshipForm(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	contactID, _ := strconv.ParseUint(c.FormValue("contact_id"), 10, 32)
	replaces, _ := strconv.ParseUint(c.FormValue("replaces_relationship_id"), 10, 32)
	f := &relationshipForm{ContactID: uint(contactID), ReplacesID: uint(replaces), EmployeeID: c.FormValue("employee_id"),
		Quality: c.FormValue("quality"), LastContact: c.FormValue("last_contact_at"), Notes: c.FormValue("notes")}
	f.Key = fmt.Sprintf("contact-%d", f.ContactID)
	if f.ReplacesID != 0 {
		f.Key = fmt.Sprintf("rel-%d", f.ReplacesID)
	}
	refuse := func(err error) error {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		p := accountPage{Refused: f}
		if len(ae.Fields) > 0 {
			f.Errors = ae.Fields
		} else {
			p.Error = ae.Message
		}
		return s.renderAccountPage(c, ka.ID, ae.Status, p)
	}
	if c.FormValue("op") == "end" {
		if f.ReplacesID == 0 {
			return refuse(fieldError("replaces_relationship_id", "choose the relationship to end"))
		}
		if err := s.endRelationship(ctx, ka, f.ReplacesID); err != nil {
			return refuse(err)
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d?done=relationship-ended#contacts", ka.ID))
	}
	employeeID, _ := strconv.ParseUint(f.EmployeeID, 10, 32)
	quality, err := strconv.Atoi(strings.TrimSpace(f.Quality))
	if err != nil {
		return refuse(fieldError("quality", "quality is 1 (poor) to 5 (excellent)"))
	}
	in := relationshipInput{ContactID: f.ContactID, EmployeeID: uint(employeeID), Quality: quality, LastContactAt: f.LastContact, Notes: f.Notes, ReplacesID: f.ReplacesID}
	if _, err := s.saveRelationship(ctx, ka, in); err != nil {
		return refuse(err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d?done=relationship#contacts", ka.ID))
}

// ownerFormError keeps what was typed into an action's owner field and why
// it was refused.
type ownerFormError struct {
	ActionID uint
	Input    string
	Message  string
}

// accountPage is a KAM's view of one key account: the contact matrix by
// hierarchy with its gaps, plan, actions, workshops, satisfaction trend and
// the handovers, running and finished, with who did what when.
func (s *Server) accountPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such key account.")
	}
	return s.renderAccountPage(c, id, http.StatusOK, accountPage{})
}

func (s *Server) renderAccount(c echo.Context, id uint, status int, message string) error {
	return s.renderAccountWith(c, id, status, message, nil)
}

func (s *Server) renderAccountWith(c echo.Context, id uint, status int, message string, ownerErr *ownerFormError) error {
	return s.renderAccountPage(c, id, status, accountPage{Error: message, OwnerError: ownerErr})
}

// renderAccountPage fills p (which may carry a refusal) and shows it.
func (s *Server) renderAccountPage(c echo.Context, id uint, status int, p accountPage) error {
	ka, err := s.keyAccountAccess(c, id)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.opts.Now()
	p.Now = now
	t := policy.Target{KeyAccount: ka}
	p.CanAssign = s.may(c, policy.ActWorkAssign, t)
	p.CanPlanWorkshop = s.may(c, policy.ActWorkshopPlan, t)
	if p.Matrix, err = s.opts.Store.ContactMatrixOf(ctx, ka, now, untouchedAfter); err != nil {
		return serverError(err)
	}
	if p.Plan, err = s.opts.Store.LatestPlan(ctx, ka.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return serverError(err)
	}
	p.CanWritePlan = s.may(c, policy.ActPlanWrite, t)
	p.CanDecidePlan = p.Plan != nil && p.Plan.Status == "submitted" && s.may(c, policy.ActPlanDecide, t)
	// An account gathers actions over the years: a page of them, with all,
	// the open and the overdue ones counted in SQL.
	lq, err := parseListQuery(c)
	if err != nil {
		return err
	}
	actions, err := s.opts.Store.ActionsPage(ctx, ka.ID, now, store.Page{Number: lq.Page, Size: listPageSize})
	if err != nil {
		return serverError(err)
	}
	p.Actions, p.OpenActions, p.OverdueCount = actions.Rows, int(actions.Open), int(actions.Overdue)
	p.ActionsPager = newPager(fmt.Sprintf("/key-accounts/%d", ka.ID), listQuery{Page: lq.Page}, listPageSize, actions.Total)
	for _, u := range []*string{&p.ActionsPager.PrevURL, &p.ActionsPager.NextURL} {
		if *u != "" {
			*u += "#actions"
		}
	}
	if p.Workshops, err = s.opts.Store.WorkshopsOf(ctx, ka.ID); err != nil {
		return serverError(err)
	}
	p.CanWriteAccount = s.may(c, policy.ActAccountWrite, t)
	if p.CanWriteAccount {
		p.CanStartWorkshop = true
		for _, w := range p.Workshops {
			p.CanStartWorkshop = p.CanStartWorkshop && w.Year != now.Year()
		}
		// The matrix's rows are written in Go (matrix_rows.go); the form
		// a box carries open is its template's.
		if err := s.relationshipForms(c, &p); err != nil {
			return err
		}
	}
	hist, err := s.opts.Store.SatisfactionHistory(ctx, ka.ID)
	if err != nil {
		return serverError(err)
	}
	p.History = hist
	// A small line chart: satisfaction 1..5 over the jour fixes.
	const w, h = 300, 80
	for i, pt := range hist {
		x := 10
		if len(hist) > 1 {
			x = 10 + i*(w-20)/(len(hist)-1)
		}
		y := h - 10 - int((pt.Satisfaction-1)/4*float64(h-20))
		p.Trend = append(p.Trend, trendPoint{X: x, Y: y, Label: fmt.Sprintf("%s: %.1f", pt.MeetingAt.In(s.readerZone(c)).Format(time.DateOnly), pt.Satisfaction)})
		if i == 0 {
			p.TrendPath = fmt.Sprintf("M%d %d", x, y)
		} else {
			p.TrendPath += fmt.Sprintf(" L%d %d", x, y)
		}
	}
	handovers, err := s.opts.Store.HandoversOf(ctx, ka.ID)
	if err != nil {
		return serverError(err)
	}
	if p.Handovers, err = s.handoverViews(ctx, ka, handovers); err != nil {
		return err
	}
	for i := range handovers {
		if handovers[i].Status == "open" {
			p.Handover = &handovers[i]
		}
	}
	if err := s.fillHandoverUI(c, ka, &p); err != nil {
		return err
	}
	if status == http.StatusOK {
		p.Notice = doneNotice(c)
	}
	return s.render(c, status, "account.html", p)
}
