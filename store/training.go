package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Course is a training HR offers.
type Course struct {
	ID           uint   `gorm:"primaryKey"`
	Title        string `gorm:"size:200;not null;uniqueIndex"`
	Provider     string `gorm:"size:200"`
	Description  string `gorm:"type:text"`
	DurationDays float64
	RequiredKAM  bool   `gorm:"not null;default:false"`
	Language     string `gorm:"size:5"`
	ArchivedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TrainingSession is one dated run of a course.
type TrainingSession struct {
	ID          uint      `gorm:"primaryKey"`
	CourseID    uint      `gorm:"not null;index"`
	Course      *Course   `gorm:"foreignKey:CourseID"`
	StartsAt    time.Time `gorm:"not null;index"`
	EndsAt      time.Time `gorm:"not null"`
	Place       string    `gorm:"size:300"` // address or online link
	Capacity    int       `gorm:"not null"`
	Trainer     string    `gorm:"size:200"`
	CancelledAt *time.Time
	// Revision counts changes of date or place so calendar entries update.
	Revision int `gorm:"not null;default:0"`
	// EnrolledCount and WaitlistedCount are the session's enrolments with a
	// seat and waiting, kept as they are written (seat_counts.go); saving
	// a session never writes them.
	EnrolledCount   int `gorm:"not null;default:0"`
	WaitlistedCount int `gorm:"not null;default:0"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Enrolment statuses.
const (
	EnrolmentEnrolled   = "enrolled"
	EnrolmentWaitlisted = "waitlisted"
	EnrolmentCompleted  = "completed"
	EnrolmentNoShow     = "no_show"
	EnrolmentCancelled  = "cancelled"
)

// Enrolment places an employee in a session (or on its waitlist).
type Enrolment struct {
	ID          uint             `gorm:"primaryKey"`
	SessionID   uint             `gorm:"not null;uniqueIndex:ux_enrolment"`
	Session     *TrainingSession `gorm:"foreignKey:SessionID"`
	EmployeeID  uint             `gorm:"not null;uniqueIndex:ux_enrolment;index"`
	Employee    *Employee        `gorm:"foreignKey:EmployeeID"`
	ProgrammeID *uint
	Status      string `gorm:"size:20;not null;index"`
	// WaitlistedAt orders the waitlist: first come, first promoted.
	WaitlistedAt *time.Time
	UpdatedBy    string `gorm:"size:254"`
	// StatusNote and StatusAt say how it ended: HR's attendance note or the
	// reason for a cancellation, and when.
	StatusNote string `gorm:"type:text"`
	StatusAt   *time.Time
	// MovedFromID names the enrolment HR moved to this one (another
	// session of the same course); that one ends cancelled.
	MovedFromID *uint `gorm:"index"`
	// SessionStartsAt is its session's start, kept with the enrolment so
	// that the attendance still to record is read from an index in the
	// order shown (migration 0044): Enrolment.BeforeCreate and SaveSession
	// keep it current; read the start from Session.
	SessionStartsAt time.Time `json:"-"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// BeforeCreate gives the enrolment its session's start when its writer
// did not (place reads the session anyway; the demo company and the bench
// write enrolments in bulk).
func (e *Enrolment) BeforeCreate(tx *gorm.DB) error {
	if !e.SessionStartsAt.IsZero() {
		return nil
	}
	var starts []time.Time
	if err := tx.Session(&gorm.Session{NewDB: true}).Table("training_sessions").Where("id = ?", e.SessionID).Pluck("starts_at", &starts).Error; err != nil {
		return err
	}
	if len(starts) == 0 {
		return fmt.Errorf("enrolment: %w: no session %d", ErrInvalid, e.SessionID)
	}
	e.SessionStartsAt = starts[0]
	return nil
}

// Open reports whether the enrolment holds a seat or waits for one.
func (e Enrolment) Open() bool {
	return e.Status == EnrolmentEnrolled || e.Status == EnrolmentWaitlisted
}

// SaveCourse creates or updates a course after validating it.
func (s *Store) SaveCourse(ctx context.Context, c *Course) error {
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" {
		return fmt.Errorf("course: %w: title is required", ErrInvalid)
	}
	if FiniteProblem(c.DurationDays) != "" || c.DurationDays < 0 || c.DurationDays > 365 {
		return fmt.Errorf("course: %w: duration_days must be between 0 and 365", ErrInvalid)
	}
	return translate(s.db.WithContext(ctx).Save(c).Error, "save course "+c.Title)
}

// Course loads one course.
func (s *Store) Course(ctx context.Context, id uint) (*Course, error) {
	var c Course
	if err := s.db.WithContext(ctx).First(&c, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("course %d", id))
	}
	return &c, nil
}

