package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// IdempotencyKey remembers a state-changing request by its client-chosen
// key and, once it finished, its answer: a repeat with the same key by the
// same user is answered from here instead of acting again.
type IdempotencyKey struct {
	ID     uint
	UserID uint
	// KeyHash is the SHA-256 of the key (with its source), so keys compare
	// byte for byte whatever the column's collation.
	KeyHash  string
	Method   string
	Path     string
	BodyHash string
	// Status is 0 while the first request runs, then its HTTP status.
	Status int
	// Header holds the answer's replayed headers as JSON.
	Header      string
	Body        []byte
	CreatedAt   time.Time
	CompletedAt *time.Time
}

// TableName keeps GORM's default explicit.
func (IdempotencyKey) TableName() string { return "idempotency_keys" }

// Pending reports whether the first request with this key has not answered yet.
func (k IdempotencyKey) Pending() bool { return k.Status == 0 }

// Matches reports whether r is the request this key was first used for.
func (k IdempotencyKey) Matches(r IdempotencyRequest) bool {
	return k.Method == r.Method && k.Path == r.Path && k.BodyHash == r.BodyHash
}

// IdempotencyRequest is what a request with a key is recognised by.
type IdempotencyRequest struct {
	UserID   uint
	KeyHash  string
	Method   string
	Path     string
	BodyHash string
}

// ClaimIdempotencyKey records that r starts now. claimed is true when this
// call owns the key and must run the request, then Complete or Release it.
// Otherwise row is what the key holds: another request's answer, or its
// claim while that one still runs. A row created before expiredBefore is
// forgotten and claimed afresh; a claim of the same request older than
// staleBefore belongs to a request that died and is taken over.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, r IdempotencyRequest, now, expiredBefore, staleBefore time.Time) (row *IdempotencyKey, claimed bool, err error) {
	db := s.db.WithContext(ctx)
	for attempt := 0; attempt < 3; attempt++ {
		k := IdempotencyKey{UserID: r.UserID, KeyHash: r.KeyHash, Method: r.Method, Path: r.Path, BodyHash: r.BodyHash, CreatedAt: now}
		err := translate(db.Create(&k).Error, "claim idempotency key")
		if err == nil {
			return &k, true, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return nil, false, err
		}
		cur, err := s.IdempotencyKeyOf(ctx, r.UserID, r.KeyHash)
		if errors.Is(err, ErrNotFound) {
			continue // released meanwhile: claim again
		}
		if err != nil {
			return nil, false, err
		}
		if cur.CreatedAt.Before(expiredBefore) {
			if err := db.Where("id = ? AND created_at < ?", cur.ID, expiredBefore).Delete(&IdempotencyKey{}).Error; err != nil {
				return nil, false, translate(err, "forget expired idempotency key")
			}
			continue
		}
		if cur.Pending() && cur.Matches(r) && cur.CreatedAt.Before(staleBefore) {
			res := db.Model(&IdempotencyKey{}).Where("id = ? AND status = 0 AND created_at < ?", cur.ID, staleBefore).Update("created_at", now)
			if res.Error != nil {
				return nil, false, translate(res.Error, "take over idempotency key")
			}
			if res.RowsAffected == 1 {
				cur.CreatedAt = now
				return cur, true, nil
			}
			continue
		}
		return cur, false, nil
	}
	return nil, false, fmt.Errorf("claim idempotency key: the key keeps changing hands")
}

// IdempotencyKeyOf loads a user's key.
func (s *Store) IdempotencyKeyOf(ctx context.Context, userID uint, keyHash string) (*IdempotencyKey, error) {
	var k IdempotencyKey
	err := s.db.WithContext(ctx).Where("user_id = ? AND key_hash = ?", userID, keyHash).First(&k).Error
	if err != nil {
		return nil, translate(err, "idempotency key")
	}
	return &k, nil
}

// CompleteIdempotencyKey stores the answer of a claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, id uint, status int, header string, body []byte, now time.Time) error {
	if status <= 0 {
		return fmt.Errorf("complete idempotency key: %w: status %d", ErrInvalid, status)
	}
	if body == nil {
		body = []byte{}
	}
	err := s.db.WithContext(ctx).Model(&IdempotencyKey{}).Where("id = ? AND status = 0", id).
		Updates(map[string]any{"status": status, "header": header, "body": body, "completed_at": now}).Error
	return translate(err, "complete idempotency key")
}

// ReleaseIdempotencyKey forgets a claim whose request did not finish (a
// server error): a retry with the key runs again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, id uint) error {
	err := s.db.WithContext(ctx).Where("id = ? AND status = 0", id).Delete(&IdempotencyKey{}).Error
	return translate(err, "release idempotency key")
}

// DeleteExpiredIdempotencyKeys removes up to limit keys created before
// before and returns how many went.
func (s *Store) DeleteExpiredIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int64, error) {
	var ids []uint
	db := s.db.WithContext(ctx)
	if err := db.Model(&IdempotencyKey{}).Where("created_at < ?", before).Order("id").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return 0, translate(err, "list expired idempotency keys")
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := db.Where("id IN ?", ids).Delete(&IdempotencyKey{})
	return res.RowsAffected, translate(res.Error, "delete expired idempotency keys")
}
