package workflows_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/kamflow/kamflow/workflows"
)

// quietEnv is a test environment starting at start, without log noise.
func quietEnv(start time.Time) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	return env
}

// expectUpdate sends an update that must be accepted (wantType "") or
// rejected with wantType on wantField, and must not fail once accepted.
func expectUpdate(t *testing.T, env *testsuite.TestWorkflowEnvironment, id, name string, arg any, wantType, wantField string) {
	t.Helper()
	env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
		OnAccept: func() {
			if wantType != "" {
				t.Errorf("%s %+v accepted at %s, want %s", name, arg, env.Now(), wantType)
			}
		},
		OnReject: func(err error) {
			// An untyped rejection ("" from RejectionOf) is never what an
			// accepting test (wantType "") expected.
			typ, _, f, ok := workflows.RejectionOf(err)
			if wantType == "" || !ok || typ != wantType || f != wantField {
				t.Errorf("%s %+v rejected: %v, want %s %q", name, arg, err, wantType, wantField)
			}
		},
		OnComplete: func(_ any, err error) {
			if err != nil {
				t.Errorf("%s failed: %v", name, err)
			}
		},
	}, arg)
}
