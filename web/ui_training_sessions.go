package web

import (
	"slices"
	"time"

	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// sessionPage is HR's page of one session: who has a seat, the waitlist,
// who ended how, and the forms to enrol several people, unenrol and move
// to another session of the course.
type sessionPage struct {
	Roster *store.SessionRoster
	// Targets are the course's other upcoming sessions, for moves.
	Targets []store.SessionSeats
	// Picker is the enrol form's select of those not in the session yet.
	Picker employeePicker
	// Open: the session is neither cancelled nor started, so people can
	// be enrolled.
	Open bool
	// Refused names the row whose form was refused (an enrolment ID; 0 for
	// the enrol form); Fields and Form keep its messages and input, Chosen
	// the employees picked in the enrol form.
	Refused uint
	Fields  map[string]string
	Form    map[string]string
	Chosen  map[uint]bool
	Error   string
}

// FieldError is the refusal at field of the row's form, or "".
func (p sessionPage) FieldError(row uint, field string) string {
	if row != p.Refused {
		return ""
	}
	return p.Fields[field]
}

// Value is what was typed into field of the row's refused form.
func (p sessionPage) Value(row uint, field string) string {
	if row != p.Refused {
		return ""
	}
	return p.Form[field]
}

// rosterRow is one enrolment's row with its move and unenrol forms.
type rosterRow struct {
	Page      sessionPage
	Enrolment store.Enrolment
	CSRF      string
	// Zone is the reader's time zone, as the page's $.Zone.
	Zone *time.Location
}

// Row is the row of enrolment e (templates pass the page's CSRF token
// and the reader's zone).
func (p sessionPage) Row(e store.Enrolment, csrf string, zone *time.Location) rosterRow {
	return rosterRow{Page: p, Enrolment: e, CSRF: csrf, Zone: zone}
}

// enrolPicker is the multiple select of employees to enrol in a session
// (0: the session is chosen in the form), KAMs first, without those in
// the session, with a refused form's choice kept and its refusal.
func (s *Server) enrolPicker(c echo.Context, sessionID uint, chosen map[uint]bool, refusal string) (employeePicker, error) {
	pk := employeePicker{Field: "employee_id", Multiple: true, Groups: true, SessionID: sessionID, Error: refusal}
	ids := make([]uint, 0, len(chosen))
	for id := range chosen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	typed := make([]string, len(ids))
	for i, id := range ids {
		typed[i] = uitoa(id)
	}
	return pk, s.loadEmployeePicker(c, &pk, "", typed)
}

// CameFrom is the enrolment e was moved here from, or nil.
func (p sessionPage) CameFrom(e store.Enrolment) *store.Enrolment {
	if e.MovedFromID == nil {
		return nil
	}
	return p.Roster.MovedFrom[*e.MovedFromID]
}

// WentTo is the enrolment e was moved to, or nil.
func (p sessionPage) WentTo(e store.Enrolment) *store.Enrolment { return p.Roster.MovedTo[e.ID] }

func sessionPath(id uint) string { return fmt.Sprintf("/training/sessions/%d", id) }

// trainingSessionPage shows one session's participants and waitlist.
func (s *Server) trainingSessionPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such session.")
	}
	p, err := s.sessionPageData(c, id)
	if err != nil {
		return err
	}
	if p.Picker, err = s.enrolPicker(c, id, nil, ""); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "training_session.html", p)
}

func (s *Server) sessionPageData(c echo.Context, id uint) (*sessionPage, error) {
	ctx := c.Request().Context()
	r, err := s.opts.Store.SessionRoster(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, clientError(http.StatusNotFound, "There is no such session.")
	} else if err != nil {
		return nil, serverError(err)
	}
	now := s.opts.Now()
	p := &sessionPage{Roster: r, Open: r.Session.CancelledAt == nil && r.Session.StartsAt.After(now)}
	upcoming, err := s.opts.Store.UpcomingSessions(ctx, now, false)
	if err != nil {
		return nil, serverError(err)
	}
	for _, ss := range upcoming {
		if ss.CourseID == r.Session.CourseID && ss.ID != id {
			p.Targets = append(p.Targets, ss)
		}
	}
	return p, nil
}