// ListCourses returns active courses by title.
func (s *Store) ListCourses(ctx context.Context) ([]Course, error) {
	var out []Course
	err := s.db.WithContext(ctx).Where("archived_at IS NULL").Order("title").Find(&out).Error
	return out, translate(err, "list courses")
}

// SaveSession creates or updates a session; a changed date or place bumps
// its revision.
func (s *Store) SaveSession(ctx context.Context, ts *TrainingSession) error {
	if !ts.EndsAt.After(ts.StartsAt) {
		return fmt.Errorf("session: %w", invalid("ends_at", "ends_at must be after starts_at"))
	}
	if ts.Capacity < 1 || ts.Capacity > 10000 {
		return fmt.Errorf("session: %w", invalid("capacity", "capacity must be between 1 and 10000"))
	}
	ts.StartsAt, ts.EndsAt = ts.StartsAt.UTC(), ts.EndsAt.UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := (&Store{db: tx}).Course(ctx, ts.CourseID); err != nil {
			return err
		}
		if ts.ID != 0 {
			// Locked first, as every writer of its enrolments locks it:
			// the capacity is checked against them and their copy of the
			// start is written.
			var old TrainingSession
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&old, ts.ID).Error; err != nil {
				return err
			}
			if old.CancelledAt != nil {
				return fmt.Errorf("session %d: %w", ts.ID, invalid("", "it is cancelled"))
			}
			var enrolled int64
			if err := tx.Model(&Enrolment{}).Where("session_id = ? AND status = ?", ts.ID, EnrolmentEnrolled).Count(&enrolled).Error; err != nil {
				return err
			}
			if int64(ts.Capacity) < enrolled {
				return fmt.Errorf("session: %w", invalid("capacity", "capacity %d is below the %d enrolled", ts.Capacity, enrolled))
			}
			ts.Revision = old.Revision
			if !old.StartsAt.Equal(ts.StartsAt) || !old.EndsAt.Equal(ts.EndsAt) || old.Place != ts.Place {
				ts.Revision++
			}
			ts.CreatedAt = old.CreatedAt
			if !old.StartsAt.Equal(ts.StartsAt) {
				// The enrolments' copy of the start; their own updated_at
				// tells of their own changes.
				if err := tx.Model(&Enrolment{}).Where("session_id = ?", ts.ID).UpdateColumn("session_starts_at", ts.StartsAt).Error; err != nil {
					return err
				}
			}
		}
		return tx.Omit("Course", "EnrolledCount", "WaitlistedCount").Save(ts).Error
	})
	return translate(err, "save session")
}

// Session loads a session with its course.
func (s *Store) Session(ctx context.Context, id uint) (*TrainingSession, error) {
	var ts TrainingSession
	if err := s.db.WithContext(ctx).Preload("Course").First(&ts, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("session %d", id))
	}
	return &ts, nil
}

// CancelSession marks a session cancelled and returns its open enrolments.
func (s *Store) CancelSession(ctx context.Context, id uint, at time.Time) ([]Enrolment, error) {
	var open []Enrolment
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&TrainingSession{}).Where("id = ? AND cancelled_at IS NULL", id).
			Updates(map[string]any{"cancelled_at": at.UTC(), "revision": gorm.Expr("revision + 1")})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("session %d: %w", id, ErrNotFound)
		}
		return tx.Where("session_id = ? AND status IN ?", id, []string{EnrolmentEnrolled, EnrolmentWaitlisted}).Find(&open).Error
	})
	return open, translate(err, "cancel session")
}

// SessionSeats is a session with its seat counts.
type SessionSeats struct {
	TrainingSession
	Enrolled   int
	Waitlisted int
}

// FreeSeats is capacity minus the enrolled.
func (s SessionSeats) FreeSeats() int { return freeSeats(s.Capacity, s.Enrolled) }

