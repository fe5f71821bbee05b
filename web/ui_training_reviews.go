package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

type trainingPage struct {
	Courses   []store.Course
	Sessions  []store.SessionSeats
	Employees []store.Employee
	Awaiting  []store.Enrolment
	Message   string
	Error     string
	Status    int
}

func (s *Server) trainingPageData(c echo.Context) (*trainingPage, error) {
	ctx := c.Request().Context()
	p := &trainingPage{}
	var err error
	if p.Courses, err = s.opts.Store.ListCourses(ctx); err != nil {
		return nil, serverError(err)
	}
	if p.Sessions, err = s.opts.Store.UpcomingSessions(ctx, s.opts.Now(), false); err != nil {
		return nil, serverError(err)
	}
	if p.Employees, _, err = s.opts.Store.ListEmployees(ctx, store.Page{Number: 1, Size: store.MaxPageSize}); err != nil {
		return nil, serverError(err)
	}
	if p.Awaiting, err = s.opts.Store.EnrolmentsAwaitingAttendance(ctx, s.opts.Now()); err != nil {
		return nil, serverError(err)
	}
	return p, nil
}

// trainingPage is HR's desk: upcoming sessions with seats, enrolment, and
// attendance for sessions that have started.
func (s *Server) trainingPage(c echo.Context) error {
	p, err := s.trainingPageData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "training.html", p)
}

// trainingAnswer re-renders the page with the outcome of a form.
func (s *Server) trainingAnswer(c echo.Context, err error, message string) error {
	status := http.StatusOK
	var ae *apiError
	if err != nil && (!errors.As(err, &ae) || ae.Status >= 500) {
		return err
	}
	p, perr := s.trainingPageData(c)
	if perr != nil {
		return perr
	}
	if err != nil {
		status, p.Error = ae.Status, ae.text()
	} else {
		p.Message = message
	}
	return s.render(c, status, "training.html", p)
}

func formID(c echo.Context, name string) uint {
	v, _ := strconv.ParseUint(c.FormValue(name), 10, 32)
	return uint(v)
}

func (s *Server) trainingEnrol(c echo.Context) error {
	e, err := s.enrol(c.Request().Context(), formID(c, "session_id"), formID(c, "employee_id"), 0, actor(c).Email)
	if err != nil {
		if ae := (*apiError)(nil); errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			err = fieldError("session_id", "choose a session")
		}
		return s.trainingAnswer(c, err, "")
	}
	return s.trainingAnswer(c, nil, fmt.Sprintf("Enrolled (%s).", e.Status))
}

func (s *Server) trainingAttendance(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such enrolment.")
	}
	var st workflows.TrainingState
	req := workflows.AttendanceRequest{Actor: actor(c), Attended: c.FormValue("attended") == "true"}
	err = s.sendUpdate(c.Request().Context(), workflows.TrainingWorkflowID(id), workflows.UpdateAttendance, req, &st, "the enrolment is closed")
	return s.trainingAnswer(c, err, "Attendance recorded: "+st.Status+".")
}

type reviewsPage struct {
	Programmes []store.Programme
	Reviews    []store.Review
	// Cadences by programme, for the cadence forms.
	Cadences map[uint]store.ReviewCadence
	Today    string
	Message  string
	Error    string
}

// reviewsPage is the controller's desk: trigger a review, see running ones.
func (s *Server) reviewsPage(c echo.Context) error {
	return s.reviewsAnswer(c, nil, "")
}

func (s *Server) reviewsAnswer(c echo.Context, err error, message string) error {
	status := http.StatusOK
	var ae *apiError
	if err != nil && (!errors.As(err, &ae) || ae.Status >= 500) {
		return err
	}
	ctx := c.Request().Context()
	p := reviewsPage{Message: message}
	var lerr error
	if p.Programmes, _, lerr = s.opts.Store.ListProgrammes(ctx, store.Page{Number: 1, Size: store.MaxPageSize}); lerr != nil {
		return serverError(lerr)
	}
	if p.Reviews, lerr = s.opts.Store.OpenReviews(ctx); lerr != nil {
		return serverError(lerr)
	}
	cadences, lerr := s.opts.Store.Cadences(ctx)
	if lerr != nil {
		return serverError(lerr)
	}
	p.Cadences, p.Today = map[uint]store.ReviewCadence{}, s.opts.Now().Format("2006-01-02")
	for _, cd := range cadences {
		p.Cadences[cd.ProgrammeID] = cd
	}
	if err != nil {
		status, p.Error, p.Message = ae.Status, ae.text(), ""
	}
	return s.render(c, status, "reviews.html", p)
}

func (s *Server) reviewNow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such programme.")
	}
	_, err = s.triggerReview(c.Request().Context(), id, actor(c).Email)
	return s.reviewsAnswer(c, err, "The review started: its KPIs are being gathered.")
}

// reviewCadenceForm sets a programme's review cadence from the controller's page.
func (s *Server) reviewCadenceForm(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such programme.")
	}
	start, err := parseCadence(c.FormValue("cadence"), c.FormValue("start_date"))
	if err == nil {
		err = s.setCadence(c.Request().Context(), id, c.FormValue("cadence"), start, c.FormValue("paused") != "", actor(c).Email)
	}
	return s.reviewsAnswer(c, err, "Review cadence saved.")
}
