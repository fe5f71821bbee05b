package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The programme's state beyond its milestones: criteria, the provisional
// list with its decisions, assignments, training standing and approved
// plans. Each row keeps Seq, the event that last wrote it, so an event
// applied late never overwrites a newer one.

// ProgrammeCriterion is one rule a customer must meet.
type ProgrammeCriterion struct {
	ProgrammeID  uint   `gorm:"primaryKey"`
	CriterionKey string `gorm:"primaryKey;size:40"`
	Position     int    `gorm:"not null"`
	Name         string `gorm:"size:200;not null"`
	Measure      string `gorm:"type:text"`
}

// TableName keeps the plural the migration created.
func (ProgrammeCriterion) TableName() string { return "programme_criteria" }

// ProgrammeCandidate is a customer on the provisional list.
type ProgrammeCandidate struct {
	ProgrammeID  uint   `gorm:"primaryKey"`
	CustomerID   uint   `gorm:"primaryKey"`
	Position     int    `gorm:"not null"`
	CustomerName string `gorm:"size:200;not null"`
	// Met holds the keys of the criteria met, comma-separated.
	Met       string `gorm:"size:400"`
	Decision  string `gorm:"size:20"`
	Reason    string `gorm:"type:text"`
	DecidedBy string `gorm:"size:254"`
	Seq       int    `gorm:"not null"`
}

// MetKeys splits Met.
func (c ProgrammeCandidate) MetKeys() []string {
	if c.Met == "" {
		return nil
	}
	return strings.Split(c.Met, ",")
}

// ProgrammeAssignment names a key account's KAM and deputy as the
// responsibilities phase decided them (handovers change the key account,
// not this record).
type ProgrammeAssignment struct {
	ProgrammeID      uint `gorm:"primaryKey"`
	CustomerID       uint `gorm:"primaryKey"`
	KAMEmployeeID    uint `gorm:"not null"`
	DeputyEmployeeID *uint
	AssignedBy       string `gorm:"size:254"`
	Seq              int    `gorm:"not null"`
}

// ProgrammeTraining is an assigned KAM's training standing in a programme.
type ProgrammeTraining struct {
	ProgrammeID uint   `gorm:"primaryKey"`
	EmployeeID  uint   `gorm:"primaryKey"`
	Completed   bool   `gorm:"not null"`
	Exception   bool   `gorm:"not null"`
	Note        string `gorm:"type:text"`
	RecordedBy  string `gorm:"size:254"`
	Seq         int    `gorm:"not null"`
}

// ProgrammePlanApproval records an approved account plan.
type ProgrammePlanApproval struct {
	ProgrammeID uint   `gorm:"primaryKey"`
	CustomerID  uint   `gorm:"primaryKey"`
	ApprovedBy  string `gorm:"size:254"`
	ApprovedAt  time.Time
	Seq         int `gorm:"not null"`
}

// ProgrammeConflict is a conflict the roll-out ran into and, once
// resolved, how.
type ProgrammeConflict struct {
	ProgrammeID uint      `gorm:"primaryKey"`
	ConflictID  int       `gorm:"primaryKey"`
	What        string    `gorm:"type:text;not null"`
	Parties     string    `gorm:"size:1200;not null"` // between whom
	LoggedBy    string    `gorm:"size:254;not null"`
	LoggedAt    time.Time `gorm:"not null"`
	Resolution  string    `gorm:"type:text"`
	ResolvedBy  string    `gorm:"size:254"`
	ResolvedAt  *time.Time
	Seq         int `gorm:"not null"`
}

// ProgrammeBriefing records that staff were informed of the roll-out.
type ProgrammeBriefing struct {
	ProgrammeID uint      `gorm:"primaryKey"`
	BriefingID  int       `gorm:"primaryKey"`
	InformedOn  time.Time `gorm:"not null"`
	Channel     string    `gorm:"size:40;not null"`
	// Groups holds the groups informed, one per line.
	Groups           string    `gorm:"type:text;not null"`
	KeyAccountsNamed bool      `gorm:"not null"`
	Note             string    `gorm:"type:text"`
	RecordedBy       string    `gorm:"size:254;not null"`
	RecordedAt       time.Time `gorm:"not null"`
	Seq              int       `gorm:"not null"`
}

// GroupList splits Groups.
func (b ProgrammeBriefing) GroupList() []string {
	if b.Groups == "" {
		return nil
	}
	return strings.Split(b.Groups, "\n")
}

