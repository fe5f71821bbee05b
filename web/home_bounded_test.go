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

// TestStartPageOfEveryRole: someone who holds every role sees, on one start
// page, each role's section with its own rows: the approvals she is asked
// for, the plans she may decide, the sessions with free seats and the KAMs
// programmes wait for, the reviews and cadences with their programmes'
// names, her key accounts and actions, and My work's summary. The page
// reads its sections at once; CI runs this under the race detector.
func TestStartPageOfEveryRole(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	email := "kam@" + store.DemoDomain
	me, err := f.store.UserByEmail(ctx, email)
	if err != nil || me.EmployeeID == nil {
		t.Fatalf("demo KAM: %v", err)
	}
	err = f.store.UpdateUser(ctx, store.UserChange{ID: me.ID, Name: me.Name, EmployeeID: me.EmployeeID,
		Roles: []store.Role{store.RoleLead, store.RoleCommittee, store.RoleHR, store.RoleController, store.RoleKAM}})
	if err != nil {
		t.Fatal(err)
	}

	cu := &store.Customer{Name: "Allrollen AG"}
	if err := f.store.CreateCustomer(ctx, cu); err != nil {
		t.Fatal(err)
	}
	p, err := f.store.CreateProgramme(ctx, "Alle Rollen", email, now)
	if err != nil {
		t.Fatal(err)
	}
	submitted := now.Add(-time.Hour)
	err = f.store.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
		Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: email, Status: "active", CurrentPhase: "training"},
		Phases: []store.ProgrammePhase{{ProgrammeID: p.ID, Phase: "training", Position: 8, Gate: true, Status: "submitted",
			Due: now.Add(30 * 24 * time.Hour), SubmittedBy: email, SubmittedAt: &submitted}},
		Committee:   []string{email},
		Assignments: []store.ProgrammeAssignment{{CustomerID: cu.ID, KAMEmployeeID: *me.EmployeeID}},
		Event:       store.ProgrammeEvent{ProgrammeID: p.ID, Seq: 1, Kind: "x", Actor: email, At: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	review, err := f.store.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: "review-every-role", ControllerEmail: email, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SaveCadence(ctx, store.ReviewCadence{ProgrammeID: p.ID, Cadence: "quarterly", StartDate: now, ControllerEmail: email}); err != nil {
		t.Fatal(err)
	}
	course := &store.Course{Title: "KAM-Grundkurs", DurationDays: 1, RequiredKAM: true}
	if err := f.store.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	start := now.Add(72 * time.Hour).Truncate(time.Hour)
	if err := f.store.SaveSession(ctx, &store.TrainingSession{CourseID: course.ID, StartsAt: start, EndsAt: start.Add(8 * time.Hour), Capacity: 7, Place: "Schulungsraum Nord"}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ConfirmKeyAccounts(ctx, p.ID, []uint{cu.ID}, now); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AssignKeyAccount(ctx, p.ID, cu.ID, *me.EmployeeID, nil); err != nil {
		t.Fatal(err)
	}
	accounts, err := f.store.KeyAccounts(ctx, p.ID)
	if err != nil || len(accounts) != 1 {
		t.Fatalf("key accounts: %v %v", accounts, err)
	}
	if _, err := f.store.AddActions(ctx, []store.Action{{IdemKey: "every-role", KeyAccountID: accounts[0].ID, Source: "plan", SourceID: 1,
		Title: "Besuch beim Einkauf planen", OwnerEmail: email, Due: now.Add(-24 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}

	f.login(email, store.DemoPassword)
	code, body := f.get("/")
	if code != http.StatusOK {
		t.Fatalf("start page = %d:\n%s", code, body)
	}
	for _, want := range []string{
		fmt.Sprintf(`<tr id="approval-%d-training">`, p.ID),                                             // committee
		`<h2 id="plans-waiting">`,                                                                       // deciding plans
		"Schulungsraum Nord</td><td>7 of 7</td>",                                                        // HR: free seats
		fmt.Sprintf(`<tr id="waiting-%d-%d">`, p.ID, *me.EmployeeID),                                    // HR: KAMs waited for
		fmt.Sprintf(`<tr id="review-%d"><td><a href="/programmes/%d">Alle Rollen</a>`, review.ID, p.ID), // controller, with the name
		fmt.Sprintf(`<li id="cadence-%d"><a href="/programmes/%d">Alle Rollen</a>`, p.ID, p.ID),
		"Allrollen AG",               // KAM: her account
		"Besuch beim Einkauf planen", // KAM: her action
		`<a href="/programmes/` + fmt.Sprint(p.ID) + `">Alle Rollen</a></td><td>` + email, // the programmes
	} {
		if !strings.Contains(body, want) {
			t.Errorf("start page lacks %s", want)
		}
	}
	// My work counts the gate to decide and the overdue action.
	if !strings.Contains(body, `<p>2 waiting for you · <strong class="error">1 overdue</strong></p>`) {
		t.Errorf("My work's summary does not count the gate and the overdue action")
	}
	if t.Failed() {
		t.Logf("start page:\n%s", body)
	}
}

// TestHRStartPageCountsSessionsWithFreeSeatsUpToAHundred: HR's start page
// lists the first 20 upcoming sessions with a free seat, each linking to
// its session, and says how many there are: exactly up to a hundred, then
// "over 100", with the training page that lists them all.
func TestHRStartPageCountsSessionsWithFreeSeatsUpToAHundred(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	course := &store.Course{Title: "Verhandeln mit Einkäufern", DurationDays: 1}
	if err := f.store.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	first := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	var firstID uint
	addSessions := func(from, to int) {
		for i := from; i < to; i++ {
			start := first.Add(time.Duration(i) * 24 * time.Hour)
			ts := &store.TrainingSession{CourseID: course.ID, StartsAt: start, EndsAt: start.Add(8 * time.Hour), Capacity: 8, Place: fmt.Sprintf("Raum %03d", i)}
			if err := f.store.SaveSession(ctx, ts); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				firstID = ts.ID
			}
		}
	}
	addSessions(0, 25)
	f.login("hr@"+store.DemoDomain, store.DemoPassword)
	code, body := f.get("/")
	if code != http.StatusOK || strings.Count(body, "Verhandeln mit Einkäufern</a>") != 20 ||
		!strings.Contains(body, fmt.Sprintf(`<a href="/training/sessions/%d">Verhandeln mit Einkäufern</a></td>`, firstID)) ||
		!strings.Contains(body, `25 in all; the training page lists them. <a href="/training">`) || strings.Contains(body, "Raum 020") {
		t.Fatalf("HR's start page with 25 sessions = %d, want the first 20 linked and the count 25:\n%s", code, body)
	}
	addSessions(25, 101)
	code, body = f.get("/")
	if code != http.StatusOK || strings.Count(body, "Verhandeln mit Einkäufern</a>") != 20 ||
		!strings.Contains(body, `over 100 in all; the training page lists them. <a href="/training">`) {
		t.Fatalf("HR's start page with 101 sessions = %d, want the first 20 and over 100:\n%s", code, body)
	}
}
