package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The customer list shows on every view how many customers it holds, the
// key-accounts list how many accounts. Counting 20,000 rows per view grows
// with the company, so the store keeps these numbers (active and archived
// customers, all key accounts) as it writes: created rows are counted by a
// create callback, archive and restore move a customer from one number to
// the other (key accounts are never deleted), and Reindex counts them
// again.

// rowCount is one kept number of rows.
type rowCount struct {
	Name string `gorm:"primaryKey;size:40"`
	N    int64  `gorm:"not null"`
}

func (rowCount) TableName() string { return "row_counts" }

// The kept numbers.
const (
	activeCustomers   = "customers.active"
	archivedCustomers = "customers.archived"
	allKeyAccounts    = "key_accounts.all"
)

// keptRowCount is a kept number: its name, and which rows of its table it
// counts.
type keptRowCount struct{ name, where string }

// customerCounts counts the customers of each kept number from their rows.
var customerCounts = []keptRowCount{
	{activeCustomers, "archived_at IS NULL"},
	{archivedCustomers, "archived_at IS NOT NULL"},
}

// keyAccountCounts counts the key accounts.
var keyAccountCounts = []keptRowCount{{allKeyAccounts, "1 = 1"}}

// addToCount adds delta to a kept number, in tx.
func addToCount(tx *gorm.DB, name string, delta int64) error {
	if delta == 0 {
		return nil
	}
	return tx.Model(&rowCount{}).Where("name = ?", name).UpdateColumn("n", gorm.Expr("n + ?", delta)).Error
}

// moveCustomerCount counts an archived or restored customer: one from a
// kept number to the other.
func moveCustomerCount(tx *gorm.DB, from, to string) error {
	if err := addToCount(tx, from, -1); err != nil {
		return err
	}
	return addToCount(tx, to, 1)
}

// recountCustomers sets the kept numbers from the customers' rows.
func recountCustomers(tx *gorm.DB) error { return recountRows(tx, "customers", customerCounts) }

// recountKeyAccounts sets the kept number of key accounts from their rows.
func recountKeyAccounts(tx *gorm.DB) error {
	return recountRows(tx, "key_accounts", keyAccountCounts)
}

// recountRows sets the table's kept numbers from its rows.
func recountRows(tx *gorm.DB, table string, counts []keptRowCount) error {
	for _, c := range counts {
		var n int64
		if err := tx.Table(table).Where(c.where).Count(&n).Error; err != nil {
			return err
		}
		err := tx.Exec("UPDATE row_counts SET n = ? WHERE name = ?", n, c.name).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// keptCount reads a kept number.
func (s *Store) keptCount(ctx context.Context, name string) (int64, error) {
	var n []int64
	err := s.db.WithContext(ctx).Model(&rowCount{}).Where("name = ?", name).Pluck("n", &n).Error
	if err != nil || len(n) == 0 {
		return 0, translate(err, "kept count "+name)
	}
	return n[0], nil
}

// countCreated counts the customers and key accounts a create wrote, in
// the create's transaction. A create that may skip rows on a conflict
// leaves it unknown which were written: then the numbers are counted
// again.
func countCreated(db *gorm.DB) {
	if db.Error != nil || db.DryRun || db.Statement.Schema == nil || !db.Statement.ReflectValue.IsValid() {
		return
	}
	var err error
	tx := db.Session(&gorm.Session{NewDB: true, SkipHooks: true})
	switch db.Statement.Schema.Table {
	case "customers":
		var active, archived int64
		eachCreated(db, func(row any) {
			if c, ok := row.(*Customer); ok {
				if c.ArchivedAt == nil {
					active++
				} else {
					archived++
				}
			}
		})
		if mayHaveSkipped(db, active+archived) {
			err = recountCustomers(tx)
		} else if err = addToCount(tx, activeCustomers, active); err == nil {
			err = addToCount(tx, archivedCustomers, archived)
		}
	case "key_accounts":
		var created int64
		eachCreated(db, func(row any) {
			if _, ok := row.(*KeyAccount); ok {
				created++
			}
		})
		if mayHaveSkipped(db, created) {
			err = recountKeyAccounts(tx)
		} else {
			err = addToCount(tx, allKeyAccounts, created)
		}
	}
	if err != nil {
		_ = db.AddError(err)
	}
}

// mayHaveSkipped says whether a create of rows may have written fewer:
// it wrote fewer, or it skips rows on a conflict. Then its row count
// cannot tell: MariaDB returns a skipped row too when gorm asks for the
// IDs written, and gorm counts it.
func mayHaveSkipped(db *gorm.DB, rows int64) bool {
	_, onConflict := db.Statement.Clauses[clause.OnConflict{}.Name()]
	return onConflict || rows != db.RowsAffected
}
