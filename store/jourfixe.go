package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// JourFixe is one internal customer conference, for one key account or all
// of a programme's.
type JourFixe struct {
	ID           uint   `gorm:"primaryKey"`
	WorkflowID   string `gorm:"size:200;not null;uniqueIndex"`
	ProgrammeID  uint   `gorm:"not null;index"`
	KeyAccountID *uint
	MeetingAt    time.Time `gorm:"not null"`
	Status       string    `gorm:"size:20;not null"` // collecting, held
	Summary      string    `gorm:"type:text"`
	CreatedAt    time.Time
}

// JourFixeInput is one participant's view of one account.
type JourFixeInput struct {
	JourFixeID   uint   `gorm:"primaryKey"`
	KeyAccountID uint   `gorm:"primaryKey"`
	EmployeeID   uint   `gorm:"primaryKey"`
	Satisfaction int    `gorm:"not null"`
	Developments string `gorm:"type:text"`
	Needs        string `gorm:"type:text"`
	Risks        string `gorm:"type:text"`
	UpdatedAt    time.Time
}

// JourFixeAsked records that a jour fixe asked an employee about one key
// account; the rows are written once, when the meeting is prepared.
type JourFixeAsked struct {
	JourFixeID   uint   `gorm:"primaryKey"`
	EmployeeID   uint   `gorm:"primaryKey"`
	KeyAccountID uint   `gorm:"primaryKey"`
	Email        string `gorm:"size:254;not null"`
	Name         string `gorm:"size:200"`
}

// TableName keeps the table's name readable.
func (JourFixeAsked) TableName() string { return "jour_fixe_participants" }

// JourFixeParticipant is someone asked for input on some accounts.
type JourFixeParticipant struct {
	EmployeeID uint
	Email      string
	Name       string
	Accounts   []uint // key account IDs
}

// PrepareJourFixe records the meeting (once per workflow) and lists who is
// asked about which accounts: everyone with a counterpart relationship to
// the account's contacts, plus its KAM and deputy. The list is stored with
// the meeting; repeating it returns the stored list.
func (s *Store) PrepareJourFixe(ctx context.Context, j *JourFixe) ([]JourFixeParticipant, []KeyAccount, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing JourFixe
		err := tx.Where("workflow_id = ?", j.WorkflowID).First(&existing).Error
		if err == nil {
			*j = existing
			return nil
		}
		if err != gorm.ErrRecordNotFound {
			return err
		}
		j.Status = "collecting"
		return tx.Create(j).Error
	})
	if err != nil {
		return nil, nil, translate(err, "prepare jour fixe")
	}
	q := s.db.WithContext(ctx).Where("programme_id = ?", j.ProgrammeID)
	if j.KeyAccountID != nil {
		q = q.Where("id = ?", *j.KeyAccountID)
	}
	var kas []KeyAccount
	if err := q.Order("id").Find(&kas).Error; err != nil {
		return nil, nil, translate(err, "jour fixe accounts")
	}
	if asked, err := s.jourFixeAsked(ctx, j.ID); err != nil || len(asked) > 0 {
		return asked, kas, err
	}
	accountsOf := map[uint]map[uint]bool{}
	add := func(emp *uint, ka uint) {
		if emp == nil {
			return
		}
		if accountsOf[*emp] == nil {
			accountsOf[*emp] = map[uint]bool{}
		}
		accountsOf[*emp][ka] = true
	}
	customerKA := map[uint]uint{}
	var customerIDs []uint
	for i := range kas {
		add(kas[i].Responsible(), kas[i].ID)
		add(kas[i].DeputyEmployeeID, kas[i].ID)
		customerKA[kas[i].CustomerID] = kas[i].ID
		customerIDs = append(customerIDs, kas[i].CustomerID)
	}
	if len(customerIDs) > 0 {
		type rel struct {
			EmployeeID uint
			CustomerID uint
		}
		var rels []rel
		if err := s.db.WithContext(ctx).Table("relationships").Select("relationships.employee_id, contacts.customer_id").
			Joins("JOIN contacts ON contacts.id = relationships.contact_id").
			Where("contacts.customer_id IN ? AND relationships.ended_at IS NULL", customerIDs).Scan(&rels).Error; err != nil {
			return nil, nil, translate(err, "jour fixe relationships")
		}
		for _, r := range rels {
			id := r.EmployeeID
			add(&id, customerKA[r.CustomerID])
		}
	}
	ids := make([]uint, 0, len(accountsOf))
	for id := range accountsOf {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	emps, err := s.EmployeesByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var rows []JourFixeAsked
	for _, id := range ids {
		for ka := range accountsOf[id] {
			rows = append(rows, JourFixeAsked{JourFixeID: j.ID, EmployeeID: id, KeyAccountID: ka, Email: strings.ToLower(emps[id].Email), Name: emps[id].Name})
		}
	}
	if len(rows) > 0 {
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
			return nil, nil, translate(err, "jour fixe participants")
		}
	}
	out, err := s.jourFixeAsked(ctx, j.ID)
	return out, kas, err
}

