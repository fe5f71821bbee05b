package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AccountFinancials are revenue and margin of a customer in one period
// ("2026-Q1", "2026"), entered or imported for reviews.
type AccountFinancials struct {
	CustomerID    uint   `gorm:"primaryKey"`
	Period        string `gorm:"primaryKey;size:10"`
	Revenue       int64
	MarginPercent float64
	UpdatedAt     time.Time
}

// Review statuses.
const (
	ReviewOpen      = "open"
	ReviewSignedOff = "signed_off"
	ReviewClosed    = "closed"
)

// Review is one controller review of a programme.
type Review struct {
	ID              uint   `gorm:"primaryKey"`
	ProgrammeID     uint   `gorm:"not null;index"`
	WorkflowID      string `gorm:"size:200;not null;uniqueIndex"`
	ControllerEmail string `gorm:"size:254;not null"`
	Status          string `gorm:"size:20;not null"`
	OverallFindings string `gorm:"type:text"`
	SignedOffBy     string `gorm:"size:254"`
	SignedOffAt     *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Accounts        []ReviewAccount `gorm:"foreignKey:ReviewID"`
	Measures        []Measure       `gorm:"foreignKey:ReviewID"`
}

// ReviewAccount holds one key account's KPIs and findings in a review.
type ReviewAccount struct {
	ReviewID      uint   `gorm:"primaryKey"`
	CustomerID    uint   `gorm:"primaryKey"`
	CustomerName  string `gorm:"size:200"`
	Period        string `gorm:"size:20"`
	Revenue       int64
	MarginPercent float64
	// Satisfaction averages jour-fixe and workshop records (1-5) once those
	// exist; nil until then.
	Satisfaction *float64
	PlanApproved bool
	OpenOverdue  int
	Findings     string `gorm:"type:text"`
}

// Measure is an optimisation measure from a review.
type Measure struct {
	ID         uint   `gorm:"primaryKey"`
	ReviewID   uint   `gorm:"not null;index"`
	IdemKey    string `gorm:"size:100;not null;uniqueIndex"` // idempotency key
	CustomerID *uint
	Title      string    `gorm:"size:300;not null"`
	OwnerEmail string    `gorm:"size:254;not null;index"`
	Due        time.Time `gorm:"not null"`
	DoneAt     *time.Time
	DoneBy     string `gorm:"size:254"`
	CreatedAt  time.Time
}

// ReviewCadence mirrors a programme's review Schedule for lists and forms.
type ReviewCadence struct {
	ProgrammeID     uint      `gorm:"primaryKey"`
	Cadence         string    `gorm:"size:20;not null"`
	StartDate       time.Time `gorm:"not null"`
	Paused          bool      `gorm:"not null"`
	ControllerEmail string    `gorm:"size:254;not null"`
	UpdatedAt       time.Time
}

// SetFinancials stores a customer's revenue and margin for a period.
func (s *Store) SetFinancials(ctx context.Context, f AccountFinancials) error {
	if p := FiniteProblem(f.MarginPercent); p != "" {
		return invalid("margin_percent", "%s", p)
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&f).Error
	return translate(err, "set financials")
}

// KPIInput is what GatherReview needs about the programme.
type KPIInput struct {
	ProgrammeID     uint
	WorkflowID      string
	ControllerEmail string
	KeyAccounts     []uint
	PlansApproved   []uint
	Now             time.Time
}

