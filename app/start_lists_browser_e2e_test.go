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

// TestBrowserStartPagesLeadToTheRestOfLongLists: in Chromium, with more
// approvals and reviews waiting than a start page lists, the committee
// member and the controller see the first 20 and how many there are, and
// follow the count's link to the page that lists all of them.
func TestBrowserStartPagesLeadToTheRestOfLongLists(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	ctx := context.Background()
	const many = 25
	committee, controller := "committee@"+store.DemoDomain, "controller@"+store.DemoDomain
	now := time.Now().UTC().Truncate(time.Second)
	// The programmes' records as their workflows write them with a gate
	// submitted, and a review gathered for each.
	for i := range many {
		p, err := e.dev.Store.CreateProgramme(ctx, fmt.Sprintf("Langliste %02d", i), "lead@"+store.DemoDomain, now)
		if err != nil {
			t.Fatal(err)
		}
		submitted := now.Add(time.Duration(i-many) * time.Minute)
		err = e.dev.Store.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
			Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: "active", CurrentPhase: "strategy"},
			Phases: []store.ProgrammePhase{{ProgrammeID: p.ID, Phase: "strategy", Position: 2, Gate: true, Status: "submitted",
				Due: now.AddDate(0, 1, 0), SubmittedBy: p.LeadEmail, SubmittedAt: &submitted}},
			Committee: []string{committee},
			Event:     store.ProgrammeEvent{ProgrammeID: p.ID, Seq: 1, Kind: "x", Actor: p.LeadEmail, At: now},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.dev.Store.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: fmt.Sprintf("langliste-review-%d", p.ID), ControllerEmail: controller, Now: now}); err != nil {
			t.Fatal(err)
		}
	}

	member := newBrowser(t, exe)
	member.signIn(t, e.dev.URL, "committee")
	var rows int
	var line, work string
	member.run(t, "the committee's start page",
		chromedp.Navigate(e.dev.URL+"/"),
		chromedp.WaitVisible(`#approvals-more`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('tr[id^="approval-"]').length`, &rows),
		chromedp.Evaluate(`document.querySelector('#approvals-more').closest('td').textContent`, &line),
	)
	if rows != 20 || !strings.Contains(line, fmt.Sprintf("%d in all", many)) {
		t.Fatalf("committee's start page lists %d approvals with %q, want 20 and %d in all", rows, line, many)
	}
	member.run(t, "follow the count to My work",
		chromedp.Click(`#approvals-more`, chromedp.ByQuery),
		chromedp.WaitVisible(`main`, chromedp.ByQuery),
		chromedp.Text(`main`, &work, chromedp.ByQuery),
	)
	if !strings.Contains(work, "Langliste 00") || !strings.Contains(work, fmt.Sprintf("Langliste %02d", many-1)) {
		t.Fatalf("My work after the count's link lists neither the first nor the last gate:\n%s", work)
	}
	member.noConsoleErrors(t)

	ctrl := newBrowser(t, exe)
	ctrl.signIn(t, e.dev.URL, "controller")
	var reviews string
	ctrl.run(t, "the controller's start page",
		chromedp.Navigate(e.dev.URL+"/"),
		chromedp.WaitVisible(`#reviews-more`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('tr[id^="review-"]').length`, &rows),
		chromedp.Evaluate(`document.querySelector('#reviews-more').closest('td').textContent`, &line),
	)
	if rows != 20 || !strings.Contains(line, fmt.Sprintf("%d in all", many)) {
		t.Fatalf("controller's start page lists %d reviews with %q, want 20 and %d in all", rows, line, many)
	}
	ctrl.run(t, "follow the count to the reviews page",
		chromedp.Click(`#reviews-more`, chromedp.ByQuery),
		chromedp.WaitVisible(`main`, chromedp.ByQuery),
		chromedp.Text(`main`, &reviews, chromedp.ByQuery),
	)
	if !strings.Contains(reviews, "Langliste 00") || !strings.Contains(reviews, fmt.Sprintf("Langliste %02d", many-1)) {
		t.Fatalf("the reviews page after the count's link lists neither the first nor the last programme's review:\n%s", reviews)
	}
	ctrl.noConsoleErrors(t)
}

// TestBrowserHRStartPageLeadsToASessionWithFreeSeats: in Chromium, with
// more upcoming sessions with free seats than a start page counts, HR
// sees the first 20, "over 100 in all" with the training page to list
// them, and follows the first session's link to its page, where she
// enrols people.
func TestBrowserHRStartPageLeadsToASessionWithFreeSeats(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	ctx := context.Background()
	course := &store.Course{Title: "Einkäufer verstehen", DurationDays: 1}
	if err := e.dev.Store.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	first := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	var firstID uint
	for i := range 101 {
		start := first.Add(time.Duration(i) * 24 * time.Hour)
		ts := &store.TrainingSession{CourseID: course.ID, StartsAt: start, EndsAt: start.Add(8 * time.Hour), Capacity: 6, Place: fmt.Sprintf("Saal %03d", i)}
		if err := e.dev.Store.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			firstID = ts.ID
		}
	}

	hr := newBrowser(t, exe)
	hr.signIn(t, e.dev.URL, "hr")
	var rows int
	var counts, place, location string
	hr.run(t, "HR's start page",
		chromedp.Navigate(e.dev.URL+"/"),
		chromedp.WaitVisible(`//h3[contains(., "Upcoming sessions with free seats")]`, chromedp.BySearch),
		chromedp.Evaluate(`document.querySelectorAll('a[href^="/training/sessions/"]').length`, &rows),
		chromedp.Evaluate(`[...document.querySelectorAll('td.muted')].map(td => td.textContent).join(' | ')`, &counts),
	)
	if rows < 20 || !strings.Contains(counts, "over 100 in all; the training page lists them.") {
		t.Fatalf("HR's start page links %d sessions with %q; want the first 20 and over 100 in all", rows, counts)
	}
	hr.run(t, "follow the first session",
		chromedp.Click(fmt.Sprintf(`a[href="/training/sessions/%d"]`, firstID), chromedp.ByQuery),
		chromedp.WaitVisible(`main`, chromedp.ByQuery),
		chromedp.Location(&location),
		chromedp.Text(`main`, &place, chromedp.ByQuery),
	)
	if !strings.HasSuffix(location, fmt.Sprintf("/training/sessions/%d", firstID)) || !strings.Contains(place, "Saal 000") {
		t.Fatalf("the first session's link led to %s showing:\n%s", location, place)
	}
	hr.noConsoleErrors(t)
}
