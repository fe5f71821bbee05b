package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// awaitingIDs is the attendance HR has to record at now: the enrolments'
// IDs in the desk's order, and how many in all.
func awaitingIDs(t *testing.T, s *store.Store, now time.Time, p store.Page) ([]uint, int64) {
	t.Helper()
	rows, total, err := s.EnrolmentsAwaitingAttendance(context.Background(), now, p)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint
	for _, e := range rows {
		if e.SessionStartsAt.IsZero() || e.CourseTitle == "" || e.EmployeeName == "" {
			t.Fatalf("awaiting enrolment %d without its session's start, course or employee: %+v", e.ID, e)
		}
		ids = append(ids, e.ID)
	}
	return ids, total
}

// TestAttendanceToRecordFollowsTheSessionsStart: the desk lists the places
// still enrolled in sessions that have started, oldest session first and a
// page at a time, however the enrolment was written (Enrol, or a bulk
// create as the demo company and the bench write them); a session moved
// to another date takes its places along, a cancelled session's places
// and the recorded ones leave the list, and Reindex mends a start copied
// wrong by SQL outside kamflow.
func TestAttendanceToRecordFollowsTheSessionsStart(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		emps, now, session := seatsFixture(t, s, "Attendance")
		if len(emps) < 5 {
			t.Fatalf("demo staff = %d, want 5 or more", len(emps))
		}
		later, sooner, cancelled := session(5, 10), session(3, 10), session(4, 10)
		enrol := func(ts *store.TrainingSession, e store.Employee) uint {
			t.Helper()
			en, err := s.Enrol(ctx, ts.ID, e.ID, nil, "hr@example.com", now)
			if err != nil {
				t.Fatal(err)
			}
			return en.ID
		}
		l1, l2 := enrol(later, emps[0]), enrol(later, emps[1])
		s1 := enrol(sooner, emps[2])
		enrol(cancelled, emps[3])
		// Written in bulk, without the session's start: the store adds it.
		bulk := store.Enrolment{SessionID: sooner.ID, EmployeeID: emps[4].ID, Status: store.EnrolmentEnrolled, UpdatedBy: "bench"}
		if err := s.DB().Create(&bulk).Error; err != nil {
			t.Fatal(err)
		}
		if !bulk.SessionStartsAt.Equal(sooner.StartsAt) {
			t.Errorf("bulk enrolment's session start = %v, want %v", bulk.SessionStartsAt, sooner.StartsAt)
		}
		if _, err := s.CancelSession(ctx, cancelled.ID, now); err != nil {
			t.Fatal(err)
		}

		if ids, total := awaitingIDs(t, s, now.AddDate(0, 0, 1), store.Page{}); len(ids) != 0 || total != 0 {
			t.Errorf("awaiting before any session began = %v (%d), want none", ids, total)
		}
		if ids, total := awaitingIDs(t, s, now.AddDate(0, 0, 4), store.Page{}); !slices.Equal(ids, []uint{s1, bulk.ID}) || total != 2 {
			t.Errorf("awaiting once the sooner session began = %v (%d), want %v", ids, total, []uint{s1, bulk.ID})
		}
		all := []uint{s1, bulk.ID, l1, l2}
		if ids, total := awaitingIDs(t, s, now.AddDate(0, 0, 6), store.Page{}); !slices.Equal(ids, all) || total != 4 {
			t.Errorf("awaiting once both began = %v (%d), want %v (the cancelled session's place left out)", ids, total, all)
		}
		if ids, total := awaitingIDs(t, s, now.AddDate(0, 0, 6), store.Page{Number: 2, Size: 3}); !slices.Equal(ids, []uint{l2}) || total != 4 {
			t.Errorf("awaiting, page 2 of 3 rows = %v (%d), want [%d] of 4", ids, total, l2)
		}

		// The later session moves before the sooner one: its places follow.
		moved := *later
		moved.Course = nil
		moved.StartsAt, moved.EndsAt = now.AddDate(0, 0, 2), now.AddDate(0, 0, 2).Add(8*time.Hour)
		if err := s.SaveSession(ctx, &moved); err != nil {
			t.Fatal(err)
		}
		if ids, _ := awaitingIDs(t, s, now.AddDate(0, 0, 2).Add(time.Hour), store.Page{}); !slices.Equal(ids, []uint{l1, l2}) {
			t.Errorf("awaiting after the later session moved to day 2 = %v, want %v", ids, []uint{l1, l2})
		}
		if ids, _ := awaitingIDs(t, s, now.AddDate(0, 0, 6), store.Page{}); !slices.Equal(ids, []uint{l1, l2, s1, bulk.ID}) {
			t.Errorf("awaiting after the move, all begun = %v, want the moved session's first", ids)
		}

		// Recorded attendance leaves the list.
		if ok, err := s.SetEnrolmentStatusNoted(ctx, l1, []string{store.EnrolmentEnrolled}, store.EnrolmentCompleted, "hr@example.com", "", now.AddDate(0, 0, 6)); err != nil || !ok {
			t.Fatalf("record attendance = %v, %v", ok, err)
		}
		if ids, total := awaitingIDs(t, s, now.AddDate(0, 0, 6), store.Page{}); !slices.Equal(ids, []uint{l2, s1, bulk.ID}) || total != 3 {
			t.Errorf("awaiting after recording %d = %v (%d)", l1, ids, total)
		}

		// A start copied wrong by SQL outside kamflow: Reindex mends it.
		if err := s.DB().Exec("UPDATE enrolments SET session_starts_at = ? WHERE id = ?", now.AddDate(1, 0, 0), s1).Error; err != nil {
			t.Fatal(err)
		}
		if ids, _ := awaitingIDs(t, s, now.AddDate(0, 0, 6), store.Page{}); slices.Equal(ids, []uint{l2, s1, bulk.ID}) {
			t.Fatal("the start written by SQL did not change the list; the test proves nothing")
		}
		if _, err := s.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
		if ids, _ := awaitingIDs(t, s, now.AddDate(0, 0, 6), store.Page{}); !slices.Equal(ids, []uint{l2, s1, bulk.ID}) {
			t.Errorf("awaiting after Reindex = %v, want %v", ids, []uint{l2, s1, bulk.ID})
		}
	})
}

