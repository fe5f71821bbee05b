package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Action is a tracked to-do with an owner and a due date, from an account
// plan or a workshop's minutes.
type Action struct {
	ID           uint   `gorm:"primaryKey"`
	IdemKey      string `gorm:"size:150;not null;uniqueIndex"`
	KeyAccountID uint   `gorm:"not null;index:idx_actions_account_due,priority:1"`
	Source       string `gorm:"size:20;not null"` // plan or workshop
	SourceID     uint   `gorm:"not null"`
	ObjectiveID  *uint
	Title        string    `gorm:"size:300;not null"`
	OwnerEmail   string    `gorm:"size:254;not null;index"`
	Due          time.Time `gorm:"not null;index:idx_actions_account_due,priority:2"`
	DoneAt       *time.Time
	DoneBy       string `gorm:"size:254"`
	CreatedAt    time.Time
}

// AccountPlan is a key account's strategy with goals, objectives and actions.
type AccountPlan struct {
	ID           uint   `gorm:"primaryKey"`
	KeyAccountID uint   `gorm:"not null;index"`
	Version      int    `gorm:"not null"`
	Strategy     string `gorm:"type:text;not null"`
	Status       string `gorm:"size:20;not null"` // draft, submitted, approved, rejected
	SubmittedBy  string `gorm:"size:254"`
	SubmittedAt  *time.Time
	DecidedBy    string `gorm:"size:254"`
	DecidedAt    *time.Time
	Comment      string `gorm:"type:text"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Goals        []PlanGoal `gorm:"foreignKey:PlanID"`
}

// PlanGoal is a goal of an account plan.
type PlanGoal struct {
	ID         uint            `gorm:"primaryKey"`
	PlanID     uint            `gorm:"not null;index"`
	Position   int             `gorm:"not null"`
	Title      string          `gorm:"size:300;not null"`
	Objectives []PlanObjective `gorm:"foreignKey:GoalID"`
}

// PlanObjective is a measurable objective under a goal.
type PlanObjective struct {
	ID       uint   `gorm:"primaryKey"`
	GoalID   uint   `gorm:"not null;index"`
	Position int    `gorm:"not null"`
	Title    string `gorm:"size:300;not null"`
	// PlannedActions (JSON) become tracked actions when the plan is approved.
	PlannedActions string `gorm:"type:text"`
}

// Workshop is the annual 1.5-day workshop with a key customer.
type Workshop struct {
	ID           uint   `gorm:"primaryKey"`
	KeyAccountID uint   `gorm:"not null;index;uniqueIndex:ux_workshop_year"`
	WorkflowID   string `gorm:"size:200;not null;uniqueIndex"`
	Year         int    `gorm:"not null;uniqueIndex:ux_workshop_year"` // one workshop per key account and year
	Status       string `gorm:"size:20;not null"`                      // planning, invited, held, minuted, closed
	StartsAt     *time.Time
	EndsAt       *time.Time
	Place        string `gorm:"size:300"`
	Agenda       string `gorm:"type:text"`
	Minutes      string `gorm:"type:text"`
	MinutesBy    string `gorm:"size:254"`
	MinutesAt    *time.Time
	// MinutesDue is five working days after the end, set with the dates.
	MinutesDue *time.Time
	// DateOptions (JSON, RFC 3339) are the first days proposed to the
	// customer while the status is "proposed".
	DateOptions  string `gorm:"type:text"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Participants []WorkshopParticipant `gorm:"foreignKey:WorkshopID"`
}

// Options are the first days proposed to the customer, in the order
// proposed (none once one is confirmed).
func (w Workshop) Options() []time.Time {
	var out []time.Time
	if w.DateOptions != "" {
		_ = json.Unmarshal([]byte(w.DateOptions), &out)
	}
	return out
}

// WorkshopParticipant is someone from either side.
type WorkshopParticipant struct {
	WorkshopID uint           `gorm:"primaryKey"`
	Side       string         `gorm:"primaryKey;size:10"` // ours or theirs
	PersonID   uint           `gorm:"primaryKey"`         // employee or contact
	Name       string         `gorm:"size:200"`
	Email      string         `gorm:"size:254"`
	Level      HierarchyLevel `gorm:"size:32"`
}

