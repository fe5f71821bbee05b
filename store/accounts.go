package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Relationship links one of our employees to one of the customer's
// contacts ("Mensch zu Mensch"). An ended relationship is kept as history.
type Relationship struct {
	ID            uint `gorm:"primaryKey"`
	ContactID     uint `gorm:"not null;index"`
	EmployeeID    uint `gorm:"not null;index"`
	Quality       int  `gorm:"not null"` // 1 (poor) to 5 (excellent)
	LastContactAt *time.Time
	Notes         string `gorm:"type:text"`
	EndedAt       *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// KeyAccountByID loads a key account.
func (s *Store) KeyAccountByID(ctx context.Context, id uint) (*KeyAccount, error) {
	var ka KeyAccount
	if err := s.db.WithContext(ctx).First(&ka, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("key account %d", id))
	}
	return &ka, nil
}

// SaveRelationship creates or updates the active relationship between an
// employee and a contact.
func (s *Store) SaveRelationship(ctx context.Context, r Relationship) (*Relationship, error) {
	return s.ReplaceRelationship(ctx, 0, r, time.Time{})
}

// ReplaceRelationship saves r like SaveRelationship; when replaces names
// another active relationship (the contact's former counterpart), that one
// ends at the same time, all or nothing.
func (s *Store) ReplaceRelationship(ctx context.Context, replaces uint, r Relationship, at time.Time) (*Relationship, error) {
	if r.Quality < 1 || r.Quality > 5 {
		return nil, fmt.Errorf("relationship: %w: quality must be 1 to 5", ErrInvalid)
	}
	var out Relationship
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if replaces != 0 {
			var old Relationship
			if err := tx.Where("id = ? AND ended_at IS NULL", replaces).First(&old).Error; err != nil {
				return err
			}
			if old.EmployeeID != r.EmployeeID {
				if err := tx.Model(&old).Update("ended_at", at.UTC()).Error; err != nil {
					return err
				}
			}
		}
		err := tx.Where("contact_id = ? AND employee_id = ? AND ended_at IS NULL", r.ContactID, r.EmployeeID).First(&out).Error
		switch {
		case err == gorm.ErrRecordNotFound:
			out = r
			return tx.Create(&out).Error
		case err != nil:
			return err
		}
		out.Quality, out.LastContactAt, out.Notes = r.Quality, r.LastContactAt, r.Notes
		return tx.Save(&out).Error
	})
	if err != nil {
		return nil, translate(err, "save relationship")
	}
	return &out, nil
}

// ActiveRelationshipAt loads an active relationship whose contact is the
// customer's.
func (s *Store) ActiveRelationshipAt(ctx context.Context, id, customerID uint) (*Relationship, error) {
	var r Relationship
	err := s.db.WithContext(ctx).Joins("JOIN contacts ON contacts.id = relationships.contact_id").
		Where("relationships.id = ? AND contacts.customer_id = ? AND relationships.ended_at IS NULL", id, customerID).First(&r).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("relationship %d", id))
	}
	return &r, nil
}

// EndRelationship ends an active relationship (kept as history).
func (s *Store) EndRelationship(ctx context.Context, id uint, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&Relationship{}).Where("id = ? AND ended_at IS NULL", id).Update("ended_at", at.UTC())
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("relationship %d: %w", id, ErrNotFound)
	}
	return translate(res.Error, "end relationship")
}

// Counterpart is one of our people related to a contact.
type Counterpart struct {
	RelationshipID uint
	EmployeeID     uint
	EmployeeName   string
	EmployeeEmail  string
	EmployeeLevel  HierarchyLevel
	Quality        int
	LastContactAt  *time.Time
	Notes          string
	// LevelMismatch: our person is at another hierarchy level than theirs.
	LevelMismatch bool
}

// MatrixContact is one contact with our counterparts and its gaps.
type MatrixContact struct {
	Contact      Contact
	Counterparts []Counterpart
	// Untouched: no counterpart contacted them within the configured time.
	Untouched bool
}