// freeSeats is a session's capacity less those enrolled (the waitlisted
// take no seat), none when it is overbooked.
func freeSeats(capacity, enrolled int) int { return max(0, capacity-enrolled) }

// Told is how many people cancelling the session tells: the enrolled and
// the waitlisted.
func (s SessionSeats) Told() int { return s.Enrolled + s.Waitlisted }

// CourseTitle is the session's course title, or "" when it is not loaded.
func (s SessionSeats) CourseTitle() string {
	if s.Course == nil {
		return ""
	}
	return s.Course.Title
}

// UpcomingSessions lists sessions starting after from with their course
// and seat counts (one statement).
func (s *Store) UpcomingSessions(ctx context.Context, from time.Time, onlyFree bool) ([]SessionSeats, error) {
	return s.upcomingSessions(ctx, from, onlyFree, Page{Number: 1, Size: MaxPageSize})
}

// FreeSession is an upcoming session with a free seat as a start page
// lists it.
type FreeSession struct {
	ID                 uint
	CourseTitle        string
	StartsAt           time.Time
	Place              string
	Capacity, Enrolled int
}

// FreeSeats is capacity minus the enrolled.
func (f FreeSession) FreeSeats() int { return freeSeats(f.Capacity, f.Enrolled) }

// UpcomingFreeSessions are the first limit upcoming sessions with a free
// seat, soonest first, and how many there are in all, counted up to
// countUpTo: the HR start page shows a few and counts the rest without
// reading them. It reads the columns it shows only (a session with its
// course is 23 columns, and decoding them was most of the list's cost).
func (s *Store) UpcomingFreeSessions(ctx context.Context, from time.Time, limit, countUpTo int) ([]FreeSession, Count, error) {
	p := Page{Number: 1, Size: limit}.normalised()
	rows, err := s.upcoming(ctx, from, true).
		Select("training_sessions.id, courses.title, training_sessions.starts_at, training_sessions.place, " +
			"training_sessions.capacity, training_sessions.enrolled_count").
		Joins("LEFT JOIN courses ON courses.id = training_sessions.course_id").
		Order("training_sessions.starts_at, training_sessions.id").Limit(p.Size).Rows()
	out, err := scanAll(rows, err, func(rows *sql.Rows) (FreeSession, error) {
		var f FreeSession
		var title, place sql.NullString
		err := rows.Scan(&f.ID, &title, &f.StartsAt, &place, &f.Capacity, &f.Enrolled)
		f.CourseTitle, f.Place = title.String, place.String
		return f, err
	})
	if err != nil {
		return nil, Count{}, translate(err, "free sessions")
	}
	total, err := countUpToUnlessComplete(s.upcoming(ctx, from, true), p, len(out), countUpTo)
	return out, total, translate(err, "count free sessions")
}

// upcoming selects the sessions starting after from and not cancelled;
// onlyFree keeps those with fewer people enrolled than seats.
func (s *Store) upcoming(ctx context.Context, from time.Time, onlyFree bool) *gorm.DB {
	// Qualified: upcomingSessions joins the courses.
	db := s.db.WithContext(ctx).Model(&TrainingSession{}).
		Where("training_sessions.starts_at > ? AND training_sessions.cancelled_at IS NULL", from.UTC())
	if onlyFree {
		db = db.Where("training_sessions.capacity > training_sessions.enrolled_count")
	}
	return db
}

// UpcomingSessionsPage is one page of UpcomingSessions (soonest first) and
// how many sessions are upcoming in all.
func (s *Store) UpcomingSessionsPage(ctx context.Context, from time.Time, p Page) ([]SessionSeats, int64, error) {
	p = p.normalised()
	out, err := s.upcomingSessions(ctx, from, false, p)
	if err != nil {
		return nil, 0, err
	}
	total, err := countUnlessComplete(s.upcoming(ctx, from, false), p, len(out))
	return out, total, translate(err, "count upcoming sessions")
}

