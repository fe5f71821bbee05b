package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"gorm.io/gorm"
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
	PausedAt     *time.Time
	CancelReason string `gorm:"type:text"`
	FocusLimit   int    `gorm:"not null;default:0"`
	// Threshold is how many criteria a customer must meet; CriteriaSeq and
	// CandidatesSeq are the events that last replaced the criteria and the
	// provisional list.
	Threshold     int `gorm:"not null;default:0"`
	CriteriaSeq   int `gorm:"not null;default:0"`
	CandidatesSeq int `gorm:"not null;default:0"`
	// RolloutChecks: the rollout phase waits for resolved conflicts and
	// informed staff (programmes started before hand it in as text).
	RolloutChecks bool `gorm:"not null;default:false"`
	// PhasesTotal, PhasesDone and NextDue are its progress, kept as its
	// phases are written (programme_progress.go) so that lists read it
	// with the row: its phases, those done, and the due date of the first
	// phase by position not done (nil when all are done).
	PhasesTotal int `gorm:"not null;default:0"`
	PhasesDone  int `gorm:"not null;default:0"`
	NextDue     *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
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
	Result      string `gorm:"type:text"`
	// LastRejection is the committee's latest reason for sending it back.
	LastRejection string `gorm:"type:text"`
	// Seq is the event that last wrote this row.
	Seq int `gorm:"not null;default:0"`
}

// ProgrammeEvent is one line of a programme's audit trail.
type ProgrammeEvent struct {
	ID          uint   `gorm:"primaryKey"`
	ProgrammeID uint   `gorm:"not null;uniqueIndex:ux_programme_event_seq"`
	Seq         int    `gorm:"not null;uniqueIndex:ux_programme_event_seq"`
	Kind        string `gorm:"size:40;not null"`
	Phase       string `gorm:"size:40"`
	Actor       string `gorm:"size:254"`
	Comment     string `gorm:"type:text"`
	// CommentKey and CommentArgs (a JSON list) say a comment kamflow wrote
	// by its key and parameters, for pages in their reader's language;
	// empty on events recorded before they were kept (migration 0027).
	CommentKey  string    `gorm:"size:40"`
	CommentArgs string    `gorm:"type:text"`
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
	// Link is the page in kamflow the message is about (a path); ReadAt
	// is when its recipient opened it or marked it read.
	Link   string `gorm:"size:500;not null;default:''"`
	ReadAt *time.Time
	// TextKey and TextArgs (a JSON list) are the message by key and
	// parameters (workflows.NoticeText), for its reader's language; rows
	// without them are read as Subject and Body.
	TextKey  string `gorm:"size:40;not null;default:''"`
	TextArgs string `gorm:"type:text"`
}

