package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names shared with the web and worker for the annual workshop.
const (
	WorkshopWorkflowName = "Workshop"
	QueryWorkshopState   = "state"

	UpdateProposeDates  = "propose_dates"
	UpdateRecordMinutes = "record_minutes"

	ActivityPrepareWorkshop = "PrepareWorkshop"
	ActivityUpdateWorkshop  = "UpdateWorkshop"
)

// WorkshopScheduleID is the yearly Schedule of a key account's workshop.
func WorkshopScheduleID(keyAccountID uint) string {
	return "workshop-schedule-" + strconv.FormatUint(uint64(keyAccountID), 10)
}

// WorkshopWorkflowIDPrefix starts a key account's workshop workflow IDs.
func WorkshopWorkflowIDPrefix(keyAccountID uint) string {
	return "workshop-" + strconv.FormatUint(uint64(keyAccountID), 10)
}

// GuidingQuestions frame every annual workshop (seed 000): it is about the
// customer's agenda, never a sales presentation.
func GuidingQuestions() []string {
	return []string{
		"What occupies the customer now?",
		"What challenges does their business model face?",
		"How can we best support them?",
	}
}

// WorkshopAgenda is the agenda kamflow proposes.
func WorkshopAgenda(customer string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Annual workshop with %s (1.5 days) — about the customer's agenda, not a sales presentation.\n", customer)
	for i, q := range GuidingQuestions() {
		fmt.Fprintf(&b, "%d. %s\n", i+1, q)
	}
	b.WriteString("Close: agreed items become actions with owner and due date.")
	return b.String()
}

// WorkshopDuration is 1.5 days: from the first morning to the second noon.
const WorkshopDuration = 28 * time.Hour

// Workshop statuses.
const (
	WorkshopPlanning = "planning"
	WorkshopInvited  = "invited"
	WorkshopMinuted  = "minuted"
	WorkshopClosed   = "closed"
)

// WorkshopInput starts a key account's annual workshop.
type WorkshopInput struct {
	KeyAccountID uint   `json:"key_account_id"`
	CustomerName string `json:"customer_name"`
	KAMEmail     string `json:"kam_email"`
	LeadEmail    string `json:"lead_email"`
}

// WorkshopPrepared is what the preparing activity set up.
type WorkshopPrepared struct {
	WorkshopID uint     `json:"workshop_id"`
	Ours       []string `json:"ours"` // our participants' e-mail addresses
	Agenda     string   `json:"agenda"`
	// KAMEmail and LeadEmail are current at preparation (a Schedule's
	// arguments are fixed when it is created).
	KAMEmail  string `json:"kam_email"`
	LeadEmail string `json:"lead_email"`
}

// PrepareWorkshopInput asks for the workshop row and suggestions.
type PrepareWorkshopInput struct {
	KeyAccountID uint   `json:"key_account_id"`
	WorkflowID   string `json:"workflow_id"`
	Year         int    `json:"year"`
}

// WorkshopUpdateInput writes workshop fields.
type WorkshopUpdateInput struct {
	WorkshopID uint       `json:"workshop_id"`
	Status     string     `json:"status"`
	StartsAt   *time.Time `json:"starts_at,omitempty"`
	EndsAt     *time.Time `json:"ends_at,omitempty"`
	Place      string     `json:"place,omitempty"`
	Minutes    string     `json:"minutes,omitempty"`
	MinutesBy  string     `json:"minutes_by,omitempty"`
}

// ProposeDatesRequest sets the workshop's start (it lasts 1.5 days).
type ProposeDatesRequest struct {
	Actor    Actor     `json:"actor"`
	StartsAt time.Time `json:"starts_at"`
	Place    string    `json:"place"`
}

// MinutesRequest records the minutes and the agreed actions.
type MinutesRequest struct {
	Actor   Actor         `json:"actor"`
	Minutes string        `json:"minutes"`
	Actions []ActionInput `json:"actions"`
}

