package workflows

import (
	"time"
)

// NoticeText is a notification by key and parameters, so the page and the
// mail write it in their reader's language (package notice renders it).
// The Notification's Subject and Body keep the English text for the API
// and for readers of messages written before.
type NoticeText struct {
	Key  string   `json:"key"`
	Args []string `json:"args,omitempty"`
}

// Keys of kamflow's notifications, with the Args each takes. A date is
// YYYY-MM-DD, a moment RFC 3339 in UTC; "…" marks a list of the rest.
const (
	NoticePhaseDue       = "phase_due"       // programme name, phase key, due date
	NoticePhaseOverdue   = "phase_overdue"   // programme name, phase key, due date, responsible's e-mail
	NoticePhaseSubmitted = "phase_submitted" // programme name, phase key, submitter's e-mail
	NoticePhaseRejected  = "phase_rejected"  // programme name, phase key, rejecter's e-mail, comment

	NoticeActionDue     = "action_due"     // action title, owner's e-mail, due date
	NoticeActionOverdue = "action_overdue" // action title, owner's e-mail, due date

	NoticeHandoverStarted    = "handover_started"    // customer name, reason key, covering person's e-mail
	NoticeHandoverStalled    = "handover_stalled"    // customer name, date of the last progress, open items… (item keys, HandoverOpenIncoming)
	NoticeHandoverEscalation = "handover_escalation" // as NoticeHandoverStalled
	NoticeHandoverIncoming   = "handover_incoming"   // customer name, covering person's e-mail
	NoticeHandoverCompleted  = "handover_completed"  // customer name, incoming KAM's e-mail

	NoticeJourFixeAsk     = "jourfixe_ask"     // meeting date, number of key accounts
	NoticeJourFixeRemind  = "jourfixe_remind"  // meeting date, accounts still without input, accounts
	NoticeJourFixePicture = "jourfixe_picture" // meeting date, the pooled picture (as store.SummaryOf writes it)

	NoticePlanSubmitted = "plan_submitted" // customer name, KAM's e-mail, plan version
	NoticePlanApproved  = "plan_approved"  // customer name, approver's e-mail, comment
	NoticePlanRejected  = "plan_rejected"  // customer name, rejecter's e-mail, comment

	NoticeReviewReady     = "review_ready"     // programme name, number of key accounts
	NoticeMeasureDue      = "measure_due"      // measure title, owner's e-mail, due date
	NoticeMeasureOverdue  = "measure_overdue"  // measure title, owner's e-mail, due date
	NoticeMeasureAssigned = "measure_assigned" // measure title, due date

	NoticeWorkshopPlan              = "workshop_plan"               // customer name, agenda
	NoticeWorkshopConfirm           = "workshop_confirm"            // customer name, proposed first days… (moments)
	NoticeWorkshopReminder          = "workshop_reminder"           // customer name, start (moment), place, agenda
	NoticeWorkshopMinutesDue        = "workshop_minutes_due"        // customer name, day held (date)
	NoticeWorkshopMinutesEscalation = "workshop_minutes_escalation" // customer name, day held, minutes' due date
	NoticeWorkshopInvitation        = "workshop_invitation"         // customer name, start, end (moments), place, agenda
	NoticeWorkshopDatesProposed     = "workshop_dates_proposed"     // customer name, place, agenda, proposed first days… (moments)

	NoticeTrainingWaitlist   = "training_waitlist"   // course title, start (moment)
	NoticeTrainingInvitation = "training_invitation" // course title, start, end (moments), place
	NoticeTrainingMoved      = "training_moved"      // course title, start, end (moments), place
	NoticeTrainingAttendance = "training_attendance" // course title, start (moment), employee name
	NoticeTrainingReminder   = "training_reminder"   // course title, start (moment), place
	NoticeTrainingReEnrol    = "training_reenrol"    // employee name, course title, start (moment), why (TrainingEndedCancelled, TrainingEndedNoShow or a person's words)
	NoticeTrainingEscalation = "training_escalation" // employee name, training phase's due date, missing courses…
)

// HandoverOpenIncoming is the open item "choose the incoming KAM" among a
// stalled handover's open items (the others are checklist item keys).
const HandoverOpenIncoming = "choose_incoming"

// Why a training enrolment ended without completion, as kamflow writes it.
const (
	TrainingEndedCancelled = "the session was cancelled"
	TrainingEndedNoShow    = "did not attend"
)

func noticeText(key string, args ...string) *NoticeText { return &NoticeText{Key: key, Args: args} }

// dateArg is a day as the English text writes it.
func dateArg(t time.Time) string { return t.Format("2006-01-02") }

// momentArg is an instant, for the reader's zone.
func momentArg(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func momentArgs(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = momentArg(t)
	}
	return out
}
