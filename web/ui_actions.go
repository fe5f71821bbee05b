package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// accountActionDone marks an action of a key account done from its page;
// the workflow that tracks the action (plan or workshop) decides.
func (s *Server) accountActionDone(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such key account.")
	}
	if _, err := s.keyAccountAccess(c, id); err != nil {
		return err
	}
	aid, err := idParam(c, "actionID")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such action.")
	}
	ctx := c.Request().Context()
	a, err := s.opts.Store.ActionByID(ctx, aid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.KeyAccountID != id) {
		return clientError(http.StatusNotFound, "There is no such action.")
	} else if err != nil {
		return serverError(err)
	}
	var workflowID, closed string
	switch a.Source {
	case "plan":
		v, err := s.opts.Store.PlanVersion(ctx, a.SourceID)
		if err != nil {
			return serverError(err)
		}
		workflowID, closed = workflows.PlanWorkflowID(id, v), "the plan's actions are all done"
	case "workshop":
		w, err := s.opts.Store.WorkshopByID(ctx, a.SourceID)
		if err != nil {
			return serverError(err)
		}
		workflowID, closed = w.WorkflowID, "the workshop is closed"
	default:
		return serverError(fmt.Errorf("action %d has unknown source %q", a.ID, a.Source))
	}
	var st any
	if err := s.sendUpdate(ctx, workflowID, workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: actor(c), ActionID: a.ID}, &st, closed); err != nil {
		return s.accountAnswer(c, id, err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d#actions", id))
}
