package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Handover replaces a key account's KAM.
type Handover struct {
	ID                 uint   `gorm:"primaryKey"`
	KeyAccountID       uint   `gorm:"not null;index"`
	WorkflowID         string `gorm:"size:200;not null;uniqueIndex"`
	Reason             string `gorm:"size:40;not null"`
	ReasonNote         string `gorm:"type:text"`
	OutgoingEmployeeID uint   `gorm:"not null"`
	CoveringEmployeeID uint   `gorm:"not null"`
	IncomingEmployeeID *uint
	Status             string `gorm:"size:20;not null"`
	StartedBy          string `gorm:"size:254"`
	CompletedAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Items              []HandoverItem `gorm:"foreignKey:HandoverID"`
	// The people and settings the handover started with, kept so the
	// record stays whole after Temporal forgets the workflow.
	OutgoingEmail     string `gorm:"size:254"`
	CoveringEmail     string `gorm:"size:254"`
	LeadEmail         string `gorm:"size:254"`
	OutgoingAvailable bool   `gorm:"not null"` // the column defaults to true for rows from before
	StallAfterSeconds int64  `gorm:"not null"`
	IncomingEmail     string `gorm:"size:254"`
	IncomingChosenAt  *time.Time
}

// Responsible is who answers for the account in this handover: the
// covering person until it is completed, then the incoming KAM.
func (h Handover) Responsible() uint {
	if h.Status == "completed" && h.IncomingEmployeeID != nil {
		return *h.IncomingEmployeeID
	}
	return h.CoveringEmployeeID
}

// LastProgress is the last time something moved: the start, the choice
// of the incoming KAM or a ticked item.
func (h Handover) LastProgress() time.Time {
	last := h.CreatedAt
	if h.IncomingChosenAt != nil && h.IncomingChosenAt.After(last) {
		last = *h.IncomingChosenAt
	}
	for _, it := range h.Items {
		if it.DoneAt != nil && it.DoneAt.After(last) {
			last = *it.DoneAt
		}
	}
	return last
}

// HandoverItem is one checklist item, ticked with date and person.
type HandoverItem struct {
	HandoverID uint   `gorm:"primaryKey"`
	Item       string `gorm:"primaryKey;size:40"`
	DoneAt     *time.Time
	DoneBy     string `gorm:"size:254"`
	Skipped    bool   `gorm:"not null;default:false"`
	Note       string `gorm:"type:text"`
}

// StartHandover records the handover and lets the covering person stand in
// at once, in one transaction; repeating it returns the same handover.
func (s *Store) StartHandover(ctx context.Context, h Handover, items []string) (*Handover, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing Handover
		err := tx.Where("workflow_id = ?", h.WorkflowID).First(&existing).Error
		if err == nil {
			h = existing
			return nil
		}
		if err != gorm.ErrRecordNotFound {
			return err
		}
		h.Status = "open"
		if err := tx.Create(&h).Error; err != nil {
			return err
		}
		rows := make([]HandoverItem, len(items))
		for i, it := range items {
			rows[i] = HandoverItem{HandoverID: h.ID, Item: it}
		}
		if len(rows) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
				return err
			}
		}
		return tx.Model(&KeyAccount{}).Where("id = ?", h.KeyAccountID).Update("covering_employee_id", h.CoveringEmployeeID).Error
	})
	if err != nil {
		return nil, translate(err, "start handover")
	}
	return &h, nil
}

// SetHandoverIncoming records the chosen incoming KAM with the address
// they are told at and when they were chosen; repeating it for the same
// person changes nothing.
func (s *Store) SetHandoverIncoming(ctx context.Context, handoverID, employeeID uint) error {
	e, err := s.Employee(ctx, employeeID)
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Model(&Handover{}).
		Where("id = ? AND (incoming_employee_id IS NULL OR incoming_employee_id <> ?)", handoverID, employeeID).
		Updates(map[string]any{"incoming_employee_id": employeeID, "incoming_email": strings.ToLower(e.Email), "incoming_chosen_at": time.Now().UTC()}).Error
	return translate(err, "set incoming KAM")
}

