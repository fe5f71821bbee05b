package store

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"
)

// TestHandScannedColumnsCoverTheirTables: rows the store scans by hand
// (upcomingSessions' sessions with their course, ListProgrammes'
// programmes, ActionsPage's actions, withNames' key accounts) name their
// columns in a list, so a column added to one of those models must be
// added to its list (and to its scan function) or it would be read as its
// zero value without a word.
func TestHandScannedColumnsCoverTheirTables(t *testing.T) {
	columnsOf := func(models ...any) []string {
		t.Helper()
		var out []string
		for _, m := range models {
			parsed, err := schema.Parse(m, &sync.Map{}, schema.NamingStrategy{})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range parsed.DBNames {
				out = append(out, parsed.Table+"."+n)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		name, list string
		want       []string
	}{
		{"sessionSeatsColumns", sessionSeatsColumns, columnsOf(&TrainingSession{}, &Course{})},
		{"programmeColumns", programmeColumns, columnsOf(&Programme{})},
		{"actionColumns", actionColumns, columnsOf(&Action{})},
		{"keyAccountColumns", strings.ReplaceAll(keyAccountColumns, "ka.", "key_accounts."), columnsOf(&KeyAccount{})},
	} {
		got := slices.Sorted(slices.Values(strings.Split(tc.list, ", ")))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s = %v\nwant every column of its tables: %v", tc.name, got, tc.want)
		}
	}
}
