package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// deskSessions is how many upcoming sessions HR's desk lists at a time.
const deskSessions = 25

// TestTrainingDeskPagesUpcomingSessions: HR's desk lists the upcoming
// sessions deskSessions at a time, soonest first, with how many
// there are and a link to the next page; a bad page number is a 422.
func TestTrainingDeskPagesUpcomingSessions(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	course := &store.Course{Title: "KAM Basics", DurationDays: 1, RequiredKAM: true}
	if err := f.store.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	var ids []uint
	for i := 0; i < deskSessions+1; i++ {
		ts := &store.TrainingSession{CourseID: course.ID, StartsAt: start.AddDate(0, 0, i), EndsAt: start.AddDate(0, 0, i).Add(8 * time.Hour), Capacity: 5, Place: "Raum"}
		if err := f.store.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ts.ID)
	}
	f.login("hr@"+store.DemoDomain, store.DemoPassword)
	code, body := f.get("/training")
	last := fmt.Sprintf(`id="session-%d"`, ids[len(ids)-1])
	if code != http.StatusOK || strings.Count(body, `<tr id="session-`) != deskSessions || !strings.Contains(body, fmt.Sprintf(`id="session-%d"`, ids[0])) ||
		strings.Contains(body, last) || !strings.Contains(body, "page 1 of 2") || !strings.Contains(body, `href="/training?page=2"`) {
		t.Fatalf("desk page 1 = %d with %d sessions, want the %d soonest and a link to page 2:\n%s", code, strings.Count(body, `<tr id="session-`), deskSessions, body)
	}
	if code, body = f.get("/training?page=2"); code != http.StatusOK || strings.Count(body, `<tr id="session-`) != 1 || !strings.Contains(body, last) {
		t.Fatalf("desk page 2 = %d, want the last session alone:\n%s", code, body)
	}
	if code, body = f.get("/training?page=x"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "page") {
		t.Fatalf("bad page = %d:\n%.300s", code, body)
	}
}

// TestTrainingDeskPagesTheKAMsProgrammesWaitFor: the KAMs running
// programmes wait for are listed a page at a time (?standing=), keeping the
// sessions' page; the start page shows the first and how many in all; a
// bad standing page is a 422 naming it.
func TestTrainingDeskPagesTheKAMsProgrammesWaitFor(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	const waiting = 30 // more than a page of the desk (25) and of the start page (20)
	var assigned []store.ProgrammeAssignment
	for i, e := range newKAMs(t, f, waiting) {
		c := &store.Customer{Name: fmt.Sprintf("Wartend %02d AG", i)}
		if err := f.store.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		assigned = append(assigned, store.ProgrammeAssignment{CustomerID: c.ID, KAMEmployeeID: e.ID})
	}
	now := time.Now().UTC()
	p, err := f.store.CreateProgramme(ctx, "Wartet auf Training", "lead@"+store.DemoDomain, now)
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
		Programme:   store.Programme{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: "active", CurrentPhase: "training"},
		Event:       store.ProgrammeEvent{ProgrammeID: p.ID, Seq: 1, Kind: "x", Actor: "lead@" + store.DemoDomain, At: now},
		Assignments: assigned,
	})
	if err != nil {
		t.Fatal(err)
	}
	row := func(i int) string { return fmt.Sprintf(`id="standing-%d-%d"`, p.ID, assigned[i].KAMEmployeeID) }
	f.login("hr@"+store.DemoDomain, store.DemoPassword)
	code, body := f.get("/training")
	if code != http.StatusOK || strings.Count(body, `<tr id="standing-`) != 25 || !strings.Contains(body, row(0)) || strings.Contains(body, row(25)) ||
		!strings.Contains(body, `href="/training?standing=2#standing"`) {
		t.Fatalf("desk = %d with %d waiting KAMs, want the first 25 by name and a link to the rest:\n%s", code, strings.Count(body, `<tr id="standing-`), body)
	}
	code, body = f.get("/training?page=1&standing=2")
	if code != http.StatusOK || strings.Count(body, `<tr id="standing-`) != waiting-25 || !strings.Contains(body, row(25)) || !strings.Contains(body, row(waiting-1)) {
		t.Fatalf("desk, second page of KAMs = %d with %d:\n%s", code, strings.Count(body, `<tr id="standing-`), body)
	}
	if code, body = f.get("/training?standing=0"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "standing must be a whole number from 1") {
		t.Fatalf("bad standing page = %d:\n%.300s", code, body)
	}
	code, body = f.get("/")
	if code != http.StatusOK || strings.Count(body, `<tr id="waiting-`) != 20 || !strings.Contains(body, fmt.Sprintf("%d in all", waiting)) {
		t.Fatalf("HR's start page = %d with %d waiting KAMs, want 20 and the count %d:\n%s", code, strings.Count(body, `<tr id="waiting-`), waiting, body)
	}
}

