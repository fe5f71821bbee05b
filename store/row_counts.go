package store

import (
	"context"

	"gorm.io/gorm"
)

// The customer list shows on every view how many customers it holds.
// Counting 20,000 rows per view grows with the company, so the store keeps
// the two numbers (active and archived customers) as it writes: created
// customers are counted by a create callback, archive and restore move one
// from a number to the other, and Reindex counts them again.

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
)

// customerCounts counts the customers of each kept number from their rows.
var customerCounts = []struct{ name, where string }{
	{activeCustomers, "archived_at IS NULL"},
	{archivedCustomers, "archived_at IS NOT NULL"},
}

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
func recountCustomers(tx *gorm.DB) error {
	for _, c := range customerCounts {
		var n int64
		if err := tx.Table("customers").Where(c.where).Count(&n).Error; err != nil {
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

// countCreated counts the customers a create wrote, in the create's
// transaction. A create that skipped rows on a conflict leaves it unknown
// which were written: then the numbers are counted again.
func countCreated(db *gorm.DB) {
	if db.Error != nil || db.DryRun || db.Statement.Schema == nil || db.Statement.Schema.Table != "customers" || !db.Statement.ReflectValue.IsValid() {
		return
	}
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
	tx := db.Session(&gorm.Session{NewDB: true, SkipHooks: true})
	var err error
	if active+archived != db.RowsAffected {
		err = recountCustomers(tx)
	} else if err = addToCount(tx, activeCustomers, active); err == nil {
		err = addToCount(tx, archivedCustomers, archived)
	}
	if err != nil {
		_ = db.AddError(err)
	}
}