// ProgrammeSnapshot is what one event projects: the programme's header,
// the rows that changed, and the audit line.
type ProgrammeSnapshot struct {
	Programme Programme
	// Phases holds the milestones that changed.
	Phases []ProgrammePhase
	Event  ProgrammeEvent
	// Committee, when set, replaces the programme's committee list.
	Committee []string
	// Criteria, when CriteriaSet, replaces the criteria; Programme.Threshold
	// goes with them.
	Criteria    []ProgrammeCriterion
	CriteriaSet bool
	// Candidates lists changed candidates, or all of them when
	// CandidatesReplaced.
	Candidates         []ProgrammeCandidate
	CandidatesReplaced bool
	Assignments        []ProgrammeAssignment
	Training           []ProgrammeTraining
	PlanApprovals      []ProgrammePlanApproval
	// Conflicts lists the roll-out's conflicts logged or resolved, Briefings
	// its briefings recorded, with this event (or all, on a full one).
	Conflicts []ProgrammeConflict
	Briefings []ProgrammeBriefing
	// TrainingFact, when set, is the event's word on one KAM's training,
	// kept in the training records.
	TrainingFact *TrainingFact
}

// ApplyProgrammeEvent writes one event and what it changed, in one
// transaction. Running it twice writes once; an event older than what a
// row shows leaves the row alone.
func (s *Store) ApplyProgrammeEvent(ctx context.Context, snap ProgrammeSnapshot) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ev := snap.Event
		seq := ev.Seq
		p := snap.Programme
		p.LastEventSeq = seq
		// Insert if missing (a workflow started without the web, or a
		// projection rebuilt into an empty database).
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&p).Error; err != nil {
			return err
		}
		// The programme's events are applied one at a time (its row
		// locked), so whether this one was applied before is asked, not
		// raced, and not read from an insert's row count: MariaDB returns
		// a skipped row when gorm asks for the IDs, and gorm counts it.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").First(&Programme{}, p.ID).Error; err != nil {
			return err
		}
		var applied int64
		if err := tx.Model(&ProgrammeEvent{}).Where("programme_id = ? AND seq = ?", ev.ProgrammeID, ev.Seq).Count(&applied).Error; err != nil {
			return err
		}
		if applied > 0 {
			return nil // applied before
		}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if snap.TrainingFact != nil {
			if err := applyTrainingFact(tx, ev.ProgrammeID, *snap.TrainingFact); err != nil {
				return err
			}
		}
		header := tx.Model(&Programme{}).Where("id = ? AND last_event_seq <= ?", p.ID, seq).Updates(map[string]any{
			"name": p.Name, "lead_email": p.LeadEmail, "status": p.Status, "current_phase": p.CurrentPhase,
			"start_date": p.StartDate, "last_event_seq": seq, "updated_at": ev.At,
			"paused_at": p.PausedAt, "cancel_reason": p.CancelReason, "focus_limit": p.FocusLimit,
			"rollout_checks": p.RolloutChecks,
		})
		if header.Error != nil {
			return header.Error
		}
		if header.RowsAffected > 0 && len(snap.Committee) > 0 {
			if err := replaceCommittee(tx, p.ID, snap.Committee); err != nil {
				return err
			}
		}
		for _, ph := range snap.Phases {
			ph.ProgrammeID, ph.Seq = p.ID, seq
			if err := upsertUnlessNewer(tx, &ph, "programme_id = ? AND phase = ?", []any{p.ID, ph.Phase}, seq, map[string]any{
				"position": ph.Position, "gate": ph.Gate, "status": ph.Status, "due": ph.Due, "responsible": ph.Responsible,
				"started_at": ph.StartedAt, "submitted_by": ph.SubmittedBy, "submitted_at": ph.SubmittedAt,
				"approved_by": ph.ApprovedBy, "approved_at": ph.ApprovedAt, "completed_at": ph.CompletedAt,
				"result": ph.Result, "last_rejection": ph.LastRejection, "seq": seq,
			}); err != nil {
				return err
			}
		}
		if len(snap.Phases) > 0 {
			if err := refreshProgress(tx, p.ID); err != nil {
				return err
			}
		}
		if snap.CriteriaSet {
			if err := replaceCriteria(tx, p.ID, seq, p.Threshold, snap.Criteria); err != nil {
				return err
			}
		}
		if err := applyCandidates(tx, p.ID, seq, snap.Candidates, snap.CandidatesReplaced); err != nil {
			return err
		}
		for _, a := range snap.Assignments {
			a.ProgrammeID, a.Seq = p.ID, seq
			if err := upsertUnlessNewer(tx, &a, "programme_id = ? AND customer_id = ?", []any{p.ID, a.CustomerID}, seq, map[string]any{
				"kam_employee_id": a.KAMEmployeeID, "deputy_employee_id": a.DeputyEmployeeID, "assigned_by": a.AssignedBy, "seq": seq,
			}); err != nil {
				return err
			}
		}
		for _, t := range snap.Training {
			t.ProgrammeID, t.Seq = p.ID, seq
			if err := upsertUnlessNewer(tx, &t, "programme_id = ? AND employee_id = ?", []any{p.ID, t.EmployeeID}, seq, map[string]any{
				"completed": t.Completed, "exception": t.Exception, "note": t.Note, "recorded_by": t.RecordedBy, "seq": seq,
			}); err != nil {
				return err
			}
		}
		for _, a := range snap.PlanApprovals {
			a.ProgrammeID, a.Seq = p.ID, seq
			// An approval is never taken back; the first record of it stays.
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
				return err
			}
		}
		for _, c := range snap.Conflicts {
			c.ProgrammeID, c.Seq = p.ID, seq
			if err := upsertUnlessNewer(tx, &c, "programme_id = ? AND conflict_id = ?", []any{p.ID, c.ConflictID}, seq, map[string]any{
				"what": c.What, "parties": c.Parties, "logged_by": c.LoggedBy, "logged_at": c.LoggedAt,
				"resolution": c.Resolution, "resolved_by": c.ResolvedBy, "resolved_at": c.ResolvedAt, "seq": seq,
			}); err != nil {
				return err
			}
		}
		for _, b := range snap.Briefings {
			b.ProgrammeID, b.Seq = p.ID, seq
			// A briefing never changes once recorded.
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&b).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return translate(err, fmt.Sprintf("apply programme %d event %d", snap.Event.ProgrammeID, snap.Event.Seq))
}