// WorkshopState is the live state of a workshop.
type WorkshopState struct {
	WorkshopInput
	Year        int             `json:"year"`
	WorkshopID  uint            `json:"workshop_id"`
	Status      string          `json:"status"`
	Ours        []string        `json:"ours"`
	Agenda      string          `json:"agenda"`
	StartsAt    *time.Time      `json:"starts_at,omitempty"`
	EndsAt      *time.Time      `json:"ends_at,omitempty"`
	Place       string          `json:"place,omitempty"`
	MinutesDue  *time.Time      `json:"minutes_due,omitempty"`
	DatesSetAt  time.Time       `json:"dates_set_at"`
	Actions     []TrackedAction `json:"actions"`
	NoticesSent []string        `json:"notices_sent,omitempty"`
}

type workshop struct {
	state   WorkshopState
	id      string
	version int
	started time.Time
	// minuting is set while the minutes are being saved.
	minuting bool
}

// Workshop runs one annual workshop: the KAM proposes dates about ten
// weeks ahead, participants are invited and reminded, minutes are due within
// five working days, and every agreed action is tracked until done.
func Workshop(ctx workflow.Context, in WorkshopInput) (WorkshopState, error) {
	w := &workshop{id: workflow.GetInfo(ctx).WorkflowExecution.ID, started: workflow.Now(ctx)}
	if in.KeyAccountID == 0 {
		return w.state, invalid("key_account_id", "key_account_id is required")
	}
	w.state = WorkshopState{WorkshopInput: in, Year: w.started.Year(), Status: WorkshopPlanning}
	if err := workflow.SetQueryHandler(ctx, QueryWorkshopState, func() (WorkshopState, error) { return w.state, nil }); err != nil {
		return w.state, err
	}
	if err := registerUpdates(ctx, []updateHandler{
		{UpdateProposeDates, w.proposeDates, w.validateDates},
		{UpdateRecordMinutes, w.recordMinutes, w.validateMinutes},
		{UpdateCompleteAction, w.completeAction, w.validateCompleteAction},
	}); err != nil {
		return w.state, err
	}
	var prep WorkshopPrepared
	pin := PrepareWorkshopInput{KeyAccountID: in.KeyAccountID, WorkflowID: w.id, Year: w.state.Year}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityPrepareWorkshop, pin).Get(ctx, &prep); err != nil {
		return w.state, fmt.Errorf("prepare workshop: %w", err)
	}
	w.state.WorkshopID, w.state.Ours, w.state.Agenda = prep.WorkshopID, prep.Ours, prep.Agenda
	if prep.KAMEmail != "" {
		w.state.KAMEmail = prep.KAMEmail
	}
	if prep.LeadEmail != "" {
		w.state.LeadEmail = prep.LeadEmail
	}
	w.version++
	for !(w.state.Status == WorkshopMinuted && allActionsDone(w.state.Actions)) {
		seen := w.version
		changed := func() bool { return w.version != seen }
		now := workflow.Now(ctx)
		at, fire := w.next(now)
		if at.IsZero() {
			if err := workflow.Await(ctx, changed); err != nil {
				return w.state, err
			}
			continue
		}
		if at.After(now) {
			if _, err := workflow.AwaitWithTimeout(ctx, at.Sub(now), changed); err != nil {
				return w.state, err
			}
			continue
		}
		if err := fire(ctx); err != nil {
			return w.state, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.state, err
	}
	w.state.Status = WorkshopClosed
	return w.state, workflow.ExecuteActivity(withActivityOptions(ctx), ActivityUpdateWorkshop, WorkshopUpdateInput{WorkshopID: w.state.WorkshopID, Status: WorkshopClosed}).Get(ctx, nil)
}

func (w *workshop) sent(key string) bool {
	for _, k := range w.state.NoticesSent {
		if k == key {
			return true
		}
	}
	return false
}

