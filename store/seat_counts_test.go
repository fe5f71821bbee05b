package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// seatsKept is a session's kept seat numbers and those its enrolments'
// rows give.
type seatsKept struct {
	ID                                           uint
	EnrolledCount, WaitlistedCount               int
	EnrolledCounted, WaitlistedCounted, Capacity int
}

// keptSeats reads every session's kept and counted seats.
func keptSeats(t *testing.T, s *store.Store) []seatsKept {
	t.Helper()
	var out []seatsKept
	err := s.DB().Raw(`SELECT id, enrolled_count, waitlisted_count, capacity,
		(SELECT COUNT(*) FROM enrolments e WHERE e.session_id = training_sessions.id AND e.status = 'enrolled') AS enrolled_counted,
		(SELECT COUNT(*) FROM enrolments e WHERE e.session_id = training_sessions.id AND e.status = 'waitlisted') AS waitlisted_counted
		FROM training_sessions ORDER BY id`).Scan(&out).Error
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// requireSeatsKept fails unless every session's kept numbers are its rows'.
func requireSeatsKept(t *testing.T, s *store.Store, step string) {
	t.Helper()
	for _, k := range keptSeats(t, s) {
		if k.EnrolledCount != k.EnrolledCounted || k.WaitlistedCount != k.WaitlistedCounted {
			t.Fatalf("after %s, session %d keeps %d enrolled and %d waitlisted; its rows say %d and %d",
				step, k.ID, k.EnrolledCount, k.WaitlistedCount, k.EnrolledCounted, k.WaitlistedCounted)
		}
	}
}

// seatsOf is one session's kept numbers.
func seatsOf(t *testing.T, s *store.Store, id uint) (enrolled, waitlisted int) {
	t.Helper()
	for _, k := range keptSeats(t, s) {
		if k.ID == id {
			return k.EnrolledCount, k.WaitlistedCount
		}
	}
	t.Fatalf("no session %d", id)
	return 0, 0
}

// seatsFixture seeds the demo company and a course; session saves a
// session of it day days after now with capacity seats.
func seatsFixture(t *testing.T, s *store.Store, title string) (emps []store.Employee, now time.Time, session func(day, capacity int) *store.TrainingSession) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	emps, _, _ = s.ListEmployees(ctx, store.Page{})
	now = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	course := &store.Course{Title: title, DurationDays: 1}
	if err := s.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	return emps, now, func(day, capacity int) *store.TrainingSession {
		t.Helper()
		ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.AddDate(0, 0, day), EndsAt: now.AddDate(0, 0, day).Add(8 * time.Hour), Capacity: capacity, Place: "Bern"}
		if err := s.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
		return ts
	}
}

// TestSeatCountsKept: every way an enrolment is written — a seat, the
// waitlist, a refused duplicate, a move, each recorded outcome, a repeat,
// a promotion, a deletion — keeps its session's seat numbers equal to its
// rows, and editing a session leaves them alone; the lists show them.
func TestSeatCountsKept(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		emps, now, session := seatsFixture(t, s, "Account planning")
		a, b := session(3, 2), session(5, 2)
		requireSeatsKept(t, s, "saving sessions")

		var placed []*store.Enrolment
		for _, e := range emps[:4] {
			en, err := s.Enrol(ctx, a.ID, e.ID, nil, "hr", now)
			if err != nil {
				t.Fatal(err)
			}
			placed = append(placed, en)
		}
		if en, w := seatsOf(t, s, a.ID); en != 2 || w != 2 {
			t.Fatalf("four enrolled in two seats: kept %d enrolled, %d waitlisted; want 2 and 2", en, w)
		}
		if _, err := s.Enrol(ctx, a.ID, emps[0].ID, nil, "hr", now); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("duplicate enrolment err = %v", err)
		}
		requireSeatsKept(t, s, "a refused duplicate")

		// Editing the session (a form knows nothing of the numbers).
		edit := *a
		edit.EnrolledCount, edit.WaitlistedCount, edit.Place = 0, 0, "Basel"
		if err := s.SaveSession(ctx, &edit); err != nil {
			t.Fatal(err)
		}
		requireSeatsKept(t, s, "editing the session")
		if en, _ := seatsOf(t, s, a.ID); en != 2 {
			t.Fatalf("editing the session kept %d enrolled; want 2", en)
		}

		// A move: a seat in b, then the old enrolment cancelled and its
		// seat given to the first waiting.
		moved, err := s.EnrolMoved(ctx, placed[0], b.ID, "hr", now)
		if err != nil {
			t.Fatal(err)
		}
		requireSeatsKept(t, s, "the move's new enrolment")
		for i := 0; i < 2; i++ { // a retried activity counts once
			if _, err := s.SetEnrolmentStatusNoted(ctx, placed[0].ID, []string{store.EnrolmentEnrolled, store.EnrolmentWaitlisted}, store.EnrolmentCancelled, "hr", "moved", now); err != nil {
				t.Fatal(err)
			}
			requireSeatsKept(t, s, fmt.Sprintf("cancelling the moved enrolment (%d)", i+1))
		}
		if id, err := s.PromoteFromWaitlist(ctx, a.ID); err != nil || id != placed[2].ID {
			t.Fatalf("promotion = %d, %v; want %d", id, err, placed[2].ID)
		}
		requireSeatsKept(t, s, "a promotion")
		if en, w := seatsOf(t, s, a.ID); en != 2 || w != 1 {
			t.Fatalf("after the move: kept %d enrolled, %d waitlisted in a; want 2 and 1", en, w)
		}

		// Outcomes, each from a seat, and one from the waitlist.
		steps := []struct {
			id   uint
			from []string
			to   string
		}{
			{placed[1].ID, []string{store.EnrolmentEnrolled}, store.EnrolmentCompleted},
			{placed[1].ID, []string{store.EnrolmentEnrolled}, store.EnrolmentCompleted}, // repeat: no change
			{placed[2].ID, []string{store.EnrolmentEnrolled}, store.EnrolmentNoShow},
			{placed[3].ID, []string{store.EnrolmentWaitlisted}, store.EnrolmentCancelled},
			{moved.ID, []string{store.EnrolmentWaitlisted}, store.EnrolmentCancelled}, // not waitlisted: no change
			{9_999_999, []string{store.EnrolmentEnrolled}, store.EnrolmentCancelled},  // no such enrolment
		}
		for i, st := range steps {
			if _, err := s.SetEnrolmentStatusNoted(ctx, st.id, st.from, st.to, "hr", "", now); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			requireSeatsKept(t, s, fmt.Sprintf("outcome step %d", i))
		}
		if en, w := seatsOf(t, s, a.ID); en != 0 || w != 0 {
			t.Fatalf("after the outcomes: kept %d enrolled, %d waitlisted in a; want none", en, w)
		}

		// Deleting (an enrolment whose workflow never started), twice.
		extra, err := s.Enrol(ctx, b.ID, emps[5].ID, nil, "hr", now)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := s.DeleteEnrolment(ctx, extra.ID); err != nil {
				t.Fatal(err)
			}
			requireSeatsKept(t, s, fmt.Sprintf("deleting an enrolment (%d)", i+1))
		}
		if en, w := seatsOf(t, s, b.ID); en != 1 || w != 0 {
			t.Fatalf("b keeps %d enrolled, %d waitlisted; want the moved one alone", en, w)
		}

		// The lists read the kept numbers.
		up, err := s.UpcomingSessions(ctx, now, false)
		if err != nil || len(up) != 2 || up[0].ID != a.ID || up[0].Enrolled != 0 || up[1].Enrolled != 1 || up[1].FreeSeats() != 1 {
			t.Fatalf("upcoming = %+v, %v", up, err)
		}
	})
}

