package store

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"
)

// TestSessionSeatsColumnsCoverBothTables: upcomingSessions scans a session
// and its course by hand, so a column added to either model must be added
// to sessionSeatsColumns (and to scanSessionSeats) or it would be read as
// its zero value without a word.
func TestSessionSeatsColumnsCoverBothTables(t *testing.T) {
	parse := func(model any) *schema.Schema {
		t.Helper()
		parsed, err := schema.Parse(model, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		return parsed
	}
	var want []string
	for _, n := range parse(&TrainingSession{}).DBNames {
		want = append(want, "training_sessions."+n)
	}
	for _, n := range parse(&Course{}).DBNames {
		want = append(want, "courses."+n)
	}
	got := strings.Split(sessionSeatsColumns, ", ")
	slices.Sort(want)
	sorted := slices.Sorted(slices.Values(got))
	if !slices.Equal(sorted, want) {
		t.Errorf("sessionSeatsColumns = %v\nwant every column of both tables: %v", sorted, want)
	}
}
