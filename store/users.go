package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
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
	Language   string
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
	if !ValidLanguage(in.Language) {
		return nil, fmt.Errorf("create user: %w: language %q", ErrInvalid, in.Language)
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: email, Name: strings.TrimSpace(in.Name), PasswordHash: hash, EmployeeID: in.EmployeeID, Language: in.Language}
	for _, r := range uniqueRoles(in.Roles) {
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
	if u.PasswordHash == "" {
		// Signs in only through the company's identity provider.
		_, _ = CheckPassword(dummyHash, password)
		return nil, fmt.Errorf("authenticate: %w", ErrNotFound)
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
	return s.createSession(ctx, userID, nil, now)
}

// CreateCompanySession is CreateSession for a company sign-in: the
// session keeps the provider's ID token until it is deleted or expires, so
// sign-out can end the sign-in at the provider too (EndSession).
func (s *Store) CreateCompanySession(ctx context.Context, userID uint, idToken string, now time.Time) (token, csrf string, err error) {
	if idToken == "" {
		return "", "", fmt.Errorf("company session: %w: id token is empty", ErrInvalid)
	}
	return s.createSession(ctx, userID, &idToken, now)
}

// createSession also drops the sessions that have expired, and with them
// the ID tokens they kept.
func (s *Store) createSession(ctx context.Context, userID uint, idToken *string, now time.Time) (token, csrf string, err error) {
	token, err = randomToken()
	if err != nil {
		return "", "", err
	}
	csrf, err = randomToken()
	if err != nil {
		return "", "", err
	}
	db := s.db.WithContext(ctx)
	if err := db.Where("expires_at <= ?", now).Delete(&Session{}).Error; err != nil {
		return "", "", translate(err, "drop expired sessions")
	}
	sess := Session{TokenHash: hashToken(token), UserID: userID, CSRFToken: csrf, ExpiresAt: now.Add(SessionTTL), IDToken: idToken}
	if err := db.Create(&sess).Error; err != nil {
		return "", "", translate(err, "create session")
	}
	return token, csrf, nil
}

// SessionUser resolves a cookie token to its unexpired session and its
// enabled user with her roles and her unread notifications — in one query,
// as it runs on every page.
func (s *Store) SessionUser(ctx context.Context, token string, now time.Time) (*Session, *User, error) {
	var row signedInUser
	err := s.db.WithContext(ctx).Table("sessions").
		Select(signedInUserColumns+", sessions.csrf_token AS session_csrf, sessions.expires_at AS session_expires_at, sessions.created_at AS session_created_at, "+
			// Recipients are stored in lower case, as users' e-mails are.
			"(SELECT COUNT(*) FROM notifications WHERE notifications.recipient = users.email AND notifications.read_at IS NULL) AS unread_notifications").
		Joins("JOIN users ON users.id = sessions.user_id").
		Where("sessions.token_hash = ? AND sessions.expires_at > ? AND users.disabled = ?", hashToken(token), now, false).
		Limit(1).Scan(&row).Error
	if err != nil {
		return nil, nil, translate(err, "session")
	}
	if row.ID == 0 {
		return nil, nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	sess := &Session{TokenHash: hashToken(token), UserID: row.ID, CSRFToken: row.SessionCSRF, ExpiresAt: row.SessionExpiresAt, CreatedAt: row.SessionCreatedAt,
		UnreadNotifications: row.UnreadNotifications}
	return sess, row.user(), nil
}

// signedInUser is a user row with her roles folded into one column, for
// the per-request lookups of a session or an API token. (Flat: GORM does
// not scan into an unexported embedded struct.)
type signedInUser struct {
	ID           uint
	Email        string
	Name         string
	PasswordHash string
	EmployeeID   *uint
	Language     string
	TimeZone     string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	RoleList     *string
	// What the session or the token adds to its user's row.
	SessionCSRF         string
	SessionExpiresAt    time.Time
	SessionCreatedAt    time.Time
	UnreadNotifications int64
	TokenID             uint
}

// signedInUserColumns selects a signedInUser; GROUP_CONCAT joins with ","
// on SQLite and MySQL alike, and no role name holds a comma.
const signedInUserColumns = "users.id, users.email, users.name, users.password_hash, users.employee_id, users.language, users.time_zone, users.disabled, users.created_at, users.updated_at, " +
	"(SELECT GROUP_CONCAT(user_roles.role) FROM user_roles WHERE user_roles.user_id = users.id) AS role_list"

func (r signedInUser) user() *User {
	u := &User{ID: r.ID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash, EmployeeID: r.EmployeeID, Language: r.Language,
		TimeZone: r.TimeZone, Disabled: r.Disabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.RoleList != nil && *r.RoleList != "" {
		names := strings.Split(*r.RoleList, ",")
		sort.Strings(names)
		for _, n := range names {
			u.Roles = append(u.Roles, UserRole{UserID: r.ID, Role: Role(n)})
		}
	}
	return u
}

// DeleteSession signs a browser out.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return translate(s.db.WithContext(ctx).Where("token_hash = ?", hashToken(token)).Delete(&Session{}).Error, "delete session")
}

// EndSession signs a browser out and returns the ID token its company
// sign-in kept, "" for a password sign-in or a session that is unknown or
// expired at now.
func (s *Store) EndSession(ctx context.Context, token string, now time.Time) (idToken string, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sess Session
		res := tx.Where("token_hash = ?", hashToken(token)).Limit(1).Find(&sess)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil
		}
		if sess.IDToken != nil && now.Before(sess.ExpiresAt) {
			idToken = *sess.IDToken
		}
		return tx.Where("token_hash = ?", sess.TokenHash).Delete(&Session{}).Error
	})
	if err != nil {
		return "", translate(err, "end session")
	}
	return idToken, nil
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

