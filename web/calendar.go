package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/schedules"
	"github.com/kamflow/kamflow/store"
)

// calendarDomain qualifies event UIDs; stable UIDs let calendar apps
// replace an event when it changes instead of adding another.
const calendarDomain = "kamflow"

func (s *Server) calendarRoutes(e *echo.Echo, api *echo.Group) {
	e.GET("/calendar/:file", s.calendarFeed)
	api.POST("/me/calendar-token", s.apiNewCalendarToken)
	api.DELETE("/me/calendar-token", s.apiRevokeCalendarToken)
}

// apiNewCalendarToken issues the user's secret feed URL (the previous one
// stops working).
func (s *Server) apiNewCalendarToken(c echo.Context) error {
	token, err := s.opts.Store.NewCalendarToken(c.Request().Context(), currentUser(c).ID, s.opts.Now())
	if err != nil {
		return serverError(err)
	}
	path := "/calendar/" + token + ".ics"
	answerShowsSecret(c, "") // a new link revokes the old: a repeat may act again
	return c.JSON(http.StatusCreated, map[string]any{"path": path, "url": s.link(path)})
}

func (s *Server) apiRevokeCalendarToken(c echo.Context) error {
	if err := s.opts.Store.RevokeCalendarTokens(c.Request().Context(), currentUser(c).ID, s.opts.Now()); err != nil {
		return serverError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// calendarFeed serves a user's ICS feed; the token in the URL is the only
// credential, so an unknown one is a plain 404.
func (s *Server) calendarFeed(c echo.Context) error {
	token, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok || len(token) != 64 {
		return apiErr(http.StatusNotFound, "not_found", "no such calendar")
	}
	ctx := c.Request().Context()
	u, err := s.opts.Store.CalendarUser(ctx, token)
	if err == nil && !s.signInAllowed(u) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		return apiErr(http.StatusNotFound, "not_found", "no such calendar")
	}
	if err != nil {
		return serverError(err)
	}
	cal, err := s.buildCalendar(ctx, u)
	if err != nil {
		return serverError(err)
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=300")
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(serializeCalendar(cal)))
}

// serializeCalendar writes cal as RFC 5545 requires: every line, folded
// continuation lines included, ends in CRLF and holds at most 75 octets.
// The library's default line ending is the platform's (LF on Unix).
func serializeCalendar(cal *ics.Calendar) string {
	return cal.Serialize(ics.WithNewLineWindows, ics.WithLineLength(75))
}

// icsText makes stored text safe for a TEXT property: the library escapes
// line feeds but passes a carriage return through, which would end the
// content line and start a property of the text's choosing. Input
// validation refuses such text now; this keeps older rows harmless.
func icsText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return -1
		case r < 0x20 || r == 0x7f:
			return ' '
		}
		return r
	}, strings.ReplaceAll(s, "\r\n", "\n"))
}

