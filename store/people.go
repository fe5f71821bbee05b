package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// likePattern turns a search term into a LIKE pattern that matches the
// term literally; use it with likeEscape, which SQLite needs (it has no
// default escape character) and MySQL accepts. LIKE ignores case in both
// (SQLite for ASCII, MySQL by the tables' _ci collation), so the columns
// need no LOWER(): one function call less per row scanned.
func likePattern(q string) string {
	return "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(strings.ToLower(strings.TrimSpace(q))) + "%"
}

// indexedTerm says whether q can be looked up in a trigram index (SQLite,
// migration 0012): three characters or more and no LIKE wildcard, as the
// index takes no ESCAPE. It returns the LIKE pattern for the index, or the
// trimmed term when there is none.
func (s *Store) indexedTerm(q string) (string, bool) {
	term := strings.ToLower(strings.TrimSpace(q))
	if s.driver == "sqlite" && utf8.RuneCountInString(term) >= 3 && !strings.ContainsAny(term, "%_") {
		return "%" + term + "%", true
	}
	return term, false
}

// likeEscape follows every LIKE ? whose pattern comes from likePattern.
const likeEscape = " ESCAPE '!'"

// ContactRow is a contact with its customer's name for lists.
type ContactRow struct {
	Contact
	CustomerName string
}

// SearchContacts pages through active contacts of active customers whose
// name, job title, e-mail or customer name contains q, by customer and name.
// One query for the count and one for the page, whatever the page size.
func (s *Store) SearchContacts(ctx context.Context, q string, p Page) ([]ContactRow, int64, error) {
	return s.searchContacts(ctx, q, false, p)
}

// SearchArchivedContacts pages through the archived contacts (of any
// customer) as SearchContacts does through the active ones.
func (s *Store) SearchArchivedContacts(ctx context.Context, q string, p Page) ([]ContactRow, int64, error) {
	return s.searchContacts(ctx, q, true, p)
}

func (s *Store) searchContacts(ctx context.Context, q string, archived bool, p Page) ([]ContactRow, int64, error) {
	p = p.normalised()
	// Contacts of active customers; a term is looked up in the trigram
	// index where there is one, else matched against the contact's fields
	// as one text (one LIKE per row) or its customer's name. On MySQL the
	// trigram postings narrow the rows that LIKE then checks.
	term, indexed := s.indexedTerm(q)
	scan := term != "" && !indexed
	from, fromArgs := "contacts JOIN customers ON customers.id = contacts.customer_id", []any(nil)
	// Whether the customer's name is checked on the joined row (few rows)
	// or through the customers it matches (a scan of every contact).
	customerNameOnRow := false
	if scan && s.driver == "mysql" {
		if grams, ok := termTrigrams(q); ok {
			// Contacts whose own fields hold the term's trigrams, and the
			// contacts of customers whose name and industry do.
			byContact, contactArgs := contactGrams.matching(grams)
			byCustomer, customerArgs := customerGrams.matching(grams)
			from = "(" + byContact + " UNION SELECT c.id FROM (" + byCustomer + ") cm JOIN contacts c ON c.customer_id = cm.id) m " +
				"JOIN contacts ON contacts.id = m.id JOIN customers ON customers.id = contacts.customer_id"
			fromArgs = append(contactArgs, customerArgs...)
			customerNameOnRow = true
		} else {
			// MariaDB would walk customers in name order and probe their
			// contacts; one pass over contacts, joining only the matches,
			// is about twice as fast at 200,000 contacts.
			from = "contacts STRAIGHT_JOIN customers ON customers.id = contacts.customer_id"
		}
	}
	if indexed {
		// The contacts the term's rarest trigrams hold lead; see searchCustomers.
		matching, args, err := s.ftsMatching(ctx, gramKindContact, q, term)
		if err != nil {
			return nil, 0, err
		}
		from, fromArgs = matching+" CROSS JOIN contacts ON contacts.id = m.id JOIN customers ON customers.id = contacts.customer_id", args
	}
	query := func() *gorm.DB {
		db := s.db.WithContext(ctx).Table(from, fromArgs...)
		if archived {
			db = db.Where("contacts.archived_at IS NOT NULL")
		} else {
			db = db.Where("contacts.archived_at IS NULL AND customers.archived_at IS NULL")
		}
		if scan { // ftsMatching checks an indexed term
			like := likePattern(q)
			byCustomer := "contacts.customer_id IN (SELECT id FROM customers WHERE name LIKE ?" + likeEscape + ")"
			if customerNameOnRow {
				byCustomer = "customers.name LIKE ?" + likeEscape
			}
			db = db.Where("("+s.concat("contacts.name", "contacts.job_title", "contacts.email")+" LIKE ?"+likeEscape+
				" OR "+byCustomer+")", like, like)
		}
		return db
	}
	var out []ContactRow
	err := query().Select("contacts.*, customers.name AS customer_name").
		Order("customers.name, contacts.name, contacts.id").Offset((p.Number - 1) * p.Size).Limit(p.Size).Scan(&out).Error
	if err != nil {
		return nil, 0, translate(err, "search contacts")
	}
	total, err := countUnlessComplete(query(), p, len(out))
	return out, total, translate(err, "count contacts")
}