// newKAMs creates n KAM-qualified employees, "KAM 00" onwards.
func newKAMs(t *testing.T, f *fixture, n int) []store.Employee {
	t.Helper()
	out := make([]store.Employee, n)
	for i := range out {
		out[i] = store.Employee{Name: fmt.Sprintf("KAM %02d", i), Email: fmt.Sprintf("kam%02d@example.com", i), HierarchyLevel: store.LevelSpecialist, KAMQualified: true}
		if err := f.store.CreateEmployee(t.Context(), &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestTrainingDeskPagesAttendance: the places of sessions that have
// started wait for HR to record attendance 25 at a time (?attendance=),
// and the attendance recorded lately likewise (?recorded=); each list's
// links keep the others' pages.
func TestTrainingDeskPagesAttendance(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	course := &store.Course{Title: "KAM Basics", DurationDays: 1, RequiredKAM: true}
	if err := f.store.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	const places = 30
	start := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)
	ts := &store.TrainingSession{CourseID: course.ID, StartsAt: start, EndsAt: start.Add(8 * time.Hour), Capacity: places, Place: "Raum"}
	if err := f.store.SaveSession(ctx, ts); err != nil {
		t.Fatal(err)
	}
	var enrolments []uint
	for _, e := range newKAMs(t, f, places) {
		en, err := f.store.Enrol(ctx, ts.ID, e.ID, nil, "hr@"+store.DemoDomain, start.Add(-24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		enrolments = append(enrolments, en.ID)
	}
	f.login("hr@"+store.DemoDomain, store.DemoPassword)
	awaiting := func(body string) int { return strings.Count(body, `<tr id="enrolment-`) }
	code, body := f.get("/training")
	if code != http.StatusOK || awaiting(body) != 25 || !strings.Contains(body, fmt.Sprintf(`id="enrolment-%d"`, enrolments[0])) ||
		!strings.Contains(body, `href="/training?attendance=2#attendance"`) {
		t.Fatalf("desk = %d with %d places awaiting attendance, want the first 25 and a link to the rest:\n%s", code, awaiting(body), body)
	}
	code, body = f.get("/training?attendance=2&standing=3")
	if code != http.StatusOK || awaiting(body) != places-25 || !strings.Contains(body, fmt.Sprintf(`id="enrolment-%d"`, enrolments[places-1])) ||
		!strings.Contains(body, `href="/training?attendance=1&amp;standing=3#attendance"`) {
		t.Fatalf("desk, second page of attendance = %d with %d, want the last 5 and a link back keeping the KAMs' page:\n%s", code, awaiting(body), body)
	}
	if code, body = f.get("/training?attendance=x"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "attendance must be a whole number from 1") {
		t.Fatalf("bad attendance page = %d:\n%.300s", code, body)
	}
	// Recorded: all 30 attended.
	for _, id := range enrolments {
		if moved, err := f.store.SetEnrolmentStatus(ctx, id, []string{store.EnrolmentEnrolled}, store.EnrolmentCompleted, "hr@"+store.DemoDomain); !moved || err != nil {
			t.Fatalf("record enrolment %d: %v, %v", id, moved, err)
		}
	}
	recorded := func(body string) int { return strings.Count(body, `<tr id="recorded-`) }
	if code, body = f.get("/training"); code != http.StatusOK || awaiting(body) != 0 || recorded(body) != 25 || !strings.Contains(body, `href="/training?recorded=2#recorded"`) {
		t.Fatalf("desk after recording = %d with %d awaiting and %d recorded, want none and 25:\n%s", code, awaiting(body), recorded(body), body)
	}
	if code, body = f.get("/training?recorded=2"); code != http.StatusOK || recorded(body) != places-25 {
		t.Fatalf("desk, second page of recorded = %d with %d, want 5:\n%s", code, recorded(body), body)
	}
}
