package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

type trainingRecordBody struct {
	CourseID    uint   `json:"course_id"`
	CompletedAt string `json:"completed_at"`
	Note        string `json:"note"`
}

func trainingRecordJSON(r store.TrainingRecord) map[string]any {
	m := map[string]any{"id": r.ID, "employee_id": r.EmployeeID, "course_id": r.CourseID, "completed_at": r.CompletedAt,
		"source": r.Source, "recorded_by": r.RecordedBy, "note": r.Note, "programme_id": r.ProgrammeID, "enrolment_id": r.EnrolmentID}
	if r.Course != nil {
		m["course_title"] = r.Course.Title
	}
	return m
}

// parseCompletionDate takes a date (2026-03-02) or an RFC 3339 time.
func parseCompletionDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fieldError("completed_at", "must be a date (2026-03-02) or an RFC 3339 time")
}

// apiRecordTraining records a course an employee completed elsewhere or in
// the past; the KAM's running programmes hear of it once nothing required
// is missing. Recording the same course on the same day again answers 200
// with the existing record.
func (s *Server) apiRecordTraining(c echo.Context) error {
	employeeID, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req trainingRecordBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	rec, created, told, err := s.recordExternalTraining(c.Request().Context(), employeeID, req, actor(c))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	out := trainingRecordJSON(*rec)
	out["programmes_told"] = told
	return c.JSON(status, out)
}

// recordExternalTraining checks and keeps a course an employee completed
// elsewhere or in the past (API and HR's training page), then tells her
// programmes once nothing required is missing. created is false when the
// same course on the same day was recorded before.
func (s *Server) recordExternalTraining(ctx context.Context, employeeID uint, req trainingRecordBody, a workflows.Actor) (*store.TrainingRecord, bool, []uint, error) {
	if req.CourseID == 0 {
		return nil, false, nil, fieldError("course_id", "name the course completed")
	}
	at, err := parseCompletionDate(req.CompletedAt)
	if err != nil {
		return nil, false, nil, err
	}
	if at.After(s.opts.Now()) {
		return nil, false, nil, fieldError("completed_at", "a completed course has a date in the past")
	}
	if len(req.Note) > 2000 {
		return nil, false, nil, fieldError("note", "up to 2000 characters")
	}
	if _, err := s.opts.Store.Employee(ctx, employeeID); err != nil {
		return nil, false, nil, storeError(err, "employee")
	}
	if _, err := s.opts.Store.Course(ctx, req.CourseID); errors.Is(err, store.ErrNotFound) {
		return nil, false, nil, fieldError("course_id", fmt.Sprintf("no course %d", req.CourseID))
	} else if err != nil {
		return nil, false, nil, serverError(err)
	}
	rec, created, err := s.opts.Store.RecordExternalTraining(ctx, employeeID, req.CourseID, at, a.Email, req.Note, s.opts.Now())
	if err != nil {
		return nil, false, nil, storeError(err, "training record")
	}
	told := s.reportTrainingComplete(ctx, employeeID, a, "completed "+rec.Course.Title+" (recorded by HR)")
	return rec, created, told, nil
}

// reportTrainingComplete tells the employee's running programmes that her
// required training is complete, once no required course is missing; a
// programme that has it recorded already, or is past training, refuses and
// needs no telling. It returns the programmes that took it.
func (s *Server) reportTrainingComplete(ctx context.Context, employeeID uint, a workflows.Actor, note string) []uint {
	told := []uint{}
	gaps, err := s.opts.Store.KAMsMissingTraining(ctx)
	if err != nil {
		s.logFor(ctx).Error("training gaps", "err", err)
		return told
	}
	for _, g := range gaps {
		if g.EmployeeID == employeeID {
			return told // still missing a course
		}
	}
	programmes, err := s.opts.Store.AssignedKAMs(ctx)
	if err != nil {
		s.logFor(ctx).Error("programmes of KAM", "employee", employeeID, "err", err)
		return told
	}
	for _, pid := range programmes[employeeID] {
		var st workflows.ProgrammeState
		err := s.sendUpdate(ctx, workflows.ProgrammeWorkflowID(pid), workflows.UpdateTrainingComplete,
			workflows.TrainingRequest{Actor: a, EmployeeID: employeeID, Note: note}, &st, "the programme is closed")
		var ae *apiError
		switch {
		case err == nil:
			told = append(told, pid)
		case errors.As(err, &ae) && ae.Status < 500:
		default:
			s.logFor(ctx).Error("tell programme of completed training", "programme", pid, "employee", employeeID, "err", err)
		}
	}
	return told
}

// apiTrainingRecords lists an employee's training records, latest first.
func (s *Server) apiTrainingRecords(c echo.Context) error {
	employeeID, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.opts.Store.Employee(ctx, employeeID); err != nil {
		return storeError(err, "employee")
	}
	list, err := s.opts.Store.TrainingRecordsOf(ctx, employeeID)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, r := range list {
		items = append(items, trainingRecordJSON(r))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
