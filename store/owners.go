package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Kinds of work an owner change is about.
const (
	WorkAction  = "action"
	WorkMeasure = "measure"
)

// ErrDone refuses to give work that is done to someone else.
var ErrDone = errors.New("done already")

// OwnerChange records who gave an open action or review measure to whom,
// when, and whether a handover did it.
type OwnerChange struct {
	ID           uint   `gorm:"primaryKey"`
	Kind         string `gorm:"size:10;not null;index:ix_owner_changes_item,priority:1"`
	ItemID       uint   `gorm:"not null;index:ix_owner_changes_item,priority:2"`
	KeyAccountID uint   `gorm:"not null;index"`
	HandoverID   *uint  `gorm:"index"`
	FromEmail    string `gorm:"size:254;not null"`
	ToEmail      string `gorm:"size:254;not null"`
	ChangedBy    string `gorm:"size:254;not null"`
	ChangedAt    time.Time
}

// MoveWork moves a key account's open work from one person to another
// for a handover.
type MoveWork struct {
	HandoverID   uint
	KeyAccountID uint
	FromEmail    string
	ToEmail      string
	By           string
	At           time.Time
}

// MovedItem is open work a handover gave to its current owner. Source and
// SourceID name what tracks it: a plan or workshop for an action, the
// review for a measure.
type MovedItem struct {
	Kind       string
	ID         uint
	Title      string
	Source     string
	SourceID   uint
	OwnerEmail string
}

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// MoveAccountWork gives the key account's open actions and open review
// measures of m.FromEmail to m.ToEmail, and also what this handover gave
// someone earlier (the covering person, an incoming KAM chosen before)
// that nobody has reassigned since. Every change is recorded. Repeating it
// changes nothing more; it returns all open work this handover gave
// m.ToEmail, so a retried caller still learns every item.
func (s *Store) MoveAccountWork(ctx context.Context, m MoveWork) ([]MovedItem, error) {
	from, to := normEmail(m.FromEmail), normEmail(m.ToEmail)
	if m.HandoverID == 0 || !strings.Contains(to, "@") {
		return nil, fmt.Errorf("move account work: %w: handover and new owner are required", ErrInvalid)
	}
	var out []MovedItem
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ka KeyAccount
		if err := tx.First(&ka, m.KeyAccountID).Error; err != nil {
			return err
		}
		reviews := tx.Model(&Review{}).Select("id").Where("programme_id = ?", ka.ProgrammeID)
		var actions []Action
		if err := tx.Where("key_account_id = ? AND owner_email = ? AND done_at IS NULL", ka.ID, from).Find(&actions).Error; err != nil {
			return err
		}
		var measures []Measure
		if err := tx.Where("customer_id = ? AND review_id IN (?) AND owner_email = ? AND done_at IS NULL", ka.CustomerID, reviews, from).Find(&measures).Error; err != nil {
			return err
		}
		earlierActions, earlierMeasures, err := handedOnBy(tx, m.HandoverID)
		if err != nil {
			return err
		}
		actions = append(actions, earlierActions...)
		measures = append(measures, earlierMeasures...)
		record := func(kind string, id uint, was string) error {
			hid := m.HandoverID
			return tx.Create(&OwnerChange{Kind: kind, ItemID: id, KeyAccountID: ka.ID, HandoverID: &hid, FromEmail: was, ToEmail: to,
				ChangedBy: m.By, ChangedAt: m.At.UTC()}).Error
		}
		for _, a := range actions {
			if a.OwnerEmail == to {
				continue
			}
			res := tx.Model(&Action{}).Where("id = ? AND owner_email = ? AND done_at IS NULL", a.ID, a.OwnerEmail).Update("owner_email", to)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				if err := record(WorkAction, a.ID, a.OwnerEmail); err != nil {
					return err
				}
			}
		}
		for _, ms := range measures {
			if ms.OwnerEmail == to {
				continue
			}
			res := tx.Model(&Measure{}).Where("id = ? AND owner_email = ? AND done_at IS NULL", ms.ID, ms.OwnerEmail).Update("owner_email", to)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				if err := record(WorkMeasure, ms.ID, ms.OwnerEmail); err != nil {
					return err
				}
			}
		}
		// What this handover gave someone and nobody reassigned since,
		// filtered to what is now the new owner's.
		actions, measures, err = handedOnBy(tx, m.HandoverID)
		if err != nil {
			return err
		}
		for _, a := range actions {
			if a.OwnerEmail == to {
				out = append(out, MovedItem{Kind: WorkAction, ID: a.ID, Title: a.Title, Source: a.Source, SourceID: a.SourceID, OwnerEmail: to})
			}
		}
		for _, ms := range measures {
			if ms.OwnerEmail == to {
				out = append(out, MovedItem{Kind: WorkMeasure, ID: ms.ID, Title: ms.Title, Source: "review", SourceID: ms.ReviewID, OwnerEmail: to})
			}
		}
		return nil
	})
	if err != nil {
		return nil, translate(err, "move account work")
	}
	return out, nil
}