// upsertUnlessNewer updates the row selected by where unless an event
// after seq wrote it, and inserts it when it does not exist.
func upsertUnlessNewer(tx *gorm.DB, row any, where string, args []any, seq int, values map[string]any) error {
	res := tx.Model(row).Where(where+" AND seq < ?", append(args, seq)...).Updates(values)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected > 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row).Error
}

func replaceCommittee(tx *gorm.DB, programmeID uint, emails []string) error {
	if err := tx.Where("programme_id = ?", programmeID).Delete(&ProgrammeCommittee{}).Error; err != nil {
		return err
	}
	rows := make([]ProgrammeCommittee, 0, len(emails))
	seen := map[string]bool{}
	for _, e := range emails {
		if e = strings.ToLower(e); !seen[e] {
			seen[e] = true
			rows = append(rows, ProgrammeCommittee{ProgrammeID: programmeID, Email: e})
		}
	}
	return tx.Create(&rows).Error
}

func replaceCriteria(tx *gorm.DB, programmeID uint, seq, threshold int, criteria []ProgrammeCriterion) error {
	res := tx.Model(&Programme{}).Where("id = ? AND criteria_seq < ?", programmeID, seq).
		Updates(map[string]any{"threshold": threshold, "criteria_seq": seq})
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error // a newer event set the criteria
	}
	if err := tx.Where("programme_id = ?", programmeID).Delete(&ProgrammeCriterion{}).Error; err != nil {
		return err
	}
	if len(criteria) > 0 {
		for i := range criteria {
			criteria[i].ProgrammeID, criteria[i].Position = programmeID, i
		}
		if err := tx.Create(&criteria).Error; err != nil {
			return err
		}
	}
	return refreshCriteriaMet(tx, programmeID, 0)
}

func applyCandidates(tx *gorm.DB, programmeID uint, seq int, list []ProgrammeCandidate, replaced bool) error {
	if !replaced && len(list) == 0 {
		return nil
	}
	// A list computed after this event supersedes it whole.
	var p Programme
	if err := tx.Select("candidates_seq").First(&p, programmeID).Error; err != nil {
		return err
	}
	if p.CandidatesSeq > seq {
		return nil
	}
	if replaced {
		if err := tx.Model(&Programme{}).Where("id = ?", programmeID).Update("candidates_seq", seq).Error; err != nil {
			return err
		}
		if err := tx.Where("programme_id = ?", programmeID).Delete(&ProgrammeCandidate{}).Error; err != nil {
			return err
		}
		if len(list) == 0 {
			return nil
		}
		for i := range list {
			list[i].ProgrammeID, list[i].Seq = programmeID, seq
		}
		return tx.Create(&list).Error
	}
	for _, c := range list {
		c.ProgrammeID, c.Seq = programmeID, seq
		if err := upsertUnlessNewer(tx, &c, "programme_id = ? AND customer_id = ?", []any{programmeID, c.CustomerID}, seq, map[string]any{
			"customer_name": c.CustomerName, "met": c.Met, "decision": c.Decision, "reason": c.Reason, "decided_by": c.DecidedBy, "seq": seq,
		}); err != nil {
			return err
		}
	}
	return nil
}