// MatrixRow is one hierarchy level of the matrix.
type MatrixRow struct {
	Level    HierarchyLevel
	Contacts []MatrixContact
	// NoCounterpart: they have people on this level and we have nobody.
	NoCounterpart bool
}

// ContactMatrix is a key account's contacts by level with our counterparts.
type ContactMatrix struct {
	KeyAccount KeyAccount
	Customer   Customer
	KAM        *Employee
	Deputy     *Employee
	Rows       []MatrixRow
	// BowTie: every relationship rests on one person of ours (a "bow tie"
	// instead of a "diamond").
	BowTie bool
	// UntouchedAfter is the threshold used for Untouched.
	UntouchedAfter time.Duration
}

// ContactMatrix builds the matrix for a key account in four queries.
func (s *Store) ContactMatrix(ctx context.Context, keyAccountID uint, now time.Time, untouchedAfter time.Duration) (*ContactMatrix, error) {
	ka, err := s.KeyAccountByID(ctx, keyAccountID)
	if err != nil {
		return nil, err
	}
	return s.ContactMatrixOf(ctx, ka, now, untouchedAfter)
}

// ContactMatrixOf is ContactMatrix of a key account already read.
func (s *Store) ContactMatrixOf(ctx context.Context, ka *KeyAccount, now time.Time, untouchedAfter time.Duration) (*ContactMatrix, error) {
	m := &ContactMatrix{KeyAccount: *ka, UntouchedAfter: untouchedAfter}
	if err := s.db.WithContext(ctx).Preload("Contacts", func(db *gorm.DB) *gorm.DB {
		return db.Where("archived_at IS NULL").Order("name")
	}).First(&m.Customer, ka.CustomerID).Error; err != nil {
		return nil, translate(err, "customer")
	}
	contactIDs := make([]uint, len(m.Customer.Contacts))
	for i, c := range m.Customer.Contacts {
		contactIDs[i] = c.ID
	}
	var rels []Relationship
	if len(contactIDs) > 0 {
		if err := s.db.WithContext(ctx).Where("contact_id IN ? AND ended_at IS NULL", contactIDs).Order("id").Find(&rels).Error; err != nil {
			return nil, translate(err, "relationships")
		}
	}
	empIDs := []uint{}
	for _, r := range rels {
		empIDs = append(empIDs, r.EmployeeID)
	}
	if ka.KAMEmployeeID != nil {
		empIDs = append(empIDs, *ka.KAMEmployeeID)
	}
	if ka.DeputyEmployeeID != nil {
		empIDs = append(empIDs, *ka.DeputyEmployeeID)
	}
	emps, err := s.EmployeesByID(ctx, empIDs)
	if err != nil {
		return nil, err
	}
	if ka.KAMEmployeeID != nil {
		e := emps[*ka.KAMEmployeeID]
		m.KAM = &e
	}
	if ka.DeputyEmployeeID != nil {
		e := emps[*ka.DeputyEmployeeID]
		m.Deputy = &e
	}
	byContact := map[uint][]Relationship{}
	people := map[uint]bool{}
	for _, r := range rels {
		byContact[r.ContactID] = append(byContact[r.ContactID], r)
		people[r.EmployeeID] = true
	}
	m.BowTie = len(rels) > 1 && len(people) == 1
	for _, level := range HierarchyLevels() {
		row := MatrixRow{Level: level}
		covered := false
		for _, c := range m.Customer.Contacts {
			if c.HierarchyLevel != level {
				continue
			}
			mc := MatrixContact{Contact: c, Untouched: true}
			for _, r := range byContact[c.ID] {
				e := emps[r.EmployeeID]
				mc.Counterparts = append(mc.Counterparts, Counterpart{
					RelationshipID: r.ID, EmployeeID: e.ID, EmployeeName: e.Name, EmployeeEmail: e.Email, EmployeeLevel: e.HierarchyLevel,
					Quality: r.Quality, LastContactAt: r.LastContactAt, Notes: r.Notes, LevelMismatch: e.HierarchyLevel != level,
				})
				covered = true
				if r.LastContactAt != nil && now.Sub(*r.LastContactAt) <= untouchedAfter {
					mc.Untouched = false
				}
			}
			sort.Slice(mc.Counterparts, func(i, j int) bool { return mc.Counterparts[i].EmployeeName < mc.Counterparts[j].EmployeeName })
			row.Contacts = append(row.Contacts, mc)
		}
		row.NoCounterpart = len(row.Contacts) > 0 && !covered
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}

// RelationshipsOf lists an employee's active relationships with a customer's contacts.
func (s *Store) RelationshipsOf(ctx context.Context, employeeID, customerID uint) ([]Relationship, error) {
	var out []Relationship
	err := s.db.WithContext(ctx).Joins("JOIN contacts ON contacts.id = relationships.contact_id").
		Where("relationships.employee_id = ? AND contacts.customer_id = ? AND relationships.ended_at IS NULL", employeeID, customerID).
		Find(&out).Error
	return out, translate(err, "relationships of employee")
}

// ContactOfCustomer loads a contact and checks it belongs to the customer.
func (s *Store) ContactOfCustomer(ctx context.Context, contactID, customerID uint) (*Contact, error) {
	var c Contact
	if err := s.db.WithContext(ctx).Where("id = ? AND customer_id = ?", contactID, customerID).First(&c).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("contact %d", contactID))
	}
	return &c, nil
}

