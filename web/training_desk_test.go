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
