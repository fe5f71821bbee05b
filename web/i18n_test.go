package web

import (
	"io/fs"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// TestGermanCoversTemplates fails when a template text or a vocabulary
// word the templates translate has no German translation.
func TestGermanCoversTemplates(t *testing.T) {
	literal := regexp.MustCompile(`\{\{t ("(?:[^"\\]|\\.)*")\}\}`)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, n := range names {
		b, _ := fs.ReadFile(templateFS, n)
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			k, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("%s: %s: %v", n, m[1], err)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) < 200 {
		t.Fatalf("found only %d texts; is the pattern still right?", len(keys))
	}
	for _, r := range store.Roles() {
		keys = append(keys, string(r))
	}
	for _, l := range store.HierarchyLevels() {
		keys = append(keys, l.Label())
	}
	for _, p := range workflows.Phases() {
		keys = append(keys, phaseTitle(string(p)))
	}
	for _, s := range []workflows.PhaseStatus{workflows.PhasePending, workflows.PhaseInProgress, workflows.PhaseSubmitted, workflows.PhaseDone} {
		keys = append(keys, string(s))
	}
	for _, s := range []workflows.ProgrammeStatus{workflows.StatusActive, workflows.StatusPaused, workflows.StatusCompleted, workflows.StatusCancelled} {
		keys = append(keys, string(s))
	}
	keys = append(keys, workflows.EventCreated, workflows.EventPhaseStarted, workflows.EventSubmitted, workflows.EventApproved, workflows.EventRejected,
		workflows.EventPhaseCompleted, workflows.EventPaused, workflows.EventResumed, workflows.EventReplanned, workflows.EventCancelled,
		workflows.EventCompleted, workflows.EventCriteriaSet, workflows.EventSelection, workflows.EventDecided, workflows.EventAssigned,
		workflows.EventTrained, workflows.EventException, workflows.EventPlanApproved, workflows.EventReminder, workflows.EventOverdue,
		workflows.WorkshopPlanning, workflows.WorkshopInvited, workflows.WorkshopMinuted, workflows.WorkshopClosed,
		customerImport.Title, contactImport.Title, "low", "medium", "high")
	for _, k := range keys {
		if _, ok := german[k]; !ok {
			t.Errorf("no German for %q", k)
		}
	}
}

func TestLanguageFromAcceptLanguage(t *testing.T) {
	for header, want := range map[string]lang{
		"":                          langEN,
		"de-CH,de;q=0.9,en;q=0.8":   langDE,
		"en-GB, de;q=0.9":           langEN,
		"fr, de;q=0.5, en;q=0.4":    langDE,
		"fr, it":                    langEN,
		"de;q=x, en":                langEN,
		"DE":                        langDE,
		"en;q=0.2, de;q=0.7, *;q=1": langDE,
	} {
		if got := fromAcceptLanguage(header); got != want {
			t.Errorf("Accept-Language %q = %s, want %s", header, got, want)
		}
	}
}

func TestNumbersAndDatesPerLanguage(t *testing.T) {
	day := time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC)
	if got := langDE.formatDate(day); got != "05.03.2026" {
		t.Errorf("German date = %q", got)
	}
	if got := langEN.formatDate(day); got != "5 Mar 2026" {
		t.Errorf("English date = %q", got)
	}
	if langEN.formatDate(time.Time{}) != "" {
		t.Error("zero date not empty")
	}
	cases := []struct {
		l    lang
		v    any
		dec  int
		want string
	}{
		{langEN, int64(4800000), 0, "4,800,000"},
		{langDE, int64(4800000), 0, "4.800.000"},
		{langDE, 18.5, 1, "18,5"},
		{langEN, 18.5, 1, "18.5"},
		{langEN, 22.0, 1, "22"},
		{langDE, -1234.56, 1, "-1.234,6"},
		{langEN, 999, 0, "999"},
		{langEN, -0.01, 1, "0"},
		{langEN, "text", 0, ""},
	}
	for _, c := range cases {
		if got := c.l.formatNumber(c.v, c.dec); got != c.want {
			t.Errorf("%s formatNumber(%v, %d) = %q, want %q", c.l, c.v, c.dec, got, c.want)
		}
	}
}
