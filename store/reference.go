package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Page asks for one page of a list; Size is capped at MaxPageSize.
type Page struct {
	Number int // 1-based
	Size   int
	// After, when set, is the sort key of the row just before the page
	// (see Customer.PageKey): a list ordered by that unique key reads the
	// page after it from its index instead of skipping (Number-1)×Size
	// rows, and Number only numbers the page. Lists ordered otherwise
	// ignore it; the page is the same either way unless rows came or went.
	After string
}

// MaxPageSize bounds every list query.
const MaxPageSize = 200

func (p Page) normalised() Page {
	if p.Number < 1 {
		p.Number = 1
	}
	if p.Size < 1 {
		p.Size = 50
	}
	if p.Size > MaxPageSize {
		p.Size = MaxPageSize
	}
	return p
}

// CreateCustomer validates and stores a customer.
func (s *Store) CreateCustomer(ctx context.Context, c *Customer) error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return fmt.Errorf("create customer: %w: name is required", ErrInvalid)
	}
	if p := FiniteProblem(c.MarginPercent); p != "" {
		return invalid("margin", "%s", p)
	}
	// In a transaction: on MySQL its search postings are written with it.
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return tx.Create(c).Error }), "create customer "+c.Name)
}

// Customer loads one customer with its active contacts.
func (s *Store) Customer(ctx context.Context, id uint) (*Customer, error) {
	var c Customer
	err := s.db.WithContext(ctx).
		Preload("Contacts", "archived_at IS NULL").
		First(&c, id).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("customer %d", id))
	}
	return &c, nil
}

// ListCustomers returns active customers by name and the total count.
func (s *Store) ListCustomers(ctx context.Context, p Page) ([]Customer, int64, error) {
	return s.searchCustomers(ctx, "", false, p)
}

// CreateContact validates and stores a contact at a customer.
func (s *Store) CreateContact(ctx context.Context, c *Contact) error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return fmt.Errorf("create contact: %w: name is required", ErrInvalid)
	}
	if !c.HierarchyLevel.Valid() {
		return fmt.Errorf("create contact: %w: hierarchy level %q", ErrInvalid, c.HierarchyLevel)
	}
	if c.ReportsToID != nil {
		var boss Contact
		if err := s.db.WithContext(ctx).Select("id", "customer_id").First(&boss, *c.ReportsToID).Error; err != nil {
			return translate(err, "create contact: reports-to")
		}
		if boss.CustomerID != c.CustomerID {
			return fmt.Errorf("create contact: %w: reports-to must be a contact of the same customer", ErrInvalid)
		}
	}
	// In a transaction: on MySQL its search postings are written with it.
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return tx.Create(c).Error }), "create contact "+c.Name)
}

// CreateEmployee validates and stores an employee.
func (s *Store) CreateEmployee(ctx context.Context, e *Employee) error {
	e.Name = strings.TrimSpace(e.Name)
	e.Email = strings.ToLower(strings.TrimSpace(e.Email))
	if e.Name == "" {
		return fmt.Errorf("create employee: %w: name is required", ErrInvalid)
	}
	if !strings.Contains(e.Email, "@") {
		return fmt.Errorf("create employee: %w: email %q", ErrInvalid, e.Email)
	}
	if !e.HierarchyLevel.Valid() {
		return fmt.Errorf("create employee: %w: hierarchy level %q", ErrInvalid, e.HierarchyLevel)
	}
	return translate(s.db.WithContext(ctx).Create(e).Error, "create employee "+e.Email)
}

// ListEmployees returns active employees by name.
func (s *Store) ListEmployees(ctx context.Context, p Page) ([]Employee, int64, error) {
	p = p.normalised()
	q := s.db.WithContext(ctx).Model(&Employee{}).Where("archived_at IS NULL")
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "count employees")
	}
	var out []Employee
	err := q.Order("name").Offset((p.Number - 1) * p.Size).Limit(p.Size).Find(&out).Error
	return out, total, translate(err, "list employees")
}

