package store

import (
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The HR start page and the training desk list sessions with their free
// seats and waitlists, and the start page counts every upcoming session
// with a free seat. Counting each session's enrolments per view grows with
// the sessions listed and the sessions to come, so the store keeps both
// numbers on the session's row as it writes enrolments, in the writing
// transaction: created enrolments by a create callback (however they are
// created: enrolment, move, demo, bench), a changed status and a deleted
// enrolment by the store function that changes it. Reindex counts them
// again from the rows.
//
// Decisions (a seat or the waitlist, a promotion, a capacity change) still
// count the rows under the session's lock: the kept numbers serve reading.

// seatColumns are the kept numbers and the statuses they count.
var seatColumns = []struct{ column, status string }{
	{"enrolled_count", EnrolmentEnrolled},
	{"waitlisted_count", EnrolmentWaitlisted},
}

// seatDeltas are changes to a session's kept numbers, by column.
type seatDeltas map[string]int

// add counts n enrolments of status (negative: uncounts them).
func (d seatDeltas) add(status string, n int) {
	for _, c := range seatColumns {
		if c.status == status {
			d[c.column] += n
		}
	}
}

// apply writes the deltas to the session's row, in tx. It changes the
// columns alone: a session's updated_at tells of its own edits.
func (d seatDeltas) apply(tx *gorm.DB, sessionID uint) error {
	set := map[string]any{}
	for _, c := range seatColumns {
		if n := d[c.column]; n != 0 {
			set[c.column] = gorm.Expr(c.column+" + ?", n)
		}
	}
	if len(set) == 0 {
		return nil
	}
	return tx.Table("training_sessions").Where("id = ?", sessionID).UpdateColumns(set).Error
}

// moveSeats counts an enrolment of the session that went from one status
// to another ("" for none: created or deleted), in tx.
func moveSeats(tx *gorm.DB, sessionID uint, from, to string) error {
	d := seatDeltas{}
	d.add(from, -1)
	d.add(to, 1)
	return d.apply(tx, sessionID)
}

// lockSessionOfEnrolment locks the row of the enrolment's session and then
// the enrolment's own, and returns the enrolment as it stands: every
// writer of a session's enrolments locks the session first (Enrol,
// PromoteFromWaitlist), so writers of one session wait in turn instead of
// deadlocking. An enrolment never changes its session.
func lockSessionOfEnrolment(tx *gorm.DB, id uint) (Enrolment, error) {
	var e Enrolment
	if err := tx.Select("id", "session_id").First(&e, id).Error; err != nil {
		return e, err
	}
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").First(&TrainingSession{}, e.SessionID).Error; err != nil {
		return e, err
	}
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "session_id", "status").First(&e, id).Error
	return e, err
}

// countEnrolmentsCreated is a create callback (registered by Open): it
// counts the enrolments a create wrote into their sessions' kept numbers,
// in the create's transaction. A create that may skip rows on a conflict
// leaves it unknown which were written: then their sessions are counted
// again.
func countEnrolmentsCreated(db *gorm.DB) {
	if db.Error != nil || db.DryRun || db.Statement.Schema == nil || db.Statement.Schema.Table != "enrolments" || !db.Statement.ReflectValue.IsValid() {
		return
	}
	bySession := map[uint]seatDeltas{}
	var sessions []uint
	var created int64
	eachCreated(db, func(row any) {
		e, ok := row.(*Enrolment)
		if !ok {
			return
		}
		created++
		d, seen := bySession[e.SessionID]
		if !seen {
			d = seatDeltas{}
			bySession[e.SessionID] = d
			sessions = append(sessions, e.SessionID)
		}
		d.add(e.Status, 1)
	})
	// In the sessions' order, so concurrent creates lock rows alike.
	slices.Sort(sessions)
	tx := db.Session(&gorm.Session{NewDB: true, SkipHooks: true})
	var err error
	if mayHaveSkipped(db, created) {
		err = recountSeats(tx, sessions)
	} else {
		for _, id := range sessions {
			if err = bySession[id].apply(tx, id); err != nil {
				break
			}
		}
	}
	if err != nil {
		_ = db.AddError(err)
	}
}

// recountSeats sets the kept numbers of the sessions (all when none are
// named) from their enrolments.
func recountSeats(tx *gorm.DB, sessionIDs []uint) error {
	set := map[string]any{}
	for _, c := range seatColumns {
		set[c.column] = gorm.Expr("(SELECT COUNT(*) FROM enrolments e WHERE e.session_id = training_sessions.id AND e.status = ?)", c.status)
	}
	q := tx.Table("training_sessions")
	if sessionIDs != nil {
		if len(sessionIDs) == 0 {
			return nil
		}
		q = q.Where("id IN ?", sessionIDs)
	} else {
		q = q.Where("1 = 1")
	}
	return q.UpdateColumns(set).Error
}