// SavePlanDraft stores a new version of a key account's plan as draft,
// all or nothing.
func (s *Store) SavePlanDraft(ctx context.Context, p *AccountPlan) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var last AccountPlan
		err := tx.Where("key_account_id = ?", p.KeyAccountID).Order("version DESC").First(&last).Error
		switch {
		case err == gorm.ErrRecordNotFound:
			p.Version = 1
		case err != nil:
			return err
		case last.Status == "submitted":
			return fmt.Errorf("%w: the submitted plan waits for its decision", ErrInvalid)
		case last.Status == "draft":
			// Replace the draft.
			if err := tx.Where("goal_id IN (?)", tx.Model(&PlanGoal{}).Select("id").Where("plan_id = ?", last.ID)).Delete(&PlanObjective{}).Error; err != nil {
				return err
			}
			if err := tx.Where("plan_id = ?", last.ID).Delete(&PlanGoal{}).Error; err != nil {
				return err
			}
			if err := tx.Delete(&last).Error; err != nil {
				return err
			}
			p.Version = last.Version
		default:
			p.Version = last.Version + 1
		}
		p.ID, p.Status = 0, "draft"
		return tx.Create(p).Error
	})
	return translate(err, "save plan")
}

// LatestPlan loads a key account's newest plan with goals and objectives.
func (s *Store) LatestPlan(ctx context.Context, keyAccountID uint) (*AccountPlan, error) {
	var p AccountPlan
	err := s.db.WithContext(ctx).Preload("Goals", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Preload("Goals.Objectives", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("key_account_id = ?", keyAccountID).Order("version DESC").First(&p).Error
	if err != nil {
		return nil, translate(err, "account plan")
	}
	return &p, nil
}

// SetPlanStatus moves a plan from one status to another and reports
// whether it did.
func (s *Store) SetPlanStatus(ctx context.Context, planID uint, from, to, by, comment string, at time.Time) (bool, error) {
	upd := map[string]any{"status": to}
	if to == "submitted" {
		upd["submitted_by"], upd["submitted_at"] = by, at.UTC()
	} else {
		upd["decided_by"], upd["decided_at"], upd["comment"] = by, at.UTC(), comment
	}
	res := s.db.WithContext(ctx).Model(&AccountPlan{}).Where("id = ? AND status = ?", planID, from).Updates(upd)
	return res.RowsAffected == 1, translate(res.Error, "set plan status")
}

// AddActions stores actions once per key and returns their IDs in order.
func (s *Store) AddActions(ctx context.Context, actions []Action) ([]uint, error) {
	if len(actions) == 0 {
		return nil, nil
	}
	for i := range actions {
		actions[i].Title = strings.TrimSpace(actions[i].Title)
		actions[i].OwnerEmail = strings.ToLower(strings.TrimSpace(actions[i].OwnerEmail))
		actions[i].Due = actions[i].Due.UTC()
	}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&actions).Error; err != nil {
		return nil, translate(err, "add actions")
	}
	keys := make([]string, len(actions))
	for i, a := range actions {
		keys[i] = a.IdemKey
	}
	var saved []Action
	if err := s.db.WithContext(ctx).Where("idem_key IN ?", keys).Find(&saved).Error; err != nil {
		return nil, translate(err, "add actions")
	}
	byKey := map[string]uint{}
	for _, a := range saved {
		byKey[a.IdemKey] = a.ID
	}
	ids := make([]uint, len(keys))
	for i, k := range keys {
		ids[i] = byKey[k]
	}
	return ids, nil
}

// CompleteAction marks an action done (once).
func (s *Store) CompleteAction(ctx context.Context, id uint, by string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&Action{}).Where("id = ? AND done_at IS NULL", id).Updates(map[string]any{"done_at": at.UTC(), "done_by": by}).Error
	return translate(err, "complete action")
}

// ActionsOf lists a key account's actions, open first by due date.
func (s *Store) ActionsOf(ctx context.Context, keyAccountID uint) ([]Action, error) {
	var out []Action
	err := s.db.WithContext(ctx).Where("key_account_id = ?", keyAccountID).Order("done_at IS NOT NULL, due").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "actions")
}

// AccountActions is one page of a key account's actions with the counts
// its heading and pager show.
type AccountActions struct {
	Rows                 []Action
	Total, Open, Overdue int64
}