// handedOnBy lists the open actions and measures whose latest owner change
// was made by the handover and that are still with the person it gave them to.
func handedOnBy(tx *gorm.DB, handoverID uint) ([]Action, []Measure, error) {
	var mine []OwnerChange
	if err := tx.Where("handover_id = ?", handoverID).Find(&mine).Error; err != nil {
		return nil, nil, err
	}
	ids := map[string][]uint{}
	for _, c := range mine {
		ids[c.Kind] = append(ids[c.Kind], c.ItemID)
	}
	latest := func(kind string) (map[uint]OwnerChange, error) {
		last := map[uint]OwnerChange{}
		if len(ids[kind]) == 0 {
			return last, nil
		}
		var all []OwnerChange
		if err := tx.Where("kind = ? AND item_id IN ?", kind, ids[kind]).Order("id").Find(&all).Error; err != nil {
			return nil, err
		}
		for _, c := range all {
			last[c.ItemID] = c
		}
		for id, c := range last {
			if c.HandoverID == nil || *c.HandoverID != handoverID {
				delete(last, id)
			}
		}
		return last, nil
	}
	lastActions, err := latest(WorkAction)
	if err != nil {
		return nil, nil, err
	}
	lastMeasures, err := latest(WorkMeasure)
	if err != nil {
		return nil, nil, err
	}
	var actions []Action
	if len(lastActions) > 0 {
		if err := tx.Where("id IN ? AND done_at IS NULL", keysOf(lastActions)).Order("id").Find(&actions).Error; err != nil {
			return nil, nil, err
		}
	}
	var measures []Measure
	if len(lastMeasures) > 0 {
		if err := tx.Where("id IN ? AND done_at IS NULL", keysOf(lastMeasures)).Order("id").Find(&measures).Error; err != nil {
			return nil, nil, err
		}
	}
	keptA := actions[:0]
	for _, a := range actions {
		if a.OwnerEmail == lastActions[a.ID].ToEmail {
			keptA = append(keptA, a)
		}
	}
	keptM := measures[:0]
	for _, ms := range measures {
		if ms.OwnerEmail == lastMeasures[ms.ID].ToEmail {
			keptM = append(keptM, ms)
		}
	}
	return keptA, keptM, nil
}

func keysOf(m map[uint]OwnerChange) []uint {
	out := make([]uint, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// SetActionOwner gives an open action to someone else and records it;
// giving it to its owner changes nothing. A done action answers ErrDone.
func (s *Store) SetActionOwner(ctx context.Context, id uint, owner, by string, at time.Time) (*Action, error) {
	owner = normEmail(owner)
	var a Action
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&a, id).Error; err != nil {
			return err
		}
		if a.DoneAt != nil {
			return fmt.Errorf("action %d: %w", id, ErrDone)
		}
		if a.OwnerEmail == owner {
			return nil
		}
		res := tx.Model(&Action{}).Where("id = ? AND owner_email = ? AND done_at IS NULL", a.ID, a.OwnerEmail).Update("owner_email", owner)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("action %d changed meanwhile: %w", id, ErrDone)
		}
		was := a.OwnerEmail
		a.OwnerEmail = owner
		return tx.Create(&OwnerChange{Kind: WorkAction, ItemID: a.ID, KeyAccountID: a.KeyAccountID, FromEmail: was, ToEmail: owner, ChangedBy: by, ChangedAt: at.UTC()}).Error
	})
	if err != nil {
		return nil, translate(err, fmt.Sprintf("action %d", id))
	}
	return &a, nil
}

