package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestProgressOfSummarisesPhasesInOneQuery: done and total phases, and the
// due date of the first phase by position not done (overdue when past),
// whatever order the rows were written in; a programme done throughout has
// no next due date, one without phases no entry.
func TestProgressOfSummarisesPhasesInOneQuery(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
		var ids []uint
		for _, name := range []string{"Running", "Finished", "Empty"} {
			p, err := s.CreateProgramme(ctx, name, "lead@x.test", start)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		due := func(pos int) time.Time { return start.AddDate(0, pos+1, 0) }
		rows := []store.ProgrammePhase{
			// Written out of order; position 2 is the first not done.
			{ProgrammeID: ids[0], Phase: "c", Position: 3, Status: "pending", Due: due(3)},
			{ProgrammeID: ids[0], Phase: "b", Position: 2, Status: "in_progress", Due: due(2)},
			{ProgrammeID: ids[0], Phase: "a", Position: 0, Status: "done", Due: due(0)},
			{ProgrammeID: ids[0], Phase: "a2", Position: 1, Status: "done", Due: due(1)},
			{ProgrammeID: ids[1], Phase: "a", Position: 0, Status: "done", Due: due(0)},
			{ProgrammeID: ids[1], Phase: "b", Position: 1, Status: "done", Due: due(1)},
		}
		if err := s.DB().WithContext(ctx).Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			now     time.Time
			overdue bool
		}{{due(2).Add(-time.Hour), false}, {due(2).Add(time.Hour), true}} {
			got, err := s.ProgressOf(ctx, ids, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			run := got[ids[0]]
			if run.Done != 2 || run.Total != 4 || run.NextDue == nil || !run.NextDue.Equal(due(2)) || run.Overdue != tc.overdue {
				t.Errorf("running programme at %s = %+v (next due %v), want 2 of 4 done, next due %s, overdue %v", tc.now, run, run.NextDue, due(2), tc.overdue)
			}
			if fin := got[ids[1]]; fin.Done != 2 || fin.Total != 2 || fin.NextDue != nil || fin.Overdue {
				t.Errorf("finished programme = %+v, want 2 of 2 done and nothing due", fin)
			}
			if _, ok := got[ids[2]]; ok || len(got) != 2 {
				t.Errorf("progress = %+v, want entries for the two programmes with phases only", got)
			}
		}
		if got, err := s.ProgressOf(ctx, nil, start); err != nil || len(got) != 0 {
			t.Errorf("progress of no programmes = %+v, %v", got, err)
		}
	})
}
