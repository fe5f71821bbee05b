package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// migrations are append-only. Each one works on frozen copies of the models as
// they were when it was written, so later model changes never alter what an
// old migration does on a fresh database.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{ID: "0001_reference_core", Migrate: migrate0001, Rollback: rollback0001},
		{ID: "0002_programmes_outbox", Migrate: migrate0002, Rollback: rollback0002},
		{ID: "0003_selection_tokens", Migrate: migrate0003, Rollback: rollback0003},
		{ID: "0004_notification_delivery", Migrate: migrate0004, Rollback: rollback0004},
		{ID: "0005_training", Migrate: migrate0005, Rollback: rollback0005},
		{ID: "0006_reviews", Migrate: migrate0006, Rollback: rollback0006},
		{ID: "0007_calendar_tokens", Migrate: migrate0007, Rollback: rollback0007},
		{ID: "0008_relationships_handovers", Migrate: migrate0008, Rollback: rollback0008},
		{ID: "0009_plans_actions_workshops", Migrate: migrate0009, Rollback: rollback0009},
		{ID: "0010_jour_fixe", Migrate: migrate0010, Rollback: rollback0010},
		{ID: "0011_programme_committees", Migrate: migrate0011, Rollback: rollback0011},
		{ID: "0012_search_indexes", Migrate: migrate0012, Rollback: rollback0012},
		{ID: "0013_list_indexes", Migrate: migrate0013, Rollback: rollback0013},
		{ID: "0014_programme_record", Migrate: migrate0014, Rollback: rollback0014},
		{ID: "0015_idempotency_keys", Migrate: migrate0015, Rollback: rollback0015},
		{ID: "0016_domain_fixes", Migrate: migrate0016, Rollback: rollback0016},
		{ID: "0016b_domain_fixes", Migrate: migrate0016b, Rollback: rollback0016b},
		{ID: "0017_process_projections", Migrate: migrate0017, Rollback: rollback0017},
		{ID: "0018_action_owners", Migrate: migrate0018, Rollback: rollback0018},
		{ID: "0019_workshop_date_options", Migrate: migrate0019, Rollback: rollback0019},
		{ID: "0021_security", Migrate: migrate0021, Rollback: rollback0021},
		{ID: "0024_person_indexes", Migrate: migrate0024, Rollback: rollback0024},
		{ID: "0020_jour_fixe_schedules", Migrate: migrate0020, Rollback: rollback0020},
		{ID: "0022_enrolment_moves", Migrate: migrate0022, Rollback: rollback0022},
		{ID: "0023_rollout_record", Migrate: migrate0023, Rollback: rollback0023},
		{ID: "0028_outbox_pending_index", Migrate: migrate0028, Rollback: rollback0028},
		{ID: "0029_notification_links", Migrate: migrate0029, Rollback: rollback0029},
		{ID: "0025_user_time_zones", Migrate: migrate0025, Rollback: rollback0025},
		{ID: "0027_texts_by_key", Migrate: migrate0027, Rollback: rollback0027},
		{ID: "0030_oidc_sign_in", Migrate: migrate0030, Rollback: rollback0030},
		{ID: "0031_notification_texts", Migrate: migrate0031, Rollback: rollback0031},
		{ID: "0033_session_id_token", Migrate: migrate0033, Rollback: rollback0033},
		{ID: "0032_page_indexes", Migrate: migrate0032, Rollback: rollback0032},
		{ID: "0034_search_grams", Migrate: migrate0034, Rollback: rollback0034},
		{ID: "0035_criteria_met", Migrate: migrate0035, Rollback: rollback0035},
		{ID: "0036_open_actions_index", Migrate: migrate0036, Rollback: rollback0036},
		{ID: "0037_key_account_customer_name", Migrate: migrate0037, Rollback: rollback0037},
		{ID: "0038_row_counts", Migrate: migrate0038, Rollback: rollback0038},
		{ID: "0039_search_gram_counts", Migrate: migrate0039, Rollback: rollback0039},
		{ID: "0040_recorded_enrolments_index", Migrate: migrate0040, Rollback: rollback0040},
		{ID: "0041_employee_picker_indexes", Migrate: migrate0041, Rollback: rollback0041},
		{ID: "0042_session_seat_counts", Migrate: migrate0042, Rollback: rollback0042},
		{ID: "0043_key_account_count", Migrate: migrate0043, Rollback: rollback0043},
		{ID: "0044_enrolment_session_start", Migrate: migrate0044, Rollback: rollback0044},
		{ID: "0045_programme_progress", Migrate: migrate0045, Rollback: rollback0045},
		{ID: "0046_decisions_waiting_indexes", Migrate: migrate0046, Rollback: rollback0046},
		{ID: "0047_actions_by_account_and_due", Migrate: migrate0047, Rollback: rollback0047},
		{ID: "0048_scores_met_by_customer", Migrate: migrate0048, Rollback: rollback0048},
	}
}