// ProgrammeRecord is everything kamflow keeps of a programme: what its
// pages and API show, whether or not its workflow still runs.
type ProgrammeRecord struct {
	Programme     Programme
	Phases        []ProgrammePhase
	Committee     []string
	Criteria      []ProgrammeCriterion
	Candidates    []ProgrammeCandidate
	Assignments   []ProgrammeAssignment
	Training      []ProgrammeTraining
	PlanApprovals []ProgrammePlanApproval
	Conflicts     []ProgrammeConflict
	Briefings     []ProgrammeBriefing
}

// ProgrammeRecordByID loads a programme's record; ErrNotFound for an
// unknown programme. A programme whose workflow has not yet recorded its
// start shows status "starting" with its planned milestones.
func (s *Store) ProgrammeRecordByID(ctx context.Context, id uint) (*ProgrammeRecord, error) {
	return s.programmeRecord(ctx, id, true, func(Programme) LaterLists { return LaterLists{Assignments: true, Training: true, PlanApprovals: true} })
}

// ProgrammeSelectionRecordByID loads the part of a programme's record that
// the selection works on: the programme, its phases, committee, criteria
// and candidates; the later phases' lists (assignments, training, plan
// approvals, conflicts, briefings) stay empty. Five statements instead of
// ten, on a page every scoring lead reloads.
func (s *Store) ProgrammeSelectionRecordByID(ctx context.Context, id uint) (*ProgrammeRecord, error) {
	return s.programmeRecord(ctx, id, false, func(Programme) LaterLists { return LaterLists{} })
}

// LaterLists names the lists of a programme's record that grow with its
// key accounts in its later phases.
type LaterLists struct {
	Assignments, Training, PlanApprovals bool
}

// ProgrammePageRecordByID loads a programme's record for its page: all of
// it but the later lists, of which only those wanted for the programme (by
// its current phase) are read. A programme in its second year has one
// assignment, training and approved plan per key account; outside the
// phases that judge them its page reads none of them.
func (s *Store) ProgrammePageRecordByID(ctx context.Context, id uint, wanted func(Programme) LaterLists) (*ProgrammeRecord, error) {
	return s.programmeRecord(ctx, id, true, wanted)
}

// recordList is one of a programme record's lists: where it goes and its order.
type recordList struct {
	what  string
	dst   any
	order string
}

// programmeRecord reads the programme, its phases, criteria, candidates
// and committee; the roll-out's conflicts and briefings when rollout is
// set; and the later lists wanted for it.
func (s *Store) programmeRecord(ctx context.Context, id uint, rollout bool, wanted func(Programme) LaterLists) (*ProgrammeRecord, error) {
	var r ProgrammeRecord
	db := s.db.WithContext(ctx)
	if err := db.First(&r.Programme, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("programme %d", id))
	}
	steps := []recordList{
		{"phases", &r.Phases, "position"},
		{"criteria", &r.Criteria, "position"},
		{"candidates", &r.Candidates, "position"},
	}
	later := wanted(r.Programme)
	if later.Assignments {
		steps = append(steps, recordList{"assignments", &r.Assignments, "customer_id"})
	}
	if later.Training {
		steps = append(steps, recordList{"training", &r.Training, "employee_id"})
	}
	if later.PlanApprovals {
		steps = append(steps, recordList{"plan approvals", &r.PlanApprovals, "seq, customer_id"})
	}
	if rollout {
		steps = append(steps, recordList{"conflicts", &r.Conflicts, "conflict_id"}, recordList{"briefings", &r.Briefings, "briefing_id"})
	}
	// The lists are read at once, each on a connection of its own: the page
	// waits for the slowest of them instead of their sum (on MySQL each is
	// a round trip to the server). Each writes its own field of r.
	var reads errgroup.Group
	for _, st := range steps {
		reads.Go(func() error {
			return translate(db.Where("programme_id = ?", id).Order(st.order).Find(st.dst).Error, "programme "+st.what)
		})
	}
	reads.Go(func() error {
		err := db.Model(&ProgrammeCommittee{}).Where("programme_id = ?", id).Order("email").Pluck("email", &r.Committee).Error
		return translate(err, "programme committee")
	})
	if err := reads.Wait(); err != nil {
		return nil, err
	}
	return &r, nil
}

// PlanProgramme records a reserved programme's committee and planned
// milestones, so its page shows them before its workflow's first event
// (which overwrites them, being newer).
func (s *Store) PlanProgramme(ctx context.Context, id uint, committee []string, phases []ProgrammePhase) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(committee) > 0 {
			if err := replaceCommittee(tx, id, committee); err != nil {
				return err
			}
		}
		for _, ph := range phases {
			ph.ProgrammeID, ph.Seq = id, 0
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ph).Error; err != nil {
				return err
			}
		}
		return refreshProgress(tx, id)
	})
	return translate(err, fmt.Sprintf("plan programme %d", id))
}
