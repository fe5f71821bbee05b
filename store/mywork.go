package store

import (
	"context"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Kinds of work waiting for someone (WorkItem.Kind), beside WorkAction
// (an open plan or workshop action she owns) and WorkMeasure (an open
// review measure she owns).
const (
	WorkGate     = "gate"     // a submitted gate to approve or reject
	WorkPlan     = "plan"     // a submitted account plan to decide
	WorkHandover = "handover" // open checklist items of a handover she is in
	WorkJourFixe = "jourfixe" // jour-fixe input asked of her, not given yet
	WorkWorkshop = "workshop" // a workshop of her account: dates to propose or confirm, minutes due
	WorkTraining = "training" // a training session she is enrolled in
)

// WorkItem is one thing waiting for a user, with what it is about and
// when it is due; the IDs name what a link or a form acts on.
type WorkItem struct {
	Kind  string
	Title string
	// About names the programme or the customer.
	About string
	Due   time.Time
	// Step says what is to be done where a kind has several (workshop:
	// "dates", "confirm" or "minutes"; gate: the phase; training: the enrolment's
	// status; handover: the open items, comma-separated).
	Step         string
	ProgrammeID  uint
	KeyAccountID uint
	ReviewID     uint
	// ID is the action, measure, handover, jour fixe, workshop or
	// enrolment.
	ID uint
	// Place is a training session's place (address or online link).
	Place string
}

// WorkQuery says whose work to list: her e-mail, her employee record (if
// any), and whether she decides as a lead or a committee member.
type WorkQuery struct {
	Email      string
	EmployeeID *uint
	Lead       bool
	Committee  bool
	Now        time.Time
}

// WorkWaitingFor lists everything waiting for one user, soonest due first:
// one query per kind of work, none per item.
func (s *Store) WorkWaitingFor(ctx context.Context, q WorkQuery) ([]WorkItem, error) {
	items, _, err := s.workWaiting(ctx, q, MaxPageSize, false)
	return items, err
}

// WorkSummary is My work in short: how many items wait, how many of them
// are overdue, and the soonest few.
type WorkSummary struct {
	Total, Overdue int
	Next           []WorkItem
}

// WorkSummaryFor counts everything waiting for one user and reads only
// the soonest n items of each kind, of which it keeps the soonest n: the
// start page's view of My work costs the same however much waits.
func (s *Store) WorkSummaryFor(ctx context.Context, q WorkQuery, n int) (WorkSummary, error) {
	items, count, err := s.workWaiting(ctx, q, n, true)
	if err != nil {
		return WorkSummary{}, err
	}
	return WorkSummary{Total: count.Total, Overdue: count.Overdue, Next: items[:min(len(items), n)]}, nil
}

// workCount is how many items of work wait and how many of them are
// overdue (due before WorkQuery.Now).
type workCount struct{ Total, Overdue int }

func (c *workCount) add(o workCount) { c.Total, c.Overdue = c.Total+o.Total, c.Overdue+o.Overdue }

// kindCount counts one kind of work: from the items read when they are
// fewer than limit (then they are all of it), otherwise with one more
// statement over all of it. Most people have a few items of each kind, so
// their summary costs no statement more than reading them; someone with
// hundreds pays one count per full kind, not the rows. (Counting in the
// reading statement with window functions cost every reader more.)
func kindCount(all *gorm.DB, due string, dueArgs []any, items []WorkItem, limit int, now time.Time) (workCount, error) {
	if len(items) < limit {
		c := workCount{Total: len(items)}
		for _, it := range items {
			if it.Due.Before(now) {
				c.Overdue++
			}
		}
		return c, nil
	}
	var c struct{ Total, Overdue int }
	err := all.Select("COUNT(*) AS total, COALESCE(SUM(CASE WHEN "+due+" < ? THEN 1 ELSE 0 END), 0) AS overdue", append(dueArgs, now)...).Scan(&c).Error
	return workCount{Total: c.Total, Overdue: c.Overdue}, err
}

// planDue is when a submitted plan is due: while the programme's plan phase
// runs, the phase's due date; later revisions wait since they were
// submitted (now, for a plan without a submission time).
const planDue = "CASE WHEN pp.due IS NOT NULL AND pp.status IS NOT NULL AND pp.status <> 'done' THEN pp.due ELSE COALESCE(ap.submitted_at, ?) END"

// workshopDue is when a workshop's work is due: its dates from its start
// (created); its minutes five working days after it ended.
const workshopDue = "CASE WHEN w.status = 'invited' THEN COALESCE(w.minutes_due, w.ends_at, w.created_at) ELSE w.created_at END"

// workWaiting reads each kind of work waiting for q's user, at most limit
// items of a kind, soonest due first; counted, it counts them all.
func (s *Store) workWaiting(ctx context.Context, q WorkQuery, limit int, counted bool) ([]WorkItem, workCount, error) {
	email := strings.ToLower(strings.TrimSpace(q.Email))
	var out []WorkItem
	var count workCount
	db := s.db.WithContext(ctx)
	// tally counts the kind whose items were appended to out from index
	// from on; all selects the whole kind.
	tally := func(all func() *gorm.DB, due string, dueArgs []any, from int, what string) error {
		if !counted {
			return nil
		}
		c, err := kindCount(all(), due, dueArgs, out[from:], limit, q.Now)
		count.add(c)
		return translate(err, "count "+what)
	}
	if q.Committee {
		var gates []Approval
		all := func() *gorm.DB { return approvalsWaiting(db, email) }
		err := all().Select("programme_phases.programme_id, programmes.name AS programme_name, programme_phases.phase, programme_phases.due").
			Order("programme_phases.due, programme_phases.programme_id").Limit(limit).Scan(&gates).Error
		if err != nil {
			return nil, count, translate(err, "approvals waiting")
		}
		from := len(out)
		for _, g := range gates {
			out = append(out, WorkItem{Kind: WorkGate, Title: g.Phase, About: g.ProgrammeName, Due: g.Due, Step: g.Phase, ProgrammeID: g.ProgrammeID})
		}
		if err := tally(all, "programme_phases.due", nil, from, "approvals waiting"); err != nil {
			return nil, count, err
		}
	}
	if q.Lead || q.Committee {
		var plans []struct {
			ID, KeyAccountID, ProgrammeID uint
			SubmittedAt                   *time.Time
			CustomerName, ProgrammeName   string
			PhaseDue                      *time.Time
			PhaseStatus                   *string
		}
		var cond []string
		var args []any
		if q.Lead {
			cond, args = append(cond, "LOWER(p.lead_email) = ?"), append(args, email)
		}
		if q.Committee {
			cond = append(cond, "EXISTS (SELECT 1 FROM programme_committees pc WHERE pc.programme_id = p.id AND pc.email = ?)")
			args = append(args, email)
		}
		all := func() *gorm.DB {
			return db.Table("account_plans AS ap").
				Joins("JOIN key_accounts ka ON ka.id = ap.key_account_id").
				Joins("JOIN programmes p ON p.id = ka.programme_id").
				Joins("LEFT JOIN programme_phases pp ON pp.programme_id = p.id AND pp.phase = ?", "account_plans").
				Where("ap.status = ?", "submitted").
				Where(strings.Join(cond, " OR "), args...)
		}
		err := all().Select("ap.id, ap.key_account_id, ka.programme_id, ap.submitted_at, ka.customer_name, p.name AS programme_name, pp.due AS phase_due, pp.status AS phase_status, "+
			planDue+" AS due_at", q.Now).
			Order("due_at, ap.id").Limit(limit).Scan(&plans).Error
		if err != nil {
			return nil, count, translate(err, "plans waiting")
		}
		from := len(out)
		for _, p := range plans {
			// planDue, read in Go: a computed column comes back as text.
			due := q.Now
			if p.SubmittedAt != nil {
				due = *p.SubmittedAt
			}
			if p.PhaseDue != nil && p.PhaseStatus != nil && *p.PhaseStatus != "done" {
				due = *p.PhaseDue
			}
			out = append(out, WorkItem{Kind: WorkPlan, Title: p.CustomerName, About: p.ProgrammeName, Due: due, ProgrammeID: p.ProgrammeID, KeyAccountID: p.KeyAccountID, ID: p.ID})
		}
		if err := tally(all, planDue, []any{q.Now}, from, "plans waiting"); err != nil {
			return nil, count, err
		}
	}
	if email != "" {
		var actions []struct {
			Action
			ProgrammeID  uint
			CustomerName string
		}
		all := func() *gorm.DB {
			return db.Table("actions AS a").Joins("JOIN key_accounts ka ON ka.id = a.key_account_id").
				Where("a.owner_email = ? AND a.done_at IS NULL", email)
		}
		err := all().Select("a.*, ka.programme_id, ka.customer_name").Order("a.due, a.id").Limit(limit).Scan(&actions).Error
		if err != nil {
			return nil, count, translate(err, "actions waiting")
		}
		from := len(out)
		for _, a := range actions {
			out = append(out, WorkItem{Kind: WorkAction, Title: a.Title, About: a.CustomerName, Due: a.Due, Step: a.Source,
				ProgrammeID: a.ProgrammeID, KeyAccountID: a.KeyAccountID, ID: a.ID})
		}
		if err := tally(all, "a.due", nil, from, "actions waiting"); err != nil {
			return nil, count, err
		}
		var measures []struct {
			Measure
			ProgrammeID   uint
			ProgrammeName string
			CustomerName  *string
		}
		all = func() *gorm.DB {
			return db.Table("measures AS m").
				Joins("JOIN reviews r ON r.id = m.review_id").
				Joins("JOIN programmes p ON p.id = r.programme_id").
				Joins("LEFT JOIN customers c ON c.id = m.customer_id").
				Where("m.owner_email = ? AND m.done_at IS NULL AND r.status <> ?", email, ReviewClosed)
		}
		err = all().Select("m.*, r.programme_id, p.name AS programme_name, c.name AS customer_name").
			Order("m.due, m.id").Limit(limit).Scan(&measures).Error
		if err != nil {
			return nil, count, translate(err, "measures waiting")
		}
		from = len(out)
		for _, m := range measures {
			about := m.ProgrammeName
			if m.CustomerName != nil {
				about = *m.CustomerName
			}
			out = append(out, WorkItem{Kind: WorkMeasure, Title: m.Title, About: about, Due: m.Due, ProgrammeID: m.ProgrammeID, ReviewID: m.ReviewID, ID: m.ID})
		}
		if err := tally(all, "m.due", nil, from, "measures waiting"); err != nil {
			return nil, count, err
		}
	}
	// A person is in a few handovers at a time; whether one still waits
	// depends on its checklist, so they are read whole and counted here.
	handovers, err := s.handoversWaitingFor(ctx, email, q.EmployeeID, q.Lead)
	if err != nil {
		return nil, count, err
	}
	for _, h := range handovers {
		count.Total++
		if h.Due.Before(q.Now) {
			count.Overdue++
		}
	}
	out = append(out, handovers...)
	if q.EmployeeID != nil {
		more, c, err := s.employeeWork(ctx, *q.EmployeeID, q.Now, limit, counted)
		if err != nil {
			return nil, count, err
		}
		out = append(out, more...)
		count.add(c)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, count, nil
}

// handoversWaitingFor: open handovers she is outgoing, covering or
// incoming in, or leads, with their open checklist items; due when the
// handover counts as stalled (its last progress plus the stall time).
func (s *Store) handoversWaitingFor(ctx context.Context, email string, employeeID *uint, lead bool) ([]WorkItem, error) {
	var cond []string
	var args []any
	if employeeID != nil {
		e := *employeeID
		cond = append(cond, "h.outgoing_employee_id = ? OR h.covering_employee_id = ? OR h.incoming_employee_id = ?")
		args = append(args, e, e, e)
	}
	if lead && email != "" {
		cond = append(cond, "LOWER(h.lead_email) = ?")
		args = append(args, email)
	}
	if len(cond) == 0 {
		return nil, nil
	}
	var rows []struct {
		Handover
		ProgrammeID  uint
		CustomerName string
	}
	err := s.db.WithContext(ctx).Table("handovers AS h").Select("h.*, ka.programme_id, ka.customer_name").
		Joins("JOIN key_accounts ka ON ka.id = h.key_account_id").
		Where("h.status = ?", "open").Where(strings.Join(cond, " OR "), args...).
		Order("h.id").Limit(MaxPageSize).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, translate(err, "handovers waiting")
	}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var items []HandoverItem
	if err := s.db.WithContext(ctx).Where("handover_id IN ?", ids).Order("handover_id, item").Find(&items).Error; err != nil {
		return nil, translate(err, "handover items")
	}
	byHandover := map[uint][]HandoverItem{}
	for _, it := range items {
		byHandover[it.HandoverID] = append(byHandover[it.HandoverID], it)
	}
	var out []WorkItem
	for _, r := range rows {
		h := r.Handover
		h.Items = byHandover[h.ID]
		var open []string
		for _, it := range h.Items {
			if it.DoneAt == nil && !it.Skipped {
				open = append(open, it.Item)
			}
		}
		if len(open) == 0 && h.IncomingEmployeeID != nil {
			continue // done: the workflow completes it
		}
		stall := time.Duration(h.StallAfterSeconds) * time.Second
		if stall <= 0 {
			stall = 7 * 24 * time.Hour
		}
		out = append(out, WorkItem{Kind: WorkHandover, Title: r.CustomerName, About: r.CustomerName, Due: h.LastProgress().Add(stall),
			Step: strings.Join(open, ","), ProgrammeID: r.ProgrammeID, KeyAccountID: h.KeyAccountID, ID: h.ID})
	}
	return out, nil
}

// employeeWork is what waits for an employee: jour-fixe input asked and
// not given while the meeting is ahead, workshops of the accounts she
// answers for whose dates or minutes are due, and sessions she is
// enrolled in (or waiting for) that have not started.
func (s *Store) employeeWork(ctx context.Context, employeeID uint, now time.Time, limit int, counted bool) ([]WorkItem, workCount, error) {
	db := s.db.WithContext(ctx)
	var out []WorkItem
	var count workCount
	tally := func(all func() *gorm.DB, due string, from int, what string) error {
		if !counted {
			return nil
		}
		c, err := kindCount(all(), due, nil, out[from:], limit, now)
		count.add(c)
		return translate(err, "count "+what)
	}
	var asked []struct {
		JourFixeID, KeyAccountID, ProgrammeID uint
		MeetingAt                             time.Time
		CustomerName                          string
	}
	all := func() *gorm.DB {
		return db.Table("jour_fixe_participants AS jp").
			Joins("JOIN jour_fixes j ON j.id = jp.jour_fixe_id").
			Joins("JOIN key_accounts ka ON ka.id = jp.key_account_id").
			Where("jp.employee_id = ? AND j.status = ? AND j.meeting_at > ?", employeeID, "collecting", now).
			Where("NOT EXISTS (SELECT 1 FROM jour_fixe_inputs i WHERE i.jour_fixe_id = jp.jour_fixe_id AND i.key_account_id = jp.key_account_id AND i.employee_id = jp.employee_id)")
	}
	err := all().Select("jp.jour_fixe_id, jp.key_account_id, j.programme_id, j.meeting_at, ka.customer_name").
		Order("j.meeting_at, jp.jour_fixe_id, jp.key_account_id").Limit(limit).Scan(&asked).Error
	if err != nil {
		return nil, count, translate(err, "jour-fixe input waiting")
	}
	for _, a := range asked {
		out = append(out, WorkItem{Kind: WorkJourFixe, Title: a.CustomerName, About: a.CustomerName, Due: a.MeetingAt,
			ProgrammeID: a.ProgrammeID, KeyAccountID: a.KeyAccountID, ID: a.JourFixeID})
	}
	if err := tally(all, "j.meeting_at", 0, "jour-fixe input waiting"); err != nil {
		return nil, count, err
	}
	var workshops []struct {
		Workshop
		ProgrammeID  uint
		CustomerName string
	}
	all = func() *gorm.DB {
		return db.Table("workshops AS w").Joins("JOIN key_accounts ka ON ka.id = w.key_account_id").
			Where("(ka.covering_employee_id = ? OR ka.covering_employee_id IS NULL AND ka.kam_employee_id = ?)", employeeID, employeeID).
			Where("w.status IN ? OR w.status = ? AND w.starts_at <= ? AND w.minutes_at IS NULL", []string{"planning", "proposed"}, "invited", now)
	}
	err = all().Select("w.*, ka.programme_id, ka.customer_name, " + workshopDue + " AS due_at").
		Order("due_at, w.id").Limit(limit).Scan(&workshops).Error
	if err != nil {
		return nil, count, translate(err, "workshops waiting")
	}
	from := len(out)
	for _, w := range workshops {
		// Dates are asked for from the workshop's start; minutes are due
		// five working days after it ended.
		it := WorkItem{Kind: WorkWorkshop, Title: w.CustomerName, About: w.CustomerName, Due: w.CreatedAt, Step: "dates",
			ProgrammeID: w.ProgrammeID, KeyAccountID: w.KeyAccountID, ID: w.ID}
		switch w.Status {
		case "proposed":
			// The customer chooses among the dates; the KAM confirms one.
			it.Step = "confirm"
		case "invited":
			it.Step = "minutes"
			if w.MinutesDue != nil {
				it.Due = *w.MinutesDue
			} else if w.EndsAt != nil {
				it.Due = *w.EndsAt
			}
		}
		out = append(out, it)
	}
	if err := tally(all, workshopDue, from, "workshops waiting"); err != nil {
		return nil, count, err
	}
	var enrolled []struct {
		ID       uint
		Status   string
		StartsAt time.Time
		Place    string
		Title    string
	}
	all = func() *gorm.DB {
		return db.Table("enrolments AS e").
			Joins("JOIN training_sessions ts ON ts.id = e.session_id").
			Joins("JOIN courses co ON co.id = ts.course_id").
			Where("e.employee_id = ? AND e.status IN ? AND ts.cancelled_at IS NULL AND ts.starts_at > ?", employeeID, []string{EnrolmentEnrolled, EnrolmentWaitlisted}, now)
	}
	err = all().Select("e.id, e.status, ts.starts_at, ts.place, co.title").Order("ts.starts_at, e.id").Limit(limit).Scan(&enrolled).Error
	if err != nil {
		return nil, count, translate(err, "enrolments waiting")
	}
	from = len(out)
	for _, e := range enrolled {
		out = append(out, WorkItem{Kind: WorkTraining, Title: e.Title, Due: e.StartsAt, Step: e.Status, Place: e.Place, ID: e.ID})
	}
	if err := tally(all, "ts.starts_at", from, "enrolments waiting"); err != nil {
		return nil, count, err
	}
	return out, count, nil
}

// ProgrammeNames maps programme IDs to their names (one query).
func (s *Store) ProgrammeNames(ctx context.Context, ids []uint) (map[uint]string, error) {
	out := map[uint]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Programme
	if err := s.db.WithContext(ctx).Select("id, name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate(err, "programme names")
	}
	for _, p := range rows {
		out[p.ID] = p.Name
	}
	return out, nil
}
