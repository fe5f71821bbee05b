package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// apiError is the JSON API's error: {"error": {"code", "message", "fields"}}.
type apiError struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	cause   error
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return e.Message + ": " + e.cause.Error()
	}
	return e.Message
}

func (e *apiError) Unwrap() error { return e.cause }

func apiErr(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

// fieldError is a 422 naming the offending field.
func fieldError(field, reason string) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: "the request has invalid fields", Fields: map[string]string{field: reason}}
}

var (
	errUnauthenticated = apiErr(http.StatusUnauthorized, "unauthenticated", "send a personal API token as Authorization: Bearer <token>")
	errForbidden       = apiErr(http.StatusForbidden, "forbidden", "your roles do not allow this")
)

// apiAuth resolves the bearer token to a user.
func (s *Server) apiAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return errUnauthenticated
		}
		u, err := s.opts.Store.APITokenUser(c.Request().Context(), strings.TrimSpace(token), s.opts.Now())
		if errors.Is(err, store.ErrNotFound) {
			return errUnauthenticated
		}
		if err != nil {
			return serverError(err)
		}
		if !s.signInAllowed(u) {
			return errUnauthenticated
		}
		c.Set(ctxUser, u)
		return next(c)
	}
}

// requireRole lets a request through when the user holds any of roles;
// admins may do everything.
func requireRole(roles ...store.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return errUnauthenticated
			}
			if u.HasRole(store.RoleAdmin) {
				return next(c)
			}
			for _, r := range roles {
				if u.HasRole(r) {
					return next(c)
				}
			}
			return errForbidden
		}
	}
}

// actor is the workflow's view of the signed-in user.
func actor(c echo.Context) workflows.Actor {
	u := currentUser(c)
	a := workflows.Actor{Email: u.Email}
	for _, r := range u.Roles {
		a.Roles = append(a.Roles, string(r.Role))
	}
	return a
}

// idParam parses a positive numeric path parameter.
func idParam(c echo.Context, name string) (uint, error) {
	v, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || v == 0 {
		return 0, apiErr(http.StatusNotFound, "not_found", fmt.Sprintf("no %s %q", strings.TrimSuffix(name, "ID"), c.Param(name)))
	}
	return uint(v), nil
}

func isNotFoundErr(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

func sortedIDs(ids []uint) []uint {
	out := append([]uint(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// twoIDs parses the programme ID and a second ID from the path.
func twoIDs(c echo.Context, second string) (uint, uint, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return 0, 0, err
	}
	other, err := idParam(c, second)
	return id, other, err
}

// workflowError maps errors from Temporal to API answers: validator
// rejections keep their reason, unknown programmes are 404.
func workflowError(err error) error {
	if typ, msg, field, ok := workflows.RejectionOf(err); ok {
		switch typ {
		case workflows.ErrTypeForbidden:
			return apiErr(http.StatusForbidden, "forbidden", msg)
		case workflows.ErrTypeNotReady:
			return apiErr(http.StatusConflict, "conflict", msg)
		case workflows.ErrTypeConflict:
			e := apiErr(http.StatusConflict, "conflict", msg)
			if field != "" {
				// The state of this field stands in the way (an open conflict of the roll-out).
				e.Fields = map[string]string{field: msg}
			}
			return e
		case workflows.ErrTypeNotFound:
			return apiErr(http.StatusNotFound, "not_found", msg)
		default:
			if field == "" {
				field = "body"
			}
			return fieldError(field, msg)
		}
	}
	if isNotFoundErr(err) {
		return apiErr(http.StatusNotFound, "not_found", "no such programme")
	}
	if workflows.IsUnavailable(err) {
		return &apiError{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: stepNotRecorded, cause: err}
	}
	var waited *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &waited) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded) {
		return &apiError{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: stepStillRunning, cause: err}
	}
	return serverError(err)
}

// What a step answers when it did not finish in time (see README, Failures).
const (
	stepNotRecorded  = "The step was taken, but recording it did not finish in time; it counts once. Reload in a minute before doing it again."
	stepStillRunning = "The step is still being processed and will apply once. Reload in a minute to see it; do not send it again with a new key."
)

// isAlreadyStarted reports whether starting a workflow failed because its
// ID is taken (running, or closed under the reject-duplicate policy).
func isAlreadyStarted(err error) bool {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &started)
}

// storeError maps store sentinels to API answers.
func storeError(err error, what string) error {
	var invalid *store.InvalidError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apiErr(http.StatusNotFound, "not_found", "no such "+what)
	case errors.Is(err, store.ErrDuplicate):
		return apiErr(http.StatusConflict, "conflict", what+" already exists")
	case errors.As(err, &invalid):
		return fieldError(what, invalid.Reason)
	case errors.Is(err, store.ErrInvalid):
		return fieldError(what, err.Error())
	}
	return serverError(err)
}