// CustomerNames maps customer IDs to names in one query.
func (s *Store) CustomerNames(ctx context.Context, ids []uint) (map[uint]string, error) {
	out := map[uint]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []Customer
	if err := s.db.WithContext(ctx).Select("id", "name").Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, translate(err, "customer names")
	}
	for _, c := range list {
		out[c.ID] = c.Name
	}
	return out, nil
}

// CustomersByID loads customers by ID in one query.
func (s *Store) CustomersByID(ctx context.Context, ids []uint) (map[uint]Customer, error) {
	out := map[uint]Customer{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []Customer
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, translate(err, "customers")
	}
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}

// SearchCustomers pages through active customers whose name or industry
// contains q (case-insensitive), by name.
func (s *Store) SearchCustomers(ctx context.Context, q string, p Page) ([]Customer, int64, error) {
	return s.searchCustomers(ctx, q, false, p)
}

// SearchArchivedCustomers is SearchCustomers over the archived customers.
func (s *Store) SearchArchivedCustomers(ctx context.Context, q string, p Page) ([]Customer, int64, error) {
	return s.searchCustomers(ctx, q, true, p)
}

func (s *Store) searchCustomers(ctx context.Context, q string, archived bool, p Page) ([]Customer, int64, error) {
	p = p.normalised()
	term, indexed := s.indexedTerm(q)
	// The rows a term's trigrams hold lead (SQLite's FTS5, MySQL's
	// postings), and LIKE checks them: the cost follows the term's rarest
	// trigrams, not the table.
	from, fromArgs := "customers", []any(nil)
	if indexed {
		matching, args, err := s.ftsMatching(ctx, gramKindCustomer, q, term)
		if err != nil {
			return nil, 0, err
		}
		from, fromArgs = matching+" CROSS JOIN customers ON customers.id = m.id", args
	} else if term != "" && s.driver == "mysql" {
		if grams, ok := termTrigrams(q); ok {
			matching, args := customerGrams.matching(grams)
			from, fromArgs = "("+matching+") m JOIN customers ON customers.id = m.id", args
		}
	}
	query := func() *gorm.DB {
		db := s.db.WithContext(ctx).Table(from, fromArgs...).Where("customers." + archivedIs(archived))
		if !indexed && term != "" { // ftsMatching checks an indexed term
			db = db.Where(s.concat("customers.name", "customers.industry")+" LIKE ?"+likeEscape, likePattern(q))
		}
		return db
	}
	// A deep page reached by "next" starts after the last name of the page
	// before; one typed by number skips the customers before it by id alone
	// (in the index on (archived_at, name) when there is no term). Only the
	// page's rows are read.
	page := query().Select("customers.id").Order("customers.name").Limit(p.Size)
	if p.After != "" {
		page = page.Where("customers.name > ?", p.After)
	} else {
		page = page.Offset((p.Number - 1) * p.Size)
	}
	var out []Customer
	err := s.db.WithContext(ctx).Table("(?) AS page", page).Joins("JOIN customers ON customers.id = page.id").
		Select("customers.*").Order("customers.name").Find(&out).Error
	if err != nil {
		return nil, 0, translate(err, "search customers")
	}
	if term == "" {
		// The whole list: its number is kept (row_counts.go).
		kept := activeCustomers
		if archived {
			kept = archivedCustomers
		}
		total, err := s.keptCount(ctx, kept)
		return out, total, err
	}
	total, err := countUnlessComplete(query(), p, len(out))
	return out, total, translate(err, "count customers")
}

// countUnlessComplete counts the query's rows, except when the first page
// was not full: then it held every match and its length is the total.
func countUnlessComplete(query *gorm.DB, p Page, got int) (int64, error) {
	total, err := countUpToUnlessComplete(query, p, got, 0)
	return total.N, err
}

// Count is how many rows match, counted up to a bound.
type Count struct {
	// N is how many were counted: every match unless Over, else the bound.
	N int64
	// Over says more rows match than the bound.
	Over bool
}

