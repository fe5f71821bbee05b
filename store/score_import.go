package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// CustomerScores are the scores of one customer to store together.
type CustomerScores struct {
	CustomerID uint
	Scores     []ScoreInput
}

// ImportScores stores many customers' scores in one transaction: each
// given criterion's score replaces the stored one; criteria a customer's
// entry leaves out keep theirs. All or nothing.
func (s *Store) ImportScores(ctx context.Context, programmeID uint, by string, batch []CustomerScores) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, cs := range batch {
			if len(cs.Scores) == 0 {
				continue
			}
			keys := make([]string, len(cs.Scores))
			rows := make([]CustomerScore, len(cs.Scores))
			for i, sc := range cs.Scores {
				keys[i] = sc.CriterionKey
				rows[i] = CustomerScore{ProgrammeID: programmeID, CustomerID: cs.CustomerID, CriterionKey: sc.CriterionKey,
					Met: sc.Met, Value: sc.Value, Evidence: sc.Evidence, UpdatedBy: by}
			}
			if err := tx.Where("programme_id = ? AND customer_id = ? AND criterion_key IN ?", programmeID, cs.CustomerID, keys).Delete(&CustomerScore{}).Error; err != nil {
				return err
			}
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		return refreshCriteriaMet(tx, programmeID, 0)
	})
	return translate(err, fmt.Sprintf("import scores of programme %d", programmeID))
}

// ScoresOf returns a programme's raw scores of the given customers (one
// page of the selection table), in one query.
func (s *Store) ScoresOf(ctx context.Context, programmeID uint, customerIDs []uint) ([]CustomerScore, error) {
	var out []CustomerScore
	if len(customerIDs) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("programme_id = ? AND customer_id IN ?", programmeID, customerIDs).
		Order("customer_id, criterion_key").Find(&out).Error
	return out, translate(err, "scores of customers")
}