// SearchUsers pages through users whose e-mail or name contains q, by
// e-mail, with their roles (two queries).
func (s *Store) SearchUsers(ctx context.Context, q string, p Page) ([]User, int64, error) {
	p = p.normalised()
	query := s.db.WithContext(ctx).Model(&User{})
	if strings.TrimSpace(q) != "" {
		like := likePattern(q)
		query = query.Where("(email LIKE ?"+likeEscape+" OR name LIKE ?"+likeEscape+")", like, like)
	}
	var total int64
	if err := query.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "count users")
	}
	var out []User
	err := query.Preload("Roles").Order("email").Offset((p.Number - 1) * p.Size).Limit(p.Size).Find(&out).Error
	return out, total, translate(err, "search users")
}

// UserChange is what an admin edits on a user; an empty Password keeps
// the current one.
type UserChange struct {
	ID         uint
	Name       string
	Roles      []Role
	Language   string
	Disabled   bool
	EmployeeID *uint
	Password   string
	// At is when the change is made (revocations are stamped with it);
	// zero means now.
	At time.Time
}

// Languages the UI speaks; "" means "from the browser".
var languages = []string{"", "en", "de"}

// ValidLanguage reports whether l is a language the UI speaks, or "".
func ValidLanguage(l string) bool {
	for _, v := range languages {
		if v == l {
			return true
		}
	}
	return false
}

