package store

import (
	"context"
	"strings"
)

// The relations the access policy (package policy) asks about; each is
// one indexed count.

// OnCommittee reports whether email sits on the programme's steering committee.
func (s *Store) OnCommittee(ctx context.Context, programmeID uint, email string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&ProgrammeCommittee{}).
		Where("programme_id = ? AND LOWER(email) = ?", programmeID, strings.ToLower(strings.TrimSpace(email))).Count(&n).Error
	return n > 0, translate(err, "programme committee")
}

// OwnsMeasureOf reports whether email owns a measure of the review.
func (s *Store) OwnsMeasureOf(ctx context.Context, reviewID uint, email string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Measure{}).
		Where("review_id = ? AND LOWER(owner_email) = ?", reviewID, strings.ToLower(strings.TrimSpace(email))).Count(&n).Error
	return n > 0, translate(err, "measure owners")
}

// AskedInJourFixe reports whether the jour fixe asked the employee for input.
func (s *Store) AskedInJourFixe(ctx context.Context, jourFixeID, employeeID uint) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&JourFixeAsked{}).Where("jour_fixe_id = ? AND employee_id = ?", jourFixeID, employeeID).Count(&n).Error
	return n > 0, translate(err, "jour fixe participants")
}