// jourFixeAsked lists who a jour fixe asked about which accounts, by
// employee; nil when it asked nobody (or was prepared before the list was
// kept).
func (s *Store) jourFixeAsked(ctx context.Context, jourFixeID uint) ([]JourFixeParticipant, error) {
	var rows []JourFixeAsked
	if err := s.db.WithContext(ctx).Where("jour_fixe_id = ?", jourFixeID).Order("employee_id, key_account_id").Find(&rows).Error; err != nil {
		return nil, translate(err, "jour fixe participants")
	}
	var out []JourFixeParticipant
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].EmployeeID != r.EmployeeID {
			out = append(out, JourFixeParticipant{EmployeeID: r.EmployeeID, Email: r.Email, Name: r.Name})
		}
		out[len(out)-1].Accounts = append(out[len(out)-1].Accounts, r.KeyAccountID)
	}
	return out, nil
}

// SaveJourFixeInput stores (or replaces) a participant's input on an account.
func (s *Store) SaveJourFixeInput(ctx context.Context, in JourFixeInput) error {
	if in.Satisfaction < 1 || in.Satisfaction > 5 {
		return fmt.Errorf("jour fixe input: %w: satisfaction must be 1 to 5", ErrInvalid)
	}
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&in).Error, "save jour fixe input")
}

// AccountPicture pools the inputs on one account.
type AccountPicture struct {
	KeyAccountID uint
	Inputs       int
	Satisfaction float64
	Developments []string
	Needs        []string
	Risks        []string
}

// PoolJourFixe pools the inputs into one picture per account, stores the
// summary and marks the meeting held; repeating it gives the same result.
func (s *Store) PoolJourFixe(ctx context.Context, jourFixeID uint) ([]AccountPicture, string, error) {
	inputs, err := s.jourFixeInputs(ctx, jourFixeID)
	if err != nil {
		return nil, "", translate(err, "pool jour fixe")
	}
	pics := poolInputs(inputs)
	summary := SummaryOf(pics)
	err = s.db.WithContext(ctx).Model(&JourFixe{}).Where("id = ?", jourFixeID).Updates(map[string]any{"status": "held", "summary": summary}).Error
	return pics, summary, translate(err, "pool jour fixe")
}

// SummaryOf writes pictures as the meeting's summary text; callers pass
// only the accounts the reader may see.
func SummaryOf(pics []AccountPicture) string {
	var b strings.Builder
	for _, p := range pics {
		fmt.Fprintf(&b, "Key account %d: satisfaction %.1f from %d inputs\n", p.KeyAccountID, p.Satisfaction, p.Inputs)
		for _, x := range []struct {
			label string
			items []string
		}{{"Developments", p.Developments}, {"Needs", p.Needs}, {"Risks", p.Risks}} {
			if len(x.items) > 0 {
				fmt.Fprintf(&b, "  %s: %s\n", x.label, strings.Join(x.items, "; "))
			}
		}
	}
	return b.String()
}

func (s *Store) jourFixeInputs(ctx context.Context, jourFixeID uint) ([]JourFixeInput, error) {
	var inputs []JourFixeInput
	err := s.db.WithContext(ctx).Where("jour_fixe_id = ?", jourFixeID).Order("key_account_id, employee_id").Find(&inputs).Error
	return inputs, err
}

// poolInputs makes one picture per account of inputs sorted by account.
func poolInputs(inputs []JourFixeInput) []AccountPicture {
	var pics []AccountPicture
	for _, in := range inputs {
		if len(pics) == 0 || pics[len(pics)-1].KeyAccountID != in.KeyAccountID {
			pics = append(pics, AccountPicture{KeyAccountID: in.KeyAccountID})
		}
		p := &pics[len(pics)-1]
		p.Satisfaction = (p.Satisfaction*float64(p.Inputs) + float64(in.Satisfaction)) / float64(p.Inputs+1)
		p.Inputs++
		for _, x := range []struct {
			dst *[]string
			v   string
		}{{&p.Developments, in.Developments}, {&p.Needs, in.Needs}, {&p.Risks, in.Risks}} {
			if v := strings.TrimSpace(x.v); v != "" {
				*x.dst = append(*x.dst, v)
			}
		}
	}
	return pics
}

// JourFixeRecord is a jour fixe as the record keeps it: who was asked
// about which account, every input and the pooled picture per account.
type JourFixeRecord struct {
	JourFixe
	Participants []JourFixeParticipant
	Inputs       []JourFixeInput
	Pictures     []AccountPicture
}

