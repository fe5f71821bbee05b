package store

import "gorm.io/gorm"

// A programme's progress is kept on its row (Programme.PhasesTotal,
// PhasesDone, NextDue): the start pages list up to a page of programmes
// with it, and summing their phases on every view (an aggregate over
// eleven phases per programme, then a join for the next one's due date)
// was a fifth of a start page's CPU. The phases are written in two places,
// PlanProgramme and ApplyProgrammeEvent, each of which refreshes the
// programme's progress in the same transaction; Reindex and migration 0045
// rebuild it for every programme.

// programmeProgressSQL sets each programme's progress from its phases.
const programmeProgressSQL = `UPDATE programmes SET
	phases_total = (SELECT COUNT(*) FROM programme_phases pp WHERE pp.programme_id = programmes.id),
	phases_done = (SELECT COUNT(*) FROM programme_phases pp WHERE pp.programme_id = programmes.id AND pp.status = 'done'),
	next_due = (SELECT pp.due FROM programme_phases pp WHERE pp.programme_id = programmes.id AND pp.status <> 'done' ORDER BY pp.position, pp.phase LIMIT 1)`

// refreshProgress sets one programme's progress from its phases.
func refreshProgress(tx *gorm.DB, programmeID uint) error {
	return tx.Exec(programmeProgressSQL+" WHERE programmes.id = ?", programmeID).Error
}
