package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func (s *Server) trainingRoutes(api *echo.Group) {
	api.GET("/courses", s.apiListCourses)
	api.POST("/courses", s.apiSaveCourse)
	api.PUT("/courses/:id", s.apiSaveCourse)
	api.GET("/sessions", s.apiListSessions)
	api.POST("/sessions", s.apiSaveSession)
	api.GET("/sessions/:id", s.apiGetSession)
	api.PUT("/sessions/:id", s.apiSaveSession)
	api.POST("/sessions/:id/cancel", s.apiCancelSession)
	api.POST("/sessions/:id/enrolments", s.apiEnrol)
	api.GET("/enrolments/:id", s.apiGetEnrolment)
	api.POST("/enrolments/:id/attendance", s.apiAttendance)
	api.POST("/enrolments/:id/cancel", s.apiCancelEnrolment)
	api.POST("/enrolments/:id/move", s.apiMoveEnrolment)
	api.GET("/training/missing", s.apiMissingTraining)
	api.POST("/employees/:id/training-records", s.apiRecordTraining)
	api.GET("/employees/:id/training-records", s.apiTrainingRecords)
}

type courseBody struct {
	Title        string  `json:"title"`
	Provider     string  `json:"provider"`
	Description  string  `json:"description"`
	DurationDays float64 `json:"duration_days"`
	RequiredKAM  bool    `json:"required_for_kams"`
	Language     string  `json:"language"`
}

func courseJSON(c store.Course) map[string]any {
	return map[string]any{"id": c.ID, "title": c.Title, "provider": c.Provider, "description": c.Description,
		"duration_days": c.DurationDays, "required_for_kams": c.RequiredKAM, "language": c.Language}
}

func (s *Server) apiListCourses(c echo.Context) error {
	list, err := s.opts.Store.ListCourses(c.Request().Context())
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, co := range list {
		items = append(items, courseJSON(co))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) apiSaveCourse(c echo.Context) error {
	var req courseBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var id uint
	status := http.StatusCreated
	if c.Param("id") != "" {
		var err error
		if id, err = idParam(c, "id"); err != nil {
			return err
		}
		status = http.StatusOK
	}
	co, err := s.saveCourse(c.Request().Context(), id, req)
	if err != nil {
		return err
	}
	return c.JSON(status, courseJSON(*co))
}

// saveCourse checks a course field by field and creates it (id 0) or
// changes it; the API and the training page share it.
func (s *Server) saveCourse(ctx context.Context, id uint, req courseBody) (*store.Course, error) {
	co := &store.Course{}
	if id != 0 {
		var err error
		if co, err = s.opts.Store.Course(ctx, id); err != nil {
			return nil, storeError(err, "course")
		}
	}
	switch {
	case strings.TrimSpace(req.Title) == "" || len(req.Title) > 200:
		return nil, fieldError("title", "title is required (up to 200 characters)")
	case store.FiniteProblem(req.DurationDays) != "" || req.DurationDays <= 0 || req.DurationDays > 365:
		return nil, fieldError("duration_days", "duration_days must be more than 0 and at most 365")
	case len(req.Language) > 5:
		return nil, fieldError("language", "language is a code such as de or en")
	case len(req.Provider) > 200:
		return nil, fieldError("provider", "provider is longer than 200 characters")
	}
	co.Title, co.Provider, co.Description = strings.TrimSpace(req.Title), strings.TrimSpace(req.Provider), strings.TrimSpace(req.Description)
	co.DurationDays, co.RequiredKAM, co.Language = req.DurationDays, req.RequiredKAM, strings.ToLower(strings.TrimSpace(req.Language))
	if err := s.opts.Store.SaveCourse(ctx, co); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, fieldError("title", "a course with this title exists")
		}
		return nil, storeError(err, "course")
	}
	return co, nil
}

type sessionBody struct {
	CourseID uint   `json:"course_id"`
	StartsAt string `json:"starts_at"`
	EndsAt   string `json:"ends_at"`
	Place    string `json:"place"`
	Capacity int    `json:"capacity"`
	Trainer  string `json:"trainer"`
}

func sessionJSON(ss store.SessionSeats) map[string]any {
	m := map[string]any{"id": ss.ID, "course_id": ss.CourseID, "starts_at": ss.StartsAt, "ends_at": ss.EndsAt,
		"place": ss.Place, "capacity": ss.Capacity, "trainer": ss.Trainer, "enrolled": ss.Enrolled,
		"waitlisted": ss.Waitlisted, "free_seats": ss.FreeSeats(), "cancelled": ss.CancelledAt != nil, "revision": ss.Revision}
	if ss.Course != nil {
		m["course_title"], m["required_for_kams"] = ss.Course.Title, ss.Course.RequiredKAM
	}
	return m
}