// TestMigrate0044CopiesSessionStarts: on SQLite and MySQL, enrolments
// written before 0044 get their sessions' starts, so the places of a
// started session are on HR's desk after the upgrade; rolling back drops
// the column.
func TestMigrate0044CopiesSessionStarts(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		emps, now, session := seatsFixture(t, s, "Migration")
		ts := session(2, 5)
		if err := store.RollbackMigrationForTest(s, "0044_enrolment_session_start"); err != nil {
			t.Fatalf("rollback 0044: %v", err)
		}
		if s.DB().Migrator().HasColumn("enrolments", "session_starts_at") {
			t.Fatal("session_starts_at survived the rollback")
		}
		// An enrolment as kamflow wrote it before 0044.
		if err := s.DB().Exec("INSERT INTO enrolments (session_id, employee_id, status, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			ts.ID, emps[0].ID, store.EnrolmentEnrolled, "hr@example.com", now, now).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("0044 again: %v", err)
		}
		ids, total := awaitingIDs(t, s, now.AddDate(0, 0, 3), store.Page{})
		if len(ids) != 1 || total != 1 {
			t.Fatalf("awaiting after 0044 = %v (%d), want the enrolment written before it", ids, total)
		}
		e, err := s.Enrolment(ctx, ids[0])
		if err != nil || e.EmployeeID != emps[0].ID || !e.SessionStartsAt.Equal(ts.StartsAt) {
			t.Errorf("migrated enrolment = %+v, %v; want %s's, starting %v", e, err, emps[0].Name, ts.StartsAt)
		}
	})
}