// ActionsPage pages through a key account's actions, open first by due
// date, and counts them all, the open and the overdue (due before now) in
// one statement. From the counts it knows how much of the page the open
// actions fill and reads each part in its order from an index (the open
// ones from idx_actions_account_open, the done ones from
// idx_actions_account_due), as many rows as the page shows, rather than
// sorting all of the account's actions on every view. Should an action be
// done between the two statements, the page may show one row of its
// neighbour's; the next view is right again.
func (s *Store) ActionsPage(ctx context.Context, keyAccountID uint, now time.Time, p Page) (AccountActions, error) {
	p = p.normalised()
	var out AccountActions
	var counts struct{ AllActions, OpenActions, OverdueActions int64 }
	err := s.db.WithContext(ctx).Model(&Action{}).Where("key_account_id = ?", keyAccountID).
		Select("COUNT(*) AS all_actions, COALESCE(SUM(CASE WHEN done_at IS NULL THEN 1 ELSE 0 END), 0) AS open_actions, "+
			"COALESCE(SUM(CASE WHEN done_at IS NULL AND due < ? THEN 1 ELSE 0 END), 0) AS overdue_actions", now).Scan(&counts).Error
	if err != nil {
		return out, translate(err, "count actions")
	}
	out.Total, out.Open, out.Overdue = counts.AllActions, counts.OpenActions, counts.OverdueActions
	size := int64(p.Size)
	if int64(p.Number-1) >= (out.Total+size-1)/size {
		return out, nil // past the last page (and no multiplication to overflow)
	}
	skip := int64(p.Number-1) * size
	openSkip := min(skip, out.Open)
	openTake := min(size, out.Open-openSkip)
	doneSkip := skip - openSkip
	doneTake := min(size-openTake, out.Total-out.Open-doneSkip)
	part := func(cond string, skip, take int64) *gorm.DB {
		return s.db.WithContext(ctx).Table("actions").Select(actionColumns).Where("actions.key_account_id = ? AND "+cond, keyAccountID).
			Order("actions.due, actions.id").Offset(int(skip)).Limit(int(take))
	}
	open, done := part("actions.done_at IS NULL", openSkip, openTake), part("actions.done_at IS NOT NULL", doneSkip, doneTake)
	var rows *sql.Rows
	switch {
	case openTake > 0 && doneTake > 0:
		rows, err = s.db.WithContext(ctx).Raw("SELECT * FROM (?) AS open_actions UNION ALL SELECT * FROM (?) AS done_actions", open, done).Rows()
	case openTake > 0:
		rows, err = open.Rows()
	case doneTake > 0:
		rows, err = done.Rows()
	default:
		return out, nil
	}
	if out.Rows, err = scanAll(rows, err, scanAction); err != nil {
		return out, translate(err, "actions")
	}
	// UNION ALL promises no order between its parts: the open ones first,
	// each part in its own order.
	slices.SortStableFunc(out.Rows, func(a, b Action) int { return cmp.Compare(doneRank(a), doneRank(b)) })
	return out, nil
}

func doneRank(a Action) int {
	if a.DoneAt != nil {
		return 1
	}
	return 0
}

// actionColumns are an action's columns in the order scanAction reads
// them; a test holds them to every column of the model.
const actionColumns = "actions.id, actions.idem_key, actions.key_account_id, actions.source, actions.source_id, actions.objective_id, " +
	"actions.title, actions.owner_email, actions.due, actions.done_at, actions.done_by, actions.created_at"

// scanAction reads one row of actionColumns.
func scanAction(rows *sql.Rows) (Action, error) {
	var (
		a         Action
		objective sql.NullInt64
		doneAt    sql.NullTime
		doneBy    sql.NullString
	)
	if err := rows.Scan(&a.ID, &a.IdemKey, &a.KeyAccountID, &a.Source, &a.SourceID, &objective, &a.Title, &a.OwnerEmail,
		&a.Due, &doneAt, &doneBy, &a.CreatedAt); err != nil {
		return Action{}, err
	}
	a.ObjectiveID, a.DoneAt, a.DoneBy = uintOrNil(objective), timeOrNil(doneAt), doneBy.String
	return a, nil
}