func parseTimestamp(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, fieldError(field, "must be a time as RFC 3339, e.g. 2026-03-22T09:00:00+01:00")
	}
	return t.UTC(), nil
}

// apiListSessions lists upcoming sessions; ?free=true keeps those with seats.
func (s *Server) apiListSessions(c echo.Context) error {
	free := false
	switch c.QueryParam("free") {
	case "", "false":
	case "true":
		free = true
	default:
		return fieldError("free", "must be true or false")
	}
	list, err := s.opts.Store.UpcomingSessions(c.Request().Context(), s.opts.Now(), free)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, ss := range list {
		items = append(items, sessionJSON(ss))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// apiSaveSession creates or changes a session; every open enrolment's
// workflow learns of a new date or place, so reminders follow.
func (s *Server) apiSaveSession(c echo.Context) error {
	var req sessionBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	start, err := parseTimestamp("starts_at", req.StartsAt)
	if err != nil {
		return err
	}
	end, err := parseTimestamp("ends_at", req.EndsAt)
	if err != nil {
		return err
	}
	var id uint
	status := http.StatusCreated
	if c.Param("id") != "" {
		if id, err = idParam(c, "id"); err != nil {
			return err
		}
		status = http.StatusOK
	}
	ts, err := s.saveSession(c.Request().Context(), id, req, start, end)
	if err != nil {
		return err
	}
	return c.JSON(status, sessionJSON(store.SessionSeats{TrainingSession: *ts}))
}

// saveSession checks a session and creates it (id 0) or changes it; every
// open enrolment of a changed session is told. The API and the training
// page share it.
func (s *Server) saveSession(ctx context.Context, id uint, req sessionBody, start, end time.Time) (*store.TrainingSession, error) {
	ts := &store.TrainingSession{}
	if id != 0 {
		var err error
		if ts, err = s.opts.Store.Session(ctx, id); err != nil {
			return nil, storeError(err, "session")
		}
	}
	switch {
	case req.CourseID == 0:
		return nil, fieldError("course_id", "course_id is required")
	case !end.After(start):
		return nil, fieldError("ends_at", "ends_at must be after starts_at")
	case !start.After(s.opts.Now()):
		return nil, fieldError("starts_at", "a session is planned in the future")
	case req.Capacity < 1 || req.Capacity > 10000:
		return nil, fieldError("capacity", "capacity must be between 1 and 10000")
	case len(req.Place) > 300:
		return nil, fieldError("place", "place is longer than 300 characters")
	case len(req.Trainer) > 200:
		return nil, fieldError("trainer", "trainer is longer than 200 characters")
	}
	if _, err := s.opts.Store.Course(ctx, req.CourseID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fieldError("course_id", fmt.Sprintf("no course %d", req.CourseID))
		}
		return nil, serverError(err)
	}
	prevRevision := ts.Revision
	ts.CourseID, ts.StartsAt, ts.EndsAt, ts.Place, ts.Capacity, ts.Trainer = req.CourseID, start, end, strings.TrimSpace(req.Place), req.Capacity, strings.TrimSpace(req.Trainer)
	ts.Course = nil
	if err := s.opts.Store.SaveSession(ctx, ts); err != nil {
		var invalid *store.InvalidError
		if errors.As(err, &invalid) {
			field := invalid.Field
			if field == "" {
				field = "session"
			}
			return nil, fieldError(field, invalid.Reason)
		}
		return nil, storeError(err, "session")
	}
	if id != 0 && ts.Revision != prevRevision {
		s.tellEnrolments(ctx, ts.ID, workflows.SessionChange{StartsAt: ts.StartsAt, EndsAt: ts.EndsAt, Place: ts.Place, Revision: ts.Revision})
	}
	return ts, nil
}

// tellEnrolments signals every open enrolment of a session; a failed
// signal is logged (the enrolment's row is authoritative for HR views).
func (s *Server) tellEnrolments(ctx context.Context, sessionID uint, ch workflows.SessionChange) {
	list, err := s.opts.Store.SessionEnrolments(ctx, sessionID)
	if err != nil {
		s.logFor(ctx).Error("list enrolments to tell of a session change", "session", sessionID, "err", err)
		return
	}
	for _, e := range list {
		if e.Status != store.EnrolmentEnrolled && e.Status != store.EnrolmentWaitlisted && !ch.Cancelled {
			continue
		}
		if err := s.opts.Temporal.SignalWorkflow(ctx, workflows.TrainingWorkflowID(e.ID), "", workflows.SignalSessionChanged, ch); err != nil && !isNotFoundErr(err) {
			s.logFor(ctx).Error("tell enrolment of a session change", "enrolment", e.ID, "err", err)
		}
	}
}

func (s *Server) apiGetSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ts, err := s.opts.Store.Session(ctx, id)
	if err != nil {
		return storeError(err, "session")
	}
	list, err := s.opts.Store.SessionEnrolments(ctx, id)
	if err != nil {
		return serverError(err)
	}
	seats := store.SessionSeats{TrainingSession: *ts}
	enrolments := make([]map[string]any, 0, len(list))
	for _, e := range list {
		switch e.Status {
		case store.EnrolmentEnrolled:
			seats.Enrolled++
		case store.EnrolmentWaitlisted:
			seats.Waitlisted++
		}
		enrolments = append(enrolments, map[string]any{"id": e.ID, "employee_id": e.EmployeeID, "employee_name": e.Employee.Name, "status": e.Status})
	}
	out := sessionJSON(seats)
	out["enrolments"] = enrolments
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCancelSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ts, _, err := s.cancelSession(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionJSON(store.SessionSeats{TrainingSession: *ts}))
}

