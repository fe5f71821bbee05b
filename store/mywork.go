package store

import (
	"context"
	"fmt"
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

// workKindRank orders work due at the same moment: the programme's gates
// and plans before an account's actions and measures, handovers after them.
var workKindRank = map[string]int{
	WorkGate: 0, WorkPlan: 1, WorkAction: 2, WorkMeasure: 3, WorkHandover: 4, WorkJourFixe: 5, WorkWorkshop: 6, WorkTraining: 7,
}

// workWaiting reads each kind of work waiting for q's user, at most limit
// items of a kind, soonest due first; counted, it counts them all. Every
// kind but handovers is read in one statement: a UNION ALL of each kind's
// soonest, in the columns of workRow.
func (s *Store) workWaiting(ctx context.Context, q WorkQuery, limit int, counted bool) ([]WorkItem, workCount, error) {
	email := strings.ToLower(strings.TrimSpace(q.Email))
	db := s.db.WithContext(ctx)
	var kinds []workKind
	if q.Committee {
		kinds = append(kinds, workKind{
			kind: WorkGate,
			all:  func() *gorm.DB { return approvalsWaiting(db, email) },
			columns: workColumns{ID: "0", Title: "programme_phases.phase", About: "programmes.name", Due: "programme_phases.due",
				Step: "programme_phases.phase", ProgrammeID: "programme_phases.programme_id"},
			order: "programme_phases.due, programme_phases.programme_id",
			due:   "programme_phases.due",
		})
	}
	if q.Lead || q.Committee {
		var cond []string
		var args []any
		if q.Lead {
			cond, args = append(cond, "LOWER(p.lead_email) = ?"), append(args, email)
		}
		if q.Committee {
			cond = append(cond, "EXISTS (SELECT 1 FROM programme_committees pc WHERE pc.programme_id = p.id AND pc.email = ?)")
			args = append(args, email)
		}
		kinds = append(kinds, workKind{
			kind: WorkPlan,
			all: func() *gorm.DB {
				return db.Table("account_plans AS ap").
					Joins("JOIN key_accounts ka ON ka.id = ap.key_account_id").
					Joins("JOIN programmes p ON p.id = ka.programme_id").
					Joins("LEFT JOIN programme_phases pp ON pp.programme_id = p.id AND pp.phase = ?", "account_plans").
					Where("ap.status = ?", "submitted").
					Where(strings.Join(cond, " OR "), args...)
			},
			columns: workColumns{ID: "ap.id", Title: "ka.customer_name", About: "p.name", Due: planDue, ProgrammeID: "ka.programme_id",
				KeyAccountID: "ap.key_account_id"},
			dueArgs: []any{q.Now},
			order:   "due_at, ap.id",
			due:     planDue,
		})
	}
	if email != "" {
		kinds = append(kinds, workKind{
			kind: WorkAction,
			all: func() *gorm.DB {
				return db.Table("actions AS a").Joins("JOIN key_accounts ka ON ka.id = a.key_account_id").
					Where("a.owner_email = ? AND a.done_at IS NULL", email)
			},
			columns: workColumns{ID: "a.id", Title: "a.title", About: "ka.customer_name", Due: "a.due", Step: "a.source",
				ProgrammeID: "ka.programme_id", KeyAccountID: "a.key_account_id"},
			order: "a.due, a.id",
			due:   "a.due",
		}, workKind{
			kind: WorkMeasure,
			all: func() *gorm.DB {
				return db.Table("measures AS m").
					Joins("JOIN reviews r ON r.id = m.review_id").
					Joins("JOIN programmes p ON p.id = r.programme_id").
					Joins("LEFT JOIN customers c ON c.id = m.customer_id").
					Where("m.owner_email = ? AND m.done_at IS NULL AND r.status <> ?", email, ReviewClosed)
			},
			columns: workColumns{ID: "m.id", Title: "m.title", About: "COALESCE(c.name, p.name)", Due: "m.due",
				ProgrammeID: "r.programme_id", ReviewID: "m.review_id"},
			order: "m.due, m.id",
			due:   "m.due",
		})
	}
	if q.EmployeeID != nil {
		kinds = append(kinds, employeeWork(db, *q.EmployeeID, q.Now)...)
	}

	var out []WorkItem
	var count workCount
	if len(kinds) > 0 {
		rows, err := readWork(db, kinds, limit)
		if err != nil {
			return nil, count, err
		}
		byKind := map[string][]WorkItem{}
		for _, r := range rows {
			it, err := r.item()
			if err != nil {
				return nil, count, translate(err, "work waiting")
			}
			byKind[it.Kind] = append(byKind[it.Kind], it)
		}
		for _, k := range kinds {
			items := byKind[k.kind]
			out = append(out, items...)
			if !counted {
				continue
			}
			c, err := kindCount(k.all(), k.due, k.dueArgs, items, limit, q.Now)
			if err != nil {
				return nil, count, translate(err, "count "+k.kind+" waiting")
			}
			count.add(c)
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
	// Soonest first; at the same moment in workKindRank's order, then by
	// what they are.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Due.Equal(b.Due) {
			return a.Due.Before(b.Due)
		}
		if workKindRank[a.Kind] != workKindRank[b.Kind] {
			return workKindRank[a.Kind] < workKindRank[b.Kind]
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.KeyAccountID < b.KeyAccountID
	})
	return out, count, nil
}

// workKind is one kind of work as readWork reads it: all its rows (for
// counting), the SQL of each workRow column, and its order.
type workKind struct {
	kind    string
	all     func() *gorm.DB
	columns workColumns
	// order sorts the kind's rows (due_at names the Due column).
	order string
	// due is Due's SQL for counting the overdue, with dueArgs (which Due's
	// SQL takes too).
	due     string
	dueArgs []any
}

// workColumns are the SQL expressions of a workRow's columns; empty ones
// are read as nothing (0 or ”).
type workColumns struct {
	ID, Title, About, Due, Step, ProgrammeID, KeyAccountID, ReviewID, Place string
}

// selectSQL is the kind's SELECT list in workRow's order.
func (c workColumns) selectSQL(kind string) string {
	or := func(sql, none string) string {
		if sql == "" {
			return none
		}
		return sql
	}
	return strings.Join([]string{
		"'" + kind + "' AS kind",
		or(c.ID, "0") + " AS id",
		or(c.Title, "''") + " AS title",
		or(c.About, "''") + " AS about",
		c.Due + " AS due_at",
		or(c.Step, "''") + " AS step",
		or(c.ProgrammeID, "0") + " AS programme_id",
		or(c.KeyAccountID, "0") + " AS key_account_id",
		or(c.ReviewID, "0") + " AS review_id",
		or(c.Place, "''") + " AS place",
	}, ", ")
}

// workRow is one item of work as readWork reads every kind.
type workRow struct {
	Kind, Title, About, Step, Place         string
	ID, ProgrammeID, KeyAccountID, ReviewID uint
	// DueAt is read as columnTime: a union's column, or one SQL computes
	// (planDue, workshopDue), comes back from SQLite as text.
	DueAt columnTime
}

// readWork reads the soonest limit items of every kind in one statement.
func readWork(db *gorm.DB, kinds []workKind, limit int) ([]workRow, error) {
	parts := make([]string, len(kinds))
	vars := make([]any, len(kinds))
	for i, k := range kinds {
		// A kind's ORDER BY and LIMIT apply inside its own derived table.
		parts[i] = fmt.Sprintf("SELECT * FROM (?) AS k%d", i)
		vars[i] = k.all().Select(k.columns.selectSQL(k.kind), k.dueArgs...).Order(k.order).Limit(limit)
	}
	var rows []workRow
	err := db.Raw(strings.Join(parts, " UNION ALL "), vars...).Scan(&rows).Error
	return rows, translate(err, "work waiting")
}

// item turns a row into its WorkItem, with what depends on the kind.
func (r workRow) item() (WorkItem, error) {
	it := WorkItem{Kind: r.Kind, Title: r.Title, About: r.About, Due: r.DueAt.Time, Step: r.Step, Place: r.Place,
		ProgrammeID: r.ProgrammeID, KeyAccountID: r.KeyAccountID, ReviewID: r.ReviewID, ID: r.ID}
	if !r.DueAt.Valid {
		return it, fmt.Errorf("%s %d has no due time", r.Kind, r.ID)
	}
	if r.Kind == WorkWorkshop {
		// Step holds the workshop's status: its dates are asked for from
		// its start; the customer chooses among proposed dates and the KAM
		// confirms one; once it took place its minutes are due.
		switch r.Step {
		case "proposed":
			it.Step = "confirm"
		case "invited":
			it.Step = "minutes"
		default:
			it.Step = "dates"
		}
	}
	return it, nil
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
func employeeWork(db *gorm.DB, employeeID uint, now time.Time) []workKind {
	return []workKind{{
		kind: WorkJourFixe,
		all: func() *gorm.DB {
			return db.Table("jour_fixe_participants AS jp").
				Joins("JOIN jour_fixes j ON j.id = jp.jour_fixe_id").
				Joins("JOIN key_accounts ka ON ka.id = jp.key_account_id").
				Where("jp.employee_id = ? AND j.status = ? AND j.meeting_at > ?", employeeID, "collecting", now).
				Where("NOT EXISTS (SELECT 1 FROM jour_fixe_inputs i WHERE i.jour_fixe_id = jp.jour_fixe_id AND i.key_account_id = jp.key_account_id AND i.employee_id = jp.employee_id)")
		},
		columns: workColumns{ID: "jp.jour_fixe_id", Title: "ka.customer_name", About: "ka.customer_name", Due: "j.meeting_at",
			ProgrammeID: "j.programme_id", KeyAccountID: "jp.key_account_id"},
		order: "j.meeting_at, jp.jour_fixe_id, jp.key_account_id",
		due:   "j.meeting_at",
	}, {
		kind: WorkWorkshop,
		all: func() *gorm.DB {
			return db.Table("workshops AS w").Joins("JOIN key_accounts ka ON ka.id = w.key_account_id").
				Where("(ka.covering_employee_id = ? OR ka.covering_employee_id IS NULL AND ka.kam_employee_id = ?)", employeeID, employeeID).
				Where("w.status IN ? OR w.status = ? AND w.starts_at <= ? AND w.minutes_at IS NULL", []string{"planning", "proposed"}, "invited", now)
		},
		// Step carries the status; workRow.item turns it into the step.
		columns: workColumns{ID: "w.id", Title: "ka.customer_name", About: "ka.customer_name", Due: workshopDue, Step: "w.status",
			ProgrammeID: "ka.programme_id", KeyAccountID: "w.key_account_id"},
		order: "due_at, w.id",
		due:   workshopDue,
	}, {
		kind: WorkTraining,
		all: func() *gorm.DB {
			return db.Table("enrolments AS e").
				Joins("JOIN training_sessions ts ON ts.id = e.session_id").
				Joins("JOIN courses co ON co.id = ts.course_id").
				Where("e.employee_id = ? AND e.status IN ? AND ts.cancelled_at IS NULL AND ts.starts_at > ?", employeeID, []string{EnrolmentEnrolled, EnrolmentWaitlisted}, now)
		},
		columns: workColumns{ID: "e.id", Title: "co.title", Due: "ts.starts_at", Step: "e.status", Place: "ts.place"},
		order:   "ts.starts_at, e.id",
		due:     "ts.starts_at",
	}}
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