// GatherReview creates the review (once per workflow ID) with the KPIs of
// every key account: latest financials (or the customer's figures), open
// overdue measures of earlier reviews. Repeating it returns the same review.
func (s *Store) GatherReview(ctx context.Context, in KPIInput) (*Review, error) {
	var r Review
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Preload("Accounts").Where("workflow_id = ?", in.WorkflowID).First(&r).Error
		if err == nil {
			return nil
		}
		if err != gorm.ErrRecordNotFound {
			return err
		}
		r = Review{ProgrammeID: in.ProgrammeID, WorkflowID: in.WorkflowID, ControllerEmail: in.ControllerEmail, Status: ReviewOpen}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if len(in.KeyAccounts) == 0 {
			return nil
		}
		var customers []Customer
		if err := tx.Where("id IN ?", in.KeyAccounts).Order("name").Find(&customers).Error; err != nil {
			return err
		}
		var fin []AccountFinancials
		if err := tx.Where("customer_id IN ?", in.KeyAccounts).Order("period DESC").Find(&fin).Error; err != nil {
			return err
		}
		latest := map[uint]AccountFinancials{}
		for _, f := range fin {
			if _, ok := latest[f.CustomerID]; !ok {
				latest[f.CustomerID] = f
			}
		}
		type overdue struct {
			CustomerID uint
			N          int
		}
		var od []overdue
		if err := tx.Model(&Measure{}).Select("customer_id, COUNT(*) AS n").
			Where("customer_id IN ? AND done_at IS NULL AND due < ?", in.KeyAccounts, in.Now).Group("customer_id").Scan(&od).Error; err != nil {
			return err
		}
		overdueBy := map[uint]int{}
		for _, o := range od {
			overdueBy[o.CustomerID] = o.N
		}
		var kas []KeyAccount
		if err := tx.Where("programme_id = ? AND customer_id IN ?", in.ProgrammeID, in.KeyAccounts).Find(&kas).Error; err != nil {
			return err
		}
		keyAccountOf := map[uint]uint{}
		for _, k := range kas {
			keyAccountOf[k.CustomerID] = k.ID
		}
		kaIDs := make([]uint, 0, len(kas))
		for _, k := range kas {
			kaIDs = append(kaIDs, k.ID)
		}
		satisfaction, err := averageSatisfaction(tx, kaIDs, in.Now.AddDate(0, -6, 0))
		if err != nil {
			return err
		}
		approved := map[uint]bool{}
		for _, id := range in.PlansApproved {
			approved[id] = true
		}
		for _, c := range customers {
			ra := ReviewAccount{ReviewID: r.ID, CustomerID: c.ID, CustomerName: c.Name, Revenue: c.AnnualRevenue,
				MarginPercent: c.MarginPercent, Period: "master data", PlanApproved: approved[c.ID], OpenOverdue: overdueBy[c.ID]}
			if f, ok := latest[c.ID]; ok {
				ra.Revenue, ra.MarginPercent, ra.Period = f.Revenue, f.MarginPercent, f.Period
			}
			// Satisfaction: the jour-fixe inputs of the last six months.
			if avg, ok := satisfaction[keyAccountOf[c.ID]]; ok {
				v := avg
				ra.Satisfaction = &v
			}
			r.Accounts = append(r.Accounts, ra)
		}
		return tx.Create(&r.Accounts).Error
	})
	if err != nil {
		return nil, translate(err, "gather review")
	}
	return &r, nil
}

// ReviewByID loads a review with accounts and measures.
func (s *Store) ReviewByID(ctx context.Context, id uint) (*Review, error) {
	var r Review
	err := s.db.WithContext(ctx).Preload("Accounts", func(db *gorm.DB) *gorm.DB { return db.Order("customer_name") }).
		Preload("Measures", func(db *gorm.DB) *gorm.DB { return db.Order("id") }).First(&r, id).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("review %d", id))
	}
	return &r, nil
}

// ReviewsOfProgramme lists a programme's reviews, newest first.
func (s *Store) ReviewsOfProgramme(ctx context.Context, programmeID uint) ([]Review, error) {
	var out []Review
	err := s.db.WithContext(ctx).Where("programme_id = ?", programmeID).Order("id DESC").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "reviews")
}

// SetAccountFindings stores the controller's findings on one account.
func (s *Store) SetAccountFindings(ctx context.Context, reviewID, customerID uint, text string) error {
	res := s.db.WithContext(ctx).Model(&ReviewAccount{}).Where("review_id = ? AND customer_id = ?", reviewID, customerID).Update("findings", text)
	if res.Error != nil {
		return translate(res.Error, "set findings")
	}
	if res.RowsAffected == 0 {
		var n int64
		s.db.WithContext(ctx).Model(&ReviewAccount{}).Where("review_id = ? AND customer_id = ?", reviewID, customerID).Count(&n)
		if n == 0 {
			return fmt.Errorf("review %d account %d: %w", reviewID, customerID, ErrNotFound)
		}
	}
	return nil
}