func (s *Store) upcomingSessions(ctx context.Context, from time.Time, onlyFree bool, p Page) ([]SessionSeats, error) {
	p = p.normalised()
	// One statement: the sessions with their course and kept seat counts,
	// scanned by hand (reflecting the two rows into structs cost more than
	// the statement).
	rows, err := s.upcoming(ctx, from, onlyFree).
		Select(sessionSeatsColumns).
		Joins("LEFT JOIN courses ON courses.id = training_sessions.course_id").
		Order("training_sessions.starts_at, training_sessions.id").
		Offset((p.Number - 1) * p.Size).Limit(p.Size).Rows()
	out, err := scanAll(rows, err, scanSessionSeats)
	return out, translate(err, "upcoming sessions")
}

// sessionSeatsColumns are a session's columns and its course's, in the
// order scanSessionSeats reads them; a test holds them to every column of
// both tables.
const sessionSeatsColumns = "training_sessions.id, training_sessions.course_id, training_sessions.starts_at, training_sessions.ends_at, " +
	"training_sessions.place, training_sessions.capacity, training_sessions.trainer, training_sessions.cancelled_at, training_sessions.revision, " +
	"training_sessions.enrolled_count, training_sessions.waitlisted_count, training_sessions.created_at, training_sessions.updated_at, " +
	"courses.id, courses.title, courses.provider, courses.description, courses.duration_days, courses.required_kam, courses.language, " +
	"courses.archived_at, courses.created_at, courses.updated_at"

// scanSessionSeats reads one row of sessionSeatsColumns: the session with
// its seat counts, and its course when the join found one.
func scanSessionSeats(rows *sql.Rows) (SessionSeats, error) {
	var (
		t                                      TrainingSession
		place, trainer                         sql.NullString
		cancelled                              sql.NullTime
		courseID                               sql.NullInt64
		title, provider, description, language sql.NullString
		days                                   sql.NullFloat64
		required                               sql.NullBool
		archived, courseCreated, courseUpdated sql.NullTime
	)
	err := rows.Scan(&t.ID, &t.CourseID, &t.StartsAt, &t.EndsAt, &place, &t.Capacity, &trainer, &cancelled, &t.Revision,
		&t.EnrolledCount, &t.WaitlistedCount, &t.CreatedAt, &t.UpdatedAt,
		&courseID, &title, &provider, &description, &days, &required, &language, &archived, &courseCreated, &courseUpdated)
	if err != nil {
		return SessionSeats{}, err
	}
	t.Place, t.Trainer, t.CancelledAt = place.String, trainer.String, timeOrNil(cancelled)
	if courseID.Valid {
		t.Course = &Course{ID: uint(courseID.Int64), Title: title.String, Provider: provider.String, Description: description.String,
			DurationDays: days.Float64, RequiredKAM: required.Bool, Language: language.String, ArchivedAt: timeOrNil(archived),
			CreatedAt: courseCreated.Time, UpdatedAt: courseUpdated.Time}
	}
	return SessionSeats{TrainingSession: t, Enrolled: t.EnrolledCount, Waitlisted: t.WaitlistedCount}, nil
}

// Enrol places the employee in the session, or on its waitlist when it is
// full, in one transaction that locks the session row.
func (s *Store) Enrol(ctx context.Context, sessionID, employeeID uint, programmeID *uint, by string, now time.Time) (*Enrolment, error) {
	return s.place(ctx, Enrolment{SessionID: sessionID, EmployeeID: employeeID, ProgrammeID: programmeID, UpdatedBy: by}, now)
}

// EnrolMoved places the employee of enrolment from in another session as
// Enrol does, remembering from: the move's first half (its second closes
// from through the enrolment's workflow).
func (s *Store) EnrolMoved(ctx context.Context, from *Enrolment, sessionID uint, by string, now time.Time) (*Enrolment, error) {
	id := from.ID
	return s.place(ctx, Enrolment{SessionID: sessionID, EmployeeID: from.EmployeeID, ProgrammeID: from.ProgrammeID, UpdatedBy: by, MovedFromID: &id}, now)
}

