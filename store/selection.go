package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CustomerScore says whether a customer meets one of a programme's criteria.
type CustomerScore struct {
	ProgrammeID  uint   `gorm:"primaryKey"`
	CustomerID   uint   `gorm:"primaryKey"`
	CriterionKey string `gorm:"primaryKey;size:40"`
	Met          bool   `gorm:"not null"`
	Value        string `gorm:"size:200"`
	Evidence     string `gorm:"type:text"`
	UpdatedBy    string `gorm:"size:254"`
	UpdatedAt    time.Time
}

// KeyAccount is a customer confirmed as key account in a programme, with
// its KAM and deputy once responsibilities are assigned.
type KeyAccount struct {
	ID               uint `gorm:"primaryKey"`
	ProgrammeID      uint `gorm:"not null;uniqueIndex:ux_key_account"`
	CustomerID       uint `gorm:"not null;uniqueIndex:ux_key_account"`
	KAMEmployeeID    *uint
	DeputyEmployeeID *uint
	// CoveringEmployeeID stands in for the KAM during a handover, so the
	// account is never without a responsible person.
	CoveringEmployeeID *uint
	// CustomerName is the customer's, kept here so that lists sort by it
	// from an index (BeforeCreate sets it, UpdateCustomer follows renames).
	CustomerName string `gorm:"size:200;not null;default:''"`
	ConfirmedAt  time.Time
	UpdatedAt    time.Time
}

// BeforeCreate copies the customer's name onto a new key account, however
// it is created (confirmed, imported, generated).
func (ka *KeyAccount) BeforeCreate(tx *gorm.DB) error {
	if ka.CustomerName != "" {
		return nil
	}
	var names []string
	if err := tx.Session(&gorm.Session{NewDB: true}).Table("customers").Where("id = ?", ka.CustomerID).Pluck("name", &names).Error; err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("key account: %w: no customer %d", ErrInvalid, ka.CustomerID)
	}
	ka.CustomerName = names[0]
	return nil
}

// Responsible is who answers for the account now: the person covering a
// handover, else the KAM (nil only before assignment).
func (ka KeyAccount) Responsible() *uint {
	if ka.CoveringEmployeeID != nil {
		return ka.CoveringEmployeeID
	}
	return ka.KAMEmployeeID
}

