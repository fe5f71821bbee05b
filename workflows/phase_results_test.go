package workflows_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/workflows"
)

// TestPhaseResultsFromTheirParts: set-up, strategy and KAM profile are
// handed in part by part; a missing or unknown part is refused by name,
// and a result sent back splits into its parts again for the revision.
func TestPhaseResultsFromTheirParts(t *testing.T) {
	parts := map[string]string{
		"corporate_strategy": "Group strategy 2030 (intranet: /strategy/2030.pdf)",
		"marketing_strategy": "Focus on regulated industries",
		"kam_role":           "KAM owns the relationship\nand the account's results",
		"current_service":    "Sales heads serve the top 10 ad hoc; reserves in service and cross-selling",
	}
	result, err := workflows.ComposeResult(workflows.PhaseStrategy, parts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(result, "Corporate strategy (document or summary):\nGroup strategy 2030") ||
		!strings.Contains(result, "\n\nRole of KAM, derived from them:\nKAM owns the relationship\nand the account's results") || strings.Contains(result, "Notes:") {
		t.Errorf("composed strategy =\n%s", result)
	}
	if back := workflows.ParseResult(workflows.PhaseStrategy, result); !reflect.DeepEqual(back, parts) {
		t.Errorf("parsed back = %v, want %v", back, parts)
	}
	if back := workflows.ParseResult(workflows.PhaseStrategy, "typed before parts existed"); back["notes"] != "typed before parts existed" || len(back) != 1 {
		t.Errorf("plain text parsed = %v, want it as the notes", back)
	}
	for _, c := range []struct {
		phase workflows.Phase
		parts map[string]string
		field string
	}{
		{workflows.PhaseSetup, map[string]string{"team": "CEO, CFO", "goals": " "}, "parts.goals"},
		{workflows.PhaseKAMProfile, map[string]string{"requirements": "x", "candidate_pool": "y", "salary": "z"}, "parts.salary"},
		{workflows.PhaseCriteria, map[string]string{"notes": "x"}, "parts"},
	} {
		_, err := workflows.ComposeResult(c.phase, c.parts)
		if typ, _, field, ok := workflows.RejectionOf(err); !ok || typ != workflows.ErrTypeInvalid || field != c.field {
			t.Errorf("%s %v: %v (field %q), want invalid %s", c.phase, c.parts, err, field, c.field)
		}
	}
}