// place creates the enrolment e in its session, with a seat or waitlisted.
func (s *Store) place(ctx context.Context, want Enrolment, now time.Time) (*Enrolment, error) {
	var e Enrolment
	sessionID, employeeID := want.SessionID, want.EmployeeID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ts TrainingSession
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&ts, sessionID).Error; err != nil {
			return err
		}
		if ts.CancelledAt != nil {
			return fmt.Errorf("enrol: %w", invalid("", "the session is cancelled"))
		}
		if !ts.StartsAt.After(now) {
			return fmt.Errorf("enrol: %w", invalid("", "the session has started"))
		}
		var emp Employee
		if err := tx.First(&emp, employeeID).Error; err != nil {
			return fmt.Errorf("employee %d: %w", employeeID, ErrNotFound)
		}
		var enrolled int64
		if err := tx.Model(&Enrolment{}).Where("session_id = ? AND status = ?", sessionID, EnrolmentEnrolled).Count(&enrolled).Error; err != nil {
			return err
		}
		e = want
		e.Status, e.SessionStartsAt = EnrolmentEnrolled, ts.StartsAt
		if enrolled >= int64(ts.Capacity) {
			t := now.UTC()
			e.Status, e.WaitlistedAt = EnrolmentWaitlisted, &t
		}
		return tx.Create(&e).Error
	})
	if err != nil {
		return nil, translate(err, "enrol")
	}
	return &e, nil
}

// Enrolment loads an enrolment with its session, course and employee.
func (s *Store) Enrolment(ctx context.Context, id uint) (*Enrolment, error) {
	var e Enrolment
	if err := s.db.WithContext(ctx).Preload("Session.Course").Preload("Employee").First(&e, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("enrolment %d", id))
	}
	return &e, nil
}

// SessionEnrolments lists a session's enrolments with their employees.
func (s *Store) SessionEnrolments(ctx context.Context, sessionID uint) ([]Enrolment, error) {
	var out []Enrolment
	err := s.db.WithContext(ctx).Preload("Employee").Where("session_id = ?", sessionID).Order("id").Find(&out).Error
	return out, translate(err, "session enrolments")
}

// SessionEmployeeIDs are the employees with an enrolment of any status
// in the session: a picker for it offers everyone else.
func (s *Store) SessionEmployeeIDs(ctx context.Context, sessionID uint) ([]uint, error) {
	var ids []uint
	err := s.db.WithContext(ctx).Model(&Enrolment{}).Where("session_id = ?", sessionID).Distinct().Pluck("employee_id", &ids).Error
	return ids, translate(err, "session employees")
}

// SetEnrolmentStatus moves an enrolment from one of the from statuses to
// to; it reports false (and changes nothing) when it is elsewhere already.
// A completed enrolment leaves its training record in the same transaction.
func (s *Store) SetEnrolmentStatus(ctx context.Context, id uint, from []string, to, by string) (bool, error) {
	return s.SetEnrolmentStatusNoted(ctx, id, from, to, by, "", time.Now())
}

// SetEnrolmentStatusNoted is SetEnrolmentStatus with a note (attendance
// note, reason for a cancellation) and the time it happened.
func (s *Store) SetEnrolmentStatusNoted(ctx context.Context, id uint, from []string, to, by, note string, at time.Time) (bool, error) {
	moved := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := lockSessionOfEnrolment(tx, id)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // no such enrolment: nothing moves, as before
		}
		if err != nil {
			return err
		}
		res := tx.Model(&Enrolment{}).Where("id = ? AND status IN ?", id, from).
			Updates(map[string]any{"status": to, "updated_by": by, "status_note": strings.TrimSpace(note), "status_at": at.UTC()})
		if res.Error != nil {
			return res.Error
		}
		moved = res.RowsAffected == 1
		if moved {
			if err := moveSeats(tx, old.SessionID, old.Status, to); err != nil {
				return err
			}
		}
		if to == EnrolmentCompleted {
			// Also on a repeat, so a retried activity never leaves it out.
			return recordSessionTraining(tx, id, by)
		}
		return nil
	})
	return moved, translate(err, "set enrolment status")
}