// concat is SQL for the columns joined by " ", NULLs as empty, so that one
// LIKE searches them all; a term cannot match across two columns unless it
// contains that space.
func (s *Store) concat(cols ...string) string {
	if s.driver == "mysql" {
		return "CONCAT_WS(' ', " + strings.Join(cols, ", ") + ")"
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "COALESCE(" + c + ", '')"
	}
	return "(" + strings.Join(parts, " || ' ' || ") + ")"
}

// Contact loads one contact.
func (s *Store) Contact(ctx context.Context, id uint) (*Contact, error) {
	var c Contact
	if err := s.db.WithContext(ctx).First(&c, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("contact %d", id))
	}
	return &c, nil
}

// UpdateContact saves a contact's fields; the customer does not change.
func (s *Store) UpdateContact(ctx context.Context, c *Contact) error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return fmt.Errorf("update contact: %w: name is required", ErrInvalid)
	}
	if !c.HierarchyLevel.Valid() {
		return fmt.Errorf("update contact: %w: hierarchy level %q", ErrInvalid, c.HierarchyLevel)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur Contact
		if err := tx.Select("id", "customer_id").First(&cur, c.ID).Error; err != nil {
			return translate(err, fmt.Sprintf("update contact %d", c.ID))
		}
		c.CustomerID = cur.CustomerID
		if c.ReportsToID != nil {
			if *c.ReportsToID == c.ID {
				return fmt.Errorf("update contact: %w: a contact cannot report to itself", ErrInvalid)
			}
			var boss Contact
			if err := tx.Select("id", "customer_id").First(&boss, *c.ReportsToID).Error; err != nil {
				return translate(err, "update contact: reports-to")
			}
			if boss.CustomerID != c.CustomerID {
				return fmt.Errorf("update contact: %w: reports-to must be a contact of the same customer", ErrInvalid)
			}
		}
		err := tx.Model(&Contact{}).Where("id = ?", c.ID).
			Select("name", "job_title", "hierarchy_level", "reports_to_id", "email", "phone").Updates(c).Error
		if err == nil {
			err = reindexContact(tx, c.ID)
		}
		return translate(err, "update contact "+c.Name)
	})
}

// ArchiveContact hides a contact; people who reported to it report to no one.
func (s *Store) ArchiveContact(ctx context.Context, id uint, at time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Contact{}).Where("id = ? AND archived_at IS NULL", id).Update("archived_at", at.UTC())
		if res.Error != nil {
			return translate(res.Error, "archive contact")
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("contact %d: %w", id, ErrNotFound)
		}
		return translate(tx.Model(&Contact{}).Where("reports_to_id = ?", id).Update("reports_to_id", nil).Error, "archive contact: reports-to")
	})
}

// ContactImport is one contact of a CSV file; ReportsTo names another
// contact of the same customer, in the database or earlier in the file.
type ContactImport struct {
	Contact
	ReportsTo string
}

// ImportContacts creates the contacts in one transaction: all or none.
// Rows are created in order, so a row may report to a contact created by
// an earlier row.
func (s *Store) ImportContacts(ctx context.Context, list []ContactImport) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		created := map[string]uint{} // ContactKey → id
		for i := range list {
			c := &list[i].Contact
			c.Name = strings.TrimSpace(c.Name)
			if c.Name == "" || !c.HierarchyLevel.Valid() {
				return fmt.Errorf("import contact %q: %w", c.Name, ErrInvalid)
			}
			if boss := strings.TrimSpace(list[i].ReportsTo); boss != "" {
				id, ok := created[ContactKey(c.CustomerID, boss)]
				if !ok {
					var found Contact
					err := tx.Select("id").Where("customer_id = ? AND LOWER(name) = ? AND archived_at IS NULL", c.CustomerID, strings.ToLower(boss)).First(&found).Error
					if err != nil {
						return translate(err, "import contact "+c.Name+": reports to "+boss)
					}
					id = found.ID
				}
				c.ReportsToID = &id
			}
			if err := tx.Create(c).Error; err != nil {
				return translate(err, "import contact "+c.Name)
			}
			created[ContactKey(c.CustomerID, c.Name)] = c.ID
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import contacts: %w", err)
	}
	return nil
}

