package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/store"
)

// TestBrowserAuditTrailPagesBack: in Chromium, the lead of a programme
// whose history is longer than a page reads its audit trail newest first,
// sees how many entries there are, follows "next" to the oldest entry and
// "previous" back to the newest.
func TestBrowserAuditTrailPagesBack(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	ctx := context.Background()
	lead := "lead@" + store.DemoDomain
	now := time.Now().UTC().Truncate(time.Second)
	p, err := e.dev.Store.CreateProgramme(ctx, "Lange Geschichte", lead, now)
	if err != nil {
		t.Fatal(err)
	}
	// The record as the programme's workflow writes it, one event at a time.
	const entries = 60
	for seq := 1; seq <= entries; seq++ {
		err := e.dev.Store.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
			Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: lead, Status: "active", CurrentPhase: "strategy", StartDate: now},
			Phases: []store.ProgrammePhase{{ProgrammeID: p.ID, Phase: "strategy", Position: 2, Gate: true, Status: "in_progress",
				Due: now.AddDate(0, 1, 0), Responsible: lead}},
			Event: store.ProgrammeEvent{ProgrammeID: p.ID, Seq: seq, Kind: "reminder", Phase: "strategy", Actor: "kamflow",
				Comment: fmt.Sprintf("entry %02d of the trail", seq), At: now.Add(time.Duration(seq-entries) * time.Minute)},
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	b := newBrowser(t, exe)
	b.signIn(t, e.dev.URL, "lead")
	const rows = `#audit-trail tbody tr`
	var n int
	var first, last, pager string
	read := func(what string, actions ...chromedp.Action) {
		t.Helper()
		actions = append(actions,
			chromedp.WaitVisible(`#audit-trail .pager`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelectorAll('`+rows+`').length`, &n),
			chromedp.Text(rows+`:first-child`, &first, chromedp.ByQuery),
			chromedp.Text(rows+`:last-child`, &last, chromedp.ByQuery),
			chromedp.Text(`#audit-trail .pager`, &pager, chromedp.ByQuery),
		)
		b.run(t, what, actions...)
	}

	read("the programme page", chromedp.Navigate(fmt.Sprintf("%s/programmes/%d", e.dev.URL, p.ID)))
	if n != 25 || !strings.Contains(first, "entry 60 of the trail") || !strings.Contains(last, "entry 36 of the trail") {
		t.Fatalf("first page: %d rows from %q to %q; want 25, newest (60) first, down to 36", n, first, last)
	}
	if !strings.Contains(pager, "60 in all") || !strings.Contains(pager, "page 1 of 3") {
		t.Errorf("the pager says %q; want 60 in all, page 1 of 3", pager)
	}

	read("next page", chromedp.Click(`#audit-trail a[rel="next"]`, chromedp.ByQuery), chromedp.WaitVisible(`#audit-trail a[rel="prev"]`, chromedp.ByQuery))
	read("the oldest page", chromedp.Click(`#audit-trail a[rel="next"]`, chromedp.ByQuery), chromedp.WaitNotPresent(`#audit-trail a[rel="next"]`, chromedp.ByQuery))
	if n != 10 || !strings.Contains(first, "entry 10 of the trail") || !strings.Contains(last, "entry 01 of the trail") || !strings.Contains(pager, "page 3 of 3") {
		t.Fatalf("last page: %d rows from %q to %q, pager %q; want the oldest 10 (10 down to 1) on page 3 of 3", n, first, last, pager)
	}
	var location string
	b.run(t, "the address names the page", chromedp.Location(&location))
	if !strings.Contains(location, "events=3") || !strings.HasSuffix(location, "#audit-trail") {
		t.Errorf("the oldest page's address is %q; want ?events=3 at the audit trail, to link to or reload", location)
	}

	read("back a page", chromedp.Click(`#audit-trail a[rel="prev"]`, chromedp.ByQuery), chromedp.WaitReady(`#audit-trail a[rel="next"]`, chromedp.ByQuery))
	if n != 25 || !strings.Contains(first, "entry 35 of the trail") || !strings.Contains(last, "entry 11 of the trail") {
		t.Fatalf("page 2: %d rows from %q to %q; want 25, from 35 down to 11", n, first, last)
	}
	b.noConsoleErrors(t)
}
