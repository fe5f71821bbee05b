package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// OIDCLoginTTL is how long a company sign-in may take at the provider.
const OIDCLoginTTL = 10 * time.Minute

// ErrExpired is a company sign-in that came back too late.
var ErrExpired = errors.New("expired")

// ErrDisabled is an account an admin has disabled.
var ErrDisabled = errors.New("account disabled")

// BeginOIDCLogin keeps what the callback must check: the state (as its
// hash), the browser it was begun in (as the hash of its cookie), the nonce
// and the PKCE verifier. Sign-ins that were never finished are dropped.
func (s *Store) BeginOIDCLogin(ctx context.Context, state, browser, nonce, verifier string, now time.Time) error {
	db := s.db.WithContext(ctx)
	if err := db.Where("expires_at < ?", now).Delete(&OIDCLogin{}).Error; err != nil {
		return translate(err, "drop expired sign-ins")
	}
	l := OIDCLogin{StateHash: hashToken(state), BrowserHash: hashToken(browser), Nonce: nonce, Verifier: verifier,
		ExpiresAt: now.Add(OIDCLoginTTL), CreatedAt: now}
	return translate(db.Create(&l).Error, "begin company sign-in")
}

// TakeOIDCLogin takes the sign-in begun with state in browser, once: a
// second callback with the same state finds nothing. An unknown state, or
// one begun in another browser, is ErrNotFound; a late one ErrExpired.
func (s *Store) TakeOIDCLogin(ctx context.Context, state, browser string, now time.Time) (*OIDCLogin, error) {
	var l OIDCLogin
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("state_hash = ?", hashToken(state)).First(&l).Error; err != nil {
			return translate(err, "company sign-in")
		}
		res := tx.Where("state_hash = ?", l.StateHash).Delete(&OIDCLogin{})
		if res.Error != nil {
			return translate(res.Error, "take company sign-in")
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("company sign-in: %w", ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if l.BrowserHash != hashToken(browser) {
		return nil, fmt.Errorf("company sign-in from another browser: %w", ErrNotFound)
	}
	if !now.Before(l.ExpiresAt) {
		return nil, fmt.Errorf("company sign-in: %w", ErrExpired)
	}
	return &l, nil
}

// ExternalSignIn is a person the company's identity provider vouches for.
type ExternalSignIn struct {
	// Email is verified by the provider.
	Email string
	Name  string
	// ManageRoles makes Roles replace the user's roles, and lets an
	// unknown user with at least one role be created (without password).
	ManageRoles bool
	Roles       []Role
}

// SignInExternal finds the kamflow user for a verified e-mail address:
// with managed roles it sets her roles to in.Roles, creating her when she
// is unknown and has a role. An unknown user otherwise is ErrNotFound, a
// disabled one ErrDisabled.
func (s *Store) SignInExternal(ctx context.Context, in ExternalSignIn) (*User, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if !strings.Contains(email, "@") {
		return nil, fmt.Errorf("company sign-in: %w: email %q", ErrInvalid, in.Email)
	}
	roles := uniqueRoles(in.Roles)
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("email = ?", email).First(&u).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if !in.ManageRoles || len(roles) == 0 {
				return fmt.Errorf("company sign-in %s: %w", email, ErrNotFound)
			}
			name := strings.TrimSpace(in.Name)
			if name == "" {
				name = email
			}
			u = User{Email: email, Name: name}
			for _, r := range roles {
				u.Roles = append(u.Roles, UserRole{Role: r})
			}
			return tx.Create(&u).Error
		case err != nil:
			return err
		case u.Disabled:
			return fmt.Errorf("company sign-in %s: %w", email, ErrDisabled)
		case !in.ManageRoles:
			return nil
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&UserRole{}).Error; err != nil {
			return err
		}
		for _, r := range roles {
			if err := tx.Create(&UserRole{UserID: u.ID, Role: r}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrDisabled) || errors.Is(err, ErrInvalid) {
		return nil, err
	}
	if err != nil {
		return nil, translate(err, "company sign-in "+email)
	}
	return s.UserByID(ctx, u.ID)
}
