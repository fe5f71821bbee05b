package store_test

import (
	"context"
	"errors"
	"reflect"
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

// TestUpcomingSessionsPage: HR's desk pages the upcoming sessions soonest
// first with their seat counts; past and cancelled ones are neither listed
// nor counted; the start page's free sessions leave out the full ones.
func TestUpcomingSessionsPage(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		course := &store.Course{Title: "KAM Basics", DurationDays: 1, RequiredKAM: true, Provider: "Akademie Nord", Description: "Grundlagen", Language: "de"}
		if err := s.SaveCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		var ids []uint
		// Saved out of order: days 3, 1, 2, then a past and a cancelled one.
		for _, day := range []int{3, 1, 2, -1, 4} {
			ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.AddDate(0, 0, day), EndsAt: now.AddDate(0, 0, day).Add(8 * time.Hour), Capacity: 2, Place: "Zürich",
				Trainer: "A. Trainer"}
			if err := s.SaveSession(ctx, ts); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ts.ID)
		}
		if _, err := s.CancelSession(ctx, ids[4], now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enrol(ctx, ids[1], emps[0].ID, nil, "hr", now); err != nil {
			t.Fatal(err)
		}
		first, total, err := s.UpcomingSessionsPage(ctx, now, store.Page{Number: 1, Size: 2})
		if err != nil || total != 3 || len(first) != 2 || first[0].ID != ids[1] || first[1].ID != ids[2] || first[0].Enrolled != 1 || first[0].FreeSeats() != 1 {
			t.Fatalf("page 1 = %+v, total %d, %v; want the sessions of days 1 and 2 (one enrolled in the first) of 3", first, total, err)
		}
		second, total, err := s.UpcomingSessionsPage(ctx, now, store.Page{Number: 2, Size: 2})
		if err != nil || total != 3 || len(second) != 1 || second[0].ID != ids[0] {
			t.Fatalf("page 2 = %+v, total %d, %v; want the session of day 3", second, total, err)
		}

		// Day 1 full (a waitlisted person takes no seat): the free ones
		// are days 2 and 3, counted in the query, the first one listed.
		for _, e := range emps[1:3] {
			if _, err := s.Enrol(ctx, ids[1], e.ID, nil, "hr", now); err != nil {
				t.Fatal(err)
			}
		}
		free, freeTotal, err := s.UpcomingFreeSessions(ctx, now, 1, 0)
		if err != nil || freeTotal != (store.Count{N: 2}) || len(free) != 1 || free[0].ID != ids[2] || free[0].FreeSeats() != 2 {
			t.Fatalf("free sessions = %+v, total %+v, %v; want day 2 of days 2 and 3", free, freeTotal, err)
		}
		if f := free[0]; f.CourseTitle != "KAM Basics" || !f.StartsAt.Equal(now.AddDate(0, 0, 2)) || f.Capacity != 2 || f.Enrolled != 0 {
			t.Fatalf("day 2 as a free session = %+v; want KAM Basics from day 2, none of 2 seats taken", f)
		}
		// Counted up to a bound: the bound and that there are more.
		if _, total, err := s.UpcomingFreeSessions(ctx, now, 1, 1); err != nil || total != (store.Count{N: 1, Over: true}) {
			t.Fatalf("free sessions counted up to 1 = %+v, %v; want over 1", total, err)
		}
		if _, total, err := s.UpcomingFreeSessions(ctx, now, 1, 2); err != nil || total != (store.Count{N: 2}) {
			t.Fatalf("free sessions counted up to 2 = %+v, %v; want 2", total, err)
		}
		all, err := s.UpcomingSessions(ctx, now, true)
		if err != nil || len(all) != 2 || all[0].ID != ids[2] || all[1].ID != ids[0] {
			t.Fatalf("upcoming free = %+v, %v; want days 2 and 3", all, err)
		}

		// Each session comes whole in the one statement: its own columns,
		// its course and both seat counts.
		listed, total, err := s.UpcomingSessionsPage(ctx, now, store.Page{Number: 1, Size: 5})
		if err != nil || total != 3 || len(listed) != 3 {
			t.Fatalf("one page of all = %d sessions, total %d, %v; want 3 of 3", len(listed), total, err)
		}
		day1 := listed[0]
		if day1.ID != ids[1] || day1.Enrolled != 2 || day1.Waitlisted != 1 || day1.Told() != 3 || day1.FreeSeats() != 0 ||
			!day1.StartsAt.Equal(now.AddDate(0, 0, 1)) || !day1.EndsAt.Equal(now.AddDate(0, 0, 1).Add(8*time.Hour)) ||
			day1.Place != "Zürich" || day1.Capacity != 2 || day1.CourseID != course.ID || day1.CancelledAt != nil {
			t.Fatalf("day 1 = %+v; want 2 enrolled and 1 waitlisted of 2 seats, from 09:00 in Zürich", day1)
		}
		if c := day1.Course; c == nil || c.ID != course.ID || c.Title != "KAM Basics" || !c.RequiredKAM || c.DurationDays != 1 || c.CreatedAt.IsZero() || day1.CourseTitle() != "KAM Basics" {
			t.Fatalf("day 1's course = %+v; want KAM Basics, required, one day", c)
		}
		if listed[1].Enrolled != 0 || listed[1].Waitlisted != 0 || listed[1].Course == nil || listed[1].Course.ID != course.ID {
			t.Fatalf("day 2 = %+v; want no one enrolled, its course loaded", listed[1])
		}
		// The rows scanned by hand are what gorm reads of the same sessions,
		// field by field.
		var whole []store.TrainingSession
		if err := s.DB().Preload("Course").Where("id IN ?", []uint{ids[1], ids[2], ids[0]}).Order("starts_at, id").Find(&whole).Error; err != nil {
			t.Fatal(err)
		}
		for i := range listed {
			if !reflect.DeepEqual(listed[i].TrainingSession, whole[i]) || !reflect.DeepEqual(listed[i].Course, whole[i].Course) {
				t.Errorf("listed session %d = %+v with %+v\nread by gorm: %+v with %+v", i, listed[i].TrainingSession, listed[i].Course, whole[i], whole[i].Course)
			}
		}
	})
}
