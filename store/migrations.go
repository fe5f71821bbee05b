package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
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
