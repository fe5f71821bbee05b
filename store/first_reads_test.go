package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestFirstReadsAtOnce: a store's first reads run at once, as a page's
// lists and side-by-side requests do. Each of these is the first use of a
// type with relations (sessions with their course, enrolments with their
// session, course and employee, reviews, users with their roles); gorm
// parses such a type on first use and writes into the related types'
// schemas, so without Open parsing them first, the race detector (which
// CI runs) reports the writes against the reads.
func TestFirstReadsAtOnce(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx, now := t.Context(), time.Now().UTC()
	page := store.Page{Number: 1, Size: 25}
	reads := []func() error{
		func() error { _, _, err := s.UpcomingSessionsPage(ctx, now, page); return err },
		func() error { _, _, err := s.UpcomingFreeSessions(ctx, now, 20, 100); return err },
		func() error { _, _, err := s.EnrolmentsAwaitingAttendance(ctx, now, page); return err },
		func() error { _, _, err := s.RecordedEnrolments(ctx, now.AddDate(0, 0, -90), page); return err },
		func() error { _, _, err := s.TrainingOutstanding(ctx, 0, page); return err },
		func() error { _, err := s.ListCourses(ctx); return err },
		func() error { _, _, err := s.OpenReviewsFirst(ctx, 20); return err },
		func() error {
			if _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("user by e-mail: %v, want not found", err)
			}
			return nil
		},
		func() error { _, err := s.OpenPlacesOf(ctx, []uint{1, 2}); return err },
	}
	var g errgroup.Group
	for _, read := range reads {
		g.Go(read)
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}