// PromoteFromWaitlist gives a free seat of the session to the longest
// waiting employee and returns that enrolment's ID (0 when nobody waits or
// no seat is free). Safe to repeat.
func (s *Store) PromoteFromWaitlist(ctx context.Context, sessionID uint) (uint, error) {
	var promoted uint
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ts TrainingSession
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&ts, sessionID).Error; err != nil {
			return err
		}
		if ts.CancelledAt != nil {
			return nil
		}
		var enrolled int64
		if err := tx.Model(&Enrolment{}).Where("session_id = ? AND status = ?", sessionID, EnrolmentEnrolled).Count(&enrolled).Error; err != nil {
			return err
		}
		if enrolled >= int64(ts.Capacity) {
			return nil
		}
		var next Enrolment
		err := tx.Where("session_id = ? AND status = ?", sessionID, EnrolmentWaitlisted).Order("waitlisted_at, id").First(&next).Error
		if err == gorm.ErrRecordNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.Model(&Enrolment{}).Where("id = ?", next.ID).Update("status", EnrolmentEnrolled).Error; err != nil {
			return err
		}
		if err := moveSeats(tx, sessionID, EnrolmentWaitlisted, EnrolmentEnrolled); err != nil {
			return err
		}
		promoted = next.ID
		return nil
	})
	return promoted, translate(err, "promote from waitlist")
}

// HasCompletedRequiredCourses reports whether the employee completed every
// course required for KAMs.
func (s *Store) HasCompletedRequiredCourses(ctx context.Context, employeeID uint) (bool, []Course, error) {
	missing, err := s.MissingRequiredCourses(ctx, []uint{employeeID})
	if err != nil {
		return false, nil, err
	}
	return len(missing[employeeID]) == 0, missing[employeeID], nil
}

// MissingRequiredCourses returns, per employee, the required courses with no
// training record (two queries at once, whatever the number of employees).
func (s *Store) MissingRequiredCourses(ctx context.Context, employeeIDs []uint) (map[uint][]Course, error) {
	out := map[uint][]Course{}
	if len(employeeIDs) == 0 {
		return out, nil
	}
	type done struct {
		EmployeeID uint
		CourseID   uint
	}
	var (
		reads     errgroup.Group
		required  []Course
		completed []done
	)
	// Both at once: the courses required and the employees' records.
	reads.Go(func() error {
		err := s.db.WithContext(ctx).Where("required_kam = ? AND archived_at IS NULL", true).Order("title").Find(&required).Error
		return translate(err, "required courses")
	})
	reads.Go(func() error {
		err := s.db.WithContext(ctx).Model(&TrainingRecord{}).Distinct("employee_id", "course_id").
			Where("employee_id IN ?", employeeIDs).Scan(&completed).Error
		return translate(err, "completed courses")
	})
	if err := reads.Wait(); err != nil {
		return nil, err
	}
	has := map[[2]uint]bool{}
	for _, d := range completed {
		has[[2]uint{d.EmployeeID, d.CourseID}] = true
	}
	for _, e := range employeeIDs {
		for _, c := range required {
			if !has[[2]uint{e, c.ID}] {
				out[e] = append(out[e], c)
			}
		}
	}
	return out, nil
}

// AssignedKAMIDs lists, in ID order, the employees who are KAM of a key
// account, in one query however many accounts there are.
func (s *Store) AssignedKAMIDs(ctx context.Context) ([]uint, error) {
	var ids []uint
	err := s.db.WithContext(ctx).Model(&KeyAccount{}).Where("kam_employee_id IS NOT NULL").Distinct("kam_employee_id").Order("kam_employee_id").Pluck("kam_employee_id", &ids).Error
	return ids, translate(err, "assigned KAMs")
}

// AssignedKAMs lists employees who are KAM of a key account, with the
// programmes they serve.
func (s *Store) AssignedKAMs(ctx context.Context) (map[uint][]uint, error) {
	var kas []KeyAccount
	if err := s.db.WithContext(ctx).Where("kam_employee_id IS NOT NULL").Find(&kas).Error; err != nil {
		return nil, translate(err, "assigned KAMs")
	}
	out := map[uint][]uint{}
	for _, ka := range kas {
		id := *ka.KAMEmployeeID
		seen := false
		for _, p := range out[id] {
			seen = seen || p == ka.ProgrammeID
		}
		if !seen {
			out[id] = append(out[id], ka.ProgrammeID)
		}
	}
	return out, nil
}

// UserEmailsWithRole lists enabled users holding role.
func (s *Store) UserEmailsWithRole(ctx context.Context, role Role) ([]string, error) {
	var emails []string
	err := s.db.WithContext(ctx).Table("users").Joins("JOIN user_roles ON user_roles.user_id = users.id").
		Where("user_roles.role = ? AND users.disabled = ?", role, false).Order("users.email").Pluck("users.email", &emails).Error
	return emails, translate(err, "users with role "+string(role))
}

