package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestNextReviewRunsFromTheStoredCadence: the reviews page's next dates come
// from the stored cadence by the Schedule's rule — the start's day (at most
// the 28th) every step of months from the start, none before it and none
// while paused.
func TestNextReviewRunsFromTheStoredCadence(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	day := func(ts []time.Time) string {
		var out []string
		for _, d := range ts {
			out = append(out, d.Format("2006-01-02 15:04"))
		}
		return fmt.Sprint(out)
	}
	cases := []struct {
		name string
		cd   store.ReviewCadence
		want string
	}{
		{"quarterly, started before", store.ReviewCadence{Cadence: "quarterly", StartDate: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)},
			"[2027-01-15 06:00 2027-04-15 06:00 2027-07-15 06:00]"},
		{"half-yearly from the 31st", store.ReviewCadence{Cadence: "half_yearly", StartDate: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
			"[2027-06-28 06:00 2027-12-28 06:00 2028-06-28 06:00]"},
		{"yearly, starting later", store.ReviewCadence{Cadence: "yearly", StartDate: time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)},
			"[2027-03-02 06:00 2028-03-02 06:00 2029-03-02 06:00]"},
		{"paused", store.ReviewCadence{Cadence: "quarterly", StartDate: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), Paused: true}, "[]"},
	}
	for _, c := range cases {
		if got := day(nextReviewRuns(c.cd, now)); got != c.want {
			t.Errorf("%s: next runs = %s, want %s", c.name, got, c.want)
		}
	}
}