// ActionsFrom lists the actions agreed in one plan or workshop, in the
// order they were agreed.
func (s *Store) ActionsFrom(ctx context.Context, source string, sourceID uint) ([]Action, error) {
	var out []Action
	err := s.db.WithContext(ctx).Where("source = ? AND source_id = ?", source, sourceID).Order("id").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "actions")
}

// OpenActionsOwnedBy lists open actions an e-mail owns (calendars, home pages).
func (s *Store) OpenActionsOwnedBy(ctx context.Context, email string) ([]Action, error) {
	var out []Action
	err := s.db.WithContext(ctx).Where("owner_email = ? AND done_at IS NULL", strings.ToLower(email)).Order("due").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "open actions")
}

// UpcomingWorkshopsOf lists the first limit workshops an employee takes
// part in that have not ended, soonest first; the years of past workshops
// are not read.
func (s *Store) UpcomingWorkshopsOf(ctx context.Context, employeeID uint, now time.Time, limit int) ([]Workshop, error) {
	var out []Workshop
	err := s.db.WithContext(ctx).Joins("JOIN workshop_participants wp ON wp.workshop_id = workshops.id").
		Where("wp.side = ? AND wp.person_id = ? AND workshops.starts_at IS NOT NULL AND workshops.ends_at > ?", "ours", employeeID, now.UTC()).
		Order("workshops.starts_at, workshops.id").Limit(limit).Find(&out).Error
	return out, translate(err, "upcoming workshops of employee")
}

// OpenActionsPage lists the first limit open actions an e-mail owns,
// soonest due first, and how many she has open in all.
func (s *Store) OpenActionsPage(ctx context.Context, email string, limit int) ([]Action, int64, error) {
	open := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&Action{}).Where("owner_email = ? AND done_at IS NULL", strings.ToLower(email))
	}
	var out []Action
	if err := open().Order("due, id").Limit(limit).Find(&out).Error; err != nil {
		return nil, 0, translate(err, "open actions")
	}
	total, err := countUnlessComplete(open(), Page{Number: 1, Size: limit}, len(out))
	return out, total, translate(err, "count open actions")
}

// CreateWorkshop records a workshop with its suggested participants once
// per workflow. A key account has one workshop a year: when another
// workflow (an on-demand start and the Schedule's, say) holds this year's,
// it answers ErrDuplicate with that workshop in *w.
func (s *Store) CreateWorkshop(ctx context.Context, w *Workshop) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing Workshop
		err := tx.Preload("Participants").Where("workflow_id = ?", w.WorkflowID).First(&existing).Error
		if err == nil {
			*w = existing
			return nil
		}
		if err != gorm.ErrRecordNotFound {
			return err
		}
		return tx.Create(w).Error
	})
	if err != nil && (isUniqueViolation(err) || errors.Is(err, gorm.ErrDuplicatedKey)) {
		var existing Workshop
		if lErr := s.db.WithContext(ctx).Where("key_account_id = ? AND year = ?", w.KeyAccountID, w.Year).First(&existing).Error; lErr == nil {
			*w = existing
		}
	}
	return translate(err, "create workshop")
}

// WorkshopOfYear returns the key account's workshop of year.
func (s *Store) WorkshopOfYear(ctx context.Context, keyAccountID uint, year int) (*Workshop, error) {
	var w Workshop
	if err := s.db.WithContext(ctx).Where("key_account_id = ? AND year = ?", keyAccountID, year).First(&w).Error; err != nil {
		return nil, translate(err, "workshop of the year")
	}
	return &w, nil
}

// UpdateWorkshop stores dates, status or minutes of a workshop.
func (s *Store) UpdateWorkshop(ctx context.Context, id uint, fields map[string]any) error {
	return translate(s.db.WithContext(ctx).Model(&Workshop{}).Where("id = ?", id).Updates(fields).Error, "update workshop")
}

