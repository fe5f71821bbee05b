package worker_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/kamflow/kamflow/worker"
)

// TestReplayGoldenHistories replays every recorded history against the
// current workflow code: a change that would break running workflows fails
// here. Never regenerate a file to make this pass; put the change behind
// workflow.GetVersion and record a new history beside the old ones.
func TestReplayGoldenHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden histories in testdata/histories")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(r)
			logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err := r.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}

// TestEveryWorkflowTypeHasAGoldenHistory keeps new workflow types honest:
// every type the worker registers needs a golden history, matched by the
// workflow type the history's first event started, not by file name.
func TestEveryWorkflowTypeHasAGoldenHistory(t *testing.T) {
	var reg typeRegistry
	worker.RegisterWorkflows(&reg)
	if len(reg.names) == 0 {
		t.Fatal("RegisterWorkflows registered no workflow type")
	}
	files, err := filepath.Glob(filepath.Join("..", "testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string][]string{}
	for _, f := range files {
		typ, err := startedType(f)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		covered[typ] = append(covered[typ], filepath.Base(f))
	}
	for _, name := range reg.names {
		if len(covered[name]) == 0 {
			t.Errorf("no golden history starts workflow type %s", name)
		}
	}
}

// startedType reads the workflow type of a history's
// WorkflowExecutionStarted event.
func startedType(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var h historypb.History
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &h); err != nil {
		return "", fmt.Errorf("not a history: %w", err)
	}
	for _, ev := range h.GetEvents() {
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED {
			return ev.GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName(), nil
		}
	}
	return "", errors.New("no WorkflowExecutionStarted event")
}

// typeRegistry records the names workflows are registered under.
type typeRegistry struct{ names []string }

func (r *typeRegistry) RegisterWorkflow(w any) {
	r.names = append(r.names, runtime.FuncForPC(reflect.ValueOf(w).Pointer()).Name())
}

func (r *typeRegistry) RegisterWorkflowWithOptions(w any, opts workflow.RegisterOptions) {
	if opts.Name == "" {
		r.RegisterWorkflow(w)
		return
	}
	r.names = append(r.names, opts.Name)
}

func (r *typeRegistry) RegisterDynamicWorkflow(any, workflow.DynamicRegisterOptions) {}
