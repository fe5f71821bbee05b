package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// moveBody moves an enrolment to another session of its course.
type moveBody struct {
	SessionID uint   `json:"session_id"`
	Reason    string `json:"reason"`
}

// apiMoveEnrolment moves an enrolment to another session of the course and
// answers with the enrolment it became.
func (s *Server) apiMoveEnrolment(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req moveBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	next, err := s.moveEnrolment(c.Request().Context(), id, req, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": next.ID, "workflow_id": workflows.TrainingWorkflowID(next.ID), "status": next.Status,
		"session_id": next.SessionID, "employee_id": next.EmployeeID, "moved_from": id})
}

// moveEnrolment moves an enrolment to another session of its course: the
// employee is enrolled there first (with a seat, or on its waitlist when it
// is full), so she is never left without a place, then the old enrolment's
// workflow cancels it naming its successor, which frees the old seat and
// leaves re-enrolment and escalation to the new one. Each half happens
// once: the new enrolment remembers where it came from, so a repeat (or a
// retry after a failure between the halves) finds it instead of enrolling
// again. The API and the session page share it.
func (s *Server) moveEnrolment(ctx context.Context, id uint, req moveBody, a workflows.Actor) (*store.Enrolment, error) {
	if len(req.Reason) > 2000 {
		return nil, fieldError("reason", "reason is longer than 2000 characters")
	}
	old, err := s.opts.Store.Enrolment(ctx, id)
	if err != nil {
		return nil, storeError(err, "enrolment")
	}
	next, err := s.opts.Store.EnrolmentMovedFrom(ctx, id)
	switch {
	case err == nil:
		if req.SessionID != next.SessionID {
			return nil, fieldError("session_id", fmt.Sprintf("the enrolment was moved to the session on %s already; move that enrolment instead",
				next.Session.StartsAt.Format("2006-01-02")))
		}
		if !old.Open() {
			return next, nil // moved already: the first move's answer
		}
	case errors.Is(err, store.ErrNotFound):
		if !old.Open() {
			return nil, apiErr(http.StatusConflict, "conflict", fmt.Sprintf("the enrolment is %s", old.Status))
		}
		if next, err = s.enrolMoved(ctx, old, req.SessionID, a.Email); err != nil {
			return nil, err
		}
	default:
		return nil, serverError(err)
	}
	reason := fmt.Sprintf("moved to %s on %s", next.Session.Course.Title, next.Session.StartsAt.Format("2006-01-02"))
	if r := strings.TrimSpace(req.Reason); r != "" {
		reason += ": " + r
	}
	if _, err := s.cancelEnrolment(ctx, id, workflows.EnrolmentCancelRequest{Actor: a, Reason: reason, MovedTo: next.ID}); err != nil {
		return nil, err
	}
	return next, nil
}

// enrolMoved enrolls the employee of old in the session sessionID of the
// same course and starts the new enrolment's workflow.
func (s *Server) enrolMoved(ctx context.Context, old *store.Enrolment, sessionID uint, by string) (*store.Enrolment, error) {
	if sessionID == 0 {
		return nil, fieldError("session_id", "choose the session to move to")
	}
	if sessionID == old.SessionID {
		return nil, fieldError("session_id", "choose another session than the current one")
	}
	ts, err := s.opts.Store.Session(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fieldError("session_id", fmt.Sprintf("no session %d", sessionID))
	} else if err != nil {
		return nil, serverError(err)
	}
	if ts.CourseID != old.Session.CourseID {
		return nil, fieldError("session_id", "choose a session of the same course")
	}
	next, err := s.opts.Store.EnrolMoved(ctx, old, sessionID, by, s.opts.Now())
	var invalid *store.InvalidError
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return nil, fieldError("session_id", s.alreadyEnrolled(ctx, sessionID, old.Employee, "that session"))
	case errors.As(err, &invalid):
		return nil, fieldError("session_id", invalid.Reason)
	case err != nil:
		return nil, storeError(err, "enrolment")
	}
	if err := s.startTraining(ctx, next, ts, old.Employee); err != nil {
		return nil, err
	}
	next.Session = ts
	return next, nil
}
