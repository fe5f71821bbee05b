package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestEnrolmentWaitlistAndPromotion(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		course := &store.Course{Title: "KAM Basics", DurationDays: 1.5, RequiredKAM: true}
		if err := s.SaveCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(72 * time.Hour), EndsAt: now.Add(80 * time.Hour), Capacity: 1, Place: "Zürich"}
		if err := s.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
		a, err := s.Enrol(ctx, ts.ID, emps[0].ID, nil, "hr", now)
		if err != nil || a.Status != store.EnrolmentEnrolled {
			t.Fatalf("first = %+v, %v", a, err)
		}
		b, err := s.Enrol(ctx, ts.ID, emps[1].ID, nil, "hr", now)
		if err != nil || b.Status != store.EnrolmentWaitlisted {
			t.Fatalf("second = %+v, %v", b, err)
		}
		if _, err := s.Enrol(ctx, ts.ID, emps[1].ID, nil, "hr", now); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("duplicate enrolment err = %v", err)
		}
		if id, err := s.PromoteFromWaitlist(ctx, ts.ID); err != nil || id != 0 {
			t.Fatalf("promotion without a free seat = %d, %v", id, err)
		}
		ts.Capacity = 0
		if err := s.SaveSession(ctx, ts); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("capacity 0 err = %v", err)
		}
		if ok, err := s.SetEnrolmentStatus(ctx, a.ID, []string{store.EnrolmentEnrolled}, store.EnrolmentCancelled, "hr"); !ok || err != nil {
			t.Fatalf("cancel = %v, %v", ok, err)
		}
		for i := 0; i < 2; i++ { // repeating the promotion promotes once
			id, err := s.PromoteFromWaitlist(ctx, ts.ID)
			if err != nil || (i == 0 && id != b.ID) || (i == 1 && id != 0) {
				t.Fatalf("promotion %d = %d, %v", i, id, err)
			}
		}
		ts.Capacity, ts.StartsAt, ts.EndsAt = 1, ts.StartsAt.Add(24*time.Hour), ts.EndsAt.Add(24*time.Hour)
		if err := s.SaveSession(ctx, ts); err != nil || ts.Revision != 1 {
			t.Fatalf("move = revision %d, %v", ts.Revision, err)
		}
		missing, err := s.MissingRequiredCourses(ctx, []uint{emps[1].ID})
		if err != nil || len(missing[emps[1].ID]) != 1 {
			t.Fatalf("missing before completion = %v, %v", missing, err)
		}
		if ok, _ := s.SetEnrolmentStatus(ctx, b.ID, []string{store.EnrolmentEnrolled}, store.EnrolmentCompleted, "hr"); !ok {
			t.Fatal("complete failed")
		}
		if done, _, err := s.HasCompletedRequiredCourses(ctx, emps[1].ID); !done || err != nil {
			t.Fatalf("completed = %v, %v", done, err)
		}
		free, err := s.UpcomingSessions(ctx, now, true)
		if err != nil || len(free) != 1 || free[0].FreeSeats() != 1 {
			t.Fatalf("free sessions = %+v, %v", free, err)
		}
		open, err := s.CancelSession(ctx, ts.ID, now)
		if err != nil || len(open) != 0 {
			t.Fatalf("cancel session = %d open, %v", len(open), err)
		}
		if _, err := s.Enrol(ctx, ts.ID, emps[2].ID, nil, "hr", now); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("enrol in cancelled session err = %v", err)
		}
	})
}
