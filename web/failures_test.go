package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kamflow/kamflow/workflows"
)

// TestUpdateOutOfTimeAnswers503WithRetryAfter: an update whose activity ran
// out of its bound, and one the web gave up waiting for, answer 503 with
// Retry-After and say what happened to the step.
func TestUpdateOutOfTimeAnswers503WithRetryAfter(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e := echo.New()
	for _, c := range []struct {
		name    string
		err     error
		message string
	}{
		{"activity out of time", fmt.Errorf("update submit: %w",
			temporal.NewNonRetryableApplicationError("the step was taken", workflows.ErrTypeUnavailable, nil)), stepNotRecorded},
		{"web stopped waiting", client.NewWorkflowUpdateServiceTimeoutOrCanceledError(context.DeadlineExceeded), stepStillRunning},
		{"context deadline", fmt.Errorf("get update: %w", context.DeadlineExceeded), stepStillRunning},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			ctx := e.NewContext(httptest.NewRequest(http.MethodPost, "/api/v1/programmes/1/phases/setup/submit", nil), rec)
			s.handleError(workflowError(c.err), ctx)
			var body struct {
				Error apiError `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || body.Error.Message != c.message {
				t.Errorf("answer = %d, Retry-After %q, %q; want 503 with Retry-After and %q", rec.Code, rec.Header().Get("Retry-After"), body.Error.Message, c.message)
			}
		})
	}
}