// KeyAccountsOfKAM lists the key accounts an employee is KAM, deputy or covering of.
func (s *Store) KeyAccountsOfKAM(ctx context.Context, employeeID uint) ([]KeyAccount, error) {
	var out []KeyAccount
	err := s.db.WithContext(ctx).Where("kam_employee_id = ? OR deputy_employee_id = ? OR covering_employee_id = ?", employeeID, employeeID, employeeID).Find(&out).Error
	return out, translate(err, "key accounts of KAM")
}

// KeyAccountFilter narrows ListKeyAccounts; zero fields match everything.
type KeyAccountFilter struct {
	ID            uint
	ProgrammeID   uint
	CustomerID    uint
	KAMEmployeeID uint
	// WorkedOnBy keeps the accounts this employee works on: as KAM, deputy,
	// covering person, or incoming KAM of a running handover.
	WorkedOnBy *uint
	// Status keeps the accounts in this state (KeyAccountRow.Status).
	Status string
}

// Key account states in lists.
const (
	KeyAccountUnassigned = "unassigned" // confirmed, no KAM yet
	KeyAccountActive     = "active"     // a KAM answers for it
	KeyAccountHandover   = "handover"   // its KAM is being replaced
)

// KeyAccountRow is a key account with the names lists show.
type KeyAccountRow struct {
	KeyAccount
	KAMName      string
	DeputyName   string
	CoveringName string
	HandoverOpen bool
}

// Status is the account's state: handover, active or unassigned.
func (r KeyAccountRow) Status() string {
	switch {
	case r.HandoverOpen:
		return KeyAccountHandover
	case r.KAMEmployeeID != nil:
		return KeyAccountActive
	}
	return KeyAccountUnassigned
}

// keyAccountQuery selects key_accounts (as ka) matching f.
func (s *Store) keyAccountQuery(ctx context.Context, f KeyAccountFilter) *gorm.DB {
	q := s.db.WithContext(ctx).Table("key_accounts AS ka")
	if f.ID != 0 {
		q = q.Where("ka.id = ?", f.ID)
	}
	if f.ProgrammeID != 0 {
		q = q.Where("ka.programme_id = ?", f.ProgrammeID)
	}
	if f.CustomerID != 0 {
		q = q.Where("ka.customer_id = ?", f.CustomerID)
	}
	if f.KAMEmployeeID != 0 {
		q = q.Where("ka.kam_employee_id = ?", f.KAMEmployeeID)
	}
	if f.WorkedOnBy != nil {
		e := *f.WorkedOnBy
		q = q.Where("(ka.kam_employee_id = ? OR ka.deputy_employee_id = ? OR ka.covering_employee_id = ? OR ka.id IN (SELECT h.key_account_id FROM handovers h WHERE h.status = ? AND h.incoming_employee_id = ?))",
			e, e, e, "open", e)
	}
	const handoverOpen = "EXISTS (SELECT 1 FROM handovers h WHERE h.key_account_id = ka.id AND h.status = 'open')"
	switch f.Status {
	case KeyAccountHandover:
		q = q.Where(handoverOpen)
	case KeyAccountActive:
		q = q.Where("ka.kam_employee_id IS NOT NULL AND NOT " + handoverOpen)
	case KeyAccountUnassigned:
		q = q.Where("ka.kam_employee_id IS NULL AND NOT " + handoverOpen)
	}
	return q
}