// Text is the message's key and parameters; ok is false for a message
// kept only as English text (or with parameters that cannot be read).
func (n Notification) Text() (key string, args []string, ok bool) {
	if n.TextKey == "" {
		return "", nil, false
	}
	if n.TextArgs != "" {
		if err := json.Unmarshal([]byte(n.TextArgs), &args); err != nil {
			return "", nil, false
		}
	}
	return n.TextKey, args, true
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

// listedProgrammes are the programmes lists show: every one but those
// still starting (their workflow has not begun).
func (s *Store) listedProgrammes(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Model(&Programme{}).Where("status <> ?", "starting")
}

// ListProgrammes returns programmes, newest first.
func (s *Store) ListProgrammes(ctx context.Context, p Page) ([]Programme, int64, error) {
	p = p.normalised()
	// Scanned by hand: reflecting a page of programme rows into structs
	// cost the start pages more than reading them.
	rows, err := s.listedProgrammes(ctx).Select(programmeColumns).Order("id DESC").Offset((p.Number - 1) * p.Size).Limit(p.Size).Rows()
	out, err := scanAll(rows, err, scanProgramme)
	if err != nil {
		return nil, 0, translate(err, "list programmes")
	}
	total, err := countUnlessComplete(s.listedProgrammes(ctx), p, len(out))
	return out, total, translate(err, "count programmes")
}

// ProgrammeSummary is a programme as the start pages and the reviews
// page list it: name, lead, status, phase and progress.
type ProgrammeSummary struct {
	ID                      uint
	Name, LeadEmail         string
	Status, CurrentPhase    string
	PhasesDone, PhasesTotal int
	NextDue                 *time.Time
}

// ProgressAt is the programme's progress as lists show it at now.
func (p ProgrammeSummary) ProgressAt(now time.Time) PhaseProgress {
	return progressAt(p.PhasesDone, p.PhasesTotal, p.NextDue, now)
}

// ProgrammeSummaries are a page of the programmes ListProgrammes lists, in
// its order, with the columns a list shows (8 of a programme's 19: the
// rest, dates among them, cost the start pages more to decode than the
// statement cost) and how many there are in all.
func (s *Store) ProgrammeSummaries(ctx context.Context, p Page) ([]ProgrammeSummary, int64, error) {
	p = p.normalised()
	rows, err := s.listedProgrammes(ctx).
		Select("id, name, lead_email, status, current_phase, phases_done, phases_total, next_due").
		Order("id DESC").Offset((p.Number - 1) * p.Size).Limit(p.Size).Rows()
	out, err := scanAll(rows, err, func(rows *sql.Rows) (ProgrammeSummary, error) {
		var ps ProgrammeSummary
		var due sql.NullTime
		err := rows.Scan(&ps.ID, &ps.Name, &ps.LeadEmail, &ps.Status, &ps.CurrentPhase, &ps.PhasesDone, &ps.PhasesTotal, &due)
		ps.NextDue = timeOrNil(due)
		return ps, err
	})
	if err != nil {
		return nil, 0, translate(err, "list programmes")
	}
	total, err := countUnlessComplete(s.listedProgrammes(ctx), p, len(out))
	return out, total, translate(err, "count programmes")
}

// ProgrammeChoice is a programme as a filter's select offers it.
type ProgrammeChoice struct {
	ID   uint
	Name string
}

// ProgrammeChoices are what a select of programmes offers: the programmes
// lists show, newest first, at most MaxPageSize of them, with their IDs
// and names only (a list's filter needs no more of a programme's row).
func (s *Store) ProgrammeChoices(ctx context.Context) ([]ProgrammeChoice, error) {
	rows, err := s.listedProgrammes(ctx).Select("id, name").Order("id DESC").Limit(MaxPageSize).Rows()
	out, err := scanAll(rows, err, func(rows *sql.Rows) (ProgrammeChoice, error) {
		var c ProgrammeChoice
		return c, rows.Scan(&c.ID, &c.Name)
	})
	return out, translate(err, "programme choices")
}

// programmeColumns are a programme's columns in the order scanProgramme
// reads them; a test holds them to every column of the model.
const programmeColumns = "programmes.id, programmes.name, programmes.lead_email, programmes.status, programmes.current_phase, programmes.start_date, " +
	"programmes.last_event_seq, programmes.paused_at, programmes.cancel_reason, programmes.focus_limit, programmes.threshold, " +
	"programmes.criteria_seq, programmes.candidates_seq, programmes.rollout_checks, programmes.phases_total, programmes.phases_done, " +
	"programmes.next_due, programmes.created_at, programmes.updated_at"

// scanProgramme reads one row of programmeColumns.
func scanProgramme(rows *sql.Rows) (Programme, error) {
	var (
		p                  Programme
		start, paused, due sql.NullTime
		cancelReason       sql.NullString
	)
	err := rows.Scan(&p.ID, &p.Name, &p.LeadEmail, &p.Status, &p.CurrentPhase, &start, &p.LastEventSeq, &paused, &cancelReason,
		&p.FocusLimit, &p.Threshold, &p.CriteriaSeq, &p.CandidatesSeq, &p.RolloutChecks, &p.PhasesTotal, &p.PhasesDone, &due,
		&p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return Programme{}, err
	}
	p.StartDate, p.PausedAt, p.CancelReason, p.NextDue = start.Time, timeOrNil(paused), cancelReason.String, timeOrNil(due)
	return p, nil
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

// ProgrammeEventsPage is a page of a programme's audit trail, newest
// first, with how many entries it has in all. A programme gathers entries
// for years (a decision, an assignment, a training and a plan per key
// account, every reminder); its page shows one page of them.
func (s *Store) ProgrammeEventsPage(ctx context.Context, id uint, p Page) ([]ProgrammeEvent, int64, error) {
	p = p.normalised()
	trail := func() *gorm.DB { return s.db.WithContext(ctx).Model(&ProgrammeEvent{}).Where("programme_id = ?", id) }
	var out []ProgrammeEvent
	if err := trail().Order("seq DESC").Offset((p.Number - 1) * p.Size).Limit(p.Size).Find(&out).Error; err != nil {
		return nil, 0, translate(err, "programme events")
	}
	total, err := countUnlessComplete(trail(), p, len(out))
	return out, total, translate(err, "count programme events")
}

// ProgrammeLeadEmail is the programme's lead, read alone: the policy asks
// it on every page of a programme. ErrNotFound if there is no such
// programme.
func (s *Store) ProgrammeLeadEmail(ctx context.Context, id uint) (string, error) {
	var leads []string
	if err := s.db.WithContext(ctx).Model(&Programme{}).Where("id = ?", id).Limit(1).Pluck("lead_email", &leads).Error; err != nil {
		return "", translate(err, "programme lead")
	}
	if len(leads) == 0 {
		return "", fmt.Errorf("programme %d: %w", id, ErrNotFound)
	}
	return leads[0], nil
}

// ProgrammeEvents returns a programme's audit trail in order.
func (s *Store) ProgrammeEvents(ctx context.Context, id uint) ([]ProgrammeEvent, error) {
	var out []ProgrammeEvent
	err := s.db.WithContext(ctx).Where("programme_id = ?", id).Order("seq").Find(&out).Error
	return out, translate(err, "programme events")
}

// NewNotification is a message for the outbox: Key makes it count once,
// per recipient.
type NewNotification struct {
	Key         string
	Recipients  []string
	Subject     string
	Body        string
	Link        string
	ProgrammeID *uint
	// TextKey and TextArgs are the message by key and parameters (empty:
	// only Subject and Body).
	TextKey  string
	TextArgs []string
}

// EnqueueNotification adds one message per recipient to the outbox; a key
// seen before adds nothing.
func (s *Store) EnqueueNotification(ctx context.Context, n NewNotification) error {
	var args string
	if len(n.TextArgs) > 0 {
		b, err := json.Marshal(n.TextArgs)
		if err != nil {
			return fmt.Errorf("enqueue notification %s: %w", n.Key, err)
		}
		args = string(b)
	}
	seen := map[string]bool{}
	var rows []Notification
	for _, r := range n.Recipients {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		rows = append(rows, Notification{IdempotencyKey: n.Key, Recipient: r, Subject: n.Subject, Body: n.Body, Link: n.Link, ProgrammeID: n.ProgrammeID,
			TextKey: n.TextKey, TextArgs: args})
	}
	if len(rows) == 0 {
		return fmt.Errorf("enqueue notification %s: %w: no recipients", n.Key, ErrInvalid)
	}
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error, "enqueue notification "+n.Key)
}

// NotificationByID is one message of the outbox.
func (s *Store) NotificationByID(ctx context.Context, id uint) (*Notification, error) {
	var n Notification
	if err := s.db.WithContext(ctx).Take(&n, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("notification %d", id))
	}
	return &n, nil
}

