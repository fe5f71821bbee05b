package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Where a training record comes from. Sessions' attendance, HR's record of a
// course done elsewhere and a programme's confirmation all end up as records:
// "has the required training" is read from them alone.
const (
	TrainingSourceSession   = "session"
	TrainingSourceExternal  = "external"
	TrainingSourceProgramme = "programme_confirmation"
)

// TrainingRecord says an employee completed a course, when and on whose word.
type TrainingRecord struct {
	ID          uint      `gorm:"primaryKey"`
	EmployeeID  uint      `gorm:"not null;index"`
	CourseID    uint      `gorm:"not null;index"`
	Course      *Course   `gorm:"foreignKey:CourseID"`
	CompletedAt time.Time `gorm:"not null"`
	Source      string    `gorm:"size:30;not null"`
	RecordedBy  string    `gorm:"size:254"`
	Note        string    `gorm:"type:text"`
	ProgrammeID *uint
	EnrolmentID *uint
	// DedupKey names the fact recorded, so recording it again writes nothing.
	DedupKey  string `gorm:"size:120;not null;uniqueIndex"`
	CreatedAt time.Time
}

// TrainingException is the steering committee excusing a KAM from the
// required training for one programme.
type TrainingException struct {
	ProgrammeID uint   `gorm:"primaryKey"`
	EmployeeID  uint   `gorm:"primaryKey"`
	Note        string `gorm:"type:text"`
	ApprovedBy  string `gorm:"size:254"`
	ApprovedAt  time.Time
}

// TrainingFact is a programme event's statement about one KAM's training.
type TrainingFact struct {
	EmployeeID uint
	Exception  bool
	Note       string
	By         string
	At         time.Time
}

// RecordExternalTraining records a course the employee completed elsewhere
// (or before kamflow) on a past date. The same course on the same day for
// the same employee is recorded once; created says whether this call did.
func (s *Store) RecordExternalTraining(ctx context.Context, employeeID, courseID uint, completedAt time.Time, by, note string, now time.Time) (rec *TrainingRecord, created bool, err error) {
	if completedAt.IsZero() || completedAt.After(now) {
		return nil, false, fmt.Errorf("completed_at: %w: the completion date must not be in the future", ErrInvalid)
	}
	if len(note) > 2000 {
		return nil, false, fmt.Errorf("note: %w: up to 2000 characters", ErrInvalid)
	}
	var emp Employee
	if err := s.db.WithContext(ctx).Select("id").First(&emp, employeeID).Error; err != nil {
		return nil, false, translate(err, "employee")
	}
	var c Course
	if err := s.db.WithContext(ctx).Select("id").First(&c, courseID).Error; err != nil {
		return nil, false, translate(err, "course")
	}
	day := completedAt.UTC().Truncate(24 * time.Hour)
	r := TrainingRecord{EmployeeID: employeeID, CourseID: courseID, CompletedAt: completedAt.UTC(), Source: TrainingSourceExternal,
		RecordedBy: strings.ToLower(by), Note: strings.TrimSpace(note),
		DedupKey: fmt.Sprintf("external:%d:%d:%s", employeeID, courseID, day.Format("2006-01-02"))}
	// Rows affected by an ignored duplicate differ between drivers, so
	// whether this call created the record is read before writing.
	var before int64
	if err := s.db.WithContext(ctx).Model(&TrainingRecord{}).Where("dedup_key = ?", r.DedupKey).Count(&before).Error; err != nil {
		return nil, false, translate(err, "training record")
	}
	if before == 0 {
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
			return nil, false, translate(err, "record training")
		}
	}
	var out TrainingRecord
	if err := s.db.WithContext(ctx).Preload("Course").Where("dedup_key = ?", r.DedupKey).First(&out).Error; err != nil {
		return nil, false, translate(err, "training record")
	}
	return &out, before == 0, nil
}

// TrainingRecordsOf lists an employee's training records, latest first.
func (s *Store) TrainingRecordsOf(ctx context.Context, employeeID uint) ([]TrainingRecord, error) {
	var out []TrainingRecord
	err := s.db.WithContext(ctx).Preload("Course").Where("employee_id = ?", employeeID).Order("completed_at DESC, id DESC").Find(&out).Error
	return out, translate(err, "training records")
}

