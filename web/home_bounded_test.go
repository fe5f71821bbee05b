package web_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestStartPagesShowTheFirstApprovalsAndReviewsWithTheirCount: with more
// approvals, open reviews and cadences than a start page lists, the
// committee member and the controller see the first 20 of each and how
// many there are in all, with the page that lists the rest.
func TestStartPagesShowTheFirstApprovalsAndReviewsWithTheirCount(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	const many = 25 // more than a start page lists (20)
	committee, controller := "committee@"+store.DemoDomain, "controller@"+store.DemoDomain
	now := time.Now().UTC().Truncate(time.Second)
	for i := range many {
		p, err := f.store.CreateProgramme(ctx, fmt.Sprintf("Programm %02d", i), "lead@"+store.DemoDomain, now)
		if err != nil {
			t.Fatal(err)
		}
		submitted := now.Add(time.Duration(i) * time.Minute)
		err = f.store.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
			Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: "active", CurrentPhase: "strategy"},
			Phases: []store.ProgrammePhase{{ProgrammeID: p.ID, Phase: "strategy", Position: 2, Gate: true, Status: "submitted",
				Due: now.Add(30 * 24 * time.Hour), SubmittedBy: "lead@" + store.DemoDomain, SubmittedAt: &submitted}},
			Committee: []string{committee},
			Event:     store.ProgrammeEvent{ProgrammeID: p.ID, Seq: 1, Kind: "x", Actor: "lead@" + store.DemoDomain, At: now},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: fmt.Sprintf("review-%d", p.ID), ControllerEmail: controller, Now: now}); err != nil {
			t.Fatal(err)
		}
		if err := f.store.SaveCadence(ctx, store.ReviewCadence{ProgrammeID: p.ID, Cadence: "quarterly", StartDate: now, ControllerEmail: controller}); err != nil {
			t.Fatal(err)
		}
	}

	f.login(committee, store.DemoPassword)
	code, body := f.get("/")
	if code != http.StatusOK || strings.Count(body, `<tr id="approval-`) != 20 || !strings.Contains(body, fmt.Sprintf("%d in all; My work lists them.", many)) {
		t.Fatalf("committee's start page = %d with %d approvals, want the first 20 and the count %d:\n%s", code, strings.Count(body, `<tr id="approval-`), many, body)
	}
	f.http.Jar, _ = cookiejar.New(nil) // signed out

	f.login(controller, store.DemoPassword)
	code, body = f.get("/")
	if code != http.StatusOK || strings.Count(body, `<tr id="review-`) != 20 || strings.Count(body, `<li id="cadence-`) != 20 ||
		!strings.Contains(body, fmt.Sprintf(`%d in all; the reviews page lists them. <a href="/reviews" id="reviews-more">`, many)) ||
		!strings.Contains(body, fmt.Sprintf(`%d in all; the reviews page lists them. <a href="/reviews" id="cadences-more">`, many)) {
		t.Fatalf("controller's start page = %d with %d reviews and %d cadences, want 20 of each and the counts %d:\n%s", code,
			strings.Count(body, `<tr id="review-`), strings.Count(body, `<li id="cadence-`), many, body)
	}
	code, body = f.get("/reviews")
	if code != http.StatusOK || strings.Count(body, fmt.Sprintf("Programm %02d", many-1)) == 0 || strings.Count(body, "Programm 00") == 0 {
		t.Fatalf("reviews page = %d, want every programme's review and cadence:\n%.500s", code, body)
	}
}
