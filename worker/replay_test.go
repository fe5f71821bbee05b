package worker_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

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

// TestEveryWorkflowTypeHasAGoldenHistory keeps new workflow types honest.
func TestEveryWorkflowTypeHasAGoldenHistory(t *testing.T) {
	for _, prefix := range []string{"programme-", "training-", "review-", "handover-", "workshop-", "plan-", "jourfixe-"} {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", "histories", prefix+"*.json"))
		if len(files) == 0 {
			t.Errorf("no golden history for %s*", prefix)
		}
	}
}
