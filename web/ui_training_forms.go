package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// trainingCourseForm creates a course from HR's training page; a refusal
// shows at its field with what was typed kept.
func (s *Server) trainingCourseForm(c echo.Context) error {
	typed := formValues(c, "title", "provider", "duration_days", "language", "required_for_kams")
	refuse := func(err error) error {
		return s.trainingRefusal(c, err, func(p *trainingPage, r formRefusal) { p.CourseForm, p.CourseRefusal = typed, r })
	}
	days, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(typed["duration_days"], ",", ".")), 64)
	if err != nil || store.FiniteProblem(days) != "" {
		return refuse(fieldError("duration_days", "enter the duration in days, e.g. 1.5"))
	}
	if _, err := s.saveCourse(c.Request().Context(), 0, courseBody{Title: typed["title"], Provider: typed["provider"],
		Description: c.FormValue("description"), DurationDays: days, RequiredKAM: typed["required_for_kams"] != "", Language: typed["language"]}); err != nil {
		return refuse(err)
	}
	return trainingDone(c, "course-created", "courses")
}

// trainingSessionForm schedules a session of a course from the training
// page; a refusal shows at its field with what was typed kept.
func (s *Server) trainingSessionForm(c echo.Context) error {
	typed := formValues(c, "course_id", "starts_at", "ends_at", "place", "capacity", "trainer")
	if err := s.scheduleSession(c, typed); err != nil {
		return s.trainingRefusal(c, err, func(p *trainingPage, r formRefusal) { p.SessionForm, p.SessionRefusal = typed, r })
	}
	return trainingDone(c, "session-scheduled", "schedule")
}

// scheduleSession saves the session the form describes; its times are
// the reader's wall clock (parseLocal).
func (s *Server) scheduleSession(c echo.Context, form map[string]string) error {
	zone := s.readerZone(c)
	start, err := parseLocal(zone, "starts_at", form["starts_at"], "enter the first day and time")
	if err != nil {
		return err
	}
	end, err := parseLocal(zone, "ends_at", form["ends_at"], "enter the last day and time")
	if err != nil {
		return err
	}
	capacity, err := strconv.Atoi(strings.TrimSpace(form["capacity"]))
	if err != nil {
		return fieldError("capacity", "enter the number of seats")
	}
	_, err = s.saveSession(c.Request().Context(), 0, sessionBody{CourseID: formID(c, "course_id"), Place: form["place"],
		Capacity: capacity, Trainer: form["trainer"]}, start, end)
	return err
}

// trainingCancelSession cancels a session; its enrolments are told.
func (s *Server) trainingCancelSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such session.")
	}
	if _, _, err := s.cancelSession(c.Request().Context(), id); err != nil {
		return s.trainingRefusal(c, err, nil)
	}
	return trainingDone(c, "session-cancelled", "")
}

// trainingRecordForm records a course an employee completed elsewhere or
// before kamflow, from HR's training page; a refusal shows at its field
// with what was typed kept.
func (s *Server) trainingRecordForm(c echo.Context) error {
	form := map[string]string{"employee_id": c.FormValue("employee_id"), "course_id": c.FormValue("course_id"),
		"completed_at": c.FormValue("completed_at"), "note": c.FormValue("note")}
	employeeID := formID(c, "employee_id")
	req := trainingRecordBody{CourseID: formID(c, "course_id"), CompletedAt: form["completed_at"], Note: form["note"]}
	var err error
	var created bool
	if employeeID == 0 {
		err = fieldError("employee_id", "choose the employee")
	} else {
		_, created, _, err = s.recordExternalTraining(c.Request().Context(), employeeID, req, actor(c))
		if ae := (*apiError)(nil); errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			err = fieldError("employee_id", "choose the employee")
		}
	}
	if err != nil {
		return s.trainingRefusal(c, err, func(p *trainingPage, r formRefusal) { p.Fields, p.Form = r.Fields, form })
	}
	if !created {
		return trainingDone(c, "training-recorded-already", "record-elsewhere")
	}
	return trainingDone(c, "training-recorded", "record-elsewhere")
}

// formValues are the named inputs of a form as typed.
func formValues(c echo.Context, names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = c.FormValue(n)
	}
	return out
}
