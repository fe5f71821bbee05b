package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/kamflow/kamflow/schedules"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// recordedFor is how long the training page lists recorded attendance.
const recordedFor = 90 * 24 * time.Hour

type trainingPage struct {
	Courses []store.Course
	// Sessions are one page (trainingSessionsPage) of the upcoming
	// sessions, soonest first; Pager leads to the others.
	Sessions []store.SessionSeats
	Pager    pager
	// Awaiting are a page (?attendance=) of the enrolled places of
	// sessions that have started; AwaitingPager leads to the others.
	Awaiting      []store.EnrolmentLine
	AwaitingPager pager
	// Recorded are a page (?recorded=) of the enrolments that ended in the
	// last recordedFor: attended, no-show or cancelled, by whom and when.
	Recorded      []store.EnrolmentLine
	RecordedPager pager
	// Standing are a page of the assigned KAMs running programmes wait
	// for (?standing=); StandingPager leads to the others.
	Standing      []standingRow
	StandingPager pager
	Message       string
	Error         string
	Status        int
	// Fields and Form keep a refused form's messages at their fields and
	// what was typed.
	Fields map[string]string
	Form   map[string]string
	// CourseForm and SessionForm keep a refused course's or session's
	// input, their refusals the reasons at its fields.
	CourseForm, SessionForm       map[string]string
	CourseRefusal, SessionRefusal formRefusal
	// EnrolFields, EnrolForm and Chosen are the same for the enrol form
	// (Chosen: the employees picked).
	EnrolFields map[string]string
	EnrolForm   map[string]string
	Chosen      map[uint]bool
	// Picker is the enrol form's select of employees, RecordPicker the
	// one of "training done elsewhere".
	Picker, RecordPicker employeePicker
}

// loadTrainingPickers fills the page's employee selects, each with what its
// refused form had chosen.
func (s *Server) loadTrainingPickers(c echo.Context, p *trainingPage) error {
	var err error
	if p.Picker, err = s.enrolPicker(c, 0, p.Chosen, p.EnrolFields["employee_id"]); err != nil {
		return err
	}
	p.RecordPicker = employeePicker{Field: "employee_id", Groups: true, Blank: "— choose —"}
	var typed []string
	if v := p.Form["employee_id"]; v != "" {
		typed = []string{v}
	}
	return s.loadEmployeePicker(c, &p.RecordPicker, "", typed)
}

// trainingPageData reads HR's desk. Its lists are read at once, each into
// its own field, while the request's goroutine reads the employee selects
// (they use the echo context); fill, when given, first puts a refused
// form's input on the page, which the selects keep.
func (s *Server) trainingPageData(c echo.Context, fill func(*trainingPage)) (*trainingPage, error) {
	ctx := c.Request().Context()
	lq, err := parseListQuery(c)
	if err != nil {
		return nil, err
	}
	// Each list of the desk is paged by its own parameter; the links of
	// one keep the pages of the others.
	number := map[string]int{"page": lq.Page}
	pages := url.Values{"page": {strconv.Itoa(lq.Page)}}
	for _, name := range []string{"standing", "attendance", "recorded"} {
		if number[name], err = pageNumber(c, name); err != nil {
			return nil, err
		}
		pages.Set(name, strconv.Itoa(number[name]))
	}
	now := s.opts.Now()
	p := &trainingPage{}
	var (
		reads                                       errgroup.Group
		sessions, awaiting, recorded, standingTotal int64
		standing                                    []store.KAMTrainingStanding
	)
	reads.Go(func() (err error) {
		p.Courses, err = s.opts.Store.ListCourses(ctx)
		return err
	})
	reads.Go(func() (err error) {
		p.Sessions, sessions, err = s.opts.Store.UpcomingSessionsPage(ctx, now, store.Page{Number: lq.Page, Size: trainingSessionsPage})
		return err
	})
	reads.Go(func() (err error) {
		p.Awaiting, awaiting, err = s.opts.Store.EnrolmentsAwaitingAttendance(ctx, now, store.Page{Number: number["attendance"], Size: trainingDeskPage})
		return err
	})
	reads.Go(func() (err error) {
		p.Recorded, recorded, err = s.opts.Store.RecordedEnrolments(ctx, now.Add(-recordedFor), store.Page{Number: number["recorded"], Size: trainingDeskPage})
		return err
	})
	reads.Go(func() (err error) {
		standing, standingTotal, err = s.opts.Store.TrainingOutstanding(ctx, 0, store.Page{Number: number["standing"], Size: trainingDeskPage})
		return err
	})
	if fill != nil {
		fill(p)
	}
	err = s.loadTrainingPickers(c, p)
	if readErr := reads.Wait(); readErr != nil {
		return nil, serverError(readErr)
	}
	if err != nil {
		return nil, err
	}
	p.Pager = newPager("/training", listQuery{Page: lq.Page}, trainingSessionsPage, sessions)
	p.AwaitingPager = sectionPager("/training", "attendance", "attendance", pages, number["attendance"], trainingDeskPage, awaiting)
	p.RecordedPager = sectionPager("/training", "recorded", "recorded", pages, number["recorded"], trainingDeskPage, recorded)
	p.Standing = s.standingRows(c, standing)
	p.StandingPager = sectionPager("/training", "standing", "standing", pages, number["standing"], trainingDeskPage, standingTotal)
	return p, nil
}

