package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestProgrammePageShowsTheAuditTrailByPages: a programme that gathered
// more audit entries than a page lists shows the newest 25 first, says how
// many there are, and pages back through the older ones; a page number
// that is not one is refused at its parameter, one past the end says so
// and leads back.
func TestProgrammePageShowsTheAuditTrailByPages(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	lead := "lead@" + store.DemoDomain
	p, err := f.store.CreateProgramme(ctx, "Lange Geschichte", lead, now)
	if err != nil {
		t.Fatal(err)
	}
	const entries = 60
	for seq := 1; seq <= entries; seq++ {
		err := f.store.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
			Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: lead, Status: "active", CurrentPhase: "strategy", StartDate: now},
			Phases: []store.ProgrammePhase{{ProgrammeID: p.ID, Phase: "strategy", Position: 1, Gate: true, Status: "in_progress",
				Due: now.Add(30 * 24 * time.Hour), Responsible: lead}},
			Event: store.ProgrammeEvent{ProgrammeID: p.ID, Seq: seq, Kind: "reminder", Phase: "strategy", Actor: "kamflow",
				Comment: fmt.Sprintf("entry %02d of the trail", seq), At: now.Add(time.Duration(seq) * time.Minute)},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.login(lead, store.DemoPassword)
	shown := func(page string) []int {
		var out []int
		for seq := 1; seq <= entries; seq++ {
			if strings.Contains(page, fmt.Sprintf("entry %02d of the trail", seq)) {
				out = append(out, seq)
			}
		}
		return out
	}
	path := fmt.Sprintf("/programmes/%d", p.ID)

	code, page := f.get(path)
	if code != http.StatusOK {
		t.Fatalf("programme page = %d:\n%s", code, page)
	}
	if got := shown(page); len(got) != 25 || got[0] != 36 || got[24] != 60 {
		t.Fatalf("first page shows entries %v; want the newest 25 (36–60)", got)
	}
	if strings.Index(page, "entry 60 of the trail") > strings.Index(page, "entry 59 of the trail") {
		t.Error("the newest entry should come first")
	}
	if !strings.Contains(page, "60 in all") || !strings.Contains(page, `href="`+path+`?events=2#audit-trail" rel="next"`) {
		t.Errorf("first page should count the 60 entries and link to the older ones:\n%s", page[strings.Index(page, `id="audit-trail"`):])
	}

	// A notice of what a form just did is not carried to the older pages.
	if _, page = f.get(path + "?done=phase-approved"); !strings.Contains(page, `href="`+path+`?events=2#audit-trail" rel="next"`) {
		t.Errorf("after a form's redirect, the pager should lead to ?events=2 alone:\n%s", page[strings.Index(page, `id="audit-trail"`):])
	}

	code, page = f.get(path + "?events=3")
	if got := shown(page); code != http.StatusOK || len(got) != 10 || got[0] != 1 || got[9] != 10 {
		t.Fatalf("third page = %d with entries %v; want the oldest 10 (1–10)", code, got)
	}
	if !strings.Contains(page, `href="`+path+`?events=2#audit-trail" rel="prev"`) || strings.Contains(page, `rel="next"`) {
		t.Error("the last page should lead back and not further")
	}

	code, page = f.get(path + "?events=9")
	if code != http.StatusOK || len(shown(page)) != 0 || !strings.Contains(page, "No entries on this page.") ||
		!strings.Contains(page, `href="`+path+`?events=3#audit-trail" rel="prev"`) {
		t.Errorf("a page past the end = %d; want it said, with the way back to the last page", code)
	}

	code, page = f.get(path + "?events=older")
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "events must be a whole number from 1") {
		t.Errorf("events=older = %d; want 422 naming the parameter:\n%s", code, page)
	}
}
