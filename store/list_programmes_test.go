package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestListProgrammesPagesAndCounts: the started programmes, newest first,
// a page at a time with how many there are in all, whether the page was
// full (counted) or not (its length is the count); a programme still
// starting is in neither.
func TestListProgrammesPagesAndCounts(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx, now := t.Context(), time.Now().UTC().Truncate(time.Second)
		var ids []uint
		for i := range 5 {
			p, err := s.CreateProgramme(ctx, fmt.Sprintf("Programm %d", i), "lead@example.com", now)
			if err != nil {
				t.Fatal(err)
			}
			if i == 4 {
				break // still starting: its workflow has not begun
			}
			if err := s.DB().Model(&store.Programme{}).Where("id = ?", p.ID).Update("status", "active").Error; err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		for _, tc := range []struct {
			page      store.Page
			wantFirst uint
			wantLen   int
		}{
			{store.Page{Number: 1, Size: 10}, ids[3], 4}, // not full: its length is the count
			{store.Page{Number: 1, Size: 4}, ids[3], 4},  // full: counted
			{store.Page{Number: 1, Size: 3}, ids[3], 3},
			{store.Page{Number: 2, Size: 3}, ids[0], 1},
			{store.Page{Number: 3, Size: 3}, 0, 0},
		} {
			got, total, err := s.ListProgrammes(ctx, tc.page)
			if err != nil || total != 4 || len(got) != tc.wantLen || (tc.wantLen > 0 && got[0].ID != tc.wantFirst) {
				t.Errorf("page %+v = %d programmes of %d, %v; want %d of 4 from %d", tc.page, len(got), total, err, tc.wantLen, tc.wantFirst)
			}
			for _, p := range got {
				if p.Status == "starting" {
					t.Errorf("page %+v lists the starting programme %d", tc.page, p.ID)
				}
			}
		}
	})
}
