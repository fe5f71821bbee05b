package store

import (
	"context"
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
	if r.Quality < 1 || r.Quality > 5 {
		return nil, fmt.Errorf("relationship: %w: quality must be 1 to 5", ErrInvalid)
	}
	var out Relationship
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
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