// next returns the earliest notice due and how to send it (zero time: none).
func (w *workshop) next(now time.Time) (time.Time, func(workflow.Context) error) {
	var at time.Time
	var fire func(workflow.Context) error
	consider := func(t time.Time, f func(workflow.Context) error) {
		if at.IsZero() || t.Before(at) {
			at, fire = t, f
		}
	}
	notice := func(key string, to []string, subject, body string) func(workflow.Context) error {
		return func(ctx workflow.Context) error {
			w.state.NoticesSent = append(w.state.NoticesSent, key)
			return w.notify(ctx, key, to, subject, body)
		}
	}
	switch w.state.Status {
	case WorkshopPlanning:
		// Ask for dates at once, then weekly until they are proposed.
		for n := 0; ; n++ {
			key := "propose-" + strconv.Itoa(n)
			if !w.sent(key) {
				consider(w.started.Add(time.Duration(n)*7*24*time.Hour), notice(key, []string{w.state.KAMEmail},
					"Plan the annual workshop with "+w.state.CustomerName,
					fmt.Sprintf("Please propose dates for this year's 1.5-day workshop with %s, about ten weeks ahead.\n\n%s", w.state.CustomerName, w.state.Agenda)))
				break
			}
		}
	case WorkshopInvited:
		start := *w.state.StartsAt
		rev := start.Format("20060102")
		for _, before := range []time.Duration{14 * 24 * time.Hour, 2 * 24 * time.Hour} {
			key := "reminder-" + strconv.Itoa(int(before.Hours()/24)) + "d-" + rev
			// A reminder whose time lay before the dates were set is not sent late.
			if t := start.Add(-before); !w.sent(key) && t.After(w.state.DatesSetAt) {
				consider(t, notice(key, w.participants(), "Reminder: workshop with "+w.state.CustomerName+" on "+start.Format("2006-01-02"),
					fmt.Sprintf("The annual workshop with %s starts on %s (%s).\n\n%s", w.state.CustomerName, start.Format("2006-01-02 15:04 MST"), w.state.Place, w.state.Agenda)))
			}
		}
		due := *w.state.MinutesDue
		if !w.sent("minutes-due") {
			consider(due, notice("minutes-due", []string{w.state.KAMEmail}, "Minutes due: workshop with "+w.state.CustomerName,
				fmt.Sprintf("The minutes of the workshop held on %s are due today. Record them with every agreed item as an action.", start.Format("2006-01-02"))))
		}
		for n := 0; ; n++ {
			key := "minutes-escalation-" + strconv.Itoa(n)
			if !w.sent(key) {
				consider(due.Add(2*24*time.Hour+time.Duration(n)*7*24*time.Hour), notice(key, []string{w.state.KAMEmail, w.state.LeadEmail},
					"Escalation: workshop minutes missing ("+w.state.CustomerName+")",
					fmt.Sprintf("The minutes of the workshop with %s held on %s were due on %s and are still missing.", w.state.CustomerName, start.Format("2006-01-02"), due.Format("2006-01-02"))))
				break
			}
		}
	case WorkshopMinuted:
		if i, key, t, ok := nextActionNotice(w.state.Actions, now); ok {
			consider(t, func(ctx workflow.Context) error {
				return notifyAction(ctx, w.id, &w.state.Actions[i], key, []string{w.state.KAMEmail, w.state.LeadEmail})
			})
		}
	}
	return at, fire
}

func (w *workshop) participants() []string {
	out := []string{w.state.KAMEmail}
	for _, e := range w.state.Ours {
		if e != "" && !strings.EqualFold(e, w.state.KAMEmail) {
			out = append(out, e)
		}
	}
	return out
}

