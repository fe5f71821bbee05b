package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MaxDeliveryAttempts stops retrying a message that keeps failing; it stays
// in the outbox with its last error for an admin to see.
const MaxDeliveryAttempts = 8

// ClaimNotifications leases up to limit unsent messages to the caller until
// now+lease. A message is only ever leased to one caller at a time.
func (s *Store) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Notification, error) {
	var due []Notification
	err := s.db.WithContext(ctx).
		Where("sent_at IS NULL AND attempts < ? AND (claimed_until IS NULL OR claimed_until < ?)", MaxDeliveryAttempts, now).
		Order("id").Limit(limit).Find(&due).Error
	if err != nil {
		return nil, translate(err, "due notifications")
	}
	until := now.Add(lease)
	var claimed []Notification
	for _, n := range due {
		res := s.db.WithContext(ctx).Model(&Notification{}).
			Where("id = ? AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)", n.ID, now).
			Update("claimed_until", until)
		if res.Error != nil {
			return claimed, translate(res.Error, "claim notification")
		}
		if res.RowsAffected == 1 {
			n.ClaimedUntil = &until
			claimed = append(claimed, n)
		}
	}
	return claimed, nil
}

// MarkNotificationSent records a delivered message.
func (s *Store) MarkNotificationSent(ctx context.Context, id uint, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&Notification{}).Where("id = ?", id).
		Updates(map[string]any{"sent_at": at.UTC(), "last_error": "", "claimed_until": nil}).Error
	return translate(err, fmt.Sprintf("mark notification %d sent", id))
}

// MarkNotificationFailed records a failed attempt and holds the message
// back until retryAt.
func (s *Store) MarkNotificationFailed(ctx context.Context, id uint, cause error, retryAt time.Time) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	err := s.db.WithContext(ctx).Model(&Notification{}).Where("id = ?", id).
		Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": msg, "claimed_until": retryAt.UTC()}).Error
	return translate(err, fmt.Sprintf("mark notification %d failed", id))
}

// SearchOutbox pages through notifications, newest first; recipient ""
// means every recipient, q filters on recipient or subject.
func (s *Store) SearchOutbox(ctx context.Context, recipient, q string, p Page) ([]Notification, int64, error) {
	p = p.normalised()
	query := s.db.WithContext(ctx).Model(&Notification{})
	if recipient != "" {
		query = query.Where("recipient = ?", strings.ToLower(strings.TrimSpace(recipient)))
	}
	if strings.TrimSpace(q) != "" {
		like := likePattern(q)
		query = query.Where("(recipient LIKE ?"+likeEscape+" OR subject LIKE ?"+likeEscape+")", like, like)
	}
	var total int64
	if err := query.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "count notifications")
	}
	var out []Notification
	err := query.Omit("body").Order("id DESC").Offset((p.Number - 1) * p.Size).Limit(p.Size).Find(&out).Error
	return out, total, translate(err, "search notifications")
}

// HasCalendarToken reports whether the user has a live feed token.
func (s *Store) HasCalendarToken(ctx context.Context, userID uint) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&CalendarToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Count(&n).Error
	return n > 0, translate(err, "calendar token")
}