// APIToken is a personal token for the JSON API; only its hash is stored.
type APIToken struct {
	ID         uint   `gorm:"primaryKey"`
	UserID     uint   `gorm:"not null;index"`
	Name       string `gorm:"size:100;not null"`
	TokenHash  string `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	// ExpiresAt ends the token without a revocation; nil never expires.
	ExpiresAt *time.Time
}

// ScoreInput is one criterion's score for a customer.
type ScoreInput struct {
	CriterionKey string
	Met          bool
	Value        string
	Evidence     string
}

// SetScores replaces a customer's scores in a programme, all or nothing.
func (s *Store) SetScores(ctx context.Context, programmeID, customerID uint, by string, scores []ScoreInput) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("programme_id = ? AND customer_id = ?", programmeID, customerID).Delete(&CustomerScore{}).Error; err != nil {
			return err
		}
		if len(scores) > 0 {
			rows := make([]CustomerScore, len(scores))
			for i, sc := range scores {
				rows[i] = CustomerScore{ProgrammeID: programmeID, CustomerID: customerID, CriterionKey: sc.CriterionKey,
					Met: sc.Met, Value: sc.Value, Evidence: sc.Evidence, UpdatedBy: by}
			}
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		return refreshCriteriaMet(tx, programmeID, customerID)
	})
	return translate(err, fmt.Sprintf("set scores of customer %d", customerID))
}

// Candidate is a customer's standing against a programme's criteria.
type Candidate struct {
	CustomerID   uint
	CustomerName string
	Met          []string // criterion keys met, sorted
}

// ScoreTable returns every active customer with the criteria it meets
// (only keys in criteria count), ordered by name; two queries in all.
func (s *Store) ScoreTable(ctx context.Context, programmeID uint, criteria []string) ([]Candidate, error) {
	var customers []Customer
	if err := s.db.WithContext(ctx).Select("id", "name").Where("archived_at IS NULL").Order("name").Find(&customers).Error; err != nil {
		return nil, translate(err, "score table customers")
	}
	var scores []CustomerScore
	q := s.db.WithContext(ctx).Where("programme_id = ? AND met = ?", programmeID, true)
	if len(criteria) > 0 {
		q = q.Where("criterion_key IN ?", criteria)
	}
	if err := q.Find(&scores).Error; err != nil {
		return nil, translate(err, "score table scores")
	}
	met := map[uint][]string{}
	for _, sc := range scores {
		met[sc.CustomerID] = append(met[sc.CustomerID], sc.CriterionKey)
	}
	out := make([]Candidate, 0, len(customers))
	for _, c := range customers {
		keys := met[c.ID]
		sort.Strings(keys)
		out = append(out, Candidate{CustomerID: c.ID, CustomerName: c.Name, Met: keys})
	}
	return out, nil
}

// Scores returns a programme's raw scores for the selection view.
func (s *Store) Scores(ctx context.Context, programmeID uint) ([]CustomerScore, error) {
	var out []CustomerScore
	err := s.db.WithContext(ctx).Where("programme_id = ?", programmeID).Order("customer_id, criterion_key").Find(&out).Error
	return out, translate(err, "scores")
}

// ConfirmKeyAccounts records confirmed customers as key accounts; running
// it twice writes once.
func (s *Store) ConfirmKeyAccounts(ctx context.Context, programmeID uint, customerIDs []uint, at time.Time) error {
	if len(customerIDs) == 0 {
		return nil
	}
	// The names in one statement (BeforeCreate would read them one by one).
	names, err := s.CustomerNames(ctx, customerIDs)
	if err != nil {
		return err
	}
	rows := make([]KeyAccount, len(customerIDs))
	for i, id := range customerIDs {
		rows[i] = KeyAccount{ProgrammeID: programmeID, CustomerID: id, CustomerName: names[id], ConfirmedAt: at.UTC()}
	}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	return translate(err, "confirm key accounts")
}

// AssignKeyAccount sets the KAM and deputy of a key account.
func (s *Store) AssignKeyAccount(ctx context.Context, programmeID, customerID, kam uint, deputy *uint) error {
	res := s.db.WithContext(ctx).Model(&KeyAccount{}).Where("programme_id = ? AND customer_id = ?", programmeID, customerID).
		Updates(map[string]any{"kam_employee_id": kam, "deputy_employee_id": deputy})
	if res.Error != nil {
		return translate(res.Error, "assign key account")
	}
	if res.RowsAffected == 0 {
		var n int64
		s.db.WithContext(ctx).Model(&KeyAccount{}).Where("programme_id = ? AND customer_id = ?", programmeID, customerID).Count(&n)
		if n == 0 {
			return fmt.Errorf("assign key account %d: %w", customerID, ErrNotFound)
		}
	}
	return nil
}

// KeyAccounts lists a programme's key accounts.
func (s *Store) KeyAccounts(ctx context.Context, programmeID uint) ([]KeyAccount, error) {
	var out []KeyAccount
	err := s.db.WithContext(ctx).Where("programme_id = ?", programmeID).Order("customer_id").Find(&out).Error
	return out, translate(err, "key accounts")
}

// KeyAccountName is a key account by its customer's name, for choosing one.
type KeyAccountName struct {
	ID           uint
	CustomerName string
}

// KeyAccountNames are the programme's key accounts by customer name: the
// two columns a select of them needs, not the whole rows.
func (s *Store) KeyAccountNames(ctx context.Context, programmeID uint) ([]KeyAccountName, error) {
	var out []KeyAccountName
	err := s.db.WithContext(ctx).Model(&KeyAccount{}).Select("id", "customer_name").
		Where("programme_id = ?", programmeID).Order("customer_name, id").Scan(&out).Error
	return out, translate(err, "key account names")
}

// Employee loads one employee.
func (s *Store) Employee(ctx context.Context, id uint) (*Employee, error) {
	var e Employee
	if err := s.db.WithContext(ctx).First(&e, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("employee %d", id))
	}
	return &e, nil
}

// EmployeesByID loads employees by ID in one query.
func (s *Store) EmployeesByID(ctx context.Context, ids []uint) (map[uint]Employee, error) {
	out := map[uint]Employee{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []Employee
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, translate(err, "employees")
	}
	for _, e := range list {
		out[e.ID] = e
	}
	return out, nil
}

// SeniorContactLevels returns, per customer, the most senior hierarchy
// level among its active contacts (one query).
func (s *Store) SeniorContactLevels(ctx context.Context, customerIDs []uint) (map[uint]HierarchyLevel, error) {
	out := map[uint]HierarchyLevel{}
	if len(customerIDs) == 0 {
		return out, nil
	}
	var contacts []Contact
	if err := s.db.WithContext(ctx).Select("customer_id", "hierarchy_level").
		Where("customer_id IN ? AND archived_at IS NULL", customerIDs).Find(&contacts).Error; err != nil {
		return nil, translate(err, "contact levels")
	}
	for _, c := range contacts {
		if cur, ok := out[c.CustomerID]; !ok || c.HierarchyLevel.Rank() < cur.Rank() {
			out[c.CustomerID] = c.HierarchyLevel
		}
	}
	return out, nil
}

// KAMSuggestion is the hierarchy-matched KAM proposed for one customer.
type KAMSuggestion struct {
	CustomerID uint
	// TopLevel is the customer's most senior contact's level; HasContacts
	// is false when the customer has no active contact to match.
	TopLevel    HierarchyLevel
	HasContacts bool
	// Employee is nil when there is nobody to propose.
	Employee *Employee
}

// SuggestKAMs proposes, per customer, the KAM-qualified employee whose
// hierarchy level is closest to the customer's most senior contact
// ("Chef zu Chef"); ties go to the more senior employee. Results follow
// customerIDs' order.
func (s *Store) SuggestKAMs(ctx context.Context, customerIDs []uint) ([]KAMSuggestion, error) {
	return s.suggestKAMs(ctx, customerIDs, 0)
}

// SuggestIncomingKAM proposes a handover's incoming KAM as SuggestKAMs
// does, from the KAM-qualified employees other than the outgoing KAM.
func (s *Store) SuggestIncomingKAM(ctx context.Context, customerID, outgoingEmployeeID uint) (KAMSuggestion, error) {
	out, err := s.suggestKAMs(ctx, []uint{customerID}, outgoingEmployeeID)
	if err != nil {
		return KAMSuggestion{}, err
	}
	return out[0], nil
}

// suggestKAMs is SuggestKAMs leaving out employee except (0: nobody).
func (s *Store) suggestKAMs(ctx context.Context, customerIDs []uint, except uint) ([]KAMSuggestion, error) {
	out := make([]KAMSuggestion, 0, len(customerIDs))
	if len(customerIDs) == 0 {
		return out, nil
	}
	levels, err := s.SeniorContactLevels(ctx, customerIDs)
	if err != nil {
		return nil, err
	}
	all, err := s.KAMCandidates(ctx)
	if err != nil {
		return nil, err
	}
	kams := all[:0:0]
	for _, e := range all {
		if e.ID != except {
			kams = append(kams, e)
		}
	}
	for _, id := range customerIDs {
		level, ok := levels[id]
		sg := KAMSuggestion{CustomerID: id, TopLevel: level, HasContacts: ok}
		if ok {
			sg.Employee = closestInHierarchy(kams, level)
		}
		out = append(out, sg)
	}
	return out, nil
}

// closestInHierarchy picks the candidate nearest to level, the more senior
// one on a tie; nil when there are none.
func closestInHierarchy(candidates []Employee, level HierarchyLevel) *Employee {
	var best *Employee
	for i := range candidates {
		e := &candidates[i]
		if best == nil {
			best = e
			continue
		}
		d, bd := absInt(e.HierarchyLevel.Rank()-level.Rank()), absInt(best.HierarchyLevel.Rank()-level.Rank())
		if d < bd || d == bd && e.HierarchyLevel.Rank() < best.HierarchyLevel.Rank() {
			best = e
		}
	}
	return best
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// KAMCandidates lists active KAM-qualified employees.
func (s *Store) KAMCandidates(ctx context.Context) ([]Employee, error) {
	var out []Employee
	err := s.db.WithContext(ctx).Where("kam_qualified = ? AND archived_at IS NULL", true).Order("name").Find(&out).Error
	return out, translate(err, "KAM candidates")
}

// CreateAPIToken issues a token that does not expire for a user and
// returns the secret once.
func (s *Store) CreateAPIToken(ctx context.Context, userID uint, name string) (string, error) {
	return s.CreateExpiringAPIToken(ctx, userID, name, nil)
}

// MaxTokenDays bounds an API token's lifetime when one is given.
const MaxTokenDays = 3650

// TokenExpiry is the end of a token valid for days from now; 0 days means
// it does not expire.
func TokenExpiry(now time.Time, days int) (*time.Time, error) {
	if days < 0 || days > MaxTokenDays {
		return nil, invalid("expires_in_days", "must be a whole number of days from 1 to %d, or empty for a token that does not expire", MaxTokenDays)
	}
	if days == 0 {
		return nil, nil
	}
	t := now.UTC().AddDate(0, 0, days)
	return &t, nil
}

// CreateExpiringAPIToken issues a token for a user that stops working at
// expiresAt (nil: never) and returns the secret once.
func (s *Store) CreateExpiringAPIToken(ctx context.Context, userID uint, name string, expiresAt *time.Time) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	secret, err := randomToken()
	if err != nil {
		return "", err
	}
	token := "kf_" + secret
	t := APIToken{UserID: userID, Name: name, TokenHash: hashAPIToken(token), ExpiresAt: utcPtr(expiresAt)}
	if err := s.db.WithContext(ctx).Create(&t).Error; err != nil {
		return "", translate(err, "create API token")
	}
	return token, nil
}

// APITokenUser resolves an unrevoked, unexpired bearer token to its
// enabled user with her roles, in one query.
func (s *Store) APITokenUser(ctx context.Context, token string, now time.Time) (*User, error) {
	var row signedInUser
	err := s.db.WithContext(ctx).Table("api_tokens").Select(signedInUserColumns+", api_tokens.id AS token_id").
		Joins("JOIN users ON users.id = api_tokens.user_id").
		Where("api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL AND (api_tokens.expires_at IS NULL OR api_tokens.expires_at > ?) AND users.disabled = ?",
			hashAPIToken(token), now.UTC(), false).
		Limit(1).Scan(&row).Error
	if err != nil {
		return nil, translate(err, "API token")
	}
	if row.ID == 0 {
		return nil, fmt.Errorf("API token: %w", ErrNotFound)
	}
	// Last use is informative; a failed write must not fail the request.
	_ = s.db.WithContext(ctx).Model(&APIToken{}).Where("id = ?", row.TokenID).Update("last_used_at", now.UTC()).Error
	return row.user(), nil
}

// RevokeAPIToken disables a token by ID.
func (s *Store) RevokeAPIToken(ctx context.Context, id uint, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&APIToken{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now.UTC())
	if res.Error != nil {
		return translate(res.Error, "revoke API token")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("API token %d: %w", id, ErrNotFound)
	}
	return nil
}

func hashAPIToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ScorePage pages through the active customers for a programme's selection:
// first those meeting most of its criteria (as stored with the programme),
// then the rest, each by name; q narrows by name. The first part is read
// from customer_criteria_met in index order, so a page costs the same
// however many customers are scored; each row lists the criteria it meets.
func (s *Store) ScorePage(ctx context.Context, programmeID uint, q string, p Page) ([]Candidate, int64, error) {
	p = p.normalised()
	named := func(db *gorm.DB) *gorm.DB {
		db = db.Where("customers.archived_at IS NULL")
		if strings.TrimSpace(q) != "" {
			db = db.Where("customers.name LIKE ?"+likeEscape, likePattern(q))
		}
		return db
	}
	// Every active customer has a row; without a term their number is
	// kept (row_counts.go), not counted.
	var total int64
	var err error
	if strings.TrimSpace(q) == "" {
		total, err = s.keptCount(ctx, activeCustomers)
	} else {
		err = named(s.db.WithContext(ctx).Table("customers")).Count(&total).Error
	}
	if err != nil {
		return nil, 0, translate(err, "count score table")
	}
	// The summary drives the join, so that its index gives the order: SQLite
	// keeps the tables of a CROSS JOIN in the order written, MySQL those of
	// a STRAIGHT_JOIN.
	join := "CROSS JOIN"
	if s.driver == "mysql" {
		join = "STRAIGHT_JOIN"
	}
	met := func() *gorm.DB {
		return named(s.db.WithContext(ctx).Table("customer_criteria_met m "+join+" customers ON customers.id = m.customer_id").
			Where("m.programme_id = ?", programmeID))
	}
	type row struct {
		ID   uint
		Name string
	}
	var rows []row
	offset := (p.Number - 1) * p.Size
	err = met().Select("customers.id, customers.name").Order("m.missed, m.customer_name, m.customer_id").
		Offset(offset).Limit(p.Size).Scan(&rows).Error
	if err != nil {
		return nil, 0, translate(err, "score table")
	}
	if len(rows) < p.Size {
		// Past the customers meeting a criterion: the others by name.
		var scored int64
		if len(rows) > 0 || offset == 0 {
			scored = int64(offset + len(rows))
		} else if err := met().Count(&scored).Error; err != nil {
			return nil, 0, translate(err, "count scored customers")
		}
		unscored := named(s.db.WithContext(ctx).Table("customers"))
		if scored > 0 {
			unscored = unscored.Where("customers.id NOT IN (SELECT customer_id FROM customer_criteria_met WHERE programme_id = ?)", programmeID)
		}
		var rest []row
		err := unscored.Select("customers.id, customers.name").Order("customers.name, customers.id").
			Offset(max(0, offset-int(scored))).Limit(p.Size - len(rows)).Scan(&rest).Error
		if err != nil {
			return nil, 0, translate(err, "score table")
		}
		rows = append(rows, rest...)
	}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	metKeys := map[uint][]string{}
	if len(ids) > 0 {
		var scores []CustomerScore
		err := s.db.WithContext(ctx).Table("customer_scores s").Select("s.customer_id, s.criterion_key").
			Joins("JOIN programme_criteria pc ON pc.programme_id = s.programme_id AND pc.criterion_key = s.criterion_key").
			Where("s.programme_id = ? AND s.met = ? AND s.customer_id IN ?", programmeID, true, ids).
			Order("s.customer_id, s.criterion_key").Scan(&scores).Error
		if err != nil {
			return nil, 0, translate(err, "score table scores")
		}
		for _, sc := range scores {
			metKeys[sc.CustomerID] = append(metKeys[sc.CustomerID], sc.CriterionKey)
		}
	}
	out := make([]Candidate, len(rows))
	for i, r := range rows {
		out[i] = Candidate{CustomerID: r.ID, CustomerName: r.Name, Met: metKeys[r.ID]}
	}
	return out, total, nil
}