func (w *workshop) notify(ctx workflow.Context, kind string, to []string, subject, body string) error {
	var rcpt []string
	for _, e := range to {
		if e != "" {
			rcpt = append(rcpt, e)
		}
	}
	if len(rcpt) == 0 {
		return nil
	}
	n := Notification{IdempotencyKey: w.id + "/" + kind, Recipients: rcpt, Subject: subject, Body: body}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

func (w *workshop) isKAM(a Actor) bool {
	return strings.EqualFold(a.Email, w.state.KAMEmail) || a.has("lead") || a.has("admin")
}

func (w *workshop) validateDates(ctx workflow.Context, r ProposeDatesRequest) error {
	if !w.isKAM(r.Actor) {
		return forbidden("only the account's KAM (or a lead) plans the workshop")
	}
	if w.state.WorkshopID == 0 {
		return conflict("the workshop is still being prepared")
	}
	if w.minuting || w.state.Status != WorkshopPlanning && w.state.Status != WorkshopInvited {
		return conflict("the workshop took place already")
	}
	if w.state.StartsAt != nil && !workflow.Now(ctx).Before(*w.state.StartsAt) {
		return conflict("the workshop has started")
	}
	if !r.StartsAt.After(workflow.Now(ctx)) {
		return invalid("starts_at", "the workshop starts in the future (about ten weeks ahead)")
	}
	if strings.TrimSpace(r.Place) == "" || len(r.Place) > 300 {
		return invalid("place", "place is required (up to 300 characters)")
	}
	return nil
}

// addWorkingDays skips Saturdays and Sundays.
func addWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

func (w *workshop) proposeDates(ctx workflow.Context, r ProposeDatesRequest) (WorkshopState, error) {
	start := r.StartsAt.UTC()
	end := start.Add(WorkshopDuration)
	due := addWorkingDays(end, 5)
	w.state.StartsAt, w.state.EndsAt, w.state.MinutesDue, w.state.Place = &start, &end, &due, strings.TrimSpace(r.Place)
	w.state.DatesSetAt = workflow.Now(ctx)
	w.state.Status = WorkshopInvited
	w.version++
	in := WorkshopUpdateInput{WorkshopID: w.state.WorkshopID, Status: WorkshopInvited, StartsAt: &start, EndsAt: &end, Place: w.state.Place}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityUpdateWorkshop, in).Get(ctx, nil); err != nil {
		return w.state, err
	}
	return w.state, w.notify(ctx, "invitation-"+start.Format("20060102"), w.participants(), "Invitation: workshop with "+w.state.CustomerName+" on "+start.Format("2006-01-02"),
		fmt.Sprintf("You are invited to the annual 1.5-day workshop with %s from %s to %s at %s.\n\n%s",
			w.state.CustomerName, start.Format("2006-01-02 15:04 MST"), end.Format("2006-01-02 15:04 MST"), w.state.Place, w.state.Agenda))
}

func (w *workshop) validateMinutes(ctx workflow.Context, r MinutesRequest) error {
	if !w.isKAM(r.Actor) {
		return forbidden("only the account's KAM (or a lead) records the minutes")
	}
	if w.minuting || w.state.Status != WorkshopInvited || w.state.StartsAt == nil || workflow.Now(ctx).Before(*w.state.StartsAt) {
		return conflict("minutes are recorded once the workshop took place")
	}
	if strings.TrimSpace(r.Minutes) == "" || len(r.Minutes) > 50000 {
		return invalid("minutes", "minutes are required (up to 50000 characters)")
	}
	return validateActions(r.Actions, workflow.Now(ctx))
}

func (w *workshop) recordMinutes(ctx workflow.Context, r MinutesRequest) (WorkshopState, error) {
	// The status changes only once the actions are saved: the workflow must
	// not see "minuted" with no actions yet and close.
	w.minuting = true
	in := WorkshopUpdateInput{WorkshopID: w.state.WorkshopID, Status: WorkshopMinuted, Minutes: strings.TrimSpace(r.Minutes), MinutesBy: r.Actor.Email}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityUpdateWorkshop, in).Get(ctx, nil); err != nil {
		return w.state, err
	}
	actions, err := saveActions(ctx, SaveActionsInput{KeyAccountID: w.state.KeyAccountID, Source: "workshop", SourceID: w.state.WorkshopID, KeyPrefix: w.id, Actions: r.Actions})
	if err != nil {
		return w.state, err
	}
	w.state.Actions, w.state.Status = actions, WorkshopMinuted
	w.version++
	return w.state, nil
}

func (w *workshop) validateCompleteAction(r CompleteActionRequest) error {
	return validateCompleteAction(w.state.Actions, r, w.isKAM(r.Actor))
}

func (w *workshop) completeAction(ctx workflow.Context, r CompleteActionRequest) (WorkshopState, error) {
	w.version++
	return w.state, completeAction(ctx, w.state.Actions, r)
}
