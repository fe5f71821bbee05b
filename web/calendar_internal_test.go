package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestNextReviewsFollowTheScheduleSpec keeps the calendar's review dates
// and the Temporal Schedule's calendar on the same rule.
func TestNextReviewsFollowTheScheduleSpec(t *testing.T) {
	cd := store.ReviewCadence{Cadence: "quarterly", StartDate: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	got := nextReviews(cd, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 3)
	want := "[2027-02-28 2027-05-28 2027-08-28]"
	var days []string
	for _, d := range got {
		days = append(days, d.Format("2006-01-02"))
	}
	if fmt.Sprint(days) != want {
		t.Errorf("next reviews = %v, want %s", days, want)
	}
	spec := reviewSpec("quarterly", cd.StartDate)
	cal := spec.Calendars[0]
	if fmt.Sprint(cal.Month) != "[{2 0 0} {5 0 0} {8 0 0} {11 0 0}]" || cal.DayOfMonth[0].Start != 28 {
		t.Errorf("spec = %+v", cal)
	}
	// 2026-11-28 is before the start date: the first run is in February.
	for _, d := range got {
		if d.Month() != 2 && d.Month() != 5 && d.Month() != 8 && d.Month() != 11 {
			t.Errorf("%s is not a scheduled month", d)
		}
	}
	if nextReviews(store.ReviewCadence{Cadence: "weekly"}, time.Now(), 2) != nil {
		t.Error("unknown cadence gave dates")
	}
}
