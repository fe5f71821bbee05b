package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestProgressKeptWithTheProgramme: the programmes listed carry done and
// total phases and the due date of the first phase by position not done
// (overdue when past), as the plan and each event's phases leave them,
// whatever order the phases were written in; a programme done throughout
// has no next due date, one without phases no progress. Phases written by
// SQL outside kamflow are counted after Reindex.
func TestProgressKeptWithTheProgramme(t *testing.T) {
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
		phase := func(name string, pos int, status string) store.ProgrammePhase {
			return store.ProgrammePhase{Phase: name, Position: pos, Status: status, Due: due(pos)}
		}
		// Planned out of order, all pending.
		if err := s.PlanProgramme(ctx, ids[0], nil, []store.ProgrammePhase{
			phase("c", 3, "pending"), phase("b", 2, "pending"), phase("a", 0, "pending"), phase("a2", 1, "pending"),
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.PlanProgramme(ctx, ids[1], nil, []store.ProgrammePhase{phase("a", 0, "pending"), phase("b", 1, "pending")}); err != nil {
			t.Fatal(err)
		}
		event := func(id uint, seq int, phases ...store.ProgrammePhase) {
			t.Helper()
			err := s.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
				Programme: store.Programme{ID: id, Name: "P", LeadEmail: "lead@x.test", Status: "active", CurrentPhase: "a", StartDate: start},
				Event:     store.ProgrammeEvent{ProgrammeID: id, Seq: seq, Kind: "phase", Actor: "lead@x.test", At: start.Add(time.Duration(seq) * time.Hour)},
				Phases:    phases,
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		listed := func(now time.Time) map[uint]store.PhaseProgress {
			t.Helper()
			list, _, err := s.ListProgrammes(ctx, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[uint]store.PhaseProgress{}
			for _, p := range list {
				out[p.ID] = p.ProgressAt(now)
			}
			// The start pages' summaries show the same progress.
			summaries, _, err := s.ProgrammeSummaries(ctx, store.Page{})
			if err != nil || len(summaries) != len(list) {
				t.Fatalf("summaries = %d, %v; want the %d programmes listed", len(summaries), err, len(list))
			}
			for _, p := range summaries {
				got, want := p.ProgressAt(now), out[p.ID]
				if got.Done != want.Done || got.Total != want.Total || got.Overdue != want.Overdue ||
					(got.NextDue == nil) != (want.NextDue == nil) || got.NextDue != nil && !got.NextDue.Equal(*want.NextDue) {
					t.Fatalf("programme %d's summary shows %+v; its row %+v", p.ID, got, want)
				}
			}
			return out
		}
		check := func(when string, now time.Time, runDone int, runNext time.Time, overdue bool) {
			t.Helper()
			got := listed(now)
			if run := got[ids[0]]; run.Done != runDone || run.Total != 4 || run.NextDue == nil || !run.NextDue.Equal(runNext) || run.Overdue != overdue {
				t.Errorf("%s: running programme = %+v (next due %v), want %d of 4 done, next due %s, overdue %v", when, run, run.NextDue, runDone, runNext, overdue)
			}
		}
		// The workflows record their start: the programmes are listed.
		for _, id := range ids {
			event(id, 1)
		}
		check("planned", due(0).Add(-time.Hour), 0, due(0), false)
		check("planned, first phase late", due(0).Add(time.Hour), 0, due(0), true)

		// Phases done out of order; position 2 is the first not done.
		event(ids[0], 2, phase("a2", 1, "done"), phase("b", 2, "in_progress"))
		event(ids[0], 3, phase("a", 0, "done"))
		event(ids[1], 2, phase("a", 0, "done"), phase("b", 1, "done"))
		// An event with no phases leaves the progress alone.
		event(ids[0], 4)
		for _, tc := range []struct {
			now     time.Time
			overdue bool
		}{{due(2).Add(-time.Hour), false}, {due(2).Add(time.Hour), true}} {
			check("two done", tc.now, 2, due(2), tc.overdue)
			got := listed(tc.now)
			if fin := got[ids[1]]; fin.Done != 2 || fin.Total != 2 || fin.NextDue != nil || fin.Overdue {
				t.Errorf("finished programme = %+v, want 2 of 2 done and nothing due", fin)
			}
			if empty := got[ids[2]]; empty != (store.PhaseProgress{}) {
				t.Errorf("programme without phases = %+v, want no progress", empty)
			}
		}

		// A phase finished by SQL outside kamflow: Reindex counts it.
		if err := s.DB().Exec("UPDATE programme_phases SET status = 'done' WHERE programme_id = ? AND phase = 'b'", ids[0]).Error; err != nil {
			t.Fatal(err)
		}
		check("before Reindex", due(2).Add(-time.Hour), 2, due(2), false)
		if _, err := s.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
		check("after Reindex", due(2).Add(-time.Hour), 3, due(3), false)
	})
}

// TestMigrate0045KeepsProgress: on SQLite and MySQL, programmes planned
// before 0045 get their progress from their phases; rolling back drops
// the columns.
func TestMigrate0045KeepsProgress(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
		p, err := s.CreateProgramme(ctx, "Before 0045", "lead@x.test", start)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DB().Exec("UPDATE programmes SET status = 'active' WHERE id = ?", p.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := store.RollbackMigrationForTest(s, "0045_programme_progress"); err != nil {
			t.Fatalf("rollback 0045: %v", err)
		}
		if s.DB().Migrator().HasColumn("programmes", "phases_total") {
			t.Fatal("phases_total survived the rollback")
		}
		// Phases as kamflow wrote them before 0045.
		for i, status := range []string{"done", "in_progress", "pending"} {
			if err := s.DB().Exec("INSERT INTO programme_phases (programme_id, phase, position, gate, status, due, seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
				p.ID, []string{"setup", "strategy", "criteria"}[i], i, false, status, start.AddDate(0, i+1, 0), 0).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("0045 again: %v", err)
		}
		list, _, err := s.ListProgrammes(ctx, store.Page{})
		if err != nil || len(list) != 1 {
			t.Fatalf("programmes after 0045 = %+v, %v", list, err)
		}
		if got := list[0].ProgressAt(start); got.Done != 1 || got.Total != 3 || got.NextDue == nil || !got.NextDue.Equal(start.AddDate(0, 2, 0)) {
			t.Errorf("progress after 0045 = %+v (next due %v), want 1 of 3 done, strategy due next", got, got.NextDue)
		}
	})
}
