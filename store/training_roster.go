package store

import (
	"context"
	"fmt"
	"sort"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"
)

// SessionRoster is one session as HR works on it: who has a seat, the
// waitlist in the order seats go to it, and the enrolments that ended
// (attended, no-show, cancelled or moved away), each with its employee.
type SessionRoster struct {
	Session  SessionSeats
	Enrolled []Enrolment
	Waitlist []Enrolment
	Ended    []Enrolment
	// MovedTo holds, by the ID of an enrolment moved away, the enrolment it
	// became (with its session and course); MovedFrom, by the ID of an
	// enrolment moved here, the one it came from.
	MovedTo   map[uint]*Enrolment
	MovedFrom map[uint]*Enrolment
}

// SessionRoster loads a session (cancelled or not) with its enrolments.
func (s *Store) SessionRoster(ctx context.Context, sessionID uint) (*SessionRoster, error) {
	ts, err := s.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	var list []Enrolment
	db := s.db.WithContext(ctx)
	if err := db.Preload("Employee").Where("session_id = ?", sessionID).Order("id").Find(&list).Error; err != nil {
		return nil, translate(err, "session roster")
	}
	r := &SessionRoster{Session: SessionSeats{TrainingSession: *ts}, MovedTo: map[uint]*Enrolment{}, MovedFrom: map[uint]*Enrolment{}}
	var ended, from []uint
	for _, e := range list {
		switch e.Status {
		case EnrolmentEnrolled:
			r.Enrolled = append(r.Enrolled, e)
		case EnrolmentWaitlisted:
			r.Waitlist = append(r.Waitlist, e)
		default:
			r.Ended = append(r.Ended, e)
			ended = append(ended, e.ID)
		}
		if e.MovedFromID != nil {
			from = append(from, *e.MovedFromID)
		}
	}
	r.Session.Enrolled, r.Session.Waitlisted = len(r.Enrolled), len(r.Waitlist)
	// The waitlist in the order PromoteFromWaitlist serves it.
	sort.SliceStable(r.Waitlist, func(i, j int) bool {
		a, b := r.Waitlist[i].WaitlistedAt, r.Waitlist[j].WaitlistedAt
		if a != nil && b != nil && !a.Equal(*b) {
			return a.Before(*b)
		}
		return r.Waitlist[i].ID < r.Waitlist[j].ID
	})
	if len(ended) > 0 {
		var next []Enrolment
		if err := db.Preload("Session.Course").Where("moved_from_id IN ?", ended).Find(&next).Error; err != nil {
			return nil, translate(err, "moved enrolments")
		}
		for i := range next {
			r.MovedTo[*next[i].MovedFromID] = &next[i]
		}
	}
	if len(from) > 0 {
		var prev []Enrolment
		if err := db.Preload("Session.Course").Where("id IN ?", from).Find(&prev).Error; err != nil {
			return nil, translate(err, "moved enrolments")
		}
		for i := range prev {
			r.MovedFrom[prev[i].ID] = &prev[i]
		}
	}
	return r, nil
}

// EnrolmentMovedFrom returns the enrolment a move of enrolment id created;
// ErrNotFound when it was never moved.
func (s *Store) EnrolmentMovedFrom(ctx context.Context, id uint) (*Enrolment, error) {
	var e Enrolment
	if err := s.db.WithContext(ctx).Preload("Session.Course").Preload("Employee").Where("moved_from_id = ?", id).First(&e).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("enrolment moved from %d", id))
	}
	return &e, nil
}

// EnrolmentIn returns the employee's enrolment in the session, whatever its
// status (a session has one per employee); ErrNotFound when there is none.
func (s *Store) EnrolmentIn(ctx context.Context, sessionID, employeeID uint) (*Enrolment, error) {
	var e Enrolment
	if err := s.db.WithContext(ctx).Preload("Employee").Where("session_id = ? AND employee_id = ?", sessionID, employeeID).First(&e).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("enrolment of employee %d in session %d", employeeID, sessionID))
	}
	return &e, nil
}