// TickHandoverItem marks a checklist item done (or skipped).
func (s *Store) TickHandoverItem(ctx context.Context, handoverID uint, item, by, note string, skipped bool, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&HandoverItem{}).Where("handover_id = ? AND item = ?", handoverID, item).
		Updates(map[string]any{"done_at": at.UTC(), "done_by": by, "skipped": skipped, "note": note}).Error
	return translate(err, "tick handover item")
}

// CompleteHandover makes the incoming KAM own the account, ends the cover
// and closes the outgoing KAM's relationships with the customer, at once.
func (s *Store) CompleteHandover(ctx context.Context, handoverID uint, at time.Time) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var h Handover
		if err := tx.First(&h, handoverID).Error; err != nil {
			return err
		}
		if h.Status == "completed" {
			return nil
		}
		if h.IncomingEmployeeID == nil {
			return fmt.Errorf("complete handover %d: %w: no incoming KAM", handoverID, ErrInvalid)
		}
		var ka KeyAccount
		if err := tx.First(&ka, h.KeyAccountID).Error; err != nil {
			return err
		}
		upd := map[string]any{"kam_employee_id": *h.IncomingEmployeeID, "covering_employee_id": nil}
		if ka.DeputyEmployeeID != nil && *ka.DeputyEmployeeID == *h.IncomingEmployeeID {
			upd["deputy_employee_id"] = nil // the deputy became KAM; a new deputy is named next
		}
		if err := tx.Model(&KeyAccount{}).Where("id = ?", ka.ID).Updates(upd).Error; err != nil {
			return err
		}
		sub := tx.Model(&Contact{}).Select("id").Where("customer_id = ?", ka.CustomerID)
		if err := tx.Model(&Relationship{}).Where("employee_id = ? AND ended_at IS NULL AND contact_id IN (?)", h.OutgoingEmployeeID, sub).
			Update("ended_at", at.UTC()).Error; err != nil {
			return err
		}
		return tx.Model(&Handover{}).Where("id = ?", h.ID).Updates(map[string]any{"status": "completed", "completed_at": at.UTC()}).Error
	})
	return translate(err, "complete handover")
}

// HandoverByID loads a handover with its checklist.
func (s *Store) HandoverByID(ctx context.Context, id uint) (*Handover, error) {
	var h Handover
	if err := s.db.WithContext(ctx).Preload("Items").First(&h, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("handover %d", id))
	}
	return &h, nil
}

// HandoversOf lists a key account's handovers with their checklists,
// newest first: the running one and every finished one.
func (s *Store) HandoversOf(ctx context.Context, keyAccountID uint) ([]Handover, error) {
	var out []Handover
	err := s.db.WithContext(ctx).Preload("Items").Where("key_account_id = ?", keyAccountID).Order("id DESC").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "handovers")
}

// HandoverNotice is a stall notice or escalation kamflow sent about a handover.
type HandoverNotice struct {
	Kind string // stalled or escalation
	At   time.Time
}

// HandoverNotices lists the stall notices and escalations of a handover's
// workflow, oldest first, from the outbox.
func (s *Store) HandoverNotices(ctx context.Context, workflowID string) ([]HandoverNotice, error) {
	prefix := workflowID + "/"
	var rows []Notification
	err := s.db.WithContext(ctx).Select("idempotency_key", "created_at").
		Where("SUBSTR(idempotency_key, 1, ?) = ?", len(prefix), prefix).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "handover notices")
	}
	var out []HandoverNotice
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.IdempotencyKey] {
			continue // one row per recipient
		}
		seen[r.IdempotencyKey] = true
		kind, _, _ := strings.Cut(strings.TrimPrefix(r.IdempotencyKey, prefix), "-")
		if kind == "stalled" || kind == "escalation" {
			out = append(out, HandoverNotice{Kind: kind, At: r.CreatedAt})
		}
	}
	return out, nil
}

// OpenHandoverOf returns the key account's running handover, if any.
func (s *Store) OpenHandoverOf(ctx context.Context, keyAccountID uint) (*Handover, error) {
	var h Handover
	if err := s.db.WithContext(ctx).Where("key_account_id = ? AND status = ?", keyAccountID, "open").First(&h).Error; err != nil {
		return nil, translate(err, "open handover")
	}
	return &h, nil
}