// recordSessionTraining writes the record of a completed enrolment (once).
func recordSessionTraining(tx *gorm.DB, enrolmentID uint, by string) error {
	var e Enrolment
	if err := tx.Preload("Session").Where("id = ?", enrolmentID).Limit(1).Find(&e).Error; err != nil {
		return err
	}
	if e.ID == 0 || e.Status != EnrolmentCompleted || e.Session == nil {
		return nil
	}
	r := TrainingRecord{EmployeeID: e.EmployeeID, CourseID: e.Session.CourseID, CompletedAt: e.Session.EndsAt.UTC(), Source: TrainingSourceSession,
		RecordedBy: by, ProgrammeID: e.ProgrammeID, EnrolmentID: &e.ID, DedupKey: fmt.Sprintf("enrolment:%d", e.ID)}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error
}

// applyTrainingFact writes what a programme said about a KAM's training: an
// exception for that programme, or a record of every required course she
// has none of yet.
func applyTrainingFact(tx *gorm.DB, programmeID uint, f TrainingFact) error {
	if f.Exception {
		ex := TrainingException{ProgrammeID: programmeID, EmployeeID: f.EmployeeID, Note: f.Note, ApprovedBy: f.By, ApprovedAt: f.At.UTC()}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&ex).Error
	}
	var required []Course
	if err := tx.Where("required_kam = ? AND archived_at IS NULL", true).Find(&required).Error; err != nil {
		return err
	}
	// The confirmation stands for the courses that have no record yet.
	var have []uint
	if err := tx.Model(&TrainingRecord{}).Where("employee_id = ?", f.EmployeeID).Distinct().Pluck("course_id", &have).Error; err != nil {
		return err
	}
	recorded := map[uint]bool{}
	for _, id := range have {
		recorded[id] = true
	}
	pid := programmeID
	for _, c := range required {
		if recorded[c.ID] {
			continue
		}
		r := TrainingRecord{EmployeeID: f.EmployeeID, CourseID: c.ID, CompletedAt: f.At.UTC(), Source: TrainingSourceProgramme,
			RecordedBy: f.By, Note: f.Note, ProgrammeID: &pid, DedupKey: fmt.Sprintf("programme:%d:%d:%d", programmeID, f.EmployeeID, c.ID)}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
			return err
		}
	}
	return nil
}

// KAMTrainingGap is an assigned KAM missing required courses, with the live
// programmes that wait for her training.
type KAMTrainingGap struct {
	EmployeeID uint
	Programmes []uint
	Courses    []Course
}

// KAMsMissingTraining lists, in employee order, KAMs of key accounts in
// running programmes (active or paused) who miss a required course and whom
// that programme's committee has not excused. Cancelled and completed
// programmes make nobody missing.
func (s *Store) KAMsMissingTraining(ctx context.Context) ([]KAMTrainingGap, error) {
	type row struct {
		EmployeeID  uint
		ProgrammeID uint
	}
	var rows []row
	err := s.db.WithContext(ctx).Table("key_accounts ka").Select("DISTINCT ka.kam_employee_id AS employee_id, ka.programme_id").
		Joins("JOIN programmes p ON p.id = ka.programme_id").
		Joins("LEFT JOIN training_exceptions te ON te.programme_id = ka.programme_id AND te.employee_id = ka.kam_employee_id").
		Where("ka.kam_employee_id IS NOT NULL AND p.status IN ? AND te.employee_id IS NULL", []string{"active", "paused"}).
		Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "KAMs of running programmes")
	}
	programmes := map[uint][]uint{}
	for _, r := range rows {
		programmes[r.EmployeeID] = append(programmes[r.EmployeeID], r.ProgrammeID)
	}
	ids := make([]uint, 0, len(programmes))
	for id, ps := range programmes {
		ids = append(ids, id)
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	missing, err := s.MissingRequiredCourses(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []KAMTrainingGap
	for _, id := range ids {
		if len(missing[id]) > 0 {
			out = append(out, KAMTrainingGap{EmployeeID: id, Programmes: programmes[id], Courses: missing[id]})
		}
	}
	return out, nil
}