// PhaseDue returns a programme phase's due date and the programme's lead.
func (s *Store) PhaseDue(ctx context.Context, programmeID uint, phase string) (time.Time, string, error) {
	var ph ProgrammePhase
	if err := s.db.WithContext(ctx).Where("programme_id = ? AND phase = ?", programmeID, phase).First(&ph).Error; err != nil {
		return time.Time{}, "", translate(err, "programme phase")
	}
	var p Programme
	if err := s.db.WithContext(ctx).Select("id", "lead_email").First(&p, programmeID).Error; err != nil {
		return time.Time{}, "", translate(err, "programme")
	}
	return ph.Due, p.LeadEmail, nil
}

// DeleteEnrolment removes an enrolment whose workflow never started.
func (s *Store) DeleteEnrolment(ctx context.Context, id uint) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := lockSessionOfEnrolment(tx, id)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // deleted already: a retry
		}
		if err != nil {
			return err
		}
		res := tx.Delete(&Enrolment{}, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return moveSeats(tx, old.SessionID, old.Status, "")
	})
	return translate(err, "delete enrolment")
}

// EnrolmentLine is an enrolment as the training desk lists it: its
// outcome with its course's title, its session's start and the employee's
// name, read in one statement without the rest of those rows.
type EnrolmentLine struct {
	ID, SessionID, EmployeeID uint
	Status                    string
	UpdatedBy                 string
	StatusNote                string
	StatusAt                  *time.Time
	CourseTitle               string
	// SessionStartsAt is the session's own start; zero when the session
	// is gone.
	SessionStartsAt time.Time
	EmployeeName    string
}

// EnrolmentsAwaitingAttendance lists enrolled places of sessions that have
// started, oldest first: HR records who attended. One page of them, and
// how many in all.
func (s *Store) EnrolmentsAwaitingAttendance(ctx context.Context, now time.Time, p Page) ([]EnrolmentLine, int64, error) {
	// Read from the index on status and the session's start kept with each
	// enrolment, in the order shown, stopping at the page's end: by the
	// session's own start the database went through every session ever
	// started to find the few with places still enrolled, then sorted.
	// The join leaves out cancelled sessions, whose places their workflows
	// are about to cancel; the list joins the session again for its start
	// and course (pageOfEnrolmentLines): one more lookup by primary key per
	// row, kept so that the count needs no more than this.
	awaiting := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&Enrolment{}).Joins("JOIN training_sessions ts ON ts.id = enrolments.session_id").
			Where("enrolments.status = ? AND enrolments.session_starts_at <= ? AND ts.cancelled_at IS NULL", EnrolmentEnrolled, now.UTC())
	}
	return pageOfEnrolmentLines(awaiting, "enrolments.session_starts_at, enrolments.id", p, "enrolments awaiting attendance")
}

// enrolmentLineColumns are EnrolmentLine's fields in the order
// pageOfEnrolmentLines scans them.
const enrolmentLineColumns = "enrolments.id, enrolments.session_id, enrolments.employee_id, enrolments.status, enrolments.updated_by, " +
	"enrolments.status_note, enrolments.status_at, line_course.title, line_session.starts_at, line_employee.name"

// pageOfEnrolmentLines reads one page of the enrolments query selects, in
// order, as lines, and how many it selects in all (counted only when the
// page does not tell). The columns are scanned by hand: reflecting ~50
// columns of four joined rows into structs was most of the desk's reads.
// The joins are LEFT JOINs so that the database keeps driving the read
// from the enrolments' index in the order shown.
func pageOfEnrolmentLines(query func() *gorm.DB, order string, p Page, what string) ([]EnrolmentLine, int64, error) {
	p = p.normalised()
	rows, err := query().Select(enrolmentLineColumns).
		Joins("LEFT JOIN training_sessions line_session ON line_session.id = enrolments.session_id").
		Joins("LEFT JOIN courses line_course ON line_course.id = line_session.course_id").
		Joins("LEFT JOIN employees line_employee ON line_employee.id = enrolments.employee_id").
		Order(order).Offset((p.Number - 1) * p.Size).Limit(p.Size).Rows()
	out, err := scanAll(rows, err, scanEnrolmentLine)
	if err != nil {
		return nil, 0, translate(err, what)
	}
	total, err := countUnlessComplete(query(), p, len(out))
	return out, total, translate(err, "count "+what)
}