// KeyAccountStatuses are the states a list filters by.
var KeyAccountStatuses = []string{KeyAccountActive, KeyAccountHandover, KeyAccountUnassigned}

// OpenItems counts what is open on a key account.
type OpenItems struct {
	Actions, OverdueActions, Measures int
}

// OpenItemsOf counts each key account's open actions (and how many of them
// are overdue) and the open measures of unclosed reviews about its
// customer in its programme: two grouped queries.
func (s *Store) OpenItemsOf(ctx context.Context, keyAccountIDs []uint, now time.Time) (map[uint]OpenItems, error) {
	out := map[uint]OpenItems{}
	if len(keyAccountIDs) == 0 {
		return out, nil
	}
	db := s.db.WithContext(ctx)
	var counts []struct {
		KeyAccountID uint
		N            int
	}
	add := func(set func(*OpenItems, int)) {
		for _, c := range counts {
			o := out[c.KeyAccountID]
			set(&o, c.N)
			out[c.KeyAccountID] = o
		}
	}
	// Open and overdue actions in one pass over the accounts' actions. The
	// unary plus leaves the value as it is and drops the column's affinity:
	// SQLite gives a datetime column NUMERIC affinity and applied it to the
	// bound time on every row, trying to read it as a number (a quarter of
	// the statement's time); MySQL ignores the plus.
	var actions []struct {
		KeyAccountID uint
		N, Overdue   int
	}
	err := db.Table("actions").Select("key_account_id, COUNT(*) AS n, SUM(CASE WHEN +due < ? THEN 1 ELSE 0 END) AS overdue", now).
		Where("key_account_id IN ? AND done_at IS NULL", keyAccountIDs).Group("key_account_id").Scan(&actions).Error
	if err != nil {
		return nil, translate(err, "open actions")
	}
	for _, a := range actions {
		o := out[a.KeyAccountID]
		o.Actions, o.OverdueActions = a.N, a.Overdue
		out[a.KeyAccountID] = o
	}
	if err := db.Table("measures AS m").Select("ka.id AS key_account_id, COUNT(*) AS n").
		Joins("JOIN reviews r ON r.id = m.review_id").
		Joins("JOIN key_accounts ka ON ka.customer_id = m.customer_id AND ka.programme_id = r.programme_id").
		Where("ka.id IN ? AND m.done_at IS NULL AND r.status <> ?", keyAccountIDs, ReviewClosed).
		Group("ka.id").Scan(&counts).Error; err != nil {
		return nil, translate(err, "open measures")
	}
	add(func(o *OpenItems, n int) { o.Measures = n })
	return out, nil
}