// JourFixeRecordByID loads a jour fixe with its participants, inputs and
// pictures.
func (s *Store) JourFixeRecordByID(ctx context.Context, id uint) (*JourFixeRecord, error) {
	j, err := s.JourFixeByID(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &JourFixeRecord{JourFixe: *j}
	if r.Participants, err = s.jourFixeAsked(ctx, id); err != nil {
		return nil, err
	}
	if r.Inputs, err = s.jourFixeInputs(ctx, id); err != nil {
		return nil, translate(err, "jour fixe inputs")
	}
	r.Pictures = poolInputs(r.Inputs)
	return r, nil
}

// SatisfactionPoint is an account's average satisfaction at one meeting.
type SatisfactionPoint struct {
	MeetingAt    time.Time
	Satisfaction float64
	Inputs       int
}

// SatisfactionHistory lists an account's satisfaction per jour fixe, oldest first.
func (s *Store) SatisfactionHistory(ctx context.Context, keyAccountID uint) ([]SatisfactionPoint, error) {
	var out []SatisfactionPoint
	err := s.db.WithContext(ctx).Table("jour_fixe_inputs").
		Select("jour_fixes.meeting_at AS meeting_at, AVG(jour_fixe_inputs.satisfaction) AS satisfaction, COUNT(*) AS inputs").
		Joins("JOIN jour_fixes ON jour_fixes.id = jour_fixe_inputs.jour_fixe_id").
		Where("jour_fixe_inputs.key_account_id = ?", keyAccountID).
		Group("jour_fixes.id, jour_fixes.meeting_at").Order("jour_fixes.meeting_at").Scan(&out).Error
	return out, translate(err, "satisfaction history")
}

// JourFixeByID loads a jour fixe.
func (s *Store) JourFixeByID(ctx context.Context, id uint) (*JourFixe, error) {
	var j JourFixe
	if err := s.db.WithContext(ctx).First(&j, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("jour fixe %d", id))
	}
	return &j, nil
}

// JourFixesOf lists a programme's jour fixes, newest first.
func (s *Store) JourFixesOf(ctx context.Context, programmeID uint) ([]JourFixe, error) {
	var out []JourFixe
	err := s.db.WithContext(ctx).Where("programme_id = ?", programmeID).Order("id DESC").Limit(MaxPageSize).Find(&out).Error
	return out, translate(err, "jour fixes")
}

// averageSatisfaction of the accounts' inputs since a time, per key
// account (accounts without inputs are absent); one query.
func averageSatisfaction(tx *gorm.DB, keyAccountIDs []uint, since time.Time) (map[uint]float64, error) {
	out := map[uint]float64{}
	if len(keyAccountIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		KeyAccountID uint
		Avg          float64
	}
	err := tx.Table("jour_fixe_inputs").Select("jour_fixe_inputs.key_account_id, AVG(jour_fixe_inputs.satisfaction) AS avg").
		Joins("JOIN jour_fixes ON jour_fixes.id = jour_fixe_inputs.jour_fixe_id").
		Where("jour_fixe_inputs.key_account_id IN ? AND jour_fixes.meeting_at >= ?", keyAccountIDs, since).
		Group("jour_fixe_inputs.key_account_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.KeyAccountID] = r.Avg
	}
	return out, err
}

// JourFixeSchedule mirrors a monthly jour-fixe Schedule the programme's
// lead set (KeyAccountID 0: for all its key accounts), so the programme
// page shows it without asking Temporal.
type JourFixeSchedule struct {
	ProgrammeID  uint   `gorm:"primaryKey;autoIncrement:false"`
	KeyAccountID uint   `gorm:"primaryKey;autoIncrement:false"`
	DayOfMonth   int    `gorm:"not null"`
	SetBy        string `gorm:"size:254;not null"`
	UpdatedAt    time.Time
}

// SaveJourFixeSchedule stores (or changes) a jour-fixe schedule.
func (s *Store) SaveJourFixeSchedule(ctx context.Context, js JourFixeSchedule) error {
	if js.DayOfMonth < 1 || js.DayOfMonth > 28 {
		return invalid("day_of_month", "day_of_month is 1 to 28")
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&js).Error
	return translate(err, "save jour fixe schedule")
}

// DeleteJourFixeSchedule removes a jour-fixe schedule; false when there
// was none.
func (s *Store) DeleteJourFixeSchedule(ctx context.Context, programmeID, keyAccountID uint) (bool, error) {
	res := s.db.WithContext(ctx).Where("programme_id = ? AND key_account_id = ?", programmeID, keyAccountID).Delete(&JourFixeSchedule{})
	return res.RowsAffected > 0, translate(res.Error, "delete jour fixe schedule")
}

// JourFixeSchedulesOf lists a programme's jour-fixe schedules, the one for
// all key accounts first.
func (s *Store) JourFixeSchedulesOf(ctx context.Context, programmeID uint) ([]JourFixeSchedule, error) {
	var out []JourFixeSchedule
	err := s.db.WithContext(ctx).Where("programme_id = ?", programmeID).Order("key_account_id").Find(&out).Error
	return out, translate(err, "jour fixe schedules")
}

// JourFixeByWorkflowID loads the jour fixe a workflow prepared.
func (s *Store) JourFixeByWorkflowID(ctx context.Context, workflowID string) (*JourFixe, error) {
	var j JourFixe
	if err := s.db.WithContext(ctx).Where("workflow_id = ?", workflowID).First(&j).Error; err != nil {
		return nil, translate(err, "jour fixe "+workflowID)
	}
	return &j, nil
}