// SetReviewStatus records overall findings and the sign-off or closing.
func (s *Store) SetReviewStatus(ctx context.Context, reviewID uint, status, overall, by string, at time.Time) error {
	upd := map[string]any{"status": status}
	if status == ReviewSignedOff {
		upd["overall_findings"], upd["signed_off_by"], upd["signed_off_at"] = overall, by, at.UTC()
	}
	return translate(s.db.WithContext(ctx).Model(&Review{}).Where("id = ?", reviewID).Updates(upd).Error, "set review status")
}

// AddMeasure stores a measure once per key and returns its ID.
func (s *Store) AddMeasure(ctx context.Context, m Measure) (uint, error) {
	m.Title = strings.TrimSpace(m.Title)
	m.Due = m.Due.UTC()
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error; err != nil {
		return 0, translate(err, "add measure")
	}
	var saved Measure
	if err := s.db.WithContext(ctx).Where("idem_key = ?", m.IdemKey).First(&saved).Error; err != nil {
		return 0, translate(err, "add measure")
	}
	return saved.ID, nil
}

// CompleteMeasure marks a measure done (once).
func (s *Store) CompleteMeasure(ctx context.Context, id uint, by string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&Measure{}).Where("id = ? AND done_at IS NULL", id).
		Updates(map[string]any{"done_at": at.UTC(), "done_by": by}).Error
	return translate(err, "complete measure")
}

// SaveCadence stores a programme's review cadence.
func (s *Store) SaveCadence(ctx context.Context, c ReviewCadence) error {
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&c).Error, "save cadence")
}

// Cadence loads a programme's review cadence.
func (s *Store) Cadence(ctx context.Context, programmeID uint) (*ReviewCadence, error) {
	var c ReviewCadence
	if err := s.db.WithContext(ctx).First(&c, "programme_id = ?", programmeID).Error; err != nil {
		return nil, translate(err, "review cadence")
	}
	return &c, nil
}

// DeleteCadence removes a programme's review cadence.
func (s *Store) DeleteCadence(ctx context.Context, programmeID uint) error {
	return translate(s.db.WithContext(ctx).Delete(&ReviewCadence{}, "programme_id = ?", programmeID).Error, "delete cadence")
}

// OpenMeasuresOwnedBy lists open measures an e-mail owns (for calendars).
func (s *Store) OpenMeasuresOwnedBy(ctx context.Context, email string) ([]Measure, error) {
	var out []Measure
	err := s.db.WithContext(ctx).Where("owner_email = ? AND done_at IS NULL", strings.ToLower(email)).Order("due").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "open measures")
}

// OpenReviews lists reviews not closed yet, newest first.
func (s *Store) OpenReviews(ctx context.Context) ([]Review, error) {
	out, _, err := s.OpenReviewsFirst(ctx, MaxPageSize)
	return out, err
}

// OpenReviewsFirst are the first limit reviews not closed, newest first,
// and how many there are in all: the controller's start page shows a few.
func (s *Store) OpenReviewsFirst(ctx context.Context, limit int) ([]Review, int64, error) {
	p := Page{Number: 1, Size: limit}.normalised()
	open := func() *gorm.DB { return s.db.WithContext(ctx).Model(&Review{}).Where("status <> ?", ReviewClosed) }
	var out []Review
	if err := open().Order("id DESC").Limit(p.Size).Find(&out).Error; err != nil {
		return nil, 0, translate(err, "open reviews")
	}
	total, err := countUnlessComplete(open(), p, len(out))
	return out, total, translate(err, "count open reviews")
}

// Cadences lists every programme's review cadence.
func (s *Store) Cadences(ctx context.Context) ([]ReviewCadence, error) {
	var out []ReviewCadence
	err := s.db.WithContext(ctx).Order("programme_id").Find(&out).Error
	return out, translate(err, "cadences")
}

// CadencesFirst are the first limit review cadences by programme and how
// many there are in all.
func (s *Store) CadencesFirst(ctx context.Context, limit int) ([]ReviewCadence, int64, error) {
	p := Page{Number: 1, Size: limit}.normalised()
	var out []ReviewCadence
	if err := s.db.WithContext(ctx).Order("programme_id").Limit(p.Size).Find(&out).Error; err != nil {
		return nil, 0, translate(err, "cadences")
	}
	total, err := countUnlessComplete(s.db.WithContext(ctx).Model(&ReviewCadence{}), p, len(out))
	return out, total, translate(err, "count cadences")
}
