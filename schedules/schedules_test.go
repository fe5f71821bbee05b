package schedules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kamflow/kamflow/schedules"
)

// TestNextReviewsFollowTheScheduleSpec keeps the calendar's review dates
// and the Temporal Schedule's calendar on the same rule.
func TestNextReviewsFollowTheScheduleSpec(t *testing.T) {
	start := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	got := schedules.NextReviews("quarterly", start, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 3)
	var days []string
	for _, d := range got {
		days = append(days, d.Format("2006-01-02"))
	}
	if fmt.Sprint(days) != "[2027-02-28 2027-05-28 2027-08-28]" {
		t.Errorf("next reviews = %v", days)
	}
	cal := schedules.ReviewSpec("quarterly", start).Calendars[0]
	if fmt.Sprint(cal.Month) != "[{2 0 0} {5 0 0} {8 0 0} {11 0 0}]" || cal.DayOfMonth[0].Start != 28 || cal.Hour[0].Start != 6 {
		t.Errorf("spec = %+v", cal)
	}
	if schedules.NextReviews("weekly", start, start, 2) != nil || schedules.ValidCadence("weekly") {
		t.Error("unknown cadence accepted")
	}
	if w := schedules.WorkshopSpec(time.March).Calendars[0]; w.Month[0].Start != 3 || w.DayOfMonth[0].Start != 1 {
		t.Errorf("workshop spec = %+v", w)
	}
}
