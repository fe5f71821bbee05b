package store

import (
	"context"
	"errors"
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
	err := query.Order("id DESC").Offset((p.Number - 1) * p.Size).Limit(p.Size).Find(&out).Error
	return out, total, translate(err, "search notifications")
}

// HasCalendarToken reports whether the user has a live feed token.
func (s *Store) HasCalendarToken(ctx context.Context, userID uint) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&CalendarToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Count(&n).Error
	return n > 0, translate(err, "calendar token")
}

// OutboxBacklog is the state of undelivered notifications.
type OutboxBacklog struct {
	// Waiting are unsent and still being tried; Oldest is when the oldest
	// of them was queued (zero when none waits).
	Waiting int64
	Oldest  time.Time
	// GivenUp are unsent after MaxDeliveryAttempts failures.
	GivenUp int64
}

// OutboxBacklog counts the undelivered notifications for the metrics. One
// pass over the unsent rows, then the oldest by its primary key: ids grow
// with the time a message was queued.
func (s *Store) OutboxBacklog(ctx context.Context) (OutboxBacklog, error) {
	var row struct {
		Waiting  int64
		GivenUp  int64
		OldestID *uint
	}
	err := s.db.WithContext(ctx).Model(&Notification{}).
		Select("COUNT(CASE WHEN attempts < ? THEN 1 END) AS waiting, COUNT(CASE WHEN attempts >= ? THEN 1 END) AS given_up, MIN(CASE WHEN attempts < ? THEN id END) AS oldest_id",
			MaxDeliveryAttempts, MaxDeliveryAttempts, MaxDeliveryAttempts).
		Where("sent_at IS NULL").Scan(&row).Error
	if err != nil {
		return OutboxBacklog{}, translate(err, "outbox backlog")
	}
	b := OutboxBacklog{Waiting: row.Waiting, GivenUp: row.GivenUp}
	if row.OldestID != nil {
		var oldest Notification
		err := s.db.WithContext(ctx).Select("id", "created_at").Take(&oldest, *row.OldestID).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return OutboxBacklog{}, translate(err, "oldest undelivered notification")
		}
		// Sent in between: counted as waiting, its age no longer matters.
		b.Oldest = oldest.CreatedAt
	}
	return b, nil
}
