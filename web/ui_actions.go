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
	workflowID, closed, err := s.actionWorkflow(ctx, a)
	if err != nil {
		return err
	}
	var st any
	if err := s.sendUpdate(ctx, workflowID, workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: actor(c), ActionID: a.ID}, &st, closed); err != nil {
		if fromMyWork(c) {
			return s.myWorkAnswer(c, err)
		}
		return s.accountAnswer(c, id, err)
	}
	if fromMyWork(c) {
		return c.Redirect(http.StatusSeeOther, myWorkPath+"#work")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d?done=action-done#actions", id))
}

// accountActionOwner gives an open action of the key account to someone
// else from its page; a refusal is shown at the field with the input kept.
func (s *Server) accountActionOwner(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such key account.")
	}
	aid, err := idParam(c, "actionID")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such action.")
	}
	a, err := s.opts.Store.ActionByID(c.Request().Context(), aid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.KeyAccountID != id) {
		return clientError(http.StatusNotFound, "There is no such action.")
	} else if err != nil {
		return serverError(err)
	}
	email := c.FormValue("owner_email")
	if _, err := s.setActionOwner(c, a, email); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		msg := ae.Message
		if f, ok := ae.Fields["owner_email"]; ok {
			msg = f
		}
		return s.renderAccountWith(c, id, ae.Status, "", &ownerFormError{ActionID: a.ID, Input: email, Message: msg})
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d#actions", id))
}