// countUpTo counts the query's rows up to bound (every row for bound < 1),
// reading at most bound+1 of them. A picker or a start page says "over
// 100" where an exact count would read a whole company's rows per view.
func countUpTo(query *gorm.DB, bound int) (Count, error) {
	var n int64
	if bound < 1 {
		err := query.Count(&n).Error
		return Count{N: n}, err
	}
	err := query.Session(&gorm.Session{NewDB: true}).
		Table("(?) AS counted", query.Select("1").Limit(bound+1)).Count(&n).Error
	if n > int64(bound) {
		return Count{N: int64(bound), Over: true}, err
	}
	return Count{N: n}, err
}

// countUpToUnlessComplete is countUpTo, except when the first page was not
// full: then it held every match and its length is the count.
func countUpToUnlessComplete(query *gorm.DB, p Page, got, bound int) (Count, error) {
	if p.Number == 1 && got < p.Size {
		return Count{N: int64(got)}, nil
	}
	return countUpTo(query, bound)
}

// UpdateCustomer saves a customer's master data.
func (s *Store) UpdateCustomer(ctx context.Context, c *Customer) error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return fmt.Errorf("update customer: %w: name is required", ErrInvalid)
	}
	if p := FiniteProblem(c.MarginPercent); p != "" {
		return invalid("margin", "%s", p)
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&Customer{}).Where("id = ?", c.ID).Select("name", "industry", "country", "annual_revenue", "margin_percent", "potential", "notes").Updates(c).Error
		if err != nil {
			return err
		}
		if err := followCustomerName(tx, c.ID, c.Name); err != nil {
			return err
		}
		return reindexCustomer(tx, c.ID)
	})
	return translate(err, "update customer "+c.Name)
}

// ArchiveCustomer hides a customer from lists; its history stays.
func (s *Store) ArchiveCustomer(ctx context.Context, id uint, at time.Time) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Customer{}).Where("id = ? AND archived_at IS NULL", id).Update("archived_at", at.UTC())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("customer %d: %w", id, ErrNotFound)
		}
		return moveCustomerCount(tx, activeCustomers, archivedCustomers)
	})
	return translate(err, "archive customer")
}

// RestoreCustomer brings an archived customer back into the lists; a
// customer not archived is ErrNotFound, an active namesake ErrDuplicate.
func (s *Store) RestoreCustomer(ctx context.Context, id uint) (*Customer, error) {
	return restore[Customer](ctx, s, id, "customer", func(tx *gorm.DB) error { return moveCustomerCount(tx, archivedCustomers, activeCustomers) })
}

// restore clears a record's archived_at and returns the record; restored,
// if any, runs in the same transaction once it is restored.
func restore[T any](ctx context.Context, s *Store, id uint, what string, restored func(*gorm.DB) error) (*T, error) {
	var out T
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&out).Where("id = ? AND archived_at IS NOT NULL", id).Update("archived_at", nil)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("archived %s %d: %w", what, id, ErrNotFound)
		}
		if restored != nil {
			if err := restored(tx); err != nil {
				return err
			}
		}
		return tx.First(&out, id).Error
	})
	if err != nil {
		return nil, translate(err, "restore "+what)
	}
	return &out, nil
}

// archivedIs is the condition for archived (or active) records.
func archivedIs(archived bool) string {
	if archived {
		return "archived_at IS NOT NULL"
	}
	return "archived_at IS NULL"
}

// ImportCustomers creates the customers in one transaction: all or none.
func (s *Store) ImportCustomers(ctx context.Context, list []Customer) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i := range list {
			list[i].Name = strings.TrimSpace(list[i].Name)
			if err := tx.Create(&list[i]).Error; err != nil {
				return translate(err, "import customer "+list[i].Name)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import customers: %w", err)
	}
	return nil
}

// CustomerNamesTaken reports which of names exist already (case-insensitive).
func (s *Store) CustomerNamesTaken(ctx context.Context, names []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(names) == 0 {
		return out, nil
	}
	lower := make([]string, len(names))
	for i, n := range names {
		lower[i] = strings.ToLower(strings.TrimSpace(n))
	}
	var found []string
	if err := s.db.WithContext(ctx).Model(&Customer{}).Where("LOWER(name) IN ?", lower).Pluck("LOWER(name)", &found).Error; err != nil {
		return nil, translate(err, "customer names taken")
	}
	for _, n := range found {
		out[n] = true
	}
	return out, nil
}
