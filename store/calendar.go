package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CalendarToken is the secret in a user's calendar feed URL; calendar apps
// subscribe without a session, so it is revocable and stored hashed.
type CalendarToken struct {
	ID        uint   `gorm:"primaryKey"`
	UserID    uint   `gorm:"not null;index"`
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt time.Time
	RevokedAt *time.Time
}

// NewCalendarToken revokes the user's current feed token and issues a new one.
func (s *Store) NewCalendarToken(ctx context.Context, userID uint, now time.Time) (string, error) {
	secret, err := randomToken()
	if err != nil {
		return "", err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&CalendarToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now.UTC()).Error; err != nil {
			return err
		}
		return tx.Create(&CalendarToken{UserID: userID, TokenHash: hashToken(secret)}).Error
	})
	if err != nil {
		return "", translate(err, "new calendar token")
	}
	return secret, nil
}

// RevokeCalendarTokens ends every feed URL of the user.
func (s *Store) RevokeCalendarTokens(ctx context.Context, userID uint, now time.Time) error {
	err := s.db.WithContext(ctx).Model(&CalendarToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now.UTC()).Error
	return translate(err, "revoke calendar tokens")
}

// CalendarUser resolves a feed token to its enabled user.
func (s *Store) CalendarUser(ctx context.Context, token string) (*User, error) {
	var t CalendarToken
	if err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", hashToken(token)).First(&t).Error; err != nil {
		return nil, translate(err, "calendar token")
	}
	u, err := s.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, fmt.Errorf("calendar token: %w", ErrNotFound)
	}
	return u, nil
}

// EnrolmentsOfEmployee lists an employee's enrolments with sessions and courses.
func (s *Store) EnrolmentsOfEmployee(ctx context.Context, employeeID uint) ([]Enrolment, error) {
	var out []Enrolment
	err := s.db.WithContext(ctx).Preload("Session.Course").Where("employee_id = ?", employeeID).Order("id").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "enrolments of employee")
}

// ResponsiblePhase is an open programme phase someone is responsible for.
type ResponsiblePhase struct {
	ProgrammePhase
	ProgrammeName string
}

// PhasesResponsibleFor lists open phases of running programmes the e-mail is responsible for.
func (s *Store) PhasesResponsibleFor(ctx context.Context, email string) ([]ResponsiblePhase, error) {
	var out []ResponsiblePhase
	err := s.db.WithContext(ctx).Table("programme_phases").
		Select("programme_phases.*, programmes.name AS programme_name").
		Joins("JOIN programmes ON programmes.id = programme_phases.programme_id").
		Where("programme_phases.responsible = ? AND programme_phases.status <> ? AND programmes.status IN ?", strings.ToLower(email), "done", []string{"active", "paused"}).
		Order("programme_phases.due").Limit(MaxPageSize).Scan(&out).Error
	return out, translate(err, "responsible phases")
}

// CadencesOf lists the review cadences a controller set.
func (s *Store) CadencesOf(ctx context.Context, controllerEmail string) ([]ReviewCadence, error) {
	var out []ReviewCadence
	err := s.db.WithContext(ctx).Where("controller_email = ? AND paused = ?", strings.ToLower(controllerEmail), false).Find(&out).Error
	return out, translate(err, "cadences")
}