// CustomerIDsByName maps lower-cased names of active customers to IDs in
// one query.
func (s *Store) CustomerIDsByName(ctx context.Context, names []string) (map[string]uint, error) {
	out := map[string]uint{}
	lower := uniqueLower(names)
	if len(lower) == 0 {
		return out, nil
	}
	var list []Customer
	if err := s.db.WithContext(ctx).Select("id", "name").Where("LOWER(name) IN ? AND archived_at IS NULL", lower).Find(&list).Error; err != nil {
		return nil, translate(err, "customers by name")
	}
	for _, c := range list {
		out[strings.ToLower(c.Name)] = c.ID
	}
	return out, nil
}

// ContactKey identifies a contact by customer and name, ignoring case.
func ContactKey(customerID uint, name string) string {
	return fmt.Sprintf("%d/%s", customerID, strings.ToLower(strings.TrimSpace(name)))
}

// ContactNamesAt returns the ContactKeys of the given customers' active
// contacts, in one query.
func (s *Store) ContactNamesAt(ctx context.Context, customerIDs []uint) (map[string]bool, error) {
	out := map[string]bool{}
	if len(customerIDs) == 0 {
		return out, nil
	}
	var list []Contact
	if err := s.db.WithContext(ctx).Select("customer_id", "name").Where("customer_id IN ? AND archived_at IS NULL", customerIDs).Find(&list).Error; err != nil {
		return nil, translate(err, "contact names")
	}
	for _, c := range list {
		out[ContactKey(c.CustomerID, c.Name)] = true
	}
	return out, nil
}

func uniqueLower(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		l := strings.ToLower(strings.TrimSpace(n))
		if l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// SearchEmployees pages through active employees whose name, e-mail,
// job title or department contains q, by name.
func (s *Store) SearchEmployees(ctx context.Context, q string, p Page) ([]Employee, int64, error) {
	return s.FindEmployees(ctx, q, false, p)
}

// SearchArchivedEmployees pages through the archived employees.
func (s *Store) SearchArchivedEmployees(ctx context.Context, q string, p Page) ([]Employee, int64, error) {
	return s.findEmployees(ctx, q, archivedIs(true), p)
}

// RestoreContact brings an archived contact back; whom it reported to
// before archiving is not restored.
func (s *Store) RestoreContact(ctx context.Context, id uint) (*Contact, error) {
	return restore[Contact](ctx, s, id, "contact", nil)
}

// RestoreEmployee brings an archived employee back into the lists.
func (s *Store) RestoreEmployee(ctx context.Context, id uint) (*Employee, error) {
	return restore[Employee](ctx, s, id, "employee", nil)
}

// FindEmployees is SearchEmployees that also lists archived employees
// when withArchived is set (for integrations that resolve old IDs).
func (s *Store) FindEmployees(ctx context.Context, q string, withArchived bool, p Page) ([]Employee, int64, error) {
	where := archivedIs(false)
	if withArchived {
		where = "1 = 1"
	}
	return s.findEmployees(ctx, q, where, p)
}

func (s *Store) findEmployees(ctx context.Context, q, where string, p Page) ([]Employee, int64, error) {
	p = p.normalised()
	query := employeesMatching(s.db.WithContext(ctx).Model(&Employee{}).Where(where), q)
	var total int64
	if err := query.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "count employees")
	}
	var out []Employee
	err := query.Order("name, id").Offset((p.Number - 1) * p.Size).Limit(p.Size).Find(&out).Error
	return out, total, translate(err, "search employees")
}

// employeesMatching narrows query to the employees whose name, e-mail,
// job title or department contains q (all for a blank q).
func employeesMatching(query *gorm.DB, q string) *gorm.DB {
	if strings.TrimSpace(q) == "" {
		return query
	}
	like := likePattern(q)
	return query.Where("(name LIKE ?"+likeEscape+" OR email LIKE ?"+likeEscape+
		" OR job_title LIKE ?"+likeEscape+" OR department LIKE ?"+likeEscape+")", like, like, like, like)
}