// trainingSessionsPage is how many upcoming sessions HR's desk lists at
// a time (each row carries its cancel dialog; a company's two years of
// sessions would make the desk grow with them). Each session's own page
// enrols too.
const trainingSessionsPage = 25

// trainingDeskPage is how many rows the desk's other lists (KAMs waited
// for, attendance to record, attendance recorded) show at a time.
const trainingDeskPage = 25

// trainingPage is HR's desk: upcoming sessions with seats, enrolment, and
// attendance for sessions that have started.
func (s *Server) trainingPage(c echo.Context) error {
	p, err := s.trainingPageData(c, nil)
	if err != nil {
		return err
	}
	p.Message = doneNotice(c)
	return s.render(c, http.StatusOK, "training.html", p)
}

// trainingRefusal shows HR's training page again with a refusal; keep
// puts the refused form's input and the refusal at its fields (nil: the
// refusal shows on top).
func (s *Server) trainingRefusal(c echo.Context, err error, keep func(*trainingPage, formRefusal)) error {
	r, ok := refusalOf(err, nil)
	if !ok {
		return err
	}
	p, perr := s.trainingPageData(c, func(p *trainingPage) {
		if keep != nil {
			keep(p, r)
		}
		p.Error = r.Message
		if keep == nil && p.Error == "" {
			p.Error = (&apiError{Fields: r.Fields}).text()
		}
	})
	if perr != nil {
		return perr
	}
	return s.render(c, r.Status, "training.html", p)
}

// trainingDone answers a training form that did its work: back to the
// page (post/redirect/get), its notice named by done.
func trainingDone(c echo.Context, done, anchor string) error {
	to := "/training?done=" + done
	if anchor != "" {
		to += "#" + anchor
	}
	return c.Redirect(http.StatusSeeOther, to)
}

func formID(c echo.Context, name string) uint {
	v, _ := strconv.ParseUint(c.FormValue(name), 10, 32)
	return uint(v)
}

func (s *Server) trainingAttendance(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such enrolment.")
	}
	var st workflows.TrainingState
	req := workflows.AttendanceRequest{Actor: actor(c), Attended: c.FormValue("attended") == "true"}
	if err := s.sendUpdate(c.Request().Context(), workflows.TrainingWorkflowID(id), workflows.UpdateAttendance, req, &st, "the enrolment is closed"); err != nil {
		return s.trainingRefusal(c, err, nil)
	}
	if st.Status == "no_show" {
		return trainingDone(c, "no-show-recorded", "")
	}
	return trainingDone(c, "attendance-recorded", "")
}

type reviewsPage struct {
	Programmes []store.ProgrammeSummary
	Reviews    []store.Review
	// Names are the programmes' names by ID, for the reviews list.
	Names map[uint]string
	// Cadences by programme, for the cadence forms, and the next dates each
	// cadence's Schedule runs on.
	Cadences map[uint]store.ReviewCadence
	NextRuns map[uint][]time.Time
	Today    string
	Message  string
	Error    string
	// Started is the review a trigger just started, once its workflow has
	// recorded it; Starting says it is still being gathered.
	Started  *store.Review
	Starting bool
}

