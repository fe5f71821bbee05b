package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// trainingCourseForm creates a course from HR's training page.
func (s *Server) trainingCourseForm(c echo.Context) error {
	days, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(c.FormValue("duration_days"), ",", ".")), 64)
	if err != nil {
		return s.trainingAnswer(c, fieldError("duration_days", "enter the duration in days, e.g. 1.5"), "")
	}
	co, err := s.saveCourse(c.Request().Context(), 0, courseBody{Title: c.FormValue("title"), Provider: c.FormValue("provider"),
		Description: c.FormValue("description"), DurationDays: days, RequiredKAM: c.FormValue("required_for_kams") != "", Language: c.FormValue("language")})
	if err != nil {
		return s.trainingAnswer(c, err, "")
	}
	return s.trainingAnswer(c, nil, "Course created: "+co.Title)
}

// localTimeLayout is how a datetime-local field sends a time.
const localTimeLayout = "2006-01-02T15:04"

// trainingSessionForm schedules a session of a course from the training page.
func (s *Server) trainingSessionForm(c echo.Context) error {
	start, err := time.Parse(localTimeLayout, strings.TrimSpace(c.FormValue("starts_at")))
	if err != nil {
		return s.trainingAnswer(c, fieldError("starts_at", "enter the first day and time"), "")
	}
	end, err := time.Parse(localTimeLayout, strings.TrimSpace(c.FormValue("ends_at")))
	if err != nil {
		return s.trainingAnswer(c, fieldError("ends_at", "enter the last day and time"), "")
	}
	capacity, err := strconv.Atoi(strings.TrimSpace(c.FormValue("capacity")))
	if err != nil {
		return s.trainingAnswer(c, fieldError("capacity", "enter the number of seats"), "")
	}
	_, err = s.saveSession(c.Request().Context(), 0, sessionBody{CourseID: formID(c, "course_id"), Place: c.FormValue("place"),
		Capacity: capacity, Trainer: c.FormValue("trainer")}, start.UTC(), end.UTC())
	if err != nil {
		return s.trainingAnswer(c, err, "")
	}
	return s.trainingAnswer(c, nil, "Session scheduled.")
}

// trainingCancelSession cancels a session; its enrolments are told.
func (s *Server) trainingCancelSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such session.")
	}
	if _, err := s.cancelSession(c.Request().Context(), id); err != nil {
		return s.trainingAnswer(c, err, "")
	}
	return s.trainingAnswer(c, nil, "Session cancelled; the enrolled people are told.")
}