// EmployeeChoice asks for what a picker of employees offers.
type EmployeeChoice struct {
	// Find narrows to the employees whose name, e-mail, job title or
	// department contains it.
	Find string
	// KAMsFirst lists the KAM-qualified first; AccountKAMs only those who
	// are KAM of a key account (a filter of the key-accounts list).
	KAMsFirst, AccountKAMs bool
	// Except are left out; Limit bounds the list.
	Except []uint
	Limit  int
	// CountUpTo bounds the count of matches (0: count them all).
	CountUpTo int
}

// EmployeeChoices are what a picker of employees offers: the active
// employees matching the choice, by name; the first Limit of them and how
// many match in all, counted up to CountUpTo. Pickers show a few and
// narrow by what is typed instead of carrying a company's whole staff in
// every select.
func (s *Store) EmployeeChoices(ctx context.Context, ch EmployeeChoice) ([]Employee, Count, error) {
	limit := ch.Limit
	if limit < 1 || limit > MaxPageSize {
		limit = MaxPageSize
	}
	// The list asks "KAM of a key account?" of each employee in the order
	// of the index on name and stops at its limit; as a subquery with
	// LIMIT 1, MariaDB cannot turn it into a semi-join that reads every key
	// account first (0.7 against 0.3 ms at the bench's 10×). A bounded
	// count stops early too; a count of all asks every employee, which
	// that semi-join answers fastest.
	const kamOfAnAccountForList = "(SELECT 1 FROM key_accounts ka WHERE ka.kam_employee_id = employees.id LIMIT 1) IS NOT NULL"
	const kamOfAnAccount = "EXISTS (SELECT 1 FROM key_accounts ka WHERE ka.kam_employee_id = employees.id)"
	kamOfAnAccountForCount := kamOfAnAccount
	if ch.CountUpTo > 0 {
		kamOfAnAccountForCount = kamOfAnAccountForList
	}
	query := func(accountKAMs string) *gorm.DB {
		db := employeesMatching(s.db.WithContext(ctx).Model(&Employee{}).Where(archivedIs(false)), ch.Find)
		if len(ch.Except) > 0 {
			db = db.Where("id NOT IN ?", ch.Except)
		}
		if ch.AccountKAMs {
			db = db.Where(accountKAMs)
		}
		return db
	}
	order := "name, id"
	if ch.KAMsFirst {
		order = "kam_qualified DESC, name, id"
	}
	var out []Employee
	if err := query(kamOfAnAccountForList).Order(order).Limit(limit).Find(&out).Error; err != nil {
		return nil, Count{}, translate(err, "employee choices")
	}
	total, err := countUpToUnlessComplete(query(kamOfAnAccountForCount), Page{Number: 1, Size: limit}, len(out), ch.CountUpTo)
	return out, total, translate(err, "count employee choices")
}

// UpdateEmployee saves an employee's fields.
func (s *Store) UpdateEmployee(ctx context.Context, e *Employee) error {
	e.Name = strings.TrimSpace(e.Name)
	e.Email = strings.ToLower(strings.TrimSpace(e.Email))
	if e.Name == "" || !strings.Contains(e.Email, "@") || !e.HierarchyLevel.Valid() {
		return fmt.Errorf("update employee: %w: name, e-mail and hierarchy level are required", ErrInvalid)
	}
	res := s.db.WithContext(ctx).Model(&Employee{}).Where("id = ?", e.ID).
		Select("name", "email", "job_title", "department", "hierarchy_level", "kam_qualified").Updates(e)
	if res.Error != nil {
		return translate(res.Error, "update employee "+e.Email)
	}
	if res.RowsAffected == 0 {
		// MySQL reports 0 rows for an unchanged row; tell that from a missing one.
		var n int64
		if err := s.db.WithContext(ctx).Model(&Employee{}).Where("id = ?", e.ID).Count(&n).Error; err != nil {
			return translate(err, "update employee")
		}
		if n == 0 {
			return fmt.Errorf("employee %d: %w", e.ID, ErrNotFound)
		}
	}
	return nil
}

// ArchiveEmployee hides an employee from lists; assignments stay as history.
func (s *Store) ArchiveEmployee(ctx context.Context, id uint, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&Employee{}).Where("id = ? AND archived_at IS NULL", id).Update("archived_at", at.UTC())
	if res.Error != nil {
		return translate(res.Error, "archive employee")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("employee %d: %w", id, ErrNotFound)
	}
	return nil
}

// ContactNamesByID maps contact IDs to names in one query.
func (s *Store) ContactNamesByID(ctx context.Context, ids []uint) (map[uint]string, error) {
	out := map[uint]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []Contact
	if err := s.db.WithContext(ctx).Select("id", "name").Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, translate(err, "contact names")
	}
	for _, c := range list {
		out[c.ID] = c.Name
	}
	return out, nil
}