// Migrate brings the schema up to date; running it again changes nothing.
func (s *Store) Migrate(ctx context.Context) error {
	opts := *gormigrate.DefaultOptions
	opts.TableName = "schema_migrations"
	opts.UseTransaction = s.driver == "sqlite" // MySQL DDL commits implicitly
	m := gormigrate.New(s.db.WithContext(ctx), &opts, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// AppliedMigrations lists the IDs recorded in schema_migrations, in order.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Table("schema_migrations").Order("id").Pluck("id", &ids).Error
	return ids, err
}

// --- 0001: customers, contacts, employees, users, roles, sessions ---

type m0001Customer struct {
	ID            uint   `gorm:"primaryKey"`
	Name          string `gorm:"size:200;not null;uniqueIndex"`
	Industry      string `gorm:"size:120"`
	Country       string `gorm:"size:2"`
	AnnualRevenue int64
	MarginPercent float64
	Potential     string `gorm:"size:20"`
	Notes         string `gorm:"type:text"`
	ArchivedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (m0001Customer) TableName() string { return "customers" }

type m0001Contact struct {
	ID             uint           `gorm:"primaryKey"`
	CustomerID     uint           `gorm:"not null;index"`
	Customer       *m0001Customer `gorm:"constraint:OnDelete:CASCADE"`
	Name           string         `gorm:"size:200;not null"`
	JobTitle       string         `gorm:"size:200"`
	HierarchyLevel string         `gorm:"size:32;not null"`
	ReportsToID    *uint          `gorm:"index"`
	ReportsTo      *m0001Contact  `gorm:"constraint:OnDelete:SET NULL"`
	Email          string         `gorm:"size:254"`
	Phone          string         `gorm:"size:50"`
	ArchivedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (m0001Contact) TableName() string { return "contacts" }

type m0001Employee struct {
	ID             uint   `gorm:"primaryKey"`
	Name           string `gorm:"size:200;not null"`
	Email          string `gorm:"size:254;not null;uniqueIndex"`
	JobTitle       string `gorm:"size:200"`
	Department     string `gorm:"size:120"`
	HierarchyLevel string `gorm:"size:32;not null"`
	KAMQualified   bool   `gorm:"not null;default:false"`
	ArchivedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (m0001Employee) TableName() string { return "employees" }

type m0001User struct {
	ID           uint           `gorm:"primaryKey"`
	Email        string         `gorm:"size:254;not null;uniqueIndex"`
	Name         string         `gorm:"size:200;not null"`
	PasswordHash string         `gorm:"size:255;not null"`
	EmployeeID   *uint          `gorm:"index"`
	Employee     *m0001Employee `gorm:"constraint:OnDelete:SET NULL"`
	Language     string         `gorm:"size:5"`
	Disabled     bool           `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m0001User) TableName() string { return "users" }

type m0001UserRole struct {
	UserID uint       `gorm:"primaryKey"`
	User   *m0001User `gorm:"constraint:OnDelete:CASCADE"`
	Role   string     `gorm:"primaryKey;size:32"`
}

func (m0001UserRole) TableName() string { return "user_roles" }

type m0001Session struct {
	TokenHash string     `gorm:"primaryKey;size:64"`
	UserID    uint       `gorm:"not null;index"`
	User      *m0001User `gorm:"constraint:OnDelete:CASCADE"`
	CSRFToken string     `gorm:"size:64;not null"`
	ExpiresAt time.Time  `gorm:"not null;index"`
	CreatedAt time.Time
}

func (m0001Session) TableName() string { return "sessions" }

func migrate0001(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(
		&m0001Customer{}, &m0001Contact{}, &m0001Employee{}, &m0001User{}, &m0001UserRole{}, &m0001Session{},
	)
}

func rollback0001(tx *gorm.DB) error {
	return tx.Migrator().DropTable("sessions", "user_roles", "users", "employees", "contacts", "customers")
}

// --- 0002: programme projection, audit trail, notification outbox ---

type m0002Programme struct {
	ID           uint   `gorm:"primaryKey"`
	Name         string `gorm:"size:200;not null"`
	LeadEmail    string `gorm:"size:254;not null;index"`
	Status       string `gorm:"size:20;not null;index"`
	CurrentPhase string `gorm:"size:40;not null"`
	StartDate    time.Time
	LastEventSeq int `gorm:"not null;default:0"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m0002Programme) TableName() string { return "programmes" }

type m0002ProgrammePhase struct {
	ProgrammeID uint            `gorm:"primaryKey"`
	Programme   *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	Phase       string          `gorm:"primaryKey;size:40"`
	Position    int             `gorm:"not null"`
	Gate        bool            `gorm:"not null"`
	Status      string          `gorm:"size:20;not null"`
	Due         time.Time
	Responsible string `gorm:"size:254"`
	StartedAt   *time.Time
	SubmittedBy string `gorm:"size:254"`
	SubmittedAt *time.Time
	ApprovedBy  string `gorm:"size:254"`
	ApprovedAt  *time.Time
	CompletedAt *time.Time
}

func (m0002ProgrammePhase) TableName() string { return "programme_phases" }

type m0002ProgrammeEvent struct {
	ID          uint            `gorm:"primaryKey"`
	ProgrammeID uint            `gorm:"not null;uniqueIndex:ux_programme_event_seq"`
	Programme   *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	Seq         int             `gorm:"not null;uniqueIndex:ux_programme_event_seq"`
	Kind        string          `gorm:"size:40;not null"`
	Phase       string          `gorm:"size:40"`
	Actor       string          `gorm:"size:254"`
	Comment     string          `gorm:"type:text"`
	At          time.Time       `gorm:"not null"`
}

func (m0002ProgrammeEvent) TableName() string { return "programme_events" }

type m0002Notification struct {
	ID             uint   `gorm:"primaryKey"`
	IdempotencyKey string `gorm:"size:255;not null;uniqueIndex:ux_notification_key"`
	Recipient      string `gorm:"size:254;not null;uniqueIndex:ux_notification_key;index"`
	Subject        string `gorm:"size:300;not null"`
	Body           string `gorm:"type:text;not null"`
	ProgrammeID    *uint  `gorm:"index"`
	CreatedAt      time.Time
	SentAt         *time.Time
	LastError      string `gorm:"size:500"`
}

func (m0002Notification) TableName() string { return "notifications" }

func migrate0002(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m0002Programme{}, &m0002ProgrammePhase{}, &m0002ProgrammeEvent{}, &m0002Notification{})
}

func rollback0002(tx *gorm.DB) error {
	return tx.Migrator().DropTable("notifications", "programme_events", "programme_phases", "programmes")
}

// ErrSchemaBehind means `kamflow migrate` has not been run for this version.
var ErrSchemaBehind = errors.New("database schema is not up to date: run `kamflow migrate`")

// HasSchema reports whether any migration has run on the database: a
// database without is as good as new.
func (s *Store) HasSchema() bool {
	return s.db.Migrator().HasTable("schema_migrations")
}

// CheckMigrated verifies every migration this binary knows was applied;
// production processes refuse to start on an old schema.
func (s *Store) CheckMigrated(ctx context.Context) error {
	if !s.db.Migrator().HasTable("schema_migrations") {
		return ErrSchemaBehind
	}
	applied, err := s.AppliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	have := map[string]bool{}
	for _, id := range applied {
		have[id] = true
	}
	for _, m := range migrations() {
		if !have[m.ID] {
			return fmt.Errorf("%w (missing %s)", ErrSchemaBehind, m.ID)
		}
	}
	return nil
}

// --- 0003: selection scores, key accounts, API tokens ---

type m0003CustomerScore struct {
	ProgrammeID  uint            `gorm:"primaryKey"`
	Programme    *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	CustomerID   uint            `gorm:"primaryKey"`
	Customer     *m0001Customer  `gorm:"constraint:OnDelete:CASCADE"`
	CriterionKey string          `gorm:"primaryKey;size:40"`
	Met          bool            `gorm:"not null"`
	Value        string          `gorm:"size:200"`
	Evidence     string          `gorm:"type:text"`
	UpdatedBy    string          `gorm:"size:254"`
	UpdatedAt    time.Time
}

func (m0003CustomerScore) TableName() string { return "customer_scores" }

type m0003KeyAccount struct {
	ID               uint            `gorm:"primaryKey"`
	ProgrammeID      uint            `gorm:"not null;uniqueIndex:ux_key_account"`
	Programme        *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	CustomerID       uint            `gorm:"not null;uniqueIndex:ux_key_account"`
	Customer         *m0001Customer  `gorm:"constraint:OnDelete:RESTRICT"`
	KAMEmployeeID    *uint           `gorm:"index"`
	KAMEmployee      *m0001Employee  `gorm:"constraint:OnDelete:RESTRICT"`
	DeputyEmployeeID *uint           `gorm:"index"`
	DeputyEmployee   *m0001Employee  `gorm:"constraint:OnDelete:RESTRICT"`
	ConfirmedAt      time.Time
	UpdatedAt        time.Time
}

func (m0003KeyAccount) TableName() string { return "key_accounts" }

type m0003APIToken struct {
	ID         uint       `gorm:"primaryKey"`
	UserID     uint       `gorm:"not null;index"`
	User       *m0001User `gorm:"constraint:OnDelete:CASCADE"`
	Name       string     `gorm:"size:100;not null"`
	TokenHash  string     `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (m0003APIToken) TableName() string { return "api_tokens" }

func migrate0003(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m0003CustomerScore{}, &m0003KeyAccount{}, &m0003APIToken{})
}

func rollback0003(tx *gorm.DB) error {
	return tx.Migrator().DropTable("api_tokens", "key_accounts", "customer_scores")
}

// --- 0004: delivery bookkeeping on the outbox ---

type m0004Notification struct {
	Attempts     int `gorm:"not null;default:0"`
	ClaimedUntil *time.Time
}

func (m0004Notification) TableName() string { return "notifications" }

func migrate0004(tx *gorm.DB) error {
	for _, col := range []string{"Attempts", "ClaimedUntil"} {
		if err := tx.Migrator().AddColumn(&m0004Notification{}, col); err != nil {
			return err
		}
	}
	return nil
}

func rollback0004(tx *gorm.DB) error {
	for _, col := range []string{"ClaimedUntil", "Attempts"} {
		if err := tx.Migrator().DropColumn(&m0004Notification{}, col); err != nil {
			return err
		}
	}
	return nil
}

// --- 0005: training courses, sessions, enrolments ---

type m0005Course struct {
	ID           uint   `gorm:"primaryKey"`
	Title        string `gorm:"size:200;not null;uniqueIndex"`
	Provider     string `gorm:"size:200"`
	Description  string `gorm:"type:text"`
	DurationDays float64
	RequiredKAM  bool   `gorm:"not null;default:false"`
	Language     string `gorm:"size:5"`
	ArchivedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m0005Course) TableName() string { return "courses" }

type m0005TrainingSession struct {
	ID          uint         `gorm:"primaryKey"`
	CourseID    uint         `gorm:"not null;index"`
	Course      *m0005Course `gorm:"constraint:OnDelete:RESTRICT"`
	StartsAt    time.Time    `gorm:"not null;index"`
	EndsAt      time.Time    `gorm:"not null"`
	Place       string       `gorm:"size:300"`
	Capacity    int          `gorm:"not null"`
	Trainer     string       `gorm:"size:200"`
	CancelledAt *time.Time
	Revision    int `gorm:"not null;default:0"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (m0005TrainingSession) TableName() string { return "training_sessions" }

type m0005Enrolment struct {
	ID           uint                  `gorm:"primaryKey"`
	SessionID    uint                  `gorm:"not null;uniqueIndex:ux_enrolment"`
	Session      *m0005TrainingSession `gorm:"constraint:OnDelete:CASCADE"`
	EmployeeID   uint                  `gorm:"not null;uniqueIndex:ux_enrolment;index"`
	Employee     *m0001Employee        `gorm:"constraint:OnDelete:RESTRICT"`
	ProgrammeID  *uint
	Status       string `gorm:"size:20;not null;index"`
	WaitlistedAt *time.Time
	UpdatedBy    string `gorm:"size:254"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m0005Enrolment) TableName() string { return "enrolments" }

func migrate0005(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m0005Course{}, &m0005TrainingSession{}, &m0005Enrolment{})
}

func rollback0005(tx *gorm.DB) error {
	return tx.Migrator().DropTable("enrolments", "training_sessions", "courses")
}

// --- 0006: reviews, measures, financials, cadences ---

type m0006AccountFinancials struct {
	CustomerID    uint           `gorm:"primaryKey"`
	Customer      *m0001Customer `gorm:"constraint:OnDelete:CASCADE"`
	Period        string         `gorm:"primaryKey;size:10"`
	Revenue       int64
	MarginPercent float64
	UpdatedAt     time.Time
}

func (m0006AccountFinancials) TableName() string { return "account_financials" }

type m0006Review struct {
	ID              uint            `gorm:"primaryKey"`
	ProgrammeID     uint            `gorm:"not null;index"`
	Programme       *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	WorkflowID      string          `gorm:"size:200;not null;uniqueIndex"`
	ControllerEmail string          `gorm:"size:254;not null"`
	Status          string          `gorm:"size:20;not null"`
	OverallFindings string          `gorm:"type:text"`
	SignedOffBy     string          `gorm:"size:254"`
	SignedOffAt     *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (m0006Review) TableName() string { return "reviews" }

type m0006ReviewAccount struct {
	ReviewID      uint         `gorm:"primaryKey"`
	Review        *m0006Review `gorm:"constraint:OnDelete:CASCADE"`
	CustomerID    uint         `gorm:"primaryKey"`
	CustomerName  string       `gorm:"size:200"`
	Period        string       `gorm:"size:20"`
	Revenue       int64
	MarginPercent float64
	Satisfaction  *float64
	PlanApproved  bool
	OpenOverdue   int
	Findings      string `gorm:"type:text"`
}

func (m0006ReviewAccount) TableName() string { return "review_accounts" }

type m0006Measure struct {
	ID         uint         `gorm:"primaryKey"`
	ReviewID   uint         `gorm:"not null;index"`
	Review     *m0006Review `gorm:"constraint:OnDelete:CASCADE"`
	IdemKey    string       `gorm:"size:100;not null;uniqueIndex"`
	CustomerID *uint        `gorm:"index"`
	Title      string       `gorm:"size:300;not null"`
	OwnerEmail string       `gorm:"size:254;not null;index"`
	Due        time.Time    `gorm:"not null"`
	DoneAt     *time.Time
	DoneBy     string `gorm:"size:254"`
	CreatedAt  time.Time
}

func (m0006Measure) TableName() string { return "measures" }

type m0006ReviewCadence struct {
	ProgrammeID     uint            `gorm:"primaryKey"`
	Programme       *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	Cadence         string          `gorm:"size:20;not null"`
	StartDate       time.Time       `gorm:"not null"`
	Paused          bool            `gorm:"not null"`
	ControllerEmail string          `gorm:"size:254;not null"`
	UpdatedAt       time.Time
}

func (m0006ReviewCadence) TableName() string { return "review_cadences" }

func migrate0006(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m0006AccountFinancials{}, &m0006Review{}, &m0006ReviewAccount{}, &m0006Measure{}, &m0006ReviewCadence{})
}

func rollback0006(tx *gorm.DB) error {
	return tx.Migrator().DropTable("review_cadences", "measures", "review_accounts", "reviews", "account_financials")
}

// --- 0007: calendar feed tokens ---

type m0007CalendarToken struct {
	ID        uint       `gorm:"primaryKey"`
	UserID    uint       `gorm:"not null;index"`
	User      *m0001User `gorm:"constraint:OnDelete:CASCADE"`
	TokenHash string     `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (m0007CalendarToken) TableName() string { return "calendar_tokens" }

func migrate0007(tx *gorm.DB) error { return tx.Migrator().CreateTable(&m0007CalendarToken{}) }

func rollback0007(tx *gorm.DB) error { return tx.Migrator().DropTable("calendar_tokens") }

// --- 0008: relationships, handovers, cover on key accounts ---

type m0008Relationship struct {
	ID            uint           `gorm:"primaryKey"`
	ContactID     uint           `gorm:"not null;index"`
	Contact       *m0001Contact  `gorm:"constraint:OnDelete:CASCADE"`
	EmployeeID    uint           `gorm:"not null;index"`
	Employee      *m0001Employee `gorm:"constraint:OnDelete:CASCADE"`
	Quality       int            `gorm:"not null"`
	LastContactAt *time.Time
	Notes         string `gorm:"type:text"`
	EndedAt       *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (m0008Relationship) TableName() string { return "relationships" }

type m0008KeyAccount struct {
	CoveringEmployeeID *uint
}

func (m0008KeyAccount) TableName() string { return "key_accounts" }

type m0008Handover struct {
	ID                 uint             `gorm:"primaryKey"`
	KeyAccountID       uint             `gorm:"not null;index"`
	KeyAccount         *m0003KeyAccount `gorm:"constraint:OnDelete:CASCADE"`
	WorkflowID         string           `gorm:"size:200;not null;uniqueIndex"`
	Reason             string           `gorm:"size:40;not null"`
	ReasonNote         string           `gorm:"type:text"`
	OutgoingEmployeeID uint             `gorm:"not null"`
	CoveringEmployeeID uint             `gorm:"not null"`
	IncomingEmployeeID *uint
	Status             string `gorm:"size:20;not null"`
	StartedBy          string `gorm:"size:254"`
	CompletedAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (m0008Handover) TableName() string { return "handovers" }

type m0008HandoverItem struct {
	HandoverID uint           `gorm:"primaryKey"`
	Handover   *m0008Handover `gorm:"constraint:OnDelete:CASCADE"`
	Item       string         `gorm:"primaryKey;size:40"`
	DoneAt     *time.Time
	DoneBy     string `gorm:"size:254"`
	Skipped    bool   `gorm:"not null;default:false"`
	Note       string `gorm:"type:text"`
}

func (m0008HandoverItem) TableName() string { return "handover_items" }

func migrate0008(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&m0008KeyAccount{}, "CoveringEmployeeID"); err != nil {
		return err
	}
	return tx.Migrator().CreateTable(&m0008Relationship{}, &m0008Handover{}, &m0008HandoverItem{})
}

func rollback0008(tx *gorm.DB) error {
	if err := tx.Migrator().DropTable("handover_items", "handovers", "relationships"); err != nil {
		return err
	}
	return tx.Migrator().DropColumn(&m0008KeyAccount{}, "CoveringEmployeeID")
}

// --- 0009: account plans, actions, workshops ---

type m0009Action struct {
	ID           uint             `gorm:"primaryKey"`
	IdemKey      string           `gorm:"size:150;not null;uniqueIndex"`
	KeyAccountID uint             `gorm:"not null;index"`
	KeyAccount   *m0003KeyAccount `gorm:"constraint:OnDelete:CASCADE"`
	Source       string           `gorm:"size:20;not null"`
	SourceID     uint             `gorm:"not null"`
	ObjectiveID  *uint
	Title        string    `gorm:"size:300;not null"`
	OwnerEmail   string    `gorm:"size:254;not null;index"`
	Due          time.Time `gorm:"not null"`
	DoneAt       *time.Time
	DoneBy       string `gorm:"size:254"`
	CreatedAt    time.Time
}

func (m0009Action) TableName() string { return "actions" }

type m0009AccountPlan struct {
	ID           uint             `gorm:"primaryKey"`
	KeyAccountID uint             `gorm:"not null;index"`
	KeyAccount   *m0003KeyAccount `gorm:"constraint:OnDelete:CASCADE"`
	Version      int              `gorm:"not null"`
	Strategy     string           `gorm:"type:text;not null"`
	Status       string           `gorm:"size:20;not null"`
	SubmittedBy  string           `gorm:"size:254"`
	SubmittedAt  *time.Time
	DecidedBy    string `gorm:"size:254"`
	DecidedAt    *time.Time
	Comment      string `gorm:"type:text"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m0009AccountPlan) TableName() string { return "account_plans" }

type m0009PlanGoal struct {
	ID       uint              `gorm:"primaryKey"`
	PlanID   uint              `gorm:"not null;index"`
	Plan     *m0009AccountPlan `gorm:"constraint:OnDelete:CASCADE"`
	Position int               `gorm:"not null"`
	Title    string            `gorm:"size:300;not null"`
}

func (m0009PlanGoal) TableName() string { return "plan_goals" }

type m0009PlanObjective struct {
	ID             uint           `gorm:"primaryKey"`
	GoalID         uint           `gorm:"not null;index"`
	Goal           *m0009PlanGoal `gorm:"constraint:OnDelete:CASCADE"`
	Position       int            `gorm:"not null"`
	Title          string         `gorm:"size:300;not null"`
	PlannedActions string         `gorm:"type:text"`
}

func (m0009PlanObjective) TableName() string { return "plan_objectives" }

type m0009Workshop struct {
	ID           uint             `gorm:"primaryKey"`
	KeyAccountID uint             `gorm:"not null;index"`
	KeyAccount   *m0003KeyAccount `gorm:"constraint:OnDelete:CASCADE"`
	WorkflowID   string           `gorm:"size:200;not null;uniqueIndex"`
	Year         int              `gorm:"not null"`
	Status       string           `gorm:"size:20;not null"`
	StartsAt     *time.Time
	EndsAt       *time.Time
	Place        string `gorm:"size:300"`
	Agenda       string `gorm:"type:text"`
	Minutes      string `gorm:"type:text"`
	MinutesBy    string `gorm:"size:254"`
	MinutesAt    *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m0009Workshop) TableName() string { return "workshops" }

type m0009WorkshopParticipant struct {
	WorkshopID uint           `gorm:"primaryKey"`
	Workshop   *m0009Workshop `gorm:"constraint:OnDelete:CASCADE"`
	Side       string         `gorm:"primaryKey;size:10"`
	PersonID   uint           `gorm:"primaryKey"`
	Name       string         `gorm:"size:200"`
	Email      string         `gorm:"size:254"`
	Level      string         `gorm:"size:32"`
}

func (m0009WorkshopParticipant) TableName() string { return "workshop_participants" }

func migrate0009(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m0009Action{}, &m0009AccountPlan{}, &m0009PlanGoal{}, &m0009PlanObjective{}, &m0009Workshop{}, &m0009WorkshopParticipant{})
}

func rollback0009(tx *gorm.DB) error {
	return tx.Migrator().DropTable("workshop_participants", "workshops", "plan_objectives", "plan_goals", "account_plans", "actions")
}

// --- 0010: jour fixe ---

type m0010JourFixe struct {
	ID           uint            `gorm:"primaryKey"`
	WorkflowID   string          `gorm:"size:200;not null;uniqueIndex"`
	ProgrammeID  uint            `gorm:"not null;index"`
	Programme    *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	KeyAccountID *uint
	MeetingAt    time.Time `gorm:"not null"`
	Status       string    `gorm:"size:20;not null"`
	Summary      string    `gorm:"type:text"`
	CreatedAt    time.Time
}

func (m0010JourFixe) TableName() string { return "jour_fixes" }

type m0010JourFixeInput struct {
	JourFixeID   uint           `gorm:"primaryKey"`
	JourFixe     *m0010JourFixe `gorm:"constraint:OnDelete:CASCADE"`
	KeyAccountID uint           `gorm:"primaryKey;index"`
	EmployeeID   uint           `gorm:"primaryKey"`
	Satisfaction int            `gorm:"not null"`
	Developments string         `gorm:"type:text"`
	Needs        string         `gorm:"type:text"`
	Risks        string         `gorm:"type:text"`
	UpdatedAt    time.Time
}

func (m0010JourFixeInput) TableName() string { return "jour_fixe_inputs" }

func migrate0010(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m0010JourFixe{}, &m0010JourFixeInput{})
}

func rollback0010(tx *gorm.DB) error {
	return tx.Migrator().DropTable("jour_fixe_inputs", "jour_fixes")
}

// --- 0011: programme committees (for "approvals waiting for me") ---

type m0011ProgrammeCommittee struct {
	ProgrammeID uint            `gorm:"primaryKey"`
	Programme   *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	Email       string          `gorm:"primaryKey;size:254;index"`
}

func (m0011ProgrammeCommittee) TableName() string { return "programme_committees" }

func migrate0011(tx *gorm.DB) error { return tx.Migrator().CreateTable(&m0011ProgrammeCommittee{}) }

func rollback0011(tx *gorm.DB) error { return tx.Migrator().DropTable("programme_committees") }

// --- 0012: trigram indexes for contact and customer search (SQLite) ---
//
// contact_search holds, per contact, the text a search matches (its name,
// job title, e-mail and customer name), customer_search per customer its
// name and industry; FTS5's trigram tokenizer answers LIKE '%term%' from
// the index instead of reading every row. Triggers keep them current.
// MySQL keeps its LIKE scan, which it runs natively.

const (
	contactSearchText  = `COALESCE(c.name, '') || ' ' || COALESCE(c.job_title, '') || ' ' || COALESCE(c.email, '') || ' ' || COALESCE(cu.name, '')`
	contactSearchRows  = `SELECT c.id, ` + contactSearchText + ` FROM contacts c JOIN customers cu ON cu.id = c.customer_id`
	customerSearchRows = `SELECT id, COALESCE(name, '') || ' ' || COALESCE(industry, '') FROM customers`
)

var searchIndexSQL = []string{
	`CREATE VIRTUAL TABLE contact_search USING fts5(search_text, tokenize = 'trigram')`,
	`INSERT INTO contact_search (rowid, search_text) ` + contactSearchRows,
	`CREATE TRIGGER contact_search_insert AFTER INSERT ON contacts BEGIN
		INSERT INTO contact_search (rowid, search_text) ` + contactSearchRows + ` WHERE c.id = new.id;
	END`,
	`CREATE TRIGGER contact_search_update AFTER UPDATE OF name, job_title, email, customer_id ON contacts BEGIN
		DELETE FROM contact_search WHERE rowid = old.id;
		INSERT INTO contact_search (rowid, search_text) ` + contactSearchRows + ` WHERE c.id = new.id;
	END`,
	`CREATE TRIGGER contact_search_delete AFTER DELETE ON contacts BEGIN
		DELETE FROM contact_search WHERE rowid = old.id;
	END`,
	`CREATE VIRTUAL TABLE customer_search USING fts5(search_text, tokenize = 'trigram')`,
	`INSERT INTO customer_search (rowid, search_text) ` + customerSearchRows,
	`CREATE TRIGGER customer_search_insert AFTER INSERT ON customers BEGIN
		INSERT INTO customer_search (rowid, search_text) ` + customerSearchRows + ` WHERE id = new.id;
	END`,
	// A customer's new name is also part of its contacts' search text.
	`CREATE TRIGGER customer_search_update AFTER UPDATE OF name, industry ON customers BEGIN
		DELETE FROM customer_search WHERE rowid = old.id;
		INSERT INTO customer_search (rowid, search_text) ` + customerSearchRows + ` WHERE id = new.id;
		DELETE FROM contact_search WHERE rowid IN (SELECT id FROM contacts WHERE customer_id = new.id);
		INSERT INTO contact_search (rowid, search_text) ` + contactSearchRows + ` WHERE c.customer_id = new.id;
	END`,
	`CREATE TRIGGER customer_search_delete AFTER DELETE ON customers BEGIN
		DELETE FROM customer_search WHERE rowid = old.id;
	END`,
}

func migrate0012(tx *gorm.DB) error {
	if tx.Dialector.Name() != "sqlite" {
		return nil
	}
	for _, stmt := range searchIndexSQL {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

func rollback0012(tx *gorm.DB) error {
	if tx.Dialector.Name() != "sqlite" {
		return nil
	}
	for _, name := range []string{"contact_search_insert", "contact_search_update", "contact_search_delete",
		"customer_search_insert", "customer_search_update", "customer_search_delete"} {
		if err := tx.Exec("DROP TRIGGER IF EXISTS " + name).Error; err != nil {
			return err
		}
	}
	for _, table := range []string{"contact_search", "customer_search"} {
		if err := tx.Exec("DROP TABLE IF EXISTS " + table).Error; err != nil {
			return err
		}
	}
	return nil
}

// --- 0013: indexes for lists and the selection table ---
//
// Lists, counts and the selection table ask for customers WHERE archived_at
// IS NULL ORDER BY name; the first index answers them without reading the
// table, so a deep page's OFFSET walks index entries only. The second
// covers the selection table's count of criteria met per customer.

func migrate0013(tx *gorm.DB) error {
	for _, stmt := range []string{
		"CREATE INDEX idx_customers_active_name ON customers (archived_at, name)",
		"CREATE INDEX idx_customer_scores_met ON customer_scores (programme_id, met, criterion_key, customer_id)",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

func rollback0013(tx *gorm.DB) error {
	if err := tx.Migrator().DropIndex("customer_scores", "idx_customer_scores_met"); err != nil {
		return err
	}
	return tx.Migrator().DropIndex("customers", "idx_customers_active_name")
}

// --- 0016: training records and exceptions ---
//
// One truth for "has the required training": records fed by sessions'
// attendance, HR's record of courses done elsewhere and a programme's
// confirmation; the committee's exceptions per programme. Existing
// completions (enrolments, programme events) are carried over.

type m0016TrainingRecord struct {
	ID          uint      `gorm:"primaryKey"`
	EmployeeID  uint      `gorm:"not null;index"`
	CourseID    uint      `gorm:"not null;index"`
	CompletedAt time.Time `gorm:"not null"`
	Source      string    `gorm:"size:30;not null"`
	RecordedBy  string    `gorm:"size:254"`
	Note        string    `gorm:"type:text"`
	ProgrammeID *uint
	EnrolmentID *uint
	DedupKey    string `gorm:"size:120;not null;uniqueIndex"`
	CreatedAt   time.Time
}

func (m0016TrainingRecord) TableName() string { return "training_records" }

type m0016TrainingException struct {
	ProgrammeID uint   `gorm:"primaryKey"`
	EmployeeID  uint   `gorm:"primaryKey"`
	Note        string `gorm:"type:text"`
	ApprovedBy  string `gorm:"size:254"`
	ApprovedAt  time.Time
}

func (m0016TrainingException) TableName() string { return "training_exceptions" }

func migrate0016(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&m0016TrainingRecord{}, &m0016TrainingException{}); err != nil {
		return err
	}
	now := time.Now().UTC()
	var sessions []struct {
		ID          uint
		EmployeeID  uint
		ProgrammeID *uint
		UpdatedBy   string
		CourseID    uint
		EndsAt      time.Time
	}
	if err := tx.Table("enrolments e").Select("e.id, e.employee_id, e.programme_id, e.updated_by, ts.course_id, ts.ends_at").
		Joins("JOIN training_sessions ts ON ts.id = e.session_id").Where("e.status = ?", "completed").Scan(&sessions).Error; err != nil {
		return err
	}
	var records []m0016TrainingRecord
	for _, e := range sessions {
		id := e.ID
		records = append(records, m0016TrainingRecord{EmployeeID: e.EmployeeID, CourseID: e.CourseID, CompletedAt: e.EndsAt.UTC(), Source: "session",
			RecordedBy: e.UpdatedBy, ProgrammeID: e.ProgrammeID, EnrolmentID: &id, DedupKey: fmt.Sprintf("enrolment:%d", e.ID), CreatedAt: now})
	}
	var required []uint
	if err := tx.Table("courses").Where("required_kam = ? AND archived_at IS NULL", true).Pluck("id", &required).Error; err != nil {
		return err
	}
	var events []struct {
		ProgrammeID uint
		Kind        string
		Actor       string
		Comment     string
		At          time.Time
	}
	if err := tx.Table("programme_events").Select("programme_id, kind, actor, comment, at").
		Where("kind IN ?", []string{"training_completed", "training_exception"}).Order("id").Scan(&events).Error; err != nil {
		return err
	}
	var exceptions []m0016TrainingException
	exceptionAt := map[[2]uint]int{} // a later exception replaces an earlier one
	for _, ev := range events {
		// The audit comment reads "employee <id>" (": <note>" for exceptions).
		var emp uint
		if _, err := fmt.Sscanf(ev.Comment, "employee %d", &emp); err != nil || emp == 0 {
			continue
		}
		if ev.Kind == "training_exception" {
			_, note, _ := strings.Cut(ev.Comment, ": ")
			ex := m0016TrainingException{ProgrammeID: ev.ProgrammeID, EmployeeID: emp, Note: note, ApprovedBy: ev.Actor, ApprovedAt: ev.At.UTC()}
			if i, ok := exceptionAt[[2]uint{ev.ProgrammeID, emp}]; ok {
				exceptions[i] = ex
			} else {
				exceptionAt[[2]uint{ev.ProgrammeID, emp}] = len(exceptions)
				exceptions = append(exceptions, ex)
			}
			continue
		}
		for _, c := range required {
			pid := ev.ProgrammeID
			records = append(records, m0016TrainingRecord{EmployeeID: emp, CourseID: c, CompletedAt: ev.At.UTC(), Source: "programme_confirmation",
				RecordedBy: ev.Actor, ProgrammeID: &pid, DedupKey: fmt.Sprintf("programme:%d:%d:%d", ev.ProgrammeID, emp, c), CreatedAt: now})
		}
	}
	if len(records) > 0 {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&records, 200).Error; err != nil {
			return err
		}
	}
	if len(exceptions) > 0 {
		if err := tx.CreateInBatches(&exceptions, 200).Error; err != nil {
			return err
		}
	}
	return nil
}

func rollback0016(tx *gorm.DB) error {
	return tx.Migrator().DropTable("training_exceptions", "training_records")
}

// --- 0016b: one workshop per key account and year ---
//
// On-demand and scheduled starts used different workflow IDs, so a year
// could hold two workshops. A second one nobody worked on yet (no dates, no
// minutes, no actions) is removed; two that both carry work are left for an
// admin to merge, and the migration says which.

func migrate0016b(tx *gorm.DB) error {
	var dups []struct {
		KeyAccountID uint
		Year         int
	}
	if err := tx.Table("workshops").Select("key_account_id, year").Group("key_account_id, year").Having("COUNT(*) > 1").Scan(&dups).Error; err != nil {
		return err
	}
	for _, d := range dups {
		var rows []struct {
			ID       uint
			StartsAt *time.Time
			Minutes  string
		}
		if err := tx.Table("workshops").Select("id, starts_at, minutes").Where("key_account_id = ? AND year = ?", d.KeyAccountID, d.Year).Order("id").Scan(&rows).Error; err != nil {
			return err
		}
		keep, worked := rows[0].ID, 0
		for _, r := range rows {
			var actions int64
			if err := tx.Table("actions").Where("source = ? AND source_id = ?", "workshop", r.ID).Count(&actions).Error; err != nil {
				return err
			}
			if r.StartsAt != nil || r.Minutes != "" || actions > 0 {
				keep = r.ID
				worked++
			}
		}
		if worked > 1 {
			return fmt.Errorf("key account %d has %d workshops with work in %d; merge them into one first", d.KeyAccountID, worked, d.Year)
		}
		for _, r := range rows {
			if r.ID == keep {
				continue
			}
			if err := tx.Exec("DELETE FROM workshop_participants WHERE workshop_id = ?", r.ID).Error; err != nil {
				return err
			}
			if err := tx.Exec("DELETE FROM workshops WHERE id = ?", r.ID).Error; err != nil {
				return err
			}
		}
	}
	return tx.Exec("CREATE UNIQUE INDEX ux_workshop_year ON workshops (key_account_id, year)").Error
}

func rollback0016b(tx *gorm.DB) error {
	return tx.Migrator().DropIndex("workshops", "ux_workshop_year")
}

// --- 0014: the programme's whole state in the database ---
//
// Pages and the API read a programme from here, not from its workflow, so
// nothing shown is lost when Temporal deletes a closed workflow's history.
// Each row keeps the event sequence that last wrote it: an event applied
// late never overwrites a newer one.

type m0014Programme struct {
	PausedAt      *time.Time
	CancelReason  string `gorm:"type:text"`
	FocusLimit    int    `gorm:"not null;default:0"`
	Threshold     int    `gorm:"not null;default:0"`
	CriteriaSeq   int    `gorm:"not null;default:0"`
	CandidatesSeq int    `gorm:"not null;default:0"`
}

func (m0014Programme) TableName() string { return "programmes" }

type m0014ProgrammePhase struct {
	Result        string `gorm:"type:text"`
	LastRejection string `gorm:"type:text"`
	Seq           int    `gorm:"not null;default:0"`
}

func (m0014ProgrammePhase) TableName() string { return "programme_phases" }

type m0014ProgrammeCriterion struct {
	ProgrammeID  uint            `gorm:"primaryKey"`
	Programme    *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	CriterionKey string          `gorm:"primaryKey;size:40"`
	Position     int             `gorm:"not null"`
	Name         string          `gorm:"size:200;not null"`
	Measure      string          `gorm:"type:text"`
}

func (m0014ProgrammeCriterion) TableName() string { return "programme_criteria" }

type m0014ProgrammeCandidate struct {
	ProgrammeID  uint            `gorm:"primaryKey"`
	Programme    *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	CustomerID   uint            `gorm:"primaryKey"`
	Position     int             `gorm:"not null"`
	CustomerName string          `gorm:"size:200;not null"`
	Met          string          `gorm:"size:400"`
	Decision     string          `gorm:"size:20"`
	Reason       string          `gorm:"type:text"`
	DecidedBy    string          `gorm:"size:254"`
	Seq          int             `gorm:"not null"`
}

func (m0014ProgrammeCandidate) TableName() string { return "programme_candidates" }

type m0014ProgrammeAssignment struct {
	ProgrammeID      uint            `gorm:"primaryKey"`
	Programme        *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	CustomerID       uint            `gorm:"primaryKey"`
	KAMEmployeeID    uint            `gorm:"not null"`
	DeputyEmployeeID *uint
	AssignedBy       string `gorm:"size:254"`
	Seq              int    `gorm:"not null"`
}

func (m0014ProgrammeAssignment) TableName() string { return "programme_assignments" }

type m0014ProgrammeTraining struct {
	ProgrammeID uint            `gorm:"primaryKey"`
	Programme   *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	EmployeeID  uint            `gorm:"primaryKey"`
	Completed   bool            `gorm:"not null"`
	Exception   bool            `gorm:"not null"`
	Note        string          `gorm:"type:text"`
	RecordedBy  string          `gorm:"size:254"`
	Seq         int             `gorm:"not null"`
}

func (m0014ProgrammeTraining) TableName() string { return "programme_trainings" }

type m0014ProgrammePlanApproval struct {
	ProgrammeID uint            `gorm:"primaryKey"`
	Programme   *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	CustomerID  uint            `gorm:"primaryKey"`
	ApprovedBy  string          `gorm:"size:254"`
	ApprovedAt  time.Time
	Seq         int `gorm:"not null"`
}

func (m0014ProgrammePlanApproval) TableName() string { return "programme_plan_approvals" }

func migrate0014(tx *gorm.DB) error {
	for _, col := range []string{"PausedAt", "CancelReason", "FocusLimit", "Threshold", "CriteriaSeq", "CandidatesSeq"} {
		if err := tx.Migrator().AddColumn(&m0014Programme{}, col); err != nil {
			return err
		}
	}
	for _, col := range []string{"Result", "LastRejection", "Seq"} {
		if err := tx.Migrator().AddColumn(&m0014ProgrammePhase{}, col); err != nil {
			return err
		}
	}
	return tx.Migrator().CreateTable(&m0014ProgrammeCriterion{}, &m0014ProgrammeCandidate{}, &m0014ProgrammeAssignment{},
		&m0014ProgrammeTraining{}, &m0014ProgrammePlanApproval{})
}

func rollback0014(tx *gorm.DB) error {
	if err := tx.Migrator().DropTable("programme_plan_approvals", "programme_trainings", "programme_assignments",
		"programme_candidates", "programme_criteria"); err != nil {
		return err
	}
	for _, col := range []string{"Result", "LastRejection", "Seq"} {
		if err := tx.Migrator().DropColumn(&m0014ProgrammePhase{}, col); err != nil {
			return err
		}
	}
	for _, col := range []string{"PausedAt", "CancelReason", "FocusLimit", "Threshold", "CriteriaSeq", "CandidatesSeq"} {
		if err := tx.Migrator().DropColumn(&m0014Programme{}, col); err != nil {
			return err
		}
	}
	return nil
}

// --- 0017: what the pages show of finished processes ---
//
// Temporal deletes a closed workflow's history after the namespace
// retention, so everything a page or GET shows of a handover, workshop,
// jour fixe or enrolment lives in these columns: the handover's people and
// settings, the workshop's minutes due date, who a jour fixe asked about
// which account, and how an enrolment ended.

type m0017Handover struct {
	OutgoingEmail     string `gorm:"size:254"`
	CoveringEmail     string `gorm:"size:254"`
	LeadEmail         string `gorm:"size:254"`
	OutgoingAvailable bool   `gorm:"not null;default:true"`
	StallAfterSeconds int64  `gorm:"not null;default:604800"`
	IncomingEmail     string `gorm:"size:254"`
	IncomingChosenAt  *time.Time
}

func (m0017Handover) TableName() string { return "handovers" }

type m0017Workshop struct {
	MinutesDue *time.Time
}

func (m0017Workshop) TableName() string { return "workshops" }

type m0017JourFixeParticipant struct {
	JourFixeID   uint           `gorm:"primaryKey"`
	JourFixe     *m0010JourFixe `gorm:"constraint:OnDelete:CASCADE"`
	EmployeeID   uint           `gorm:"primaryKey"`
	KeyAccountID uint           `gorm:"primaryKey"`
	Email        string         `gorm:"size:254;not null"`
	Name         string         `gorm:"size:200"`
}

func (m0017JourFixeParticipant) TableName() string { return "jour_fixe_participants" }

type m0017Enrolment struct {
	StatusNote string `gorm:"type:text"`
	StatusAt   *time.Time
}

func (m0017Enrolment) TableName() string { return "enrolments" }

var m0017Columns = []struct {
	model   any
	columns []string
}{
	{&m0017Handover{}, []string{"OutgoingEmail", "CoveringEmail", "LeadEmail", "OutgoingAvailable", "StallAfterSeconds", "IncomingEmail", "IncomingChosenAt"}},
	{&m0017Workshop{}, []string{"MinutesDue"}},
	{&m0017Enrolment{}, []string{"StatusNote", "StatusAt"}},
}

// m0017AddWorkingDays is the workshop's minutes rule as it was written:
// five working days after the end, Saturdays and Sundays skipped.
func m0017AddWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

func migrate0017(tx *gorm.DB) error {
	for _, m := range m0017Columns {
		for _, col := range m.columns {
			if err := tx.Migrator().AddColumn(m.model, col); err != nil {
				return err
			}
		}
	}
	if err := tx.Migrator().CreateTable(&m0017JourFixeParticipant{}); err != nil {
		return err
	}
	// Rows written before: people's addresses from the reference data, a
	// knowledge transfer skipped by kamflow itself means the outgoing KAM
	// was unavailable.
	for _, stmt := range []string{
		"UPDATE handovers SET outgoing_email = (SELECT email FROM employees WHERE employees.id = handovers.outgoing_employee_id)",
		"UPDATE handovers SET covering_email = (SELECT email FROM employees WHERE employees.id = handovers.covering_employee_id)",
		"UPDATE handovers SET incoming_email = (SELECT email FROM employees WHERE employees.id = handovers.incoming_employee_id) WHERE incoming_employee_id IS NOT NULL",
		"UPDATE handovers SET lead_email = (SELECT programmes.lead_email FROM key_accounts JOIN programmes ON programmes.id = key_accounts.programme_id WHERE key_accounts.id = handovers.key_account_id)",
		"UPDATE handovers SET outgoing_available = false WHERE id IN (SELECT handover_id FROM handover_items WHERE item = 'knowledge_transfer' AND skipped = true AND done_by = 'kamflow')",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	var dated []struct {
		ID     uint
		EndsAt time.Time
	}
	if err := tx.Table("workshops").Select("id, ends_at").Where("ends_at IS NOT NULL").Scan(&dated).Error; err != nil {
		return err
	}
	for _, w := range dated {
		if err := tx.Table("workshops").Where("id = ?", w.ID).Update("minutes_due", m0017AddWorkingDays(w.EndsAt.UTC(), 5)).Error; err != nil {
			return err
		}
	}
	return tx.Exec("UPDATE enrolments SET status_at = updated_at WHERE status IN ('completed', 'no_show', 'cancelled')").Error
}

func rollback0017(tx *gorm.DB) error {
	if err := tx.Migrator().DropTable("jour_fixe_participants"); err != nil {
		return err
	}
	for _, m := range m0017Columns {
		for _, col := range m.columns {
			if err := tx.Migrator().DropColumn(m.model, col); err != nil {
				return err
			}
		}
	}
	return nil
}

// --- 0015: idempotency keys (the first answer to a state-changing request) ---

type m0015IdempotencyKey struct {
	ID          uint       `gorm:"primaryKey"`
	UserID      uint       `gorm:"not null;uniqueIndex:idx_idempotency_keys_user_key,priority:1"`
	User        *m0001User `gorm:"constraint:OnDelete:CASCADE"`
	KeyHash     string     `gorm:"size:64;not null;uniqueIndex:idx_idempotency_keys_user_key,priority:2"`
	Method      string     `gorm:"size:10;not null"`
	Path        string     `gorm:"size:2000;not null"`
	BodyHash    string     `gorm:"size:64;not null"`
	Status      int        `gorm:"not null"`
	Header      string     `gorm:"type:text"`
	Body        []byte
	CreatedAt   time.Time `gorm:"not null;index"`
	CompletedAt *time.Time
}

func (m0015IdempotencyKey) TableName() string { return "idempotency_keys" }

func migrate0015(tx *gorm.DB) error { return tx.Migrator().CreateTable(&m0015IdempotencyKey{}) }

func rollback0015(tx *gorm.DB) error { return tx.Migrator().DropTable("idempotency_keys") }

// --- 0018: who gave an open action or measure to whom ---

type m0018OwnerChange struct {
	ID           uint      `gorm:"primaryKey"`
	Kind         string    `gorm:"size:10;not null;index:ix_owner_changes_item,priority:1"`
	ItemID       uint      `gorm:"not null;index:ix_owner_changes_item,priority:2"`
	KeyAccountID uint      `gorm:"not null;index"`
	HandoverID   *uint     `gorm:"index"`
	FromEmail    string    `gorm:"size:254;not null"`
	ToEmail      string    `gorm:"size:254;not null"`
	ChangedBy    string    `gorm:"size:254;not null"`
	ChangedAt    time.Time `gorm:"not null"`
}

func (m0018OwnerChange) TableName() string { return "owner_changes" }

func migrate0018(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m0018OwnerChange{})
}

func rollback0018(tx *gorm.DB) error {
	return tx.Migrator().DropTable("owner_changes")
}

// --- 0019: the dates a workshop's customer chooses from ---

type m0019Workshop struct {
	ID          uint   `gorm:"primaryKey"`
	DateOptions string `gorm:"type:text"`
}

func (m0019Workshop) TableName() string { return "workshops" }

func migrate0019(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m0019Workshop{}, "DateOptions")
}

func rollback0019(tx *gorm.DB) error {
	return tx.Migrator().DropColumn(&m0019Workshop{}, "DateOptions")
}

// --- 0021: API tokens may expire ---

type m0021APIToken struct {
	ID        uint `gorm:"primaryKey"`
	ExpiresAt *time.Time
}

func (m0021APIToken) TableName() string { return "api_tokens" }

func migrate0021(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m0021APIToken{}, "ExpiresAt")
}

func rollback0021(tx *gorm.DB) error {
	return tx.Migrator().DropColumn(&m0021APIToken{}, "ExpiresAt")
}

// --- 0024: indexes for "what is mine" ---
//
// A KAM's start page and My work look accounts, workshops and handovers up
// by the person (covering, participant, outgoing, covering, incoming); the
// tables had no index for it and were scanned.

var m0024Indexes = []migrationIndex{
	{"key_accounts", "idx_key_accounts_covering", "covering_employee_id"},
	{"workshop_participants", "idx_workshop_participants_person", "person_id, side"},
	{"handovers", "idx_handovers_outgoing", "outgoing_employee_id"},
	{"handovers", "idx_handovers_covering", "covering_employee_id"},
	{"handovers", "idx_handovers_incoming", "incoming_employee_id"},
}

func migrate0024(tx *gorm.DB) error { return createIndexes(tx, m0024Indexes) }

func rollback0024(tx *gorm.DB) error { return dropIndexes(tx, m0024Indexes) }

// migrationIndex is an index a migration adds: plain SQL, the same on
// SQLite and MySQL.
type migrationIndex struct{ table, name, columns string }

func createIndexes(tx *gorm.DB, list []migrationIndex) error {
	for _, ix := range list {
		if err := tx.Exec("CREATE INDEX " + ix.name + " ON " + ix.table + " (" + ix.columns + ")").Error; err != nil {
			return err
		}
	}
	return nil
}

func dropIndexes(tx *gorm.DB, list []migrationIndex) error {
	for _, ix := range list {
		if err := tx.Migrator().DropIndex(ix.table, ix.name); err != nil {
			return err
		}
	}
	return nil
}

// --- 0020: the jour-fixe Schedules a programme's lead set, for its page ---

type m0020JourFixeSchedule struct {
	ProgrammeID  uint            `gorm:"primaryKey;autoIncrement:false"`
	Programme    *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	KeyAccountID uint            `gorm:"primaryKey;autoIncrement:false"`
	DayOfMonth   int             `gorm:"not null"`
	SetBy        string          `gorm:"size:254;not null"`
	UpdatedAt    time.Time
}

func (m0020JourFixeSchedule) TableName() string { return "jour_fixe_schedules" }

func migrate0020(tx *gorm.DB) error { return tx.Migrator().CreateTable(&m0020JourFixeSchedule{}) }

func rollback0020(tx *gorm.DB) error { return tx.Migrator().DropTable("jour_fixe_schedules") }

// --- 0022: an enrolment remembers the enrolment it was moved from ---

type m0022Enrolment struct {
	ID          uint  `gorm:"primaryKey"`
	MovedFromID *uint `gorm:"index"`
}

func (m0022Enrolment) TableName() string { return "enrolments" }

func migrate0022(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&m0022Enrolment{}, "MovedFromID"); err != nil {
		return err
	}
	return tx.Migrator().CreateIndex(&m0022Enrolment{}, "MovedFromID")
}

func rollback0022(tx *gorm.DB) error {
	if err := tx.Migrator().DropIndex(&m0022Enrolment{}, "MovedFromID"); err != nil {
		return err
	}
	return tx.Migrator().DropColumn(&m0022Enrolment{}, "MovedFromID")
}

// --- 0023: the roll-out's record ---
//
// Conflicts logged and resolved and staff briefings, projected from the
// programme workflow like its other state; whether a programme's rollout
// phase waits for them.

type m0023Programme struct {
	RolloutChecks bool `gorm:"not null;default:false"`
}

func (m0023Programme) TableName() string { return "programmes" }

type m0023ProgrammeConflict struct {
	ProgrammeID uint            `gorm:"primaryKey"`
	Programme   *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	ConflictID  int             `gorm:"primaryKey"`
	What        string          `gorm:"type:text;not null"`
	Parties     string          `gorm:"size:1200;not null"`
	LoggedBy    string          `gorm:"size:254;not null"`
	LoggedAt    time.Time       `gorm:"not null"`
	Resolution  string          `gorm:"type:text"`
	ResolvedBy  string          `gorm:"size:254"`
	ResolvedAt  *time.Time
	Seq         int `gorm:"not null"`
}

func (m0023ProgrammeConflict) TableName() string { return "programme_conflicts" }

type m0023ProgrammeBriefing struct {
	ProgrammeID      uint            `gorm:"primaryKey"`
	Programme        *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	BriefingID       int             `gorm:"primaryKey"`
	InformedOn       time.Time       `gorm:"not null"`
	Channel          string          `gorm:"size:40;not null"`
	Groups           string          `gorm:"type:text;not null"`
	KeyAccountsNamed bool            `gorm:"not null"`
	Note             string          `gorm:"type:text"`
	RecordedBy       string          `gorm:"size:254;not null"`
	RecordedAt       time.Time       `gorm:"not null"`
	Seq              int             `gorm:"not null"`
}

func (m0023ProgrammeBriefing) TableName() string { return "programme_briefings" }

func migrate0023(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&m0023Programme{}, "RolloutChecks"); err != nil {
		return err
	}
	return tx.Migrator().CreateTable(&m0023ProgrammeConflict{}, &m0023ProgrammeBriefing{})
}

func rollback0023(tx *gorm.DB) error {
	if err := tx.Migrator().DropTable("programme_briefings", "programme_conflicts"); err != nil {
		return err
	}
	return tx.Migrator().DropColumn(&m0023Programme{}, "RolloutChecks")
}

// --- 0028: the outbox's undelivered messages by index ---
//
// Delivery claims and the metrics' backlog look for unsent rows
// (sent_at IS NULL) among every notification ever queued.

var m0028Indexes = []migrationIndex{
	{"notifications", "idx_notifications_pending", "sent_at, attempts"},
}

func migrate0028(tx *gorm.DB) error { return createIndexes(tx, m0028Indexes) }

func rollback0028(tx *gorm.DB) error { return dropIndexes(tx, m0028Indexes) }

// --- 0029: a notification leads to its page and is read or unread ---

type m0029Notification struct {
	Link   string `gorm:"size:500;not null;default:''"`
	ReadAt *time.Time
}

func (m0029Notification) TableName() string { return "notifications" }

var m0029Indexes = []migrationIndex{
	{"notifications", "idx_notifications_unread", "recipient, read_at"},
}

func migrate0029(tx *gorm.DB) error {
	for _, col := range []string{"Link", "ReadAt"} {
		if err := tx.Migrator().AddColumn(&m0029Notification{}, col); err != nil {
			return err
		}
	}
	// What was sent before counts as read: nobody is told of months of
	// old messages at once.
	if err := tx.Exec("UPDATE notifications SET read_at = created_at").Error; err != nil {
		return err
	}
	return createIndexes(tx, m0029Indexes)
}

func rollback0029(tx *gorm.DB) error {
	if err := dropIndexes(tx, m0029Indexes); err != nil {
		return err
	}
	for _, col := range []string{"ReadAt", "Link"} {
		if err := tx.Migrator().DropColumn(&m0029Notification{}, col); err != nil {
			return err
		}
	}
	return nil
}

// --- 0027: audit-trail comments kamflow writes, kept by key and parameters ---

type m0027ProgrammeEvent struct {
	ID          uint   `gorm:"primaryKey"`
	CommentKey  string `gorm:"size:40"`
	CommentArgs string `gorm:"type:text"`
}

func (m0027ProgrammeEvent) TableName() string { return "programme_events" }

func migrate0027(tx *gorm.DB) error {
	for _, col := range []string{"CommentKey", "CommentArgs"} {
		if err := tx.Migrator().AddColumn(&m0027ProgrammeEvent{}, col); err != nil {
			return err
		}
	}
	return nil
}

func rollback0027(tx *gorm.DB) error {
	for _, col := range []string{"CommentArgs", "CommentKey"} {
		if err := tx.Migrator().DropColumn(&m0027ProgrammeEvent{}, col); err != nil {
			return err
		}
	}
	return nil
}

// --- 0025: the time zone a user reads and enters date-times in ---

type m0025User struct {
	ID uint `gorm:"primaryKey"`
	// TimeZone is an IANA name; empty means the site's default.
	TimeZone string `gorm:"size:64;not null;default:''"`
}

func (m0025User) TableName() string { return "users" }

func migrate0025(tx *gorm.DB) error { return tx.Migrator().AddColumn(&m0025User{}, "TimeZone") }

func rollback0025(tx *gorm.DB) error { return tx.Migrator().DropColumn(&m0025User{}, "TimeZone") }

// --- 0030: company sign-in (OpenID Connect) ---
//
// A sign-in begun at the identity provider: its state (hashed), the
// browser it was begun in (hashed), the nonce and the PKCE verifier, until
// the provider sends the browser back — once — or it expires.

type m0030OIDCLogin struct {
	StateHash   string    `gorm:"primaryKey;size:64"`
	BrowserHash string    `gorm:"size:64;not null"`
	Nonce       string    `gorm:"size:64;not null"`
	Verifier    string    `gorm:"size:128;not null"`
	ExpiresAt   time.Time `gorm:"not null;index"`
	CreatedAt   time.Time
}

func (m0030OIDCLogin) TableName() string { return "oidc_logins" }

func migrate0030(tx *gorm.DB) error { return tx.Migrator().CreateTable(&m0030OIDCLogin{}) }

func rollback0030(tx *gorm.DB) error { return tx.Migrator().DropTable("oidc_logins") }

// --- 0031: notifications kept by key and parameters too ---
//
// A message kamflow writes keeps its key and parameters beside its English
// subject and body, so pages and mails write it in their reader's
// language. Rows written before have neither and stay English.

type m0031Notification struct {
	TextKey  string `gorm:"size:40;not null;default:''"`
	TextArgs string `gorm:"type:text"`
}

func (m0031Notification) TableName() string { return "notifications" }

func migrate0031(tx *gorm.DB) error {
	for _, col := range []string{"TextKey", "TextArgs"} {
		if err := tx.Migrator().AddColumn(&m0031Notification{}, col); err != nil {
			return err
		}
	}
	return nil
}

func rollback0031(tx *gorm.DB) error {
	for _, col := range []string{"TextArgs", "TextKey"} {
		if err := tx.Migrator().DropColumn(&m0031Notification{}, col); err != nil {
			return err
		}
	}
	return nil
}

// --- 0033: the ID token of a company sign-in, kept with its session ---
//
// Sign-out hands it back to the identity provider (id_token_hint) so the
// provider's sign-in ends too. Password sessions and sessions begun before
// have none (NULL); it goes with its session's row.

type m0033Session struct {
	IDToken *string `gorm:"type:text"`
}

func (m0033Session) TableName() string { return "sessions" }

func migrate0033(tx *gorm.DB) error { return tx.Migrator().AddColumn(&m0033Session{}, "IDToken") }

func rollback0033(tx *gorm.DB) error { return tx.Migrator().DropColumn(&m0033Session{}, "IDToken") }

// --- 0032: indexes the start pages lack ---
//
// Every start page asks, for My work, which jour fixes wait for the
// reader's input: jour_fixe_participants is keyed by jour fixe first, so
// the lookup by the employee scanned every participant of every jour fixe
// (72,000 rows at 10× the bench's company; half of a start page's CPU).

var m0032Indexes = []migrationIndex{
	{"jour_fixe_participants", "idx_jour_fixe_participants_employee", "employee_id, jour_fixe_id"},
}

func migrate0032(tx *gorm.DB) error { return createIndexes(tx, m0032Indexes) }

func rollback0032(tx *gorm.DB) error { return dropIndexes(tx, m0032Indexes) }

// --- 0034: trigram postings for contact and customer search (MySQL) ---
//
// What 0012 gives SQLite through FTS5: see search_grams.go. Existing rows
// are indexed here; new and edited ones by the store as they are written.

var m0034Tables = []struct {
	gram            gramTable
	parent, textSQL string
}{
	{contactGrams, "contacts", "CONCAT_WS(' ', name, job_title, email)"},
	{customerGrams, "customers", "CONCAT_WS(' ', name, industry)"},
}

func migrate0034(tx *gorm.DB) error {
	if !keepsGrams(tx) {
		return nil
	}
	for _, t := range m0034Tables {
		g := t.gram
		err := tx.Exec("CREATE TABLE " + g.table + " (gram INT UNSIGNED NOT NULL, " + g.column + " BIGINT UNSIGNED NOT NULL, " +
			"PRIMARY KEY (gram, " + g.column + "), KEY idx_" + g.table + "_row (" + g.column + "), " +
			"CONSTRAINT fk_" + g.table + "_row FOREIGN KEY (" + g.column + ") REFERENCES " + t.parent + " (id) ON DELETE CASCADE)").Error
		if err != nil {
			return err
		}
		if err := backfillGrams(tx, g, t.parent, t.textSQL); err != nil {
			return err
		}
	}
	return nil
}

func rollback0034(tx *gorm.DB) error {
	if !keepsGrams(tx) {
		return nil
	}
	return tx.Exec("DROP TABLE IF EXISTS contact_grams, customer_grams").Error
}

// --- 0035: criteria met per programme and customer, for the selection ---
//
// See criteria_met.go. The index serves the selection table's order:
// fewest criteria missed, then by name.

type m0035CriteriaMet struct {
	ProgrammeID  uint            `gorm:"primaryKey"`
	Programme    *m0002Programme `gorm:"constraint:OnDelete:CASCADE"`
	CustomerID   uint            `gorm:"primaryKey"`
	Customer     *m0001Customer  `gorm:"constraint:OnDelete:CASCADE"`
	Missed       int             `gorm:"not null"`
	CustomerName string          `gorm:"size:200;not null"`
}

func (m0035CriteriaMet) TableName() string { return "customer_criteria_met" }

func migrate0035(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&m0035CriteriaMet{}); err != nil {
		return err
	}
	if err := tx.Exec("CREATE INDEX idx_criteria_met_order ON customer_criteria_met (programme_id, missed, customer_name, customer_id)").Error; err != nil {
		return err
	}
	var programmes []uint
	if err := tx.Table("customer_scores").Distinct("programme_id").Pluck("programme_id", &programmes).Error; err != nil {
		return err
	}
	for _, id := range programmes {
		if err := refreshCriteriaMet(tx, id, 0); err != nil {
			return err
		}
	}
	return nil
}

func rollback0035(tx *gorm.DB) error { return tx.Migrator().DropTable("customer_criteria_met") }

// --- 0036: open and overdue actions per key account from the index ---
//
// The key-accounts list and a key account's page count each account's open
// and overdue actions; with done_at and due in the index they are counted
// without reading the actions' rows.

var m0036Indexes = []migrationIndex{
	{"actions", "idx_actions_account_open", "key_account_id, done_at, due"},
}

func migrate0036(tx *gorm.DB) error { return createIndexes(tx, m0036Indexes) }

func rollback0036(tx *gorm.DB) error { return dropIndexes(tx, m0036Indexes) }

// --- 0037: the customer's name kept with its key account ---
//
// The key-accounts list is sorted by programme and customer name; through
// a join every view sorted all accounts (3,000 at 10× the bench's company)
// to show 25. With the name on the account the index gives the order. The
// store keeps it current: KeyAccount.BeforeCreate and UpdateCustomer.

type m0037KeyAccount struct {
	CustomerName string `gorm:"size:200;not null;default:''"`
}

func (m0037KeyAccount) TableName() string { return "key_accounts" }

// keyAccountNamesSQL copies every customer's name onto its key accounts
// (also run by Reindex, for accounts loaded with SQL).
const keyAccountNamesSQL = "UPDATE key_accounts SET customer_name = (SELECT c.name FROM customers c WHERE c.id = key_accounts.customer_id)"

var m0037Indexes = []migrationIndex{
	{"key_accounts", "idx_key_accounts_programme_customer_name", "programme_id, customer_name, id"},
}

func migrate0037(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&m0037KeyAccount{}, "CustomerName"); err != nil {
		return err
	}
	if err := tx.Exec(keyAccountNamesSQL).Error; err != nil {
		return err
	}
	return createIndexes(tx, m0037Indexes)
}

func rollback0037(tx *gorm.DB) error {
	if err := dropIndexes(tx, m0037Indexes); err != nil {
		return err
	}
	return tx.Migrator().DropColumn(&m0037KeyAccount{}, "CustomerName")
}

// --- 0038: the customer list's numbers kept ---
//
// See row_counts.go: the numbers of active and archived customers, counted
// here once from the rows and kept by the store as it writes.

type m0038RowCount struct {
	Name string `gorm:"primaryKey;size:40"`
	N    int64  `gorm:"not null"`
}

func (m0038RowCount) TableName() string { return "row_counts" }

func migrate0038(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&m0038RowCount{}); err != nil {
		return err
	}
	for _, c := range customerCounts {
		if err := tx.Create(&m0038RowCount{Name: c.name}).Error; err != nil {
			return err
		}
	}
	return recountCustomers(tx)
}

func rollback0038(tx *gorm.DB) error { return tx.Migrator().DropTable("row_counts") }

// --- 0039: how many rows hold each trigram (SQLite) ---
//
// See search_gram_counts.go: the counts let a search read only its term's
// rarest trigrams. search_gram_positions numbers a text's characters for
// the triggers, which may not use WITH.

func migrate0039(tx *gorm.DB) error {
	if tx.Dialector.Name() != "sqlite" {
		return nil
	}
	stmts := []string{
		`CREATE TABLE search_gram_counts (kind TEXT NOT NULL, gram TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (kind, gram)) WITHOUT ROWID`,
		`CREATE TABLE search_gram_positions (p INTEGER PRIMARY KEY)`,
		fmt.Sprintf(`WITH RECURSIVE n(p) AS (SELECT 1 UNION ALL SELECT p + 1 FROM n WHERE p < %d) INSERT INTO search_gram_positions (p) SELECT p FROM n`, gramPositions),
	}
	for _, t := range gramCountTriggers {
		stmts = append(stmts, `CREATE TRIGGER `+t.name+` `+t.sql)
	}
	for _, stmt := range append(stmts, countAllGrams...) {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

func rollback0039(tx *gorm.DB) error {
	if tx.Dialector.Name() != "sqlite" {
		return nil
	}
	for _, t := range gramCountTriggers {
		if err := tx.Exec("DROP TRIGGER IF EXISTS " + t.name).Error; err != nil {
			return err
		}
	}
	for _, table := range []string{"search_gram_counts", "search_gram_positions"} {
		if err := tx.Exec("DROP TABLE IF EXISTS " + table).Error; err != nil {
			return err
		}
	}
	return nil
}

// --- 0040: attendance recorded, newest first, from the index ---
//
// HR's desk lists the enrolments recorded in the last months, newest
// first. By their status the database read every recorded enrolment of the
// company's history and sorted them; by when they were recorded it reads
// the index backwards and stops at the page's end.

var m0040Indexes = []migrationIndex{
	{"enrolments", "idx_enrolments_status_at", "status_at"},
}

func migrate0040(tx *gorm.DB) error { return createIndexes(tx, m0040Indexes) }

func rollback0040(tx *gorm.DB) error { return dropIndexes(tx, m0040Indexes) }

// --- 0041: employees in the pickers' order from the index ---
//
// Every picker of employees lists the first few active ones, KAMs first
// or by name, and the people page lists them by name: without an index in
// that order the database sorted the company's whole staff for each view.
// (MariaDB before 10.8 reads DESC as ASC and sorts the KAMs-first order as
// before; MySQL 8, later MariaDB and SQLite read it from the index.)

var m0041Indexes = []migrationIndex{
	{"employees", "idx_employees_active_kams_first", "archived_at, kam_qualified DESC, name, id"},
	{"employees", "idx_employees_active_by_name", "archived_at, name, id"},
}

func migrate0041(tx *gorm.DB) error { return createIndexes(tx, m0041Indexes) }

func rollback0041(tx *gorm.DB) error { return dropIndexes(tx, m0041Indexes) }

// --- 0042: each training session's seats taken, kept ---
//
// See seat_counts.go: the HR start page counted the enrolments of every
// upcoming session to find those with a free seat, and both training lists
// counted them for each session shown.

type m0042TrainingSession struct {
	EnrolledCount   int `gorm:"not null;default:0"`
	WaitlistedCount int `gorm:"not null;default:0"`
}

func (m0042TrainingSession) TableName() string { return "training_sessions" }

func migrate0042(tx *gorm.DB) error {
	for _, f := range []string{"EnrolledCount", "WaitlistedCount"} {
		if err := tx.Migrator().AddColumn(&m0042TrainingSession{}, f); err != nil {
			return err
		}
	}
	return recountSeats(tx, nil)
}

// rollback0042 drops the columns in place: gorm's SQLite migrator copies
// the table to drop one, and dropping the old training_sessions deletes
// its enrolments through their foreign key.
func rollback0042(tx *gorm.DB) error {
	for _, c := range []string{"enrolled_count", "waitlisted_count"} {
		if err := tx.Exec("ALTER TABLE training_sessions DROP COLUMN " + c).Error; err != nil {
			return err
		}
	}
	return nil
}

// --- 0043: the key-accounts list's number kept ---
//
// See row_counts.go: the list counted every key account on each view.

func migrate0043(tx *gorm.DB) error {
	if err := tx.Create(&m0038RowCount{Name: allKeyAccounts}).Error; err != nil {
		return err
	}
	return recountKeyAccounts(tx)
}

func rollback0043(tx *gorm.DB) error {
	return tx.Where("name = ?", allKeyAccounts).Delete(&m0038RowCount{}).Error
}

// --- 0044: attendance to record, oldest session first, from the index ---
//
// HR's desk lists the places enrolled in sessions that have started,
// oldest session first. Joined to the session for its start, the database
// went through every session ever started (the company's whole history)
// to find the few with places still enrolled, then sorted them. With the
// session's start kept on each enrolment the index gives those places in
// the order shown. The store keeps it current: Enrolment.BeforeCreate and
// SaveSession.

type m0044Enrolment struct {
	SessionStartsAt *time.Time
}

func (m0044Enrolment) TableName() string { return "enrolments" }

// enrolmentStartsSQL copies every session's start onto its enrolments
// (also run by Reindex, for enrolments loaded with SQL).
const enrolmentStartsSQL = "UPDATE enrolments SET session_starts_at = (SELECT ts.starts_at FROM training_sessions ts WHERE ts.id = enrolments.session_id)"

var m0044Indexes = []migrationIndex{
	{"enrolments", "idx_enrolments_awaiting", "status, session_starts_at, id"},
}

func migrate0044(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&m0044Enrolment{}, "SessionStartsAt"); err != nil {
		return err
	}
	if err := tx.Exec(enrolmentStartsSQL).Error; err != nil {
		return err
	}
	return createIndexes(tx, m0044Indexes)
}

// rollback0044 drops the column in place, as rollback0042 does: gorm's
// SQLite migrator would copy the table to drop it.
func rollback0044(tx *gorm.DB) error {
	if err := dropIndexes(tx, m0044Indexes); err != nil {
		return err
	}
	return tx.Exec("ALTER TABLE enrolments DROP COLUMN session_starts_at").Error
}

// --- 0045: a programme's progress kept on its row ---
//
// See programme_progress.go: the start pages summed every listed
// programme's phases on each view.

type m0045Programme struct {
	PhasesTotal int `gorm:"not null;default:0"`
	PhasesDone  int `gorm:"not null;default:0"`
	NextDue     *time.Time
}

func (m0045Programme) TableName() string { return "programmes" }

func migrate0045(tx *gorm.DB) error {
	for _, col := range []string{"PhasesTotal", "PhasesDone", "NextDue"} {
		if err := tx.Migrator().AddColumn(&m0045Programme{}, col); err != nil {
			return err
		}
	}
	return tx.Exec(programmeProgressSQL).Error
}

// rollback0045 drops the columns in place, as rollback0042 does: gorm's
// SQLite migrator would copy the table to drop them.
func rollback0045(tx *gorm.DB) error {
	for _, c := range []string{"phases_total", "phases_done", "next_due"} {
		if err := tx.Exec("ALTER TABLE programmes DROP COLUMN " + c).Error; err != nil {
			return err
		}
	}
	return nil
}

// --- 0046: the gates and plans waiting for a decision, from an index ---
//
// The committee's start page and My work list the submitted gates of the
// programmes on its committee, and every decider the submitted account
// plans. Without an index on their status the database read every phase
// of each programme on the committee (eleven a programme) or every plan of
// each account; by status it reads the few submitted ones and joins their
// programme and committee by key, however many programmes there are.

var m0046Indexes = []migrationIndex{
	{"programme_phases", "idx_programme_phases_status_submitted", "status, submitted_at"},
	{"account_plans", "idx_account_plans_status_submitted", "status, submitted_at"},
}

func migrate0046(tx *gorm.DB) error { return createIndexes(tx, m0046Indexes) }

func rollback0046(tx *gorm.DB) error { return dropIndexes(tx, m0046Indexes) }

// --- 0047: a key account's actions by due date from the index ---
//
// A key account's page lists its open actions by due date, then its done
// ones. The open ones come in that order from idx_actions_account_open
// (0036); for the done ones the index on the account alone is widened to
// (account, due), which serves the same lookups and the foreign key and
// reads them in order, instead of every action of the account being sorted
// on each view.

var (
	m0047Added   = []migrationIndex{{"actions", "idx_actions_account_due", "key_account_id, due"}}
	m0047Dropped = []migrationIndex{{"actions", "idx_actions_key_account_id", "key_account_id"}}
)

func migrate0047(tx *gorm.DB) error { return replaceIndexes(tx, m0047Dropped, m0047Added) }

func rollback0047(tx *gorm.DB) error { return replaceIndexes(tx, m0047Added, m0047Dropped) }

// replaceIndexes makes the new indexes before it drops the old ones, so
// that a foreign key MySQL backs with an old one always has an index.
func replaceIndexes(tx *gorm.DB, old, new []migrationIndex) error {
	if err := createIndexes(tx, new); err != nil {
		return err
	}
	return dropIndexes(tx, old)
}

// --- 0048: the criteria a page of customers meets, by customer ---
//
// The selection table shows, for each customer of its page, the criteria
// it meets. 0013's index of met scores put the criterion before the
// customer, so the page's fifty customers were found by walking every met
// score of the programme (some 4,000 at 2,000 customers scored); with the
// customer before the criterion each is one seek, and the criteria-met
// summary's refresh (criteria_met.go) reads one customer's scores, or all
// of them by customer, from the same index.

var (
	m0048Added   = []migrationIndex{{"customer_scores", "idx_customer_scores_met_by_customer", "programme_id, met, customer_id, criterion_key"}}
	m0048Dropped = []migrationIndex{{"customer_scores", "idx_customer_scores_met", "programme_id, met, criterion_key, customer_id"}}
)

func migrate0048(tx *gorm.DB) error { return replaceIndexes(tx, m0048Dropped, m0048Added) }

func rollback0048(tx *gorm.DB) error { return replaceIndexes(tx, m0048Added, m0048Dropped) }
