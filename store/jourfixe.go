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

// JourFixeParticipant is someone asked for input on some accounts.
type JourFixeParticipant struct {
	EmployeeID uint
	Email      string
	Name       string
	Accounts   []uint // key account IDs
}

// PrepareJourFixe records the meeting (once per workflow) and lists who is
// asked about which accounts: everyone with a counterpart relationship to
// the account's contacts, plus its KAM and deputy.
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
	var out []JourFixeParticipant
	for _, id := range ids {
		p := JourFixeParticipant{EmployeeID: id, Email: emps[id].Email, Name: emps[id].Name}
		for ka := range accountsOf[id] {
			p.Accounts = append(p.Accounts, ka)
		}
		sort.Slice(p.Accounts, func(a, b int) bool { return p.Accounts[a] < p.Accounts[b] })
		out = append(out, p)
	}
	return out, kas, nil
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
	var inputs []JourFixeInput
	if err := s.db.WithContext(ctx).Where("jour_fixe_id = ?", jourFixeID).Order("key_account_id, employee_id").Find(&inputs).Error; err != nil {
		return nil, "", translate(err, "pool jour fixe")
	}
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
	summary := b.String()
	err := s.db.WithContext(ctx).Model(&JourFixe{}).Where("id = ?", jourFixeID).Updates(map[string]any{"status": "held", "summary": summary}).Error
	return pics, summary, translate(err, "pool jour fixe")
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
