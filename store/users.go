package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// NewUser is what an admin (or the demo seed) provides to create a user.
type NewUser struct {
	Email      string
	Name       string
	Password   string
	Roles      []Role
	EmployeeID *uint
}

// CreateUser stores a user with its roles in one transaction.
func (s *Store) CreateUser(ctx context.Context, in NewUser) (*User, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if !strings.Contains(email, "@") {
		return nil, fmt.Errorf("create user: %w: email %q", ErrInvalid, in.Email)
	}
	for _, r := range in.Roles {
		if !r.Valid() {
			return nil, fmt.Errorf("create user: %w: role %q", ErrInvalid, r)
		}
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: email, Name: strings.TrimSpace(in.Name), PasswordHash: hash, EmployeeID: in.EmployeeID}
	for _, r := range in.Roles {
		u.Roles = append(u.Roles, UserRole{Role: r})
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Create(u).Error
	})
	if err != nil {
		return nil, translate(err, "create user "+email)
	}
	return u, nil
}

// UserByEmail loads a user and its roles.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Preload("Roles").Where("email = ?", strings.ToLower(strings.TrimSpace(email))).First(&u).Error
	if err != nil {
		return nil, translate(err, "user "+email)
	}
	return &u, nil
}

// UserByID loads a user and its roles.
func (s *Store) UserByID(ctx context.Context, id uint) (*User, error) {
	var u User
	if err := s.db.WithContext(ctx).Preload("Roles").First(&u, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("user %d", id))
	}
	return &u, nil
}

// Authenticate returns the user when email and password match an enabled
// account, and ErrNotFound otherwise (callers show one generic message).
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		// Hash anyway so response time does not reveal which emails exist.
		_, _ = CheckPassword(dummyHash, password)
		return nil, err
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil {
		return nil, fmt.Errorf("authenticate %s: %w", u.Email, err)
	}
	if !ok || u.Disabled {
		return nil, fmt.Errorf("authenticate: %w", ErrNotFound)
	}
	return u, nil
}

// dummyHash is the hash of a random string, used for constant-time misses.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$+0j0lWZqzt8Bq5c3ziCSmbmvkD7v0qTuc8ZN8WmN3ik"

// SessionTTL is how long a browser stays signed in without activity.
const SessionTTL = 12 * time.Hour

// CreateSession stores a new session and returns its secret token (for the
// cookie) and CSRF token; only the token's hash is stored.
func (s *Store) CreateSession(ctx context.Context, userID uint, now time.Time) (token, csrf string, err error) {
	token, err = randomToken()
	if err != nil {
		return "", "", err
	}
	csrf, err = randomToken()
	if err != nil {
		return "", "", err
	}
	sess := Session{TokenHash: hashToken(token), UserID: userID, CSRFToken: csrf, ExpiresAt: now.Add(SessionTTL)}
	if err := s.db.WithContext(ctx).Create(&sess).Error; err != nil {
		return "", "", translate(err, "create session")
	}
	return token, csrf, nil
}

// SessionUser resolves a cookie token to its unexpired session and user.
func (s *Store) SessionUser(ctx context.Context, token string, now time.Time) (*Session, *User, error) {
	var sess Session
	err := s.db.WithContext(ctx).Where("token_hash = ? AND expires_at > ?", hashToken(token), now).First(&sess).Error
	if err != nil {
		return nil, nil, translate(err, "session")
	}
	u, err := s.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	return &sess, u, nil
}

// DeleteSession signs a browser out.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return translate(s.db.WithContext(ctx).Where("token_hash = ?", hashToken(token)).Delete(&Session{}).Error, "delete session")
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ListUsers returns users with their roles, by e-mail (two queries).
func (s *Store) ListUsers(ctx context.Context, p Page) ([]User, int64, error) {
	p = p.normalised()
	var total int64
	if err := s.db.WithContext(ctx).Model(&User{}).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "count users")
	}
	var out []User
	err := s.db.WithContext(ctx).Preload("Roles").Order("email").Offset((p.Number - 1) * p.Size).Limit(p.Size).Find(&out).Error
	return out, total, translate(err, "list users")
}

// TokenInfo is an API token without its secret.
type TokenInfo struct {
	APIToken
	UserEmail string
}

// ListAPITokens returns the newest tokens with their users' e-mail addresses.
func (s *Store) ListAPITokens(ctx context.Context) ([]TokenInfo, error) {
	var out []TokenInfo
	err := s.db.WithContext(ctx).Table("api_tokens").Select("api_tokens.*, users.email AS user_email").
		Joins("JOIN users ON users.id = api_tokens.user_id").Order("api_tokens.id DESC").Limit(MaxPageSize).Scan(&out).Error
	return out, translate(err, "list API tokens")
}
