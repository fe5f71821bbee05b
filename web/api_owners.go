package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func (s *Server) ownerRoutes(api *echo.Group) {
	api.PUT("/actions/:id/owner", s.apiSetActionOwner)
	api.PUT("/measures/:id/owner", s.apiSetMeasureOwner)
}

type ownerBody struct {
	OwnerEmail string `json:"owner_email"`
}

// activeOwner checks the new owner is a user who may sign in.
func (s *Server) activeOwner(ctx context.Context, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		return "", fieldError("owner_email", "name the new owner's e-mail")
	}
	u, err := s.opts.Store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		return "", fieldError("owner_email", fmt.Sprintf("no active user %q", email))
	}
	if err != nil {
		return "", serverError(err)
	}
	return u.Email, nil
}

// actionWorkflow names the workflow that tracks an action (plan or
// workshop) and what to say when it is closed.
func (s *Server) actionWorkflow(ctx context.Context, a *store.Action) (string, string, error) {
	switch a.Source {
	case "plan":
		v, err := s.opts.Store.PlanVersion(ctx, a.SourceID)
		if err != nil {
			return "", "", serverError(err)
		}
		return workflows.PlanWorkflowID(a.KeyAccountID, v), "the plan's actions are all done", nil
	case "workshop":
		w, err := s.opts.Store.WorkshopByID(ctx, a.SourceID)
		if err != nil {
			return "", "", serverError(err)
		}
		return w.WorkflowID, "the workshop is closed", nil
	}
	return "", "", serverError(fmt.Errorf("action %d has unknown source %q", a.ID, a.Source))
}

// tellOwnerChanged lets the tracking workflow remind the new owner and
// waits until it has applied the change; a workflow that closed has
// nothing left to remind of. Repeating the request repeats the update, so
// a failed one is healed by a retry.
func (s *Server) tellOwnerChanged(ctx context.Context, workflowID string, change workflows.OwnerChanged) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	h, err := s.opts.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: workflows.UpdateChangeOwner, Args: []any{change}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil && !isNotFoundErr(err) {
		return serverError(fmt.Errorf("tell %s about the new owner: %w", workflowID, err))
	}
	return nil
}

// setActionOwner gives one open action of a key account to an active user;
// the route's policy entry (policy.ActWorkAssign) decided who may.
func (s *Server) setActionOwner(c echo.Context, a *store.Action, email string) (*store.Action, error) {
	ctx := c.Request().Context()
	owner, err := s.activeOwner(ctx, email)
	if err != nil {
		return nil, err
	}
	wid, _, err := s.actionWorkflow(ctx, a)
	if err != nil {
		return nil, err
	}
	saved, err := s.opts.Store.SetActionOwner(ctx, a.ID, owner, actor(c).Email, s.opts.Now())
	if errors.Is(err, store.ErrDone) {
		return nil, apiErr(http.StatusConflict, "conflict", "the action is done; it keeps its owner")
	} else if err != nil {
		return nil, storeError(err, "action")
	}
	if err := s.tellOwnerChanged(ctx, wid, workflows.OwnerChanged{Kind: workflows.WorkAction, ID: saved.ID, OwnerEmail: saved.OwnerEmail}); err != nil {
		return nil, err
	}
	return saved, nil
}

// apiSetActionOwner gives an action to someone else.
func (s *Server) apiSetActionOwner(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req ownerBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.opts.Store.ActionByID(c.Request().Context(), id)
	if err != nil {
		return storeError(err, "action")
	}
	saved, err := s.setActionOwner(c, a, req.OwnerEmail)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": saved.ID, "key_account_id": saved.KeyAccountID, "source": saved.Source, "title": saved.Title,
		"owner_email": saved.OwnerEmail, "due": saved.Due.Format("2006-01-02"), "done": saved.DoneAt != nil})
}

// apiSetMeasureOwner gives a review measure to someone else: the account's
// people or the programme's lead; a measure about the whole programme only
// the lead (policy.ActWorkAssign on the measure's account or programme).
func (s *Server) apiSetMeasureOwner(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req ownerBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := s.opts.Store.MeasureByID(ctx, id)
	if err != nil {
		return storeError(err, "measure")
	}
	r, err := s.opts.Store.ReviewByID(ctx, m.ReviewID)
	if err != nil {
		return serverError(err)
	}
	owner, err := s.activeOwner(ctx, req.OwnerEmail)
	if err != nil {
		return err
	}
	saved, err := s.opts.Store.SetMeasureOwner(ctx, m.ID, owner, actor(c).Email, s.opts.Now())
	if errors.Is(err, store.ErrDone) {
		return apiErr(http.StatusConflict, "conflict", "the measure is done; it keeps its owner")
	} else if err != nil {
		return storeError(err, "measure")
	}
	if err := s.tellOwnerChanged(ctx, r.WorkflowID, workflows.OwnerChanged{Kind: workflows.WorkMeasure, ID: saved.ID, OwnerEmail: saved.OwnerEmail}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": saved.ID, "review_id": saved.ReviewID, "customer_id": saved.CustomerID, "title": saved.Title,
		"owner_email": saved.OwnerEmail, "due": saved.Due.Format("2006-01-02"), "done": saved.DoneAt != nil})
}
