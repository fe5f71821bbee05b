package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// workshopForm handles the KAM's workshop forms on the key-account page:
// dates while planning, minutes with agreed actions once it took place.
func (s *Server) workshopForm(step string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return clientError(http.StatusNotFound, "There is no such workshop.")
		}
		ctx := c.Request().Context()
		w, err := s.opts.Store.WorkshopByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return clientError(http.StatusNotFound, "There is no such workshop.")
		} else if err != nil {
			return serverError(err)
		}
		if _, err := s.keyAccountAccess(c, w.KeyAccountID); err != nil {
			return err
		}
		var arg any
		switch step {
		case workflows.UpdateProposeDates:
			start, perr := time.Parse("2006-01-02T15:04", strings.TrimSpace(c.FormValue("starts_at")))
			if perr != nil {
				return s.accountAnswer(c, w.KeyAccountID, fieldError("starts_at", "enter the first day and time"))
			}
			arg = workflows.ProposeDatesRequest{Actor: actor(c), StartsAt: start.UTC(), Place: c.FormValue("place")}
		default:
			form, _ := c.FormParams()
			var bodies []actionBody
			for i, title := range form["action_title"] {
				if strings.TrimSpace(title) == "" {
					continue
				}
				ab := actionBody{Title: title}
				if i < len(form["action_owner"]) {
					ab.OwnerEmail = form["action_owner"][i]
				}
				if i < len(form["action_due"]) {
					ab.Due = form["action_due"][i]
				}
				bodies = append(bodies, ab)
			}
			actions, perr := s.parseActions(ctx, "actions", bodies)
			if perr != nil {
				return s.accountAnswer(c, w.KeyAccountID, perr)
			}
			arg = workflows.MinutesRequest{Actor: actor(c), Minutes: c.FormValue("minutes"), Actions: actions}
		}
		var st workflows.WorkshopState
		err = s.sendUpdate(ctx, w.WorkflowID, step, arg, &st, "the workshop is closed")
		if err != nil {
			return s.accountAnswer(c, w.KeyAccountID, err)
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d#workshops", w.KeyAccountID))
	}
}

// accountAnswer shows the key-account page with a refusal's reason.
func (s *Server) accountAnswer(c echo.Context, keyAccountID uint, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	return s.renderAccount(c, keyAccountID, ae.Status, ae.text())
}