// asAPIError is the one mapping from an error to the answer users get:
// the typed errors of this package keep their status and message, Echo's
// own errors (unknown route, body too large) theirs; anything else is a 500.
func asAPIError(err error) *apiError {
	var ae *apiError
	var he *httpError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &he):
		code := "error"
		switch he.status {
		case http.StatusNotFound:
			code = "not_found"
		case http.StatusForbidden:
			code = "forbidden"
		case http.StatusTooManyRequests:
			code = "rate_limited"
		case http.StatusInternalServerError:
			code = "internal"
		}
		return &apiError{Status: he.status, Code: code, Message: he.msg, cause: he.cause}
	case errors.As(err, &ee):
		msg := http.StatusText(ee.Code)
		if m, ok := ee.Message.(string); ok {
			msg = m
		}
		code := strings.ToLower(strings.ReplaceAll(http.StatusText(ee.Code), " ", "_"))
		return &apiError{Status: ee.Code, Code: code, Message: msg, cause: ee.Internal}
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", cause: err}
}

func (s *Server) writeAPIError(c echo.Context, err error) {
	ae := asAPIError(err)
	if ae.Status >= 500 {
		s.logFor(c.Request().Context()).Error("api request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	_ = c.JSON(ae.Status, map[string]any{"error": ae})
}

// sendUpdate sends a validated update to a workflow and decodes its result
// into dst. A closed workflow answers 409 with closedMsg, an unknown one 404.
func (s *Server) sendUpdate(ctx context.Context, workflowID, name string, arg, dst any, closedMsg string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	send := func() error {
		h, err := s.opts.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflowID, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
			UpdateID: updateID(ctx),
		})
		if err == nil {
			err = h.Get(ctx, dst)
		}
		return err
	}
	err := send()
	// A workflow not ready for the step yet (a workshop a moment after its
	// start) takes it shortly: the same update is sent again for a few
	// seconds rather than the person being told to. A rejected update is
	// not recorded, so its ID may be sent again.
	for deadline := time.Now().Add(notReadyPatience); isNotReady(err) && time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return workflowError(err)
		case <-time.After(notReadyPause):
		}
		err = send()
	}
	if isNotFoundErr(err) {
		// Temporal answers NotFound both for an unknown workflow and for one
		// that has closed (before or while the update ran); its description
		// tells them apart.
		d, dErr := s.opts.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
		if isNotFoundErr(dErr) {
			return apiErr(http.StatusNotFound, "not_found", "no such workflow")
		}
		if dErr != nil {
			return serverError(fmt.Errorf("describe %s: %w", workflowID, dErr))
		}
		if d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return apiErr(http.StatusConflict, "conflict", closedMsg)
		}
		return serverError(err)
	}
	if err != nil {
		return workflowError(err)
	}
	return nil
}

// How long and how often sendUpdate sends again an update the workflow is
// not ready for.
const (
	notReadyPatience = 10 * time.Second
	notReadyPause    = 200 * time.Millisecond
)

// isNotReady reports whether a workflow rejected an update only because it
// is still setting up what the update acts on.
func isNotReady(err error) bool {
	typ, _, _, ok := workflows.RejectionOf(err)
	return ok && typ == workflows.ErrTypeNotReady
}

// updateJSON sends an update and answers with the workflow's state as is.
func (s *Server) updateJSON(c echo.Context, workflowID, name string, arg any, closedMsg string) error {
	var st json.RawMessage
	if err := s.sendUpdate(c.Request().Context(), workflowID, name, arg, &st, closedMsg); err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, st)
}

// putSchedule creates the Schedule id, or updates its spec, action and
// paused state in one update so they change together.
func (s *Server) putSchedule(ctx context.Context, id string, spec client.ScheduleSpec, action *client.ScheduleWorkflowAction, paused bool, note string) error {
	h := s.opts.Temporal.ScheduleClient().GetHandle(ctx, id)
	_, err := h.Describe(ctx)
	if isNotFoundErr(err) {
		_, err = s.opts.Temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
			ID: id, Spec: spec, Action: action, Paused: paused, Overlap: enums.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL, Note: note,
		})
		if err != nil {
			return serverError(fmt.Errorf("create schedule %s: %w", id, err))
		}
		return nil
	}
	if err != nil {
		return serverError(fmt.Errorf("describe schedule %s: %w", id, err))
	}
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		sch := in.Description.Schedule
		sch.Spec, sch.Action = &spec, action
		state := *sch.State
		state.Paused, state.Note = paused, note
		sch.State = &state
		return &client.ScheduleUpdate{Schedule: &sch}, nil
	}})
	if err != nil {
		return serverError(fmt.Errorf("update schedule %s: %w", id, err))
	}
	return nil
}