// sessionRefusal shows the session page again with a refusal at its row's
// form and what was typed kept; anything but a refusal passes through.
func (s *Server) sessionRefusal(c echo.Context, sessionID uint, err error, row uint, form map[string]string, chosen map[uint]bool) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	p, perr := s.sessionPageData(c, sessionID)
	if perr != nil {
		return perr
	}
	p.Refused, p.Fields, p.Form, p.Chosen = row, ae.Fields, form, chosen
	if len(ae.Fields) == 0 {
		p.Error = ae.Message
	}
	if p.Picker, perr = s.enrolPicker(c, sessionID, chosen, p.FieldError(0, "employee_id")); perr != nil {
		return perr
	}
	return s.render(c, ae.Status, "training_session.html", p)
}

// chosenEmployees reads the employees picked in an enrol form (a multiple
// select), in the order given, without repeats.
func chosenEmployees(c echo.Context) ([]uint, map[uint]bool, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, nil, fieldError("employee_id", "the form could not be read")
	}
	var ids []uint
	chosen := map[uint]bool{}
	for _, v := range form["employee_id"] {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
		if err != nil || n == 0 {
			return nil, chosen, fieldError("employee_id", "choose employees from the list")
		}
		if id := uint(n); !chosen[id] {
			chosen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, chosen, fieldError("employee_id", "choose one or more employees")
	}
	return ids, chosen, nil
}

// enrolSeveral enrols every chosen employee in the session, one enrolment
// each, with a seat while there are free ones and on the waitlist after.
// Everyone is checked before anyone is enrolled, so a refusal enrols
// nobody; those with a place in the session already are left as they are,
// and a form that would enrol nobody new is refused.
func (s *Server) enrolSeveral(ctx context.Context, sessionID uint, employeeIDs []uint, by string) (int, error) {
	ts, err := s.opts.Store.Session(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, fieldError("session_id", "choose a session")
	} else if err != nil {
		return 0, serverError(err)
	}
	switch {
	case ts.CancelledAt != nil:
		return 0, fieldError("session_id", "the session is cancelled")
	case !ts.StartsAt.After(s.opts.Now()):
		return 0, fieldError("session_id", "the session has started")
	}
	emps, err := s.opts.Store.EmployeesByID(ctx, employeeIDs)
	if err != nil {
		return 0, serverError(err)
	}
	var todo []uint
	var already []string
	for _, id := range employeeIDs {
		emp, ok := emps[id]
		if !ok || emp.ArchivedAt != nil {
			return 0, fieldError("employee_id", fmt.Sprintf("no employee %d", id))
		}
		prev, err := s.opts.Store.EnrolmentIn(ctx, sessionID, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			todo = append(todo, id)
		case err != nil:
			return 0, serverError(err)
		case prev.Open():
			already = append(already, emp.Name)
		default:
			return 0, fieldError("employee_id", s.alreadyEnrolled(ctx, sessionID, &emp, "this session"))
		}
	}
	if len(todo) == 0 {
		sort.Strings(already)
		e := apiErr(http.StatusConflict, "conflict", "nobody new to enrol")
		e.Fields = map[string]string{"employee_id": strings.Join(already, ", ") + " already enrolled in this session"}
		return 0, e
	}
	for _, id := range todo {
		if _, err := s.enrol(ctx, sessionID, id, 0, by); err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}

// trainingEnrol enrols the employees chosen on the training page in the
// chosen session and shows that session's participants.
func (s *Server) trainingEnrol(c echo.Context) error {
	form := map[string]string{"session_id": c.FormValue("session_id")}
	ids, chosen, err := chosenEmployees(c)
	sessionID := formID(c, "session_id")
	if err == nil {
		_, err = s.enrolSeveral(c.Request().Context(), sessionID, ids, actor(c).Email)
	}
	if err != nil {
		return s.trainingRefusal(c, err, func(p *trainingPage, r formRefusal) {
			p.EnrolFields, p.EnrolForm, p.Chosen = r.Fields, form, chosen
		})
	}
	return c.Redirect(http.StatusSeeOther, sessionPath(sessionID)+"#participants")
}

// trainingSessionEnrol enrols several employees from the session's page.
func (s *Server) trainingSessionEnrol(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such session.")
	}
	ids, chosen, err := chosenEmployees(c)
	if err == nil {
		_, err = s.enrolSeveral(c.Request().Context(), id, ids, actor(c).Email)
	}
	if err != nil {
		return s.sessionRefusal(c, id, err, 0, nil, chosen)
	}
	return c.Redirect(http.StatusSeeOther, sessionPath(id)+"#participants")
}