// SetWorkshopParticipants replaces a workshop's participants, all or
// nothing.
func (s *Store) SetWorkshopParticipants(ctx context.Context, workshopID uint, people []WorkshopParticipant) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Select("id").First(&Workshop{}, workshopID).Error; err != nil {
			return err
		}
		if err := tx.Where("workshop_id = ?", workshopID).Delete(&WorkshopParticipant{}).Error; err != nil {
			return err
		}
		if len(people) == 0 {
			return nil
		}
		rows := make([]WorkshopParticipant, len(people))
		for i, p := range people {
			p.WorkshopID = workshopID
			rows[i] = p
		}
		return tx.Create(&rows).Error
	})
	return translate(err, fmt.Sprintf("participants of workshop %d", workshopID))
}

// WorkshopByID loads a workshop with participants.
func (s *Store) WorkshopByID(ctx context.Context, id uint) (*Workshop, error) {
	var w Workshop
	if err := s.db.WithContext(ctx).Preload("Participants").First(&w, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("workshop %d", id))
	}
	return &w, nil
}

// OpenWorkshopWorkflows names the workflows of a key account's workshops
// that have not closed, oldest first: this year's and any earlier one still
// tracking its actions.
func (s *Store) OpenWorkshopWorkflows(ctx context.Context, keyAccountID uint) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Model(&Workshop{}).Where("key_account_id = ? AND status <> ?", keyAccountID, "closed").
		Order("id").Limit(MaxPageSize).Pluck("workflow_id", &out).Error
	return out, translate(err, "open workshops")
}

// WorkshopsOf lists a key account's workshops, newest first.
func (s *Store) WorkshopsOf(ctx context.Context, keyAccountID uint) ([]Workshop, error) {
	var out []Workshop
	err := s.db.WithContext(ctx).Where("key_account_id = ?", keyAccountID).Order("id DESC").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "workshops")
}

// WorkshopsOfEmployee lists dated workshops an employee takes part in.
func (s *Store) WorkshopsOfEmployee(ctx context.Context, employeeID uint) ([]Workshop, error) {
	var out []Workshop
	err := s.db.WithContext(ctx).Joins("JOIN workshop_participants wp ON wp.workshop_id = workshops.id").
		Where("wp.side = ? AND wp.person_id = ? AND workshops.starts_at IS NOT NULL", "ours", employeeID).Find(&out).Error
	return out, translate(err, "workshops of employee")
}

// SuggestWorkshopParticipants proposes their top people (board and
// management) and, for each, our counterpart at the same level: one with a
// relationship to that person, else the KAM.
func (s *Store) SuggestWorkshopParticipants(ctx context.Context, keyAccountID uint) ([]WorkshopParticipant, error) {
	m, err := s.ContactMatrix(ctx, keyAccountID, time.Now(), 365*24*time.Hour)
	if err != nil {
		return nil, err
	}
	var out []WorkshopParticipant
	ours := map[uint]bool{}
	addOurs := func(id uint, name string, level HierarchyLevel, email string) {
		if !ours[id] {
			ours[id] = true
			out = append(out, WorkshopParticipant{Side: "ours", PersonID: id, Name: name, Level: level, Email: email})
		}
	}
	if m.KAM != nil {
		addOurs(m.KAM.ID, m.KAM.Name, m.KAM.HierarchyLevel, m.KAM.Email)
	}
	for _, r := range m.Rows {
		if r.Level != LevelBoard && r.Level != LevelManagement {
			continue
		}
		for _, mc := range r.Contacts {
			out = append(out, WorkshopParticipant{Side: "theirs", PersonID: mc.Contact.ID, Name: mc.Contact.Name, Email: mc.Contact.Email, Level: r.Level})
			for _, cp := range mc.Counterparts {
				if !cp.LevelMismatch {
					addOurs(cp.EmployeeID, cp.EmployeeName, cp.EmployeeLevel, cp.EmployeeEmail)
				}
			}
		}
	}
	return out, nil
}

// ActionByID loads one action.
func (s *Store) ActionByID(ctx context.Context, id uint) (*Action, error) {
	var a Action
	if err := s.db.WithContext(ctx).First(&a, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("action %d", id))
	}
	return &a, nil
}

// PlanVersion returns the version of the plan with the given ID.
func (s *Store) PlanVersion(ctx context.Context, planID uint) (int, error) {
	var p AccountPlan
	if err := s.db.WithContext(ctx).Select("id", "version").First(&p, planID).Error; err != nil {
		return 0, translate(err, fmt.Sprintf("account plan %d", planID))
	}
	return p.Version, nil
}
