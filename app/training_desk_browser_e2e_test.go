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

// TestBrowserHRPagesTheKAMsProgrammesWaitFor: in Chromium, HR pages
// through the KAMs a running programme waits for on her training desk by
// the list's own "next", and back by "previous".
func TestBrowserHRPagesTheKAMsProgrammesWaitFor(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	ctx := context.Background()
	const waiting = 30
	var assigned []store.ProgrammeAssignment
	for i := range waiting {
		c := &store.Customer{Name: fmt.Sprintf("Wartend %02d AG", i)}
		if err := e.dev.Store.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		emp := &store.Employee{Name: fmt.Sprintf("Wartet %02d", i), Email: fmt.Sprintf("wartet%02d@example.com", i), HierarchyLevel: store.LevelSpecialist, KAMQualified: true}
		if err := e.dev.Store.CreateEmployee(ctx, emp); err != nil {
			t.Fatal(err)
		}
		assigned = append(assigned, store.ProgrammeAssignment{CustomerID: c.ID, KAMEmployeeID: emp.ID})
	}
	// The programme's record as its workflow writes it in the training phase.
	now := time.Now().UTC()
	p, err := e.dev.Store.CreateProgramme(ctx, "Wartet auf Training", "lead@"+store.DemoDomain, now)
	if err != nil {
		t.Fatal(err)
	}
	err = e.dev.Store.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
		Programme:   store.Programme{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: "active", CurrentPhase: "training"},
		Event:       store.ProgrammeEvent{ProgrammeID: p.ID, Seq: 1, Kind: "x", Actor: "lead@" + store.DemoDomain, At: now},
		Assignments: assigned,
	})
	if err != nil {
		t.Fatal(err)
	}

	hr := newBrowser(t, exe)
	hr.signIn(t, e.dev.URL, "hr")
	var first, second string
	var rows int
	hr.run(t, "the desk's first KAMs waiting",
		chromedp.Click(`a[href="/training"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#standing tbody tr`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#standing tbody tr').length`, &rows),
		chromedp.Text(`#standing tbody`, &first, chromedp.ByQuery),
	)
	if rows != 25 || strings.Contains(first, "Wartet 29") {
		t.Fatalf("the desk's first page lists %d KAMs waiting (want 25), the last one among them: %v", rows, strings.Contains(first, "Wartet 29"))
	}
	hr.run(t, "the next page of them",
		chromedp.Click(`#standing a[rel=next]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#standing a[rel=prev]`, chromedp.ByQuery),
		chromedp.Text(`#standing tbody`, &second, chromedp.ByQuery),
	)
	if !strings.Contains(second, "Wartet 29") || strings.Contains(second, "Wartet 00") {
		t.Fatalf("the second page of KAMs waiting = %q, want the last of them and not the first", second)
	}
	hr.run(t, "back to the first page",
		chromedp.Click(`#standing a[rel=prev]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#standing a[rel=prev]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#standing a[rel=next]`, chromedp.ByQuery),
		chromedp.Text(`#standing tbody`, &second, chromedp.ByQuery),
	)
	if second != first {
		t.Fatalf("back on the first page the desk lists %q, want %q", second, first)
	}
	hr.noConsoleErrors(t)
}