// MeasureByID loads one review measure.
func (s *Store) MeasureByID(ctx context.Context, id uint) (*Measure, error) {
	var m Measure
	if err := s.db.WithContext(ctx).First(&m, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("measure %d", id))
	}
	return &m, nil
}

// MeasureKeyAccount returns the key account a measure is about (its
// customer in the review's programme); ErrNotFound for a measure about the
// whole programme.
func (s *Store) MeasureKeyAccount(ctx context.Context, m *Measure) (*KeyAccount, error) {
	if m.CustomerID == nil {
		return nil, fmt.Errorf("measure %d is about the whole programme: %w", m.ID, ErrNotFound)
	}
	var ka KeyAccount
	err := s.db.WithContext(ctx).Where("customer_id = ? AND programme_id = (?)", *m.CustomerID,
		s.db.Model(&Review{}).Select("programme_id").Where("id = ?", m.ReviewID)).First(&ka).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("key account of measure %d", m.ID))
	}
	return &ka, nil
}

// SetMeasureOwner gives an open review measure to someone else and records
// it; giving it to its owner changes nothing. A done measure answers ErrDone.
func (s *Store) SetMeasureOwner(ctx context.Context, id uint, owner, by string, at time.Time) (*Measure, error) {
	owner = normEmail(owner)
	var m Measure
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&m, id).Error; err != nil {
			return err
		}
		if m.DoneAt != nil {
			return fmt.Errorf("measure %d: %w", id, ErrDone)
		}
		if m.OwnerEmail == owner {
			return nil
		}
		res := tx.Model(&Measure{}).Where("id = ? AND owner_email = ? AND done_at IS NULL", m.ID, m.OwnerEmail).Update("owner_email", owner)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("measure %d changed meanwhile: %w", id, ErrDone)
		}
		var kaID uint
		if m.CustomerID != nil {
			var ka KeyAccount
			err := tx.Where("customer_id = ? AND programme_id = (?)", *m.CustomerID, tx.Model(&Review{}).Select("programme_id").Where("id = ?", m.ReviewID)).First(&ka).Error
			if err == nil {
				kaID = ka.ID
			} else if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
		}
		was := m.OwnerEmail
		m.OwnerEmail = owner
		return tx.Create(&OwnerChange{Kind: WorkMeasure, ItemID: m.ID, KeyAccountID: kaID, FromEmail: was, ToEmail: owner, ChangedBy: by, ChangedAt: at.UTC()}).Error
	})
	if err != nil {
		return nil, translate(err, fmt.Sprintf("measure %d", id))
	}
	return &m, nil
}

// OpenMeasuresOfKeyAccount lists the open review measures about a key
// account, by due date.
func (s *Store) OpenMeasuresOfKeyAccount(ctx context.Context, ka *KeyAccount) ([]Measure, error) {
	var out []Measure
	err := s.db.WithContext(ctx).Where("customer_id = ? AND done_at IS NULL AND review_id IN (?)", ka.CustomerID,
		s.db.Model(&Review{}).Select("id").Where("programme_id = ?", ka.ProgrammeID)).Order("due").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "open measures of key account")
}

// OwnerChangesOfHandover lists what a handover moved, in order.
func (s *Store) OwnerChangesOfHandover(ctx context.Context, handoverID uint) ([]OwnerChange, error) {
	var out []OwnerChange
	err := s.db.WithContext(ctx).Where("handover_id = ?", handoverID).Order("id").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "owner changes of handover")
}