// nextRunsShown is how many next review dates the page shows per cadence.
const nextRunsShown = 3

// nextReviewRuns are the next dates a stored cadence's Schedule starts a
// review on after now (none while it is paused), by the rule its Schedule
// was made with (schedules.NextReviews).
func nextReviewRuns(cd store.ReviewCadence, now time.Time) []time.Time {
	if cd.Paused {
		return nil
	}
	return schedules.NextReviews(cd.Cadence, cd.StartDate, now, nextRunsShown)
}

// reviewsPage is the controller's desk: trigger a review, see running ones.
// After a trigger whose review was not gathered yet, ?started names its
// workflow and the page links the review as soon as it is recorded.
func (s *Server) reviewsPage(c echo.Context) error {
	var started *store.Review
	starting := false
	if wid := c.QueryParam("started"); wid != "" {
		r, err := s.opts.Store.ReviewByWorkflowID(c.Request().Context(), wid)
		switch {
		case err == nil:
			started = r
		case errors.Is(err, store.ErrNotFound):
			starting = true
		default:
			return serverError(err)
		}
	}
	return s.renderReviews(c, http.StatusOK, nil, "", func(p *reviewsPage) { p.Started, p.Starting = started, starting })
}

func (s *Server) reviewsAnswer(c echo.Context, err error, message string) error {
	return s.renderReviews(c, http.StatusOK, err, message, nil)
}

func (s *Server) renderReviews(c echo.Context, status int, err error, message string, more func(*reviewsPage)) error {
	var ae *apiError
	if err != nil && (!errors.As(err, &ae) || ae.Status >= 500) {
		return err
	}
	ctx := c.Request().Context()
	p := reviewsPage{Message: message}
	var lerr error
	if p.Programmes, _, lerr = s.opts.Store.ProgrammeSummaries(ctx, store.Page{Number: 1, Size: store.MaxPageSize}); lerr != nil {
		return serverError(lerr)
	}
	if p.Reviews, lerr = s.opts.Store.OpenReviews(ctx); lerr != nil {
		return serverError(lerr)
	}
	cadences, lerr := s.opts.Store.Cadences(ctx)
	if lerr != nil {
		return serverError(lerr)
	}
	now := s.opts.Now()
	p.Cadences, p.NextRuns, p.Names, p.Today = map[uint]store.ReviewCadence{}, map[uint][]time.Time{}, map[uint]string{}, now.Format("2006-01-02")
	for _, cd := range cadences {
		p.Cadences[cd.ProgrammeID] = cd
		p.NextRuns[cd.ProgrammeID] = nextReviewRuns(cd, now)
	}
	for _, pr := range p.Programmes {
		p.Names[pr.ID] = pr.Name
	}
	if err != nil {
		status, p.Error, p.Message = ae.Status, ae.text(), ""
	}
	if more != nil {
		more(&p)
	}
	return s.render(c, status, "reviews.html", p)
}

// reviewGatherWait is how long a trigger waits for the new review's first
// step to record it, so the controller lands on its page; a slower start
// shows on the reviews list instead, linked once it is recorded.
const reviewGatherWait = 3 * time.Second

// reviewNow triggers a review and opens its page once its workflow has
// recorded it; a second trigger the same day links the day's review.
func (s *Server) reviewNow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such programme.")
	}
	ctx := c.Request().Context()
	wid, err := s.triggerReview(ctx, id, actor(c).Email)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusConflict {
			today, _ := s.opts.Store.ReviewByWorkflowID(ctx, todaysReviewWorkflowID(id, s.opts.Now()))
			return s.renderReviews(c, http.StatusOK, err, "", func(p *reviewsPage) { p.Started = today })
		}
		return s.reviewsAnswer(c, err, "")
	}
	deadline := time.Now().Add(reviewGatherWait)
	for {
		r, err := s.opts.Store.ReviewByWorkflowID(ctx, wid)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/reviews/%d", r.ID))
		}
		if !errors.Is(err, store.ErrNotFound) {
			return serverError(err)
		}
		if !time.Now().Before(deadline) {
			return c.Redirect(http.StatusSeeOther, "/reviews?started="+url.QueryEscape(wid)+"#started")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
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