// TestSeatCountsUnderConcurrentWriters: people enrolled, cancelled and
// promoted at once in one session leave its numbers equal to its rows and
// never more seats taken than it has.
func TestSeatCountsUnderConcurrentWriters(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		emps, now, session := seatsFixture(t, s, "Negotiation")
		if len(emps) < 8 {
			t.Fatalf("demo has %d employees; want 8", len(emps))
		}
		ts := session(7, 3)
		ids := make([]uint, 8)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i, e := range emps[:8] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				en, err := s.Enrol(ctx, ts.ID, e.ID, nil, "hr", now)
				if err != nil {
					errs <- err
					return
				}
				ids[i] = en.ID
			}()
		}
		wg.Wait()
		requireSeatsKept(t, s, "concurrent enrolments")
		// Half cancel while seats are handed on, all at once.
		for i := 0; i < 8; i += 2 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := s.SetEnrolmentStatusNoted(ctx, ids[i], []string{store.EnrolmentEnrolled, store.EnrolmentWaitlisted}, store.EnrolmentCancelled, "hr", "", now); err != nil {
					errs <- err
				}
			}()
			go func() {
				defer wg.Done()
				if _, err := s.PromoteFromWaitlist(ctx, ts.ID); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		requireSeatsKept(t, s, "concurrent cancellations and promotions")
		for _, k := range keptSeats(t, s) {
			if k.ID == ts.ID && k.EnrolledCount > k.Capacity {
				t.Fatalf("%d enrolled in %d seats", k.EnrolledCount, k.Capacity)
			}
		}
	})
}

// TestSeatCountsRecounted: enrolments loaded with SQL outside kamflow are
// counted by Reindex, and migration 0042 counts those written before it.
func TestSeatCountsRecounted(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		emps, now, session := seatsFixture(t, s, "Workshops")
		ts := session(7, 2)
		load := func(i int, status string) {
			t.Helper()
			err := s.DB().Exec("INSERT INTO enrolments (session_id, employee_id, status, updated_by, created_at, updated_at) VALUES (?, ?, ?, 'load', ?, ?)",
				ts.ID, emps[i].ID, status, now, now).Error
			if err != nil {
				t.Fatal(err)
			}
		}
		load(0, store.EnrolmentEnrolled)
		load(1, store.EnrolmentWaitlisted)
		if en, w := seatsOf(t, s, ts.ID); en != 0 || w != 0 {
			t.Fatalf("rows loaded with SQL counted as %d and %d before Reindex", en, w)
		}
		if _, err := s.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
		requireSeatsKept(t, s, "Reindex")

		if err := store.RollbackMigrationForTest(s, "0042_session_seat_counts"); err != nil {
			t.Fatalf("rollback 0042: %v", err)
		}
		if s.DB().Migrator().HasColumn("training_sessions", "enrolled_count") {
			t.Fatal("enrolled_count survived the rollback")
		}
		load(2, store.EnrolmentEnrolled) // written before 0042
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("0042 again: %v", err)
		}
		requireSeatsKept(t, s, "migration 0042")
		if en, w := seatsOf(t, s, ts.ID); en != 2 || w != 1 {
			t.Fatalf("after 0042: %d enrolled, %d waitlisted; want 2 and 1", en, w)
		}
	})
}