// ListKeyAccounts pages through the key accounts matching f, by programme
// and customer name, with the names of the customer and the people.
func (s *Store) ListKeyAccounts(ctx context.Context, f KeyAccountFilter, p Page) ([]KeyAccountRow, int64, error) {
	p = p.normalised()
	// The page's accounts in the order of the index on (programme,
	// customer name); the people's names and the handover flag are read
	// for its rows only.
	page := s.keyAccountQuery(ctx, f).Select("ka.id").
		Order("ka.programme_id, ka.customer_name, ka.id").Offset((p.Number - 1) * p.Size).Limit(p.Size)
	read, err := withNames(s.db.WithContext(ctx).Table("(?) AS page", page).Joins("JOIN key_accounts ka ON ka.id = page.id")).
		Order("ka.programme_id, ka.customer_name, ka.id").Rows()
	rows, err := scanAll(read, err, scanKeyAccountRow)
	if err != nil {
		return nil, 0, translate(err, "list key accounts")
	}
	if f == (KeyAccountFilter{}) {
		// The whole list: its number is kept (row_counts.go).
		total, err := s.keptCount(ctx, allKeyAccounts)
		return rows, total, err
	}
	total, err := countUnlessComplete(s.keyAccountQuery(ctx, f), p, len(rows))
	return rows, total, translate(err, "count key accounts")
}

// withNames selects key_accounts (as ka) as KeyAccountRows, in the
// columns scanKeyAccountRow reads: with the people's names and whether a
// handover is open (the customer's name is the account's own).
func withNames(q *gorm.DB) *gorm.DB {
	return q.Select(keyAccountColumns + ", k.name, d.name, cv.name, " +
		"EXISTS (SELECT 1 FROM handovers h WHERE h.key_account_id = ka.id AND h.status = 'open')").
		Joins("LEFT JOIN employees k ON k.id = ka.kam_employee_id").
		Joins("LEFT JOIN employees d ON d.id = ka.deputy_employee_id").
		Joins("LEFT JOIN employees cv ON cv.id = ka.covering_employee_id")
}

// keyAccountColumns are a key account's columns (as ka) in the order
// scanKeyAccountRow reads them; a test holds them to every column of the
// model.
const keyAccountColumns = "ka.id, ka.programme_id, ka.customer_id, ka.kam_employee_id, ka.deputy_employee_id, " +
	"ka.covering_employee_id, ka.customer_name, ka.confirmed_at, ka.updated_at"

// scanKeyAccountRow reads one row of withNames: the key accounts' lists
// are read on every view of the key-accounts list and the selection, and
// gorm's reflection into the embedded struct cost more than the statement.
func scanKeyAccountRow(rows *sql.Rows) (KeyAccountRow, error) {
	var (
		r                     KeyAccountRow
		kam, deputy, covering sql.NullInt64
		kamName, deputyName   sql.NullString
		coveringName          sql.NullString
	)
	err := rows.Scan(&r.ID, &r.ProgrammeID, &r.CustomerID, &kam, &deputy, &covering, &r.CustomerName, &r.ConfirmedAt, &r.UpdatedAt,
		&kamName, &deputyName, &coveringName, &r.HandoverOpen)
	if err != nil {
		return KeyAccountRow{}, err
	}
	r.KAMEmployeeID, r.DeputyEmployeeID, r.CoveringEmployeeID = uintOrNil(kam), uintOrNil(deputy), uintOrNil(covering)
	r.KAMName, r.DeputyName, r.CoveringName = kamName.String, deputyName.String, coveringName.String
	return r, nil
}

// KeyAccountRowsOf lists all key accounts of a programme by customer id,
// with their names, in one statement (a programme has few: its focus).
func (s *Store) KeyAccountRowsOf(ctx context.Context, programmeID uint) ([]KeyAccountRow, error) {
	read, err := withNames(s.keyAccountQuery(ctx, KeyAccountFilter{ProgrammeID: programmeID})).Order("ka.customer_id").Rows()
	rows, err := scanAll(read, err, scanKeyAccountRow)
	return rows, translate(err, "key accounts with names")
}

// WorksOnKeyAccount reports whether the employee works on the key account
// (the WorkedOnBy rule of KeyAccountFilter).
func (s *Store) WorksOnKeyAccount(ctx context.Context, keyAccountID, employeeID uint) (bool, error) {
	var n int64
	err := s.keyAccountQuery(ctx, KeyAccountFilter{ID: keyAccountID, WorkedOnBy: &employeeID}).Count(&n).Error
	return n > 0, translate(err, "key account access")
}
