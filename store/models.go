package store

import (
	"fmt"
	"time"
)

// HierarchyLevel ranks people on both sides so that KAM can be organised
// "Chef zu Chef" and "Sekretariat zu Sekretariat".
type HierarchyLevel string

// Hierarchy levels from the top down.
const (
	LevelBoard          HierarchyLevel = "board"
	LevelManagement     HierarchyLevel = "management"
	LevelDepartmentHead HierarchyLevel = "department_head"
	LevelSpecialist     HierarchyLevel = "specialist"
	LevelAssistant      HierarchyLevel = "assistant"
)

// HierarchyLevels in order, most senior first.
var hierarchyLevels = []HierarchyLevel{LevelBoard, LevelManagement, LevelDepartmentHead, LevelSpecialist, LevelAssistant}

// HierarchyLevels returns the levels, most senior first.
func HierarchyLevels() []HierarchyLevel { return append([]HierarchyLevel(nil), hierarchyLevels...) }

// Rank is 0 for the board and grows downwards; -1 for an unknown level.
func (l HierarchyLevel) Rank() int {
	for i, v := range hierarchyLevels {
		if v == l {
			return i
		}
	}
	return -1
}

// Valid reports whether l is one of the known levels.
func (l HierarchyLevel) Valid() bool { return l.Rank() >= 0 }

// Label is the English display name.
func (l HierarchyLevel) Label() string {
	switch l {
	case LevelBoard:
		return "Board / CEO"
	case LevelManagement:
		return "Management"
	case LevelDepartmentHead:
		return "Department head"
	case LevelSpecialist:
		return "Specialist"
	case LevelAssistant:
		return "Assistant"
	}
	return string(l)
}

// ParseHierarchyLevel validates user input.
func ParseHierarchyLevel(s string) (HierarchyLevel, error) {
	l := HierarchyLevel(s)
	if !l.Valid() {
		return "", fmt.Errorf("%w: %q is not a hierarchy level (board, management, department_head, specialist, assistant)", ErrInvalid, s)
	}
	return l, nil
}

// Role is what a user may do in kamflow; a user can hold several.
type Role string

// Roles from DOMAIN.md.
const (
	RoleLead       Role = "lead"
	RoleCommittee  Role = "committee"
	RoleHR         Role = "hr"
	RoleController Role = "controller"
	RoleKAM        Role = "kam"
	RoleAdmin      Role = "admin"
)

// Roles lists every role.
func Roles() []Role {
	return []Role{RoleLead, RoleCommittee, RoleHR, RoleController, RoleKAM, RoleAdmin}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles() {
		if v == r {
			return true
		}
	}
	return false
}

// Customer is a company we sell to; a few become key accounts.
type Customer struct {
	ID            uint   `gorm:"primaryKey"`
	Name          string `gorm:"size:200;not null;uniqueIndex"`
	Industry      string `gorm:"size:120"`
	Country       string `gorm:"size:2"`
	AnnualRevenue int64  // our revenue with the customer, whole currency units
	MarginPercent float64
	Potential     string `gorm:"size:20"` // low, medium, high
	Notes         string `gorm:"type:text"`
	ArchivedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Contacts      []Contact `gorm:"foreignKey:CustomerID"`
}

// PageKey is the key the customer lists are ordered by: a page after this
// customer starts after its name (Page.After).
func (c Customer) PageKey() string { return c.Name }

// Contact is a person at a customer.
type Contact struct {
	ID             uint           `gorm:"primaryKey"`
	CustomerID     uint           `gorm:"not null;index"`
	Name           string         `gorm:"size:200;not null"`
	JobTitle       string         `gorm:"size:200"`
	HierarchyLevel HierarchyLevel `gorm:"size:32;not null"`
	ReportsToID    *uint          `gorm:"index"`
	Email          string         `gorm:"size:254"`
	Phone          string         `gorm:"size:50"`
	ArchivedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Employee is one of our people; some are qualified as KAMs.
type Employee struct {
	ID             uint           `gorm:"primaryKey"`
	Name           string         `gorm:"size:200;not null"`
	Email          string         `gorm:"size:254;not null;uniqueIndex"`
	JobTitle       string         `gorm:"size:200"`
	Department     string         `gorm:"size:120"`
	HierarchyLevel HierarchyLevel `gorm:"size:32;not null"`
	KAMQualified   bool           `gorm:"not null;default:false"`
	ArchivedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// User signs in to kamflow.
type User struct {
	ID           uint   `gorm:"primaryKey"`
	Email        string `gorm:"size:254;not null;uniqueIndex"`
	Name         string `gorm:"size:200;not null"`
	PasswordHash string `gorm:"size:255;not null"`
	EmployeeID   *uint  `gorm:"index"`
	Language     string `gorm:"size:5"`
	// TimeZone is the IANA zone the user reads and enters date-times in;
	// empty means the site's default (KAMFLOW_TIME_ZONE).
	TimeZone  string `gorm:"size:64;not null;default:''"`
	Disabled  bool   `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time
	Roles     []UserRole `gorm:"foreignKey:UserID"`
}

// HasRole reports whether the user holds r.
func (u User) HasRole(r Role) bool {
	for _, ur := range u.Roles {
		if ur.Role == r {
			return true
		}
	}
	return false
}

// UserRole grants one role to one user.
type UserRole struct {
	UserID uint `gorm:"primaryKey"`
	Role   Role `gorm:"primaryKey;size:32"`
}

// OIDCLogin is a company sign-in begun at the identity provider and not yet
// come back: single use, bound to the browser that began it.
type OIDCLogin struct {
	StateHash   string    `gorm:"primaryKey;size:64"`
	BrowserHash string    `gorm:"size:64;not null"`
	Nonce       string    `gorm:"size:64;not null"`
	Verifier    string    `gorm:"size:128;not null"`
	ExpiresAt   time.Time `gorm:"not null;index"`
	CreatedAt   time.Time
}

// TableName keeps GORM from spelling it o_id_c_logins.
func (OIDCLogin) TableName() string { return "oidc_logins" }

// Session is a signed-in browser; the cookie carries the token, the table its hash.
type Session struct {
	TokenHash string    `gorm:"primaryKey;size:64"`
	UserID    uint      `gorm:"not null;index"`
	CSRFToken string    `gorm:"size:64;not null"`
	ExpiresAt time.Time `gorm:"not null;index"`
	CreatedAt time.Time
	// IDToken is the company sign-in's ID token, handed back to the
	// identity provider at sign-out; nil for a password sign-in.
	IDToken *string `gorm:"type:text"`
	// UnreadNotifications is how many of the user's notifications were
	// unread when SessionUser looked the session up (the header's badge on
	// every page, read in the same statement); not stored.
	UnreadNotifications int64 `gorm:"-"`
}