// cancelSession cancels a session and tells its enrolments; told is how
// many were enrolled or waitlisted.
func (s *Server) cancelSession(ctx context.Context, id uint) (ts *store.TrainingSession, told int, err error) {
	open, err := s.opts.Store.CancelSession(ctx, id, s.opts.Now())
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			if _, gErr := s.opts.Store.Session(ctx, id); gErr == nil {
				return nil, 0, apiErr(http.StatusConflict, "conflict", "the session is cancelled already")
			}
		}
		return nil, 0, storeError(err, "session")
	}
	if ts, err = s.opts.Store.Session(ctx, id); err != nil {
		return nil, 0, serverError(err)
	}
	s.tellEnrolments(ctx, id, workflows.SessionChange{StartsAt: ts.StartsAt, EndsAt: ts.EndsAt, Place: ts.Place, Revision: ts.Revision, Cancelled: true})
	return ts, len(open), nil
}

// apiEnrol enrols an employee (or waitlists them) and starts the
// enrolment's workflow; if the start fails the enrolment is removed again.
func (s *Server) apiEnrol(c echo.Context) error {
	sessionID, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		EmployeeID  uint `json:"employee_id"`
		ProgrammeID uint `json:"programme_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.enrol(c.Request().Context(), sessionID, req.EmployeeID, req.ProgrammeID, actor(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": e.ID, "workflow_id": workflows.TrainingWorkflowID(e.ID), "status": e.Status, "session_id": sessionID, "employee_id": e.EmployeeID})
}

// enrol places the employee (or waitlists them) and starts the enrolment's
// workflow; if the start fails the enrolment is removed again.
func (s *Server) enrol(ctx context.Context, sessionID, employeeID, programmeID uint, by string) (*store.Enrolment, error) {
	if employeeID == 0 {
		return nil, fieldError("employee_id", "employee_id is required")
	}
	ts, err := s.opts.Store.Session(ctx, sessionID)
	if err != nil {
		return nil, storeError(err, "session")
	}
	emp, err := s.opts.Store.Employee(ctx, employeeID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fieldError("employee_id", fmt.Sprintf("no employee %d", employeeID))
	} else if err != nil {
		return nil, serverError(err)
	}
	var pid *uint
	if programmeID != 0 {
		if _, _, err := s.opts.Store.ProgrammeByID(ctx, programmeID); err != nil {
			return nil, fieldError("programme_id", fmt.Sprintf("no programme %d", programmeID))
		}
		pid = &programmeID
	}
	e, err := s.opts.Store.Enrol(ctx, sessionID, employeeID, pid, by, s.opts.Now())
	var invalid *store.InvalidError
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return nil, apiErr(http.StatusConflict, "conflict", s.alreadyEnrolled(ctx, sessionID, emp, "this session"))
	case errors.As(err, &invalid):
		return nil, apiErr(http.StatusConflict, "conflict", invalid.Reason)
	case err != nil:
		return nil, storeError(err, "enrolment")
	}
	if err := s.startTraining(ctx, e, ts, emp); err != nil {
		return nil, err
	}
	return e, nil
}

// alreadyEnrolled says why the employee cannot be enrolled in a session
// again: a session has one enrolment per employee, open or ended.
func (s *Server) alreadyEnrolled(ctx context.Context, sessionID uint, emp *store.Employee, where string) string {
	if prev, err := s.opts.Store.EnrolmentIn(ctx, sessionID, emp.ID); err == nil && !prev.Open() {
		return fmt.Sprintf("%s's enrolment in %s ended (%s); choose another session", emp.Name, where, prev.Status)
	}
	return fmt.Sprintf("%s is enrolled in %s already", emp.Name, where)
}

// startTraining starts the workflow of a new enrolment; if the start fails
// the enrolment is removed again.
func (s *Server) startTraining(ctx context.Context, e *store.Enrolment, ts *store.TrainingSession, emp *store.Employee) error {
	var programmeID uint
	if e.ProgrammeID != nil {
		programmeID = *e.ProgrammeID
	}
	in := workflows.TrainingInput{
		EnrolmentID: e.ID, SessionID: ts.ID, EmployeeID: emp.ID, EmployeeEmail: emp.Email, EmployeeName: emp.Name,
		CourseTitle: ts.Course.Title, Required: ts.Course.RequiredKAM, StartsAt: ts.StartsAt, EndsAt: ts.EndsAt,
		Place: ts.Place, Revision: ts.Revision, Waitlisted: e.Status == store.EnrolmentWaitlisted, ProgrammeID: programmeID,
	}
	_, err := s.opts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.TrainingWorkflowID(e.ID), TaskQueue: s.opts.TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.TrainingWorkflowName, in)
	if err != nil {
		if delErr := s.opts.Store.DeleteEnrolment(context.WithoutCancel(ctx), e.ID); delErr != nil {
			s.logFor(ctx).Error("remove enrolment whose workflow did not start", "id", e.ID, "err", delErr)
		}
		return serverError(fmt.Errorf("start training workflow: %w", err))
	}
	return nil
}

func (s *Server) apiGetEnrolment(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := s.opts.Store.Enrolment(ctx, id)
	if err != nil {
		return storeError(err, "enrolment")
	}
	pos, err := s.opts.Store.WaitlistPosition(ctx, e)
	if err != nil {
		return serverError(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"id": e.ID, "session_id": e.SessionID, "employee_id": e.EmployeeID,
		"employee_name": e.Employee.Name, "course_title": e.Session.Course.Title, "status": e.Status, "programme_id": e.ProgrammeID,
		"starts_at": e.Session.StartsAt, "ends_at": e.Session.EndsAt, "place": e.Session.Place, "session_cancelled": e.Session.CancelledAt != nil,
		"enrolled_at": e.CreatedAt, "waitlisted_at": e.WaitlistedAt, "waitlist_position": pos,
		"updated_by": e.UpdatedBy, "status_at": e.StatusAt, "status_note": e.StatusNote})
}

// trainingUpdate sends an update to an enrolment's workflow.
func (s *Server) trainingUpdate(c echo.Context, id uint, name string, arg any) error {
	var st workflows.TrainingState
	if err := s.sendUpdate(c.Request().Context(), workflows.TrainingWorkflowID(id), name, arg, &st, "the enrolment is closed"); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "status": st.Status, "recorded_by": st.RecordedBy})
}

func (s *Server) apiAttendance(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Attended *bool  `json:"attended"`
		Note     string `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Attended == nil {
		return fieldError("attended", "say whether the employee attended (true or false)")
	}
	return s.trainingUpdate(c, id, workflows.UpdateAttendance, workflows.AttendanceRequest{Actor: actor(c), Attended: *req.Attended, Note: req.Note})
}

