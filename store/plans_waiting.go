package store

import (
	"context"
	"strings"
	"time"
)

// PlanWaiting is a submitted account plan waiting for its decision.
type PlanWaiting struct {
	PlanID        uint
	KeyAccountID  uint
	ProgrammeID   uint
	CustomerID    uint
	Version       int
	CustomerName  string
	ProgrammeName string
	SubmittedBy   string
	SubmittedAt   *time.Time
}

// PlansWaitingFor lists the submitted account plans of the programmes
// email leads or sits on the committee of, longest waiting first.
func (s *Store) PlansWaitingFor(ctx context.Context, email string) ([]PlanWaiting, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var out []PlanWaiting
	err := s.db.WithContext(ctx).Table("account_plans").
		Select("account_plans.id AS plan_id, account_plans.key_account_id, account_plans.version, account_plans.submitted_by, account_plans.submitted_at, "+
			"key_accounts.programme_id, key_accounts.customer_id, key_accounts.customer_name, programmes.name AS programme_name").
		Joins("JOIN key_accounts ON key_accounts.id = account_plans.key_account_id").
		Joins("JOIN programmes ON programmes.id = key_accounts.programme_id").
		Where("account_plans.status = ?", "submitted").
		Where("(LOWER(programmes.lead_email) = ? OR EXISTS (SELECT 1 FROM programme_committees pc WHERE pc.programme_id = programmes.id AND LOWER(pc.email) = ?))", email, email).
		Order("account_plans.submitted_at, account_plans.id").Limit(MaxPageSize).Scan(&out).Error
	return out, translate(err, "plans waiting")
}

// ActionOwnerChoices lists the enabled users, by name, whom an action can
// be given to.
func (s *Store) ActionOwnerChoices(ctx context.Context) ([]User, error) {
	var out []User
	err := s.db.WithContext(ctx).Select("id", "email", "name", "employee_id").Where("disabled = ?", false).
		Order("name, email").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "action owners")
}
