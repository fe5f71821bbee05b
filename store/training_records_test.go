package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestTrainingRecordsAreTheOneTruth: a session's attendance, HR's record of
// a course done elsewhere and a programme's confirmation all count; the
// committee's exception counts for its programme; cancelled programmes make
// nobody missing.
func TestTrainingRecordsAreTheOneTruth(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		course := &store.Course{Title: "KAM Basics", DurationDays: 1, RequiredKAM: true}
		if err := s.SaveCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		// Four KAMs in a running programme, one in a cancelled one.
		running, _ := s.CreateProgramme(ctx, "Running", "lead@example.com", now)
		cancelled, _ := s.CreateProgramme(ctx, "Cancelled", "lead@example.com", now)
		seq := 0
		setStatus := func(p *store.Programme, status string, fact *store.TrainingFact) {
			t.Helper()
			seq++
			snap := store.ProgrammeSnapshot{Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: status, CurrentPhase: "training"},
				Event: store.ProgrammeEvent{ProgrammeID: p.ID, Seq: seq, Kind: "x", Actor: "someone@example.com", At: now}, TrainingFact: fact}
			for i := 0; i < 2; i++ { // a retried projection writes once
				if err := s.ApplyProgrammeEvent(ctx, snap); err != nil {
					t.Fatal(err)
				}
			}
		}
		setStatus(running, "active", nil)
		setStatus(cancelled, "active", nil)
		if err := s.ConfirmKeyAccounts(ctx, running.ID, []uint{custs[0].ID, custs[1].ID, custs[2].ID, custs[3].ID}, now); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmKeyAccounts(ctx, cancelled.ID, []uint{custs[0].ID}, now); err != nil {
			t.Fatal(err)
		}
		kams := emps[:5]
		for i := 0; i < 4; i++ {
			if err := s.AssignKeyAccount(ctx, running.ID, custs[i].ID, kams[i].ID, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AssignKeyAccount(ctx, cancelled.ID, custs[0].ID, kams[4].ID, nil); err != nil {
			t.Fatal(err)
		}
		missingIDs := func() []uint {
			t.Helper()
			gaps, err := s.KAMsMissingTraining(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ids []uint
			for _, g := range gaps {
				ids = append(ids, g.EmployeeID)
				if len(g.Courses) != 1 || g.Courses[0].ID != course.ID || len(g.Programmes) == 0 {
					t.Errorf("gap = %+v", g)
				}
			}
			return ids
		}
		if got := missingIDs(); len(got) != 5 {
			t.Fatalf("missing before anything = %v, want all five KAMs", got)
		}

		// 0: attended a session.
		ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(30 * time.Hour), Capacity: 3}
		if err := s.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
		en, err := s.Enrol(ctx, ts.ID, kams[0].ID, &running.ID, "hr", now)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if _, err := s.SetEnrolmentStatus(ctx, en.ID, []string{store.EnrolmentEnrolled}, store.EnrolmentCompleted, "hr@example.com"); err != nil {
				t.Fatal(err)
			}
		}
		// 1: HR records a course done elsewhere last year; the future is refused.
		if _, _, err := s.RecordExternalTraining(ctx, kams[1].ID, course.ID, now.Add(time.Hour), "hr@example.com", "", now); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("future completion err = %v", err)
		}
		if _, _, err := s.RecordExternalTraining(ctx, kams[1].ID, 99999, now.AddDate(-1, 0, 0), "hr@example.com", "", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown course err = %v", err)
		}
		for i, want := range []bool{true, false} { // the same record again is not doubled
			rec, created, err := s.RecordExternalTraining(ctx, kams[1].ID, course.ID, now.AddDate(-1, 0, 0), "HR@example.com", "CAS at the university", now)
			if err != nil || created != want || rec.Source != store.TrainingSourceExternal || rec.Course == nil || rec.Course.Title != "KAM Basics" {
				t.Fatalf("external record %d = %+v, %v, %v", i, rec, created, err)
			}
		}
		// 2: the programme's confirmation; 3: the committee's exception.
		setStatus(running, "active", &store.TrainingFact{EmployeeID: kams[2].ID, By: "hr@example.com", At: now})
		setStatus(running, "active", &store.TrainingFact{EmployeeID: kams[3].ID, Exception: true, Note: "long experience", By: "committee@example.com", At: now})
		if got := missingIDs(); len(got) != 1 || got[0] != kams[4].ID {
			t.Fatalf("missing after session, external record, confirmation and exception = %v, want only %d", got, kams[4].ID)
		}
		for i, want := range []string{store.TrainingSourceSession, store.TrainingSourceExternal, store.TrainingSourceProgramme} {
			recs, err := s.TrainingRecordsOf(ctx, kams[i].ID)
			if err != nil || len(recs) != 1 || recs[0].Source != want {
				t.Errorf("records of KAM %d = %+v, %v, want one from %s", i, recs, err, want)
			}
		}
		// The exception counts for its programme only: as KAM of the cancelled
		// one's account she would not be missing either, but in a second
		// running programme she would.
		setStatus(cancelled, "cancelled", nil)
		if got := missingIDs(); len(got) != 0 {
			t.Fatalf("missing with the last KAM's programme cancelled = %v", got)
		}
		setStatus(cancelled, "active", nil)
		if err := s.AssignKeyAccount(ctx, cancelled.ID, custs[0].ID, kams[3].ID, nil); err != nil {
			t.Fatal(err)
		}
		if got := missingIDs(); len(got) != 1 || got[0] != kams[3].ID {
			t.Fatalf("excused KAM in another running programme: missing = %v, want %d", got, kams[3].ID)
		}
	})
}