func (s *Server) apiCancelEnrolment(c echo.Context) error {
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
	st, err := s.cancelEnrolment(c.Request().Context(), id, workflows.EnrolmentCancelRequest{Actor: actor(c), Reason: req.Reason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "status": st.Status, "recorded_by": st.RecordedBy})
}

// cancelEnrolment withdraws an enrolment through its workflow, which frees
// the seat for the waitlist; the API and the session page share it.
func (s *Server) cancelEnrolment(ctx context.Context, id uint, req workflows.EnrolmentCancelRequest) (workflows.TrainingState, error) {
	var st workflows.TrainingState
	err := s.sendUpdate(ctx, workflows.TrainingWorkflowID(id), workflows.UpdateCancelEnrolment, req, &st, "the enrolment is closed")
	return st, err
}

// apiMissingTraining lists KAMs of running programmes still missing
// required courses (their training records), less those the programme's
// committee excused.
func (s *Server) apiMissingTraining(c echo.Context) error {
	ctx := c.Request().Context()
	gaps, err := s.opts.Store.KAMsMissingTraining(ctx)
	if err != nil {
		return serverError(err)
	}
	ids := make([]uint, 0, len(gaps))
	for _, g := range gaps {
		ids = append(ids, g.EmployeeID)
	}
	emps, err := s.opts.Store.EmployeesByID(ctx, ids)
	if err != nil {
		return serverError(err)
	}
	items := []map[string]any{}
	for _, g := range gaps {
		var courses []map[string]any
		for _, co := range g.Courses {
			courses = append(courses, map[string]any{"id": co.ID, "title": co.Title})
		}
		items = append(items, map[string]any{"employee_id": g.EmployeeID, "employee_name": emps[g.EmployeeID].Name, "programmes": g.Programmes, "missing": courses})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
