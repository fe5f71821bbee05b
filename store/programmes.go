package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Programme is the DB projection of one programme workflow, kept current by
// the workflow's activities so lists never query Temporal per row.
type Programme struct {
	ID           uint   `gorm:"primaryKey"`
	Name         string `gorm:"size:200;not null"`
	LeadEmail    string `gorm:"size:254;not null;index"`
	Status       string `gorm:"size:20;not null;index"`
	CurrentPhase string `gorm:"size:40;not null"`
	StartDate    time.Time
	// LastEventSeq is the highest event applied; older events never
	// overwrite newer state when activities are retried out of order.
	LastEventSeq int `gorm:"not null;default:0"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ProgrammePhase is one milestone of a programme's plan.
type ProgrammePhase struct {
	ProgrammeID uint   `gorm:"primaryKey"`
	Phase       string `gorm:"primaryKey;size:40"`
	Position    int    `gorm:"not null"`
	Gate        bool   `gorm:"not null"`
	Status      string `gorm:"size:20;not null"`
	Due         time.Time
	Responsible string `gorm:"size:254"`
	StartedAt   *time.Time
	SubmittedBy string `gorm:"size:254"`
	SubmittedAt *time.Time
	ApprovedBy  string `gorm:"size:254"`
	ApprovedAt  *time.Time
	CompletedAt *time.Time
}

// ProgrammeEvent is one line of a programme's audit trail.
type ProgrammeEvent struct {
	ID          uint      `gorm:"primaryKey"`
	ProgrammeID uint      `gorm:"not null;uniqueIndex:ux_programme_event_seq"`
	Seq         int       `gorm:"not null;uniqueIndex:ux_programme_event_seq"`
	Kind        string    `gorm:"size:40;not null"`
	Phase       string    `gorm:"size:40"`
	Actor       string    `gorm:"size:254"`
	Comment     string    `gorm:"type:text"`
	At          time.Time `gorm:"not null"`
}

// Notification is one message in the outbox; IdempotencyKey+Recipient is
// unique so a retried activity never queues a message twice.
type Notification struct {
	ID             uint   `gorm:"primaryKey"`
	IdempotencyKey string `gorm:"size:255;not null;uniqueIndex:ux_notification_key"`
	Recipient      string `gorm:"size:254;not null;uniqueIndex:ux_notification_key;index"`
	Subject        string `gorm:"size:300;not null"`
	Body           string `gorm:"type:text;not null"`
	ProgrammeID    *uint  `gorm:"index"`
	CreatedAt      time.Time
	SentAt         *time.Time
	LastError      string `gorm:"size:500"`
	// Attempts counts failed deliveries; ClaimedUntil leases a row to one
	// sender so several worker processes never mail it twice.
	Attempts     int `gorm:"not null;default:0"`
	ClaimedUntil *time.Time
}

// CreateProgramme reserves a programme row (status "starting") so the
// workflow ID can carry its number.
func (s *Store) CreateProgramme(ctx context.Context, name, lead string, start time.Time) (*Programme, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, fmt.Errorf("create programme: %w: name is required", ErrInvalid)
	}
	p := &Programme{Name: name, LeadEmail: strings.ToLower(lead), Status: "starting", CurrentPhase: "setup", StartDate: start.UTC()}
	if err := s.db.WithContext(ctx).Create(p).Error; err != nil {
		return nil, translate(err, "create programme")
	}
	return p, nil
}

// DeleteProgramme removes a reserved programme whose workflow never started.
func (s *Store) DeleteProgramme(ctx context.Context, id uint) error {
	return translate(s.db.WithContext(ctx).Where("id = ? AND status = ?", id, "starting").Delete(&Programme{}).Error, "delete programme")
}

// ProgrammeCommittee lists a programme's steering committee members.
type ProgrammeCommittee struct {
	ProgrammeID uint   `gorm:"primaryKey"`
	Email       string `gorm:"primaryKey;size:254;index"`
}

// ProgrammeSnapshot is what an event projects.
type ProgrammeSnapshot struct {
	Programme Programme
	Phases    []ProgrammePhase
	Event     ProgrammeEvent
	// Committee, when set, replaces the programme's committee list.
	Committee []string
}

// ApplyProgrammeEvent writes one event and, unless a newer one was applied
// already, the programme's current state and milestones. Running it twice
// writes once.
func (s *Store) ApplyProgrammeEvent(ctx context.Context, snap ProgrammeSnapshot) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ev := snap.Event
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ev)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // applied before
		}
		p := snap.Programme
		p.LastEventSeq = ev.Seq
		// Insert if missing (a workflow started without the web), otherwise
		// update only when this event is newer than what the row shows.
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&p).Error; err != nil {
			return err
		}
		upd := tx.Model(&Programme{}).Where("id = ? AND last_event_seq <= ?", p.ID, ev.Seq).Updates(map[string]any{
			"name": p.Name, "lead_email": p.LeadEmail, "status": p.Status, "current_phase": p.CurrentPhase,
			"start_date": p.StartDate, "last_event_seq": ev.Seq, "updated_at": ev.At,
		})
		if upd.Error != nil {
			return upd.Error
		}
		if upd.RowsAffected == 0 {
			return nil // a newer event already projected the state
		}
		for _, ph := range snap.Phases {
			ph.ProgrammeID = p.ID
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&ph).Error; err != nil {
				return err
			}
		}
		if len(snap.Committee) > 0 {
			if err := tx.Where("programme_id = ?", p.ID).Delete(&ProgrammeCommittee{}).Error; err != nil {
				return err
			}
			rows := make([]ProgrammeCommittee, 0, len(snap.Committee))
			seen := map[string]bool{}
			for _, e := range snap.Committee {
				if e = strings.ToLower(e); !seen[e] {
					seen[e] = true
					rows = append(rows, ProgrammeCommittee{ProgrammeID: p.ID, Email: e})
				}
			}
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return translate(err, fmt.Sprintf("apply programme %d event %d", snap.Event.ProgrammeID, snap.Event.Seq))
}

// ListProgrammes returns programmes, newest first.
func (s *Store) ListProgrammes(ctx context.Context, p Page) ([]Programme, int64, error) {
	p = p.normalised()
	q := s.db.WithContext(ctx).Model(&Programme{}).Where("status <> ?", "starting")
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "count programmes")
	}
	var out []Programme
	err := q.Order("id DESC").Offset((p.Number - 1) * p.Size).Limit(p.Size).Find(&out).Error
	return out, total, translate(err, "list programmes")
}

// ProgrammeByID loads a programme projection and its milestones in order.
func (s *Store) ProgrammeByID(ctx context.Context, id uint) (*Programme, []ProgrammePhase, error) {
	var p Programme
	if err := s.db.WithContext(ctx).First(&p, id).Error; err != nil {
		return nil, nil, translate(err, fmt.Sprintf("programme %d", id))
	}
	var phases []ProgrammePhase
	err := s.db.WithContext(ctx).Where("programme_id = ?", id).Order("position").Find(&phases).Error
	return &p, phases, translate(err, "programme phases")
}

// ProgrammeEvents returns a programme's audit trail in order.
func (s *Store) ProgrammeEvents(ctx context.Context, id uint) ([]ProgrammeEvent, error) {
	var out []ProgrammeEvent
	err := s.db.WithContext(ctx).Where("programme_id = ?", id).Order("seq").Find(&out).Error
	return out, translate(err, "programme events")
}

// EnqueueNotification adds one message per recipient to the outbox; a key
// seen before adds nothing.
func (s *Store) EnqueueNotification(ctx context.Context, key string, recipients []string, subject, body string, programmeID *uint) error {
	seen := map[string]bool{}
	var rows []Notification
	for _, r := range recipients {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		rows = append(rows, Notification{IdempotencyKey: key, Recipient: r, Subject: subject, Body: body, ProgrammeID: programmeID})
	}
	if len(rows) == 0 {
		return fmt.Errorf("enqueue notification %s: %w: no recipients", key, ErrInvalid)
	}
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error, "enqueue notification "+key)
}

// Notifications lists the outbox, newest first.
func (s *Store) Notifications(ctx context.Context, recipient string, p Page) ([]Notification, error) {
	p = p.normalised()
	q := s.db.WithContext(ctx).Order("id DESC").Offset((p.Number - 1) * p.Size).Limit(p.Size)
	if recipient != "" {
		q = q.Where("recipient = ?", strings.ToLower(recipient))
	}
	var out []Notification
	return out, translate(q.Find(&out).Error, "notifications")
}

// PhaseProgress is how far a programme got, for lists.
type PhaseProgress struct {
	Done    int
	Total   int
	NextDue *time.Time
	Overdue bool
}

// ProgressOf summarises the milestones of several programmes in one query.
func (s *Store) ProgressOf(ctx context.Context, ids []uint, now time.Time) (map[uint]PhaseProgress, error) {
	out := map[uint]PhaseProgress{}
	if len(ids) == 0 {
		return out, nil
	}
	var phases []ProgrammePhase
	if err := s.db.WithContext(ctx).Where("programme_id IN ?", ids).Order("programme_id, position").Find(&phases).Error; err != nil {
		return nil, translate(err, "programme progress")
	}
	for _, ph := range phases {
		p := out[ph.ProgrammeID]
		p.Total++
		if ph.Status == "done" {
			p.Done++
		} else if p.NextDue == nil {
			due := ph.Due
			p.NextDue = &due
			p.Overdue = now.After(due)
		}
		out[ph.ProgrammeID] = p
	}
	return out, nil
}

// Approval is a submitted gate waiting for a committee member.
type Approval struct {
	ProgrammeID   uint
	ProgrammeName string
	Phase         string
	SubmittedBy   string
	SubmittedAt   *time.Time
	Due           time.Time
}

// ApprovalsWaitingFor lists submitted gates of running programmes whose
// committee includes email, oldest first (one query).
func (s *Store) ApprovalsWaitingFor(ctx context.Context, email string) ([]Approval, error) {
	var out []Approval
	err := s.db.WithContext(ctx).Table("programme_phases").
		Select("programme_phases.programme_id, programmes.name AS programme_name, programme_phases.phase, programme_phases.submitted_by, programme_phases.submitted_at, programme_phases.due").
		Joins("JOIN programmes ON programmes.id = programme_phases.programme_id").
		Joins("JOIN programme_committees pc ON pc.programme_id = programme_phases.programme_id").
		Where("pc.email = ? AND programme_phases.status = ? AND programmes.status = ?", strings.ToLower(email), "submitted", "active").
		Order("programme_phases.submitted_at").Limit(MaxPageSize).Scan(&out).Error
	return out, translate(err, "approvals waiting")
}