// KAMTrainingStanding is an assigned KAM's training as her programme counts
// it, with what HR needs to close the gap.
type KAMTrainingStanding struct {
	ProgrammeID   uint
	ProgrammeName string
	Employee      Employee
	// Missing are the required courses she has no training record of; empty
	// when she has them all but the programme has not recorded it yet.
	Missing []Course
	// Enrolments are her open enrolments (with a seat or waitlisted) in
	// sessions not cancelled, soonest first, with session and course.
	Enrolments []Enrolment
}

// TrainingOutstanding lists the assigned KAMs whose training a programme
// still waits for: neither recorded complete by the programme nor excused
// by its committee, the rule the programme's training phase completes by
// (workflows.ProgrammeState.MissingTraining) read from its record. With
// programmeID 0 it covers the running (active or paused) programmes;
// otherwise that programme alone. One page of them, ordered by programme, then
// KAM name, and how many there are in all.
func (s *Store) TrainingOutstanding(ctx context.Context, programmeID uint, p Page) ([]KAMTrainingStanding, int64, error) {
	p = p.normalised()
	type row struct {
		ProgrammeID   uint
		ProgrammeName string
		EmployeeID    uint
	}
	// A KAM assigned several accounts of a programme is one row; only the
	// page's rows are read with their courses and enrolments, so the desk
	// and the start page cost the same however many KAMs wait.
	waiting := func() *gorm.DB {
		q := s.db.WithContext(ctx).Table("programme_assignments pa").
			Select("DISTINCT pa.programme_id, pa.kam_employee_id").
			Joins("LEFT JOIN programme_trainings pt ON pt.programme_id = pa.programme_id AND pt.employee_id = pa.kam_employee_id").
			Where("pt.employee_id IS NULL OR (pt.completed = ? AND pt.exception = ?)", false, false)
		if programmeID != 0 {
			return q.Where("pa.programme_id = ?", programmeID)
		}
		return q.Where("pa.programme_id IN (SELECT id FROM programmes WHERE status IN ?)", []string{"active", "paused"})
	}
	var rows []row
	err := s.db.WithContext(ctx).Table("(?) AS w", waiting()).
		Select("w.programme_id, p.name AS programme_name, w.kam_employee_id AS employee_id").
		Joins("JOIN programmes p ON p.id = w.programme_id").
		Joins("JOIN employees e ON e.id = w.kam_employee_id").
		Order("w.programme_id, e.name, e.id").Limit(p.Size).Offset((p.Number - 1) * p.Size).Scan(&rows).Error
	if err != nil {
		return nil, 0, translate(err, "training outstanding")
	}
	seen := map[uint]bool{}
	var ids []uint
	for _, r := range rows {
		if !seen[r.EmployeeID] {
			seen[r.EmployeeID] = true
			ids = append(ids, r.EmployeeID)
		}
	}
	// The count and the page's KAMs, courses missing and places held are
	// read at once, each into its own variable: the desk and the start
	// page wait for the slowest, not for their sum. (For an empty page the
	// last three ask nothing.)
	var (
		reads   errgroup.Group
		total   int64
		emps    map[uint]Employee
		missing map[uint][]Course
		open    []Enrolment
	)
	reads.Go(func() (err error) {
		total, err = countUnlessComplete(s.db.WithContext(ctx).Table("(?) AS w", waiting()), p, len(rows))
		return translate(err, "count training outstanding")
	})
	reads.Go(func() (err error) {
		emps, err = s.EmployeesByID(ctx, ids)
		return err
	})
	reads.Go(func() (err error) {
		missing, err = s.MissingRequiredCourses(ctx, ids)
		return err
	})
	reads.Go(func() (err error) {
		open, err = s.OpenPlacesOf(ctx, ids)
		return err
	})
	if err := reads.Wait(); err != nil {
		return nil, 0, err
	}
	enrolments := map[uint][]Enrolment{}
	for _, e := range open {
		enrolments[e.EmployeeID] = append(enrolments[e.EmployeeID], e)
	}
	var out []KAMTrainingStanding // nil for an empty page, as before
	for _, r := range rows {
		out = append(out, KAMTrainingStanding{ProgrammeID: r.ProgrammeID, ProgrammeName: r.ProgrammeName, Employee: emps[r.EmployeeID],
			Missing: missing[r.EmployeeID], Enrolments: enrolments[r.EmployeeID]})
	}
	return out, total, nil
}