// scanEnrolmentLine reads one row of enrolmentLineColumns.
func scanEnrolmentLine(rows *sql.Rows) (EnrolmentLine, error) {
	var (
		l                            EnrolmentLine
		updatedBy, note, title, name sql.NullString
		statusAt, starts             sql.NullTime
	)
	if err := rows.Scan(&l.ID, &l.SessionID, &l.EmployeeID, &l.Status, &updatedBy, &note, &statusAt, &title, &starts, &name); err != nil {
		return EnrolmentLine{}, err
	}
	l.UpdatedBy, l.StatusNote, l.CourseTitle, l.EmployeeName = updatedBy.String, note.String, title.String, name.String
	l.StatusAt = timeOrNil(statusAt)
	if starts.Valid {
		l.SessionStartsAt = starts.Time
	}
	return l, nil
}

// WaitlistPosition is a waitlisted enrolment's place in its session's
// queue (1: promoted first); 0 when it is not waitlisted.
func (s *Store) WaitlistPosition(ctx context.Context, e *Enrolment) (int, error) {
	if e.Status != EnrolmentWaitlisted || e.WaitlistedAt == nil {
		return 0, nil
	}
	var ahead int64
	err := s.db.WithContext(ctx).Model(&Enrolment{}).
		Where("session_id = ? AND status = ? AND (waitlisted_at < ? OR (waitlisted_at = ? AND id < ?))", e.SessionID, EnrolmentWaitlisted, *e.WaitlistedAt, *e.WaitlistedAt, e.ID).
		Count(&ahead).Error
	return int(ahead) + 1, translate(err, "waitlist position")
}

// RecordedEnrolments lists enrolments whose attendance (or cancellation)
// was recorded since a time, newest first: one page of them, and how many
// in all.
func (s *Store) RecordedEnrolments(ctx context.Context, since time.Time, p Page) ([]EnrolmentLine, int64, error) {
	// Read from the index on status_at, newest first, stopping at the
	// page's end. Without statistics SQLite would take the index on status
	// (every recorded enrolment of the company's history, then sorted);
	// the unary + keeps it from that index (SQLite's documented way; MySQL
	// ignores it, and its optimizer takes status_at by itself).
	recorded := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&Enrolment{}).
			Where("+enrolments.status IN ? AND enrolments.status_at >= ?", []string{EnrolmentCompleted, EnrolmentNoShow, EnrolmentCancelled}, since.UTC())
	}
	return pageOfEnrolmentLines(recorded, "enrolments.status_at DESC, enrolments.id DESC", p, "recorded enrolments")
}

// OpenPlacesOf lists the places the employees hold (enrolled or
// waitlisted) in sessions not cancelled, with session and course, soonest
// first: where someone missing a course is already booked.
func (s *Store) OpenPlacesOf(ctx context.Context, employeeIDs []uint) ([]Enrolment, error) {
	if len(employeeIDs) == 0 {
		return nil, nil
	}
	var out []Enrolment
	// The session and its course joined, not preloaded: one statement
	// instead of three.
	err := s.db.WithContext(ctx).Joins("Session").Joins("Session.Course").
		Joins("JOIN training_sessions ts ON ts.id = enrolments.session_id").
		Where("enrolments.employee_id IN ? AND enrolments.status IN ? AND ts.cancelled_at IS NULL",
			employeeIDs, []string{EnrolmentEnrolled, EnrolmentWaitlisted}).
		Order("ts.starts_at, enrolments.id").Find(&out).Error
	return out, translate(err, "open places")
}

// EmployeeDepartments lists the departments of active employees, by name:
// the groups of staff a roll-out informs.
func (s *Store) EmployeeDepartments(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Model(&Employee{}).Where("archived_at IS NULL AND department <> ''").
		Distinct("department").Order("department").Limit(MaxPageSize).Pluck("department", &out).Error
	return out, translate(err, "departments")
}
