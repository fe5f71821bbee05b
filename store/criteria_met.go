package store

import (
	"gorm.io/gorm"
)

// customer_criteria_met (migration 0035) keeps, per programme, each active
// or archived customer that meets at least one of the programme's criteria
// with how many it misses and its name: the selection table's order, read
// a page at a time from an index instead of aggregated over every score
// per view. It is refreshed where its inputs change: a customer's scores,
// a programme's criteria, a customer's name.

// refreshCriteriaMet recomputes programmeID's rows, of one customer when
// customerID is not 0, from the scores and the programme's criteria.
func refreshCriteriaMet(tx *gorm.DB, programmeID, customerID uint) error {
	del := tx.Where("programme_id = ?", programmeID)
	sql := `INSERT INTO customer_criteria_met (programme_id, customer_id, missed, customer_name)
		SELECT s.programme_id, s.customer_id,
			(SELECT COUNT(*) FROM programme_criteria k WHERE k.programme_id = s.programme_id) - COUNT(*), c.name
		FROM customer_scores s
		JOIN programme_criteria pc ON pc.programme_id = s.programme_id AND pc.criterion_key = s.criterion_key
		JOIN customers c ON c.id = s.customer_id
		WHERE s.met = ? AND s.programme_id = ?`
	args := []any{true, programmeID}
	if customerID != 0 {
		del = del.Where("customer_id = ?", customerID)
		sql += " AND s.customer_id = ?"
		args = append(args, customerID)
	}
	if err := del.Delete(&criteriaMet{}).Error; err != nil {
		return err
	}
	return tx.Exec(sql+" GROUP BY s.programme_id, s.customer_id, c.name", args...).Error
}

// followCustomerName writes a customer's new name where lists keep it
// beside their order: the selection's criteria met and the key accounts.
func followCustomerName(tx *gorm.DB, customerID uint, name string) error {
	if err := tx.Model(&criteriaMet{}).Where("customer_id = ?", customerID).Update("customer_name", name).Error; err != nil {
		return err
	}
	return tx.Model(&KeyAccount{}).Where("customer_id = ?", customerID).Update("customer_name", name).Error
}

// criteriaMet is one row of customer_criteria_met.
type criteriaMet struct {
	ProgrammeID  uint `gorm:"primaryKey"`
	CustomerID   uint `gorm:"primaryKey"`
	Missed       int
	CustomerName string
}

func (criteriaMet) TableName() string { return "customer_criteria_met" }
