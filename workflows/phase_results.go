package workflows

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ResultPart is one part of a phase's result that the domain names
// (DOMAIN.md, "The programme"): the page and the API ask for each, and
// ComposeResult makes the phase's result text of them.
type ResultPart struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Optional parts may stay empty.
	Optional bool `json:"optional,omitempty"`
}

// resultParts are the parts of the phases whose result is more than one
// statement; the others are handed in as text (or by their own records:
// criteria, selection, assignments, the roll-out's record).
var resultParts = map[Phase][]ResultPart{
	PhaseSetup: {
		{Key: "team", Label: "Project team (members of management)"},
		{Key: "goals", Label: "Goals of the introduction"},
		{Key: "milestones", Label: "Milestones and dates"},
		{Key: "notes", Label: "Notes", Optional: true},
	},
	PhaseStrategy: {
		{Key: "corporate_strategy", Label: "Corporate strategy (document or summary)"},
		{Key: "marketing_strategy", Label: "Marketing strategy (document or summary)"},
		{Key: "kam_role", Label: "Role of KAM, derived from them"},
		{Key: "current_service", Label: "How key customers are served today, and where the reserves are"},
		{Key: "notes", Label: "Notes", Optional: true},
	},
	PhaseKAMProfile: {
		{Key: "requirements", Label: "Requirements for a KAM in this company"},
		{Key: "candidate_pool", Label: "Candidate pool"},
		{Key: "notes", Label: "Notes", Optional: true},
	},
}

// ResultParts lists the parts of phase's result, none for a phase handed
// in as text.
func ResultParts(phase Phase) []ResultPart { return resultParts[phase] }

// ComposeResult checks the parts of phase's result (each required one
// given, none unknown; refusals name "parts.<key>") and writes the result:
// each part under its label, in the order of ResultParts.
func ComposeResult(phase Phase, parts map[string]string) (string, error) {
	want := resultParts[phase]
	if len(want) == 0 {
		return "", invalid("parts", fmt.Sprintf("phase %s is handed in as text: send result", phase))
	}
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.ContainsFunc(want, func(p ResultPart) bool { return p.Key == k }) {
			return "", invalid("parts."+k, fmt.Sprintf("%q is not a part of the %s result", k, phase))
		}
	}
	var b strings.Builder
	for _, p := range want {
		v := strings.TrimSpace(parts[p.Key])
		if v == "" && !p.Optional {
			return "", invalid("parts."+p.Key, "describe this part of the result: "+strings.ToLower(p.Label[:1])+p.Label[1:])
		}
		if v == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p.Label + ":\n" + v)
	}
	out := b.String()
	if utf8.RuneCountInString(out) > maxResultLen {
		return "", invalid("parts", fmt.Sprintf("the result is longer than %d characters", maxResultLen))
	}
	return out, nil
}

// ParseResult splits a result ComposeResult wrote back into its parts, so
// a phase sent back is revised from what was handed in; a result written
// as plain text comes back whole as its notes (or first part).
func ParseResult(phase Phase, result string) map[string]string {
	want := resultParts[phase]
	out := map[string]string{}
	if len(want) == 0 || strings.TrimSpace(result) == "" {
		return out
	}
	byHeading := map[string]string{}
	for _, p := range want {
		byHeading[p.Label+":"] = p.Key
	}
	current := ""
	var lines []string
	flush := func() {
		if current != "" {
			out[current] = strings.TrimSpace(strings.Join(lines, "\n"))
		}
		lines = nil
	}
	for _, line := range strings.Split(result, "\n") {
		if key, ok := byHeading[line]; ok {
			flush()
			current = key
			continue
		}
		if current == "" && strings.TrimSpace(line) != "" {
			// Text before any heading: not written by ComposeResult.
			last := want[len(want)-1]
			if !last.Optional {
				last = want[0]
			}
			return map[string]string{last.Key: strings.TrimSpace(result)}
		}
		lines = append(lines, line)
	}
	flush()
	return out
}