// UpdateUser replaces a user's name, roles, language, employee link and
// state in one transaction; disabling a user or changing the password ends
// the user's sessions, and disabling her also revokes her API tokens and
// calendar feeds for good: enabling her again does not bring them back.
func (s *Store) UpdateUser(ctx context.Context, in UserChange) error {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return fmt.Errorf("update user: %w: name is required", ErrInvalid)
	}
	if !ValidLanguage(in.Language) {
		return fmt.Errorf("update user: %w: language %q", ErrInvalid, in.Language)
	}
	for _, r := range in.Roles {
		if !r.Valid() {
			return fmt.Errorf("update user: %w: role %q", ErrInvalid, r)
		}
	}
	var hash string
	if in.Password != "" {
		h, err := HashPassword(in.Password)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		hash = h
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		if err := tx.Select("id").First(&u, in.ID).Error; err != nil {
			return translate(err, fmt.Sprintf("update user %d", in.ID))
		}
		if in.EmployeeID != nil {
			var n int64
			if err := tx.Model(&Employee{}).Where("id = ?", *in.EmployeeID).Count(&n).Error; err != nil {
				return translate(err, "update user: employee")
			}
			if n == 0 {
				return fmt.Errorf("update user: employee %d: %w", *in.EmployeeID, ErrNotFound)
			}
		}
		cols := map[string]any{"name": name, "language": in.Language, "disabled": in.Disabled, "employee_id": in.EmployeeID}
		if hash != "" {
			cols["password_hash"] = hash
		}
		if err := tx.Model(&User{}).Where("id = ?", in.ID).Updates(cols).Error; err != nil {
			return translate(err, "update user")
		}
		if err := tx.Where("user_id = ?", in.ID).Delete(&UserRole{}).Error; err != nil {
			return translate(err, "update user: roles")
		}
		for _, r := range uniqueRoles(in.Roles) {
			if err := tx.Create(&UserRole{UserID: in.ID, Role: r}).Error; err != nil {
				return translate(err, "update user: role")
			}
		}
		if in.Disabled || hash != "" {
			if err := tx.Where("user_id = ?", in.ID).Delete(&Session{}).Error; err != nil {
				return translate(err, "update user: sessions")
			}
		}
		if in.Disabled {
			at := in.At
			if at.IsZero() {
				at = time.Now()
			}
			if err := tx.Model(&APIToken{}).Where("user_id = ? AND revoked_at IS NULL", in.ID).Update("revoked_at", at.UTC()).Error; err != nil {
				return translate(err, "update user: API tokens")
			}
			if err := tx.Model(&CalendarToken{}).Where("user_id = ? AND revoked_at IS NULL", in.ID).Update("revoked_at", at.UTC()).Error; err != nil {
				return translate(err, "update user: calendar feeds")
			}
		}
		return nil
	})
}

// SetUserLanguage stores a user's own language choice.
func (s *Store) SetUserLanguage(ctx context.Context, userID uint, lang string) error {
	if !ValidLanguage(lang) {
		return fmt.Errorf("set language: %w: %q", ErrInvalid, lang)
	}
	return translate(s.db.WithContext(ctx).Model(&User{}).Where("id = ?", userID).Update("language", lang).Error, "set language")
}

// SetUserSettings stores a user's own language and time zone (an IANA
// name the web checked; "" means the site's default zone).
func (s *Store) SetUserSettings(ctx context.Context, userID uint, lang, zone string) error {
	if !ValidLanguage(lang) {
		return fmt.Errorf("set settings: %w: language %q", ErrInvalid, lang)
	}
	if len(zone) > 64 {
		return fmt.Errorf("set settings: %w: time zone %q", ErrInvalid, zone)
	}
	return translate(s.db.WithContext(ctx).Model(&User{}).Where("id = ?", userID).
		Updates(map[string]any{"language": lang, "time_zone": zone}).Error, "set settings")
}

func uniqueRoles(in []Role) []Role {
	var out []Role
	for _, r := range Roles() {
		for _, v := range in {
			if v == r {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// EmployeeByEmail loads an active employee by e-mail address.
func (s *Store) EmployeeByEmail(ctx context.Context, email string) (*Employee, error) {
	var e Employee
	err := s.db.WithContext(ctx).Where("email = ? AND archived_at IS NULL", strings.ToLower(strings.TrimSpace(email))).First(&e).Error
	if err != nil {
		return nil, translate(err, "employee "+email)
	}
	return &e, nil
}