// MarkNotificationsRead marks the recipient's messages read at at: the one
// with id, or with id 0 all of them. Read messages keep their first time,
// so marking again changes nothing.
func (s *Store) MarkNotificationsRead(ctx context.Context, recipient string, id uint, at time.Time) error {
	q := s.db.WithContext(ctx).Model(&Notification{}).Where("recipient = ? AND read_at IS NULL", strings.ToLower(recipient))
	if id != 0 {
		q = q.Where("id = ?", id)
	}
	return translate(q.Update("read_at", at.UTC()).Error, "mark notifications read")
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

// ProgressAt is the programme's progress as lists show it at now: overdue
// when the next phase's due date has passed.
func (p Programme) ProgressAt(now time.Time) PhaseProgress {
	return progressAt(p.PhasesDone, p.PhasesTotal, p.NextDue, now)
}

// progressAt is a programme's progress at now: overdue when the next
// phase's due date has passed.
func progressAt(done, total int, nextDue *time.Time, now time.Time) PhaseProgress {
	pr := PhaseProgress{Done: done, Total: total, NextDue: nextDue}
	if nextDue != nil {
		pr.Overdue = now.After(*nextDue)
	}
	return pr
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

// ApprovalsWaitingFor lists the first limit submitted gates of running
// programmes whose committee includes email, oldest first, and how many
// wait in all: the start page shows a few and counts the rest.
func (s *Store) ApprovalsWaitingFor(ctx context.Context, email string, limit int) ([]Approval, int64, error) {
	p := Page{Number: 1, Size: limit}.normalised()
	var out []Approval
	err := approvalsWaiting(s.db.WithContext(ctx), email).
		Select("programme_phases.programme_id, programmes.name AS programme_name, programme_phases.phase, programme_phases.submitted_by, programme_phases.submitted_at, programme_phases.due").
		Order("programme_phases.submitted_at").Limit(p.Size).Scan(&out).Error
	if err != nil {
		return nil, 0, translate(err, "approvals waiting")
	}
	total, err := countUnlessComplete(approvalsWaiting(s.db.WithContext(ctx), email), p, len(out))
	return out, total, translate(err, "count approvals waiting")
}

// approvalsWaiting are the submitted gates of running programmes whose
// committee includes email: the committee's list and My work read them.
func approvalsWaiting(db *gorm.DB, email string) *gorm.DB {
	return db.Table("programme_phases").
		Joins("JOIN programmes ON programmes.id = programme_phases.programme_id").
		Joins("JOIN programme_committees pc ON pc.programme_id = programme_phases.programme_id").
		Where("pc.email = ? AND programme_phases.status = ? AND programmes.status = ?", strings.ToLower(strings.TrimSpace(email)), "submitted", "active")
}