// buildCalendar collects a user's training sessions, workshops, actions,
// measures and review dates due, and programme phases they are responsible for.
func (s *Server) buildCalendar(ctx context.Context, u *store.User) (*ics.Calendar, error) {
	cal := ics.NewCalendarFor("kamflow")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(icsText("kamflow: " + u.Name))
	cal.SetXWRCalName(icsText("kamflow: " + u.Name))
	cal.SetRefreshInterval("PT1H")
	now := s.opts.Now().UTC()

	if u.EmployeeID != nil {
		enrolments, err := s.opts.Store.EnrolmentsOfEmployee(ctx, *u.EmployeeID)
		if err != nil {
			return nil, err
		}
		for _, e := range enrolments {
			ts := e.Session
			ev := cal.AddEvent(fmt.Sprintf("session-%d-employee-%d@%s", ts.ID, e.EmployeeID, calendarDomain))
			ev.SetDtStampTime(ts.UpdatedAt.UTC())
			ev.SetSequence(ts.Revision)
			ev.SetStartAt(ts.StartsAt)
			ev.SetEndAt(ts.EndsAt)
			ev.SetSummary(icsText("Training: " + ts.Course.Title))
			ev.SetLocation(icsText(ts.Place))
			status, note := ics.ObjectStatusConfirmed, "You are enrolled."
			switch {
			case ts.CancelledAt != nil:
				status, note = ics.ObjectStatusCancelled, "The session is cancelled."
			case e.Status == store.EnrolmentCancelled:
				status, note = ics.ObjectStatusCancelled, "Your enrolment is cancelled."
			case e.Status == store.EnrolmentWaitlisted:
				status, note = ics.ObjectStatusTentative, "You are on the waitlist."
			}
			ev.SetStatus(status)
			ev.SetDescription(icsText(note))
		}
	}
	if u.EmployeeID != nil {
		workshops, err := s.opts.Store.WorkshopsOfEmployee(ctx, *u.EmployeeID)
		if err != nil {
			return nil, err
		}
		for _, w := range workshops {
			ev := cal.AddEvent(fmt.Sprintf("workshop-%d@%s", w.ID, calendarDomain))
			ev.SetDtStampTime(w.UpdatedAt.UTC())
			ev.SetStartAt(*w.StartsAt)
			ev.SetEndAt(*w.EndsAt)
			ev.SetSummary(icsText("Annual key-account workshop"))
			ev.SetLocation(icsText(w.Place))
			ev.SetDescription(icsText(w.Agenda))
			ev.SetURL(s.link(fmt.Sprintf("/key-accounts/%d", w.KeyAccountID)))
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	actions, err := s.opts.Store.OpenActionsOwnedBy(ctx, u.Email)
	if err != nil {
		return nil, err
	}
	for _, a := range actions {
		ev := cal.AddEvent(fmt.Sprintf("action-%d@%s", a.ID, calendarDomain))
		ev.SetDtStampTime(a.CreatedAt.UTC())
		allDay(ev, a.Due)
		ev.SetSummary(icsText("Action due: " + a.Title))
		ev.SetURL(s.link(fmt.Sprintf("/key-accounts/%d", a.KeyAccountID)))
	}
	measures, err := s.opts.Store.OpenMeasuresOwnedBy(ctx, u.Email)
	if err != nil {
		return nil, err
	}
	for _, m := range measures {
		ev := cal.AddEvent(fmt.Sprintf("measure-%d@%s", m.ID, calendarDomain))
		ev.SetDtStampTime(m.CreatedAt.UTC())
		allDay(ev, m.Due)
		ev.SetSummary(icsText("Measure due: " + m.Title))
		ev.SetDescription(icsText("Optimisation measure from a controller review."))
		ev.SetURL(s.link(fmt.Sprintf("/reviews/%d", m.ReviewID)))
	}
	if u.HasRole(store.RoleController) {
		cadences, err := s.opts.Store.CadencesOf(ctx, u.Email)
		if err != nil {
			return nil, err
		}
		for _, cd := range cadences {
			for _, day := range schedules.NextReviews(cd.Cadence, cd.StartDate, now, 4) {
				ev := cal.AddEvent(fmt.Sprintf("review-%d-%s@%s", cd.ProgrammeID, day.Format("20060102"), calendarDomain))
				ev.SetDtStampTime(cd.UpdatedAt.UTC())
				allDay(ev, day)
				ev.SetSummary(icsText(fmt.Sprintf("Controller review (programme %d)", cd.ProgrammeID)))
				ev.SetURL(s.link(fmt.Sprintf("/programmes/%d", cd.ProgrammeID)))
			}
		}
	}
	phases, err := s.opts.Store.PhasesResponsibleFor(ctx, u.Email)
	if err != nil {
		return nil, err
	}
	for _, ph := range phases {
		ev := cal.AddEvent(fmt.Sprintf("programme-%d-%s@%s", ph.ProgrammeID, ph.Phase, calendarDomain))
		ev.SetDtStampTime(ph.Due.UTC())
		allDay(ev, ph.Due)
		ev.SetSummary(icsText(fmt.Sprintf("%s: phase %s due", ph.ProgrammeName, strings.ReplaceAll(ph.Phase, "_", " "))))
		ev.SetURL(s.link(fmt.Sprintf("/programmes/%d", ph.ProgrammeID)))
	}
	return cal, nil
}

func allDay(ev *ics.VEvent, day time.Time) {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	ev.SetAllDayStartAt(d)
	ev.SetAllDayEndAt(d.AddDate(0, 0, 1))
}