// enrolmentOnPage loads the enrolment a row's form acts on.
func (s *Server) enrolmentOnPage(c echo.Context) (*store.Enrolment, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, clientError(http.StatusNotFound, "There is no such enrolment.")
	}
	e, err := s.opts.Store.Enrolment(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, clientError(http.StatusNotFound, "There is no such enrolment.")
	}
	if err != nil {
		return nil, serverError(err)
	}
	return e, nil
}

// trainingUnenrol cancels an enrolment from the session page, through the
// enrolment's workflow as the API does; the reason is required.
func (s *Server) trainingUnenrol(c echo.Context) error {
	e, err := s.enrolmentOnPage(c)
	if err != nil {
		return err
	}
	form := map[string]string{"reason": c.FormValue("reason")}
	_, err = s.cancelEnrolment(c.Request().Context(), e.ID, workflows.EnrolmentCancelRequest{Actor: actor(c), Reason: form["reason"]})
	if err != nil {
		return s.sessionRefusal(c, e.SessionID, err, e.ID, form, nil)
	}
	return c.Redirect(http.StatusSeeOther, sessionPath(e.SessionID)+"#participants")
}

// trainingMove moves an enrolment to another session of the course from
// the session page, as the API does.
func (s *Server) trainingMove(c echo.Context) error {
	e, err := s.enrolmentOnPage(c)
	if err != nil {
		return err
	}
	form := map[string]string{"session_id": c.FormValue("session_id"), "reason": c.FormValue("reason")}
	req := moveBody{SessionID: formID(c, "session_id"), Reason: form["reason"]}
	if _, err := s.moveEnrolment(c.Request().Context(), e.ID, req, actor(c)); err != nil {
		return s.sessionRefusal(c, e.SessionID, err, e.ID, form, nil)
	}
	return c.Redirect(http.StatusSeeOther, sessionPath(e.SessionID)+"#ended")
}

// trainingConfirmComplete tells a programme that an assigned KAM has every
// required course recorded, as the API's training/complete does, when the
// records came before she was assigned and the programme still waits.
func (s *Server) trainingConfirmComplete(c echo.Context) error {
	id, employeeID, err := twoIDs(c, "employeeID")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such programme or KAM.")
	}
	req := workflows.TrainingRequest{Actor: actor(c), EmployeeID: employeeID, Note: "every required course recorded"}
	err = s.sendUpdate(c.Request().Context(), workflows.ProgrammeWorkflowID(id), workflows.UpdateTrainingComplete, req, new(workflows.ProgrammeState), "the programme is closed")
	if err != nil {
		return s.trainingRefusal(c, err, nil)
	}
	return trainingDone(c, "training-confirmed", "standing")
}

// standingRow is a KAM a programme waits for, with whether the signed-in
// user may confirm her training for it.
type standingRow struct {
	store.KAMTrainingStanding
	CanConfirm bool
}

// standingRows are the KAMs programmes wait for, each with whether the
// signed-in user may confirm her training.
func (s *Server) standingRows(c echo.Context, list []store.KAMTrainingStanding) []standingRow {
	out := make([]standingRow, 0, len(list))
	for _, k := range list {
		row := standingRow{KAMTrainingStanding: k}
		row.CanConfirm = len(k.Missing) == 0 && s.may(c, policy.ActTrainingComplete, policy.Target{ProgrammeID: k.ProgrammeID})
		out = append(out, row)
	}
	return out
}
