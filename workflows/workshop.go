package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names shared with the web and worker for the annual workshop.
const (
	WorkshopWorkflowName = "Workshop"
	QueryWorkshopState   = "state"

	UpdateProposeDates    = "propose_dates"
	UpdateRecordMinutes   = "record_minutes"
	UpdateSetParticipants = "set_participants"

	ActivityPrepareWorkshop         = "PrepareWorkshop"
	ActivityUpdateWorkshop          = "UpdateWorkshop"
	ActivitySetWorkshopParticipants = "SetWorkshopParticipants"
)

// MaxWorkshopDates is how many first days a KAM may propose at once: the
// customer chooses one, which the KAM then confirms.
const MaxWorkshopDates = 3

// MaxWorkshopParticipants bounds a workshop's participants on both sides.
const MaxWorkshopParticipants = 40

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

// The agenda's first and last lines; the pages render an agenda kamflow
// wrote in the reader's language from them (see AgendaCustomer).
const (
	AgendaIntro = "Annual workshop with %s (1.5 days) — about the customer's agenda, not a sales presentation."
	AgendaClose = "Close: agreed items become actions with owner and due date."
)

// WorkshopAgenda is the agenda kamflow proposes.
func WorkshopAgenda(customer string) string {
	var b strings.Builder
	fmt.Fprintf(&b, AgendaIntro+"\n", customer)
	for i, q := range GuidingQuestions() {
		fmt.Fprintf(&b, "%d. %s\n", i+1, q)
	}
	b.WriteString(AgendaClose)
	return b.String()
}

// AgendaCustomer returns the customer of an agenda kamflow proposed, and
// false for any other text (one a person wrote or changed).
func AgendaCustomer(agenda string) (string, bool) {
	first, _, _ := strings.Cut(agenda, "\n")
	head, tail, _ := strings.Cut(AgendaIntro, "%s")
	if !strings.HasPrefix(first, head) || !strings.HasSuffix(first, tail) || len(first) < len(head)+len(tail) {
		return "", false
	}
	customer := first[len(head) : len(first)-len(tail)]
	return customer, WorkshopAgenda(customer) == agenda
}

// WorkshopDuration is 1.5 days: from the first morning to the second noon.
const WorkshopDuration = 28 * time.Hour

// Workshop statuses.
const (
	WorkshopPlanning = "planning"
	// WorkshopProposed: several dates went to the customer; the KAM
	// confirms the one chosen.
	WorkshopProposed = "proposed"
	WorkshopInvited  = "invited"
	WorkshopMinuted  = "minuted"
	WorkshopClosed   = "closed"
	// WorkshopDuplicate ends a start for a year that has its workshop.
	WorkshopDuplicate = "duplicate"
)

// WorkshopInput starts a key account's annual workshop.
type WorkshopInput struct {
	KeyAccountID uint   `json:"key_account_id"`
	CustomerName string `json:"customer_name"`
	// KAMEmail is who answers for the account: its KAM, or the covering
	// person during a handover (SignalResponsibleChanged keeps it current).
	KAMEmail  string `json:"kam_email"`
	LeadEmail string `json:"lead_email"`
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
	// CustomerName names the customer in notices (a Schedule's input has
	// only the key account).
	CustomerName string `json:"customer_name,omitempty"`
	// Duplicate: this year's workshop of the key account is another
	// workflow's (WorkshopID); this one ends without a second.
	Duplicate bool `json:"duplicate,omitempty"`
}

// changeWorkshopOnePerYear: the customer's name comes from preparation and
// a second workshop in a year ends quietly. Earlier histories ran without.
const changeWorkshopOnePerYear = "workshop-one-per-year"

// changeWorkshopDateOptionsAndParticipants: up to three dates proposed for
// the customer to choose from, and participants changed on both sides.
// Earlier histories ran without either.
const changeWorkshopDateOptionsAndParticipants = "workshop-date-options-participants"

// changeWorkshopFollowsResponsible: the workshop follows whoever answers
// for the account now (SignalResponsibleChanged): reminders go to her and
// she plans it, chooses its participants and records its minutes. Earlier
// histories never received the signal.
const changeWorkshopFollowsResponsible = "workshop-follows-responsible"

// SignalResponsibleChanged tells a key account's running workshop who
// answers for the account now: a handover's covering person from its start,
// the incoming KAM once it is done.
const SignalResponsibleChanged = "responsible_changed"

// ResponsibleChanged is the signal's payload.
type ResponsibleChanged struct {
	Email string `json:"email"`
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
	// DateOptions are the first days proposed to the customer (status
	// proposed).
	DateOptions []time.Time `json:"date_options,omitempty"`
}

// ProposeDatesRequest sets the workshop's start (it lasts 1.5 days) and
// invites. With Alternatives the dates go to the customer to choose from
// instead; proposing the chosen one alone then invites.
type ProposeDatesRequest struct {
	Actor        Actor       `json:"actor"`
	StartsAt     time.Time   `json:"starts_at"`
	Alternatives []time.Time `json:"alternatives,omitempty"`
	Place        string      `json:"place"`
}

// WorkshopPerson is a participant: one of our employees (side "ours") or
// one of the customer's contacts ("theirs").
type WorkshopPerson struct {
	Side     string `json:"side"`
	PersonID uint   `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
	Level    string `json:"level,omitempty"`
}

// Participant sides.
const (
	SideOurs   = "ours"
	SideTheirs = "theirs"
)

// ParticipantsRequest sets who takes part, both sides, as a whole.
type ParticipantsRequest struct {
	Actor        Actor            `json:"actor"`
	Participants []WorkshopPerson `json:"participants"`
}

// WorkshopParticipantsInput replaces a workshop's participants.
type WorkshopParticipantsInput struct {
	WorkshopID   uint             `json:"workshop_id"`
	Participants []WorkshopPerson `json:"participants"`
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
	Year        int         `json:"year"`
	WorkshopID  uint        `json:"workshop_id"`
	Status      string      `json:"status"`
	Ours        []string    `json:"ours"`
	Agenda      string      `json:"agenda"`
	StartsAt    *time.Time  `json:"starts_at,omitempty"`
	EndsAt      *time.Time  `json:"ends_at,omitempty"`
	Place       string      `json:"place,omitempty"`
	MinutesDue  *time.Time  `json:"minutes_due,omitempty"`
	DatesSetAt  time.Time   `json:"dates_set_at"`
	DateOptions []time.Time `json:"date_options,omitempty"`
	// Participants is set once someone changed them (until then the
	// prepared suggestion, of which Ours holds our e-mail addresses).
	Participants []WorkshopPerson `json:"participants,omitempty"`
	Actions      []TrackedAction  `json:"actions"`
	NoticesSent  []string         `json:"notices_sent,omitempty"`
}

type workshop struct {
	state   WorkshopState
	id      string
	version int
	started time.Time
	// minuting is set while the minutes are being saved.
	minuting bool
	// told is set once SignalResponsibleChanged named who answers for the
	// account; preparation (read earlier) no longer overrides it.
	told bool
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
		{UpdateSetParticipants, w.setParticipants, w.validateParticipants},
		{UpdateCompleteAction, w.completeAction, w.validateCompleteAction},
	}); err != nil {
		return w.state, err
	}
	if err := followOwnerChanges(ctx, func(c OwnerChanged) { changeActionOwner(w.state.Actions, c) }); err != nil {
		return w.state, err
	}
	w.followResponsible(ctx)
	var prep WorkshopPrepared
	pin := PrepareWorkshopInput{KeyAccountID: in.KeyAccountID, WorkflowID: w.id, Year: w.state.Year}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityPrepareWorkshop, pin).Get(ctx, &prep); err != nil {
		return w.state, fmt.Errorf("prepare workshop: %w", err)
	}
	if workflow.GetVersion(ctx, changeWorkshopOnePerYear, workflow.DefaultVersion, 1) == 1 {
		if prep.Duplicate {
			w.state.WorkshopID, w.state.Status = prep.WorkshopID, WorkshopDuplicate
			return w.state, nil
		}
		if w.state.CustomerName == "" {
			w.state.CustomerName = prep.CustomerName
		}
	}
	w.state.WorkshopID, w.state.Ours, w.state.Agenda = prep.WorkshopID, prep.Ours, prep.Agenda
	if prep.KAMEmail != "" && !w.told {
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

// followResponsible applies every SignalResponsibleChanged: from then on
// the named person gets the KAM's reminders and passes isKAM, the one she
// replaces no longer. No timer changes, so the main loop is not woken.
func (w *workshop) followResponsible(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalResponsibleChanged)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var c ResponsibleChanged
			ch.Receive(ctx, &c)
			if workflow.GetVersion(ctx, changeWorkshopFollowsResponsible, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
				continue
			}
			if email := strings.ToLower(strings.TrimSpace(c.Email)); strings.Contains(email, "@") {
				w.state.KAMEmail, w.told = email, true
			}
		}
	})
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
	notice := func(key string, to []string, subject, body string, text *NoticeText) func(workflow.Context) error {
		return func(ctx workflow.Context) error {
			w.state.NoticesSent = append(w.state.NoticesSent, key)
			return w.notify(ctx, key, to, subject, body, text)
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
					fmt.Sprintf("Please propose dates for this year's 1.5-day workshop with %s, about ten weeks ahead.\n\n%s", w.state.CustomerName, w.state.Agenda),
					noticeText(NoticeWorkshopPlan, w.state.CustomerName, w.state.Agenda)))
				break
			}
		}
	case WorkshopProposed:
		// Ask weekly for the customer's choice to be confirmed.
		rev := w.state.DatesSetAt.Format("20060102T1504")
		for n := 0; ; n++ {
			key := "confirm-" + rev + "-" + strconv.Itoa(n)
			if !w.sent(key) {
				consider(w.state.DatesSetAt.Add(time.Duration(n+1)*7*24*time.Hour), notice(key, []string{w.state.KAMEmail},
					"Confirm the workshop date with "+w.state.CustomerName,
					fmt.Sprintf("The customer chooses one of the proposed dates for the workshop with %s:\n%s\nConfirm it in kamflow to send the invitation.", w.state.CustomerName, dateList(w.state.DateOptions)),
					noticeText(NoticeWorkshopConfirm, append([]string{w.state.CustomerName}, momentArgs(w.state.DateOptions)...)...)))
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
					fmt.Sprintf("The annual workshop with %s starts on %s (%s).\n\n%s", w.state.CustomerName, start.Format("2006-01-02 15:04 MST"), w.state.Place, w.state.Agenda),
					noticeText(NoticeWorkshopReminder, w.state.CustomerName, momentArg(start), w.state.Place, w.state.Agenda)))
			}
		}
		due := *w.state.MinutesDue
		if !w.sent("minutes-due") {
			consider(due, notice("minutes-due", []string{w.state.KAMEmail}, "Minutes due: workshop with "+w.state.CustomerName,
				fmt.Sprintf("The minutes of the workshop held on %s are due today. Record them with every agreed item as an action.", start.Format("2006-01-02")),
				noticeText(NoticeWorkshopMinutesDue, w.state.CustomerName, dateArg(start))))
		}
		for n := 0; ; n++ {
			key := "minutes-escalation-" + strconv.Itoa(n)
			if !w.sent(key) {
				consider(due.Add(2*24*time.Hour+time.Duration(n)*7*24*time.Hour), notice(key, []string{w.state.KAMEmail, w.state.LeadEmail},
					"Escalation: workshop minutes missing ("+w.state.CustomerName+")",
					fmt.Sprintf("The minutes of the workshop with %s held on %s were due on %s and are still missing.", w.state.CustomerName, start.Format("2006-01-02"), due.Format("2006-01-02")),
					noticeText(NoticeWorkshopMinutesEscalation, w.state.CustomerName, dateArg(start), dateArg(due))))
				break
			}
		}
	case WorkshopMinuted:
		if i, key, t, ok := nextActionNotice(w.state.Actions, now); ok {
			consider(t, func(ctx workflow.Context) error {
				return notifyAction(ctx, w.id, w.link(), &w.state.Actions[i], key, []string{w.state.KAMEmail, w.state.LeadEmail})
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

func (w *workshop) notify(ctx workflow.Context, kind string, to []string, subject, body string, text *NoticeText) error {
	var rcpt []string
	for _, e := range to {
		if e != "" {
			rcpt = append(rcpt, e)
		}
	}
	if len(rcpt) == 0 {
		return nil
	}
	n := Notification{IdempotencyKey: w.id + "/" + kind, Recipients: rcpt, Subject: subject, Body: body, Link: w.link(), Text: text}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

// workshopPreparing answers updates that come before the workshop's
// preparation has been taken in.
const workshopPreparing = "the workshop is still being prepared"

func (w *workshop) isKAM(a Actor) bool {
	return strings.EqualFold(a.Email, w.state.KAMEmail) || a.has("lead") || a.has("admin")
}

// Before preparation the workshop has no KAM to check against: whoever
// asks is told to wait, not refused. (Which rejection an update gets is in
// no history, and the updates accepted are the same, so this needs no
// version marker.)
func (w *workshop) validateDates(ctx workflow.Context, r ProposeDatesRequest) error {
	if w.state.WorkshopID == 0 {
		return notReady(workshopPreparing)
	}
	if !w.isKAM(r.Actor) {
		return forbidden("only the account's KAM (or a lead) plans the workshop")
	}
	if w.minuting || w.state.Status != WorkshopPlanning && w.state.Status != WorkshopProposed && w.state.Status != WorkshopInvited {
		return conflict("the workshop took place already")
	}
	now := workflow.Now(ctx)
	if w.state.StartsAt != nil && !now.Before(*w.state.StartsAt) {
		return conflict("the workshop has started")
	}
	if !r.StartsAt.After(now) {
		return invalid("starts_at", "the workshop starts in the future (about ten weeks ahead)")
	}
	if len(r.Alternatives) > MaxWorkshopDates-1 {
		return invalid("alternatives", "propose at most three dates")
	}
	if len(r.Alternatives) > 0 && w.state.Status == WorkshopInvited {
		return invalid("alternatives", "the invitation is out: move the workshop to one new date")
	}
	for i, a := range r.Alternatives {
		f := fmt.Sprintf("alternatives[%d]", i)
		if !a.After(now) {
			return invalid(f, "the workshop starts in the future (about ten weeks ahead)")
		}
		if a.Equal(r.StartsAt) || slices.ContainsFunc(r.Alternatives[:i], a.Equal) {
			return invalid(f, "propose each date once")
		}
	}
	if strings.TrimSpace(r.Place) == "" || len(r.Place) > 300 {
		return invalid("place", "place is required (up to 300 characters)")
	}
	return nil
}

// MinutesDue is when a workshop's minutes are due: five working days
// after it ended.
func MinutesDue(end time.Time) time.Time { return addWorkingDays(end, 5) }

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
	if len(r.Alternatives) > 0 && w.hasDateOptionsAndParticipants(ctx) {
		return w.proposeDateOptions(ctx, r)
	}
	w.state.DateOptions = nil
	start := r.StartsAt.UTC()
	end := start.Add(WorkshopDuration)
	due := MinutesDue(end)
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
			w.state.CustomerName, start.Format("2006-01-02 15:04 MST"), end.Format("2006-01-02 15:04 MST"), w.state.Place, w.state.Agenda),
		noticeText(NoticeWorkshopInvitation, w.state.CustomerName, momentArg(start), momentArg(end), w.state.Place, w.state.Agenda))
}

// hasDateOptionsAndParticipants reports whether this execution runs the
// date options and the participants' changes (recorded once as a marker;
// only their updates ask, which earlier histories never had).
func (w *workshop) hasDateOptionsAndParticipants(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changeWorkshopDateOptionsAndParticipants, workflow.DefaultVersion, 1) == 1
}

// proposeDateOptions sends several first days to the customer to choose
// from; our participants keep them free until the KAM confirms one.
func (w *workshop) proposeDateOptions(ctx workflow.Context, r ProposeDatesRequest) (WorkshopState, error) {
	options := []time.Time{r.StartsAt.UTC()}
	for _, a := range r.Alternatives {
		options = append(options, a.UTC())
	}
	w.state.DateOptions, w.state.Place = options, strings.TrimSpace(r.Place)
	w.state.DatesSetAt = workflow.Now(ctx)
	w.state.Status = WorkshopProposed
	w.version++
	in := WorkshopUpdateInput{WorkshopID: w.state.WorkshopID, Status: WorkshopProposed, Place: w.state.Place, DateOptions: options}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityUpdateWorkshop, in).Get(ctx, nil); err != nil {
		return w.state, err
	}
	return w.state, w.notify(ctx, "date-options-"+dateKeys(options), w.participants(), "Dates proposed: workshop with "+w.state.CustomerName,
		fmt.Sprintf("These dates for the annual 1.5-day workshop with %s went to the customer, at %s:\n%s\nPlease keep them free until one is confirmed.\n\n%s",
			w.state.CustomerName, w.state.Place, dateList(options), w.state.Agenda),
		noticeText(NoticeWorkshopDatesProposed, append([]string{w.state.CustomerName, w.state.Place, w.state.Agenda}, momentArgs(options)...)...))
}

func dateKeys(ts []time.Time) string {
	keys := make([]string, len(ts))
	for i, t := range ts {
		keys[i] = t.Format("20060102T1504")
	}
	return strings.Join(keys, "-")
}

func dateList(ts []time.Time) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "- %s\n", t.Format("2006-01-02 15:04 MST"))
	}
	return b.String()
}

func (w *workshop) validateParticipants(ctx workflow.Context, r ParticipantsRequest) error {
	if w.state.WorkshopID == 0 {
		return notReady(workshopPreparing)
	}
	if !w.isKAM(r.Actor) {
		return forbidden("only the account's KAM (or a lead) chooses the workshop's participants")
	}
	if w.minuting || w.state.Status != WorkshopPlanning && w.state.Status != WorkshopProposed && w.state.Status != WorkshopInvited {
		return conflict("the workshop took place already")
	}
	if w.state.StartsAt != nil && !workflow.Now(ctx).Before(*w.state.StartsAt) {
		return conflict("the workshop has started")
	}
	if len(r.Participants) > MaxWorkshopParticipants {
		return invalid("participants", fmt.Sprintf("at most %d participants", MaxWorkshopParticipants))
	}
	seen := map[string]bool{}
	ours := 0
	for i, p := range r.Participants {
		f := fmt.Sprintf("participants[%d]", i)
		switch {
		case p.Side != SideOurs && p.Side != SideTheirs:
			return invalid(f+".side", "side is ours or theirs")
		case p.PersonID == 0:
			return invalid(f+".id", "choose a person")
		case strings.TrimSpace(p.Name) == "" || len(p.Name) > 200:
			return invalid(f+".name", "name is required (up to 200 characters)")
		case p.Side == SideOurs && !strings.Contains(p.Email, "@"):
			return invalid(f+".email", "our participants need an e-mail address for the invitation")
		}
		key := p.Side + "/" + strconv.FormatUint(uint64(p.PersonID), 10)
		if seen[key] {
			return invalid(f+".id", p.Name+" takes part already")
		}
		seen[key] = true
		if p.Side == SideOurs {
			ours++
		}
	}
	if ours == 0 {
		return invalid("participants.ours", "at least one of our people takes part")
	}
	return nil
}

// setParticipants replaces who takes part; once invited, our people who
// join get the invitation.
func (w *workshop) setParticipants(ctx workflow.Context, r ParticipantsRequest) (WorkshopState, error) {
	if !w.hasDateOptionsAndParticipants(ctx) {
		return w.state, conflict("this workshop's participants cannot be changed")
	}
	invited := map[string]bool{}
	for _, e := range w.participants() {
		invited[strings.ToLower(e)] = true
	}
	people := make([]WorkshopPerson, len(r.Participants))
	ours := []string{}
	for i, p := range r.Participants {
		p.Name, p.Email = strings.TrimSpace(p.Name), strings.TrimSpace(p.Email)
		people[i] = p
		if p.Side == SideOurs {
			ours = append(ours, p.Email)
		}
	}
	w.state.Participants, w.state.Ours = people, ours
	w.version++
	in := WorkshopParticipantsInput{WorkshopID: w.state.WorkshopID, Participants: people}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySetWorkshopParticipants, in).Get(ctx, nil); err != nil {
		return w.state, err
	}
	if w.state.Status != WorkshopInvited {
		return w.state, nil
	}
	start, end := *w.state.StartsAt, *w.state.EndsAt
	for _, e := range ours {
		if invited[strings.ToLower(e)] {
			continue
		}
		err := w.notify(ctx, "invitation-"+start.Format("20060102")+"-"+strings.ToLower(e), []string{e}, "Invitation: workshop with "+w.state.CustomerName+" on "+start.Format("2006-01-02"),
			fmt.Sprintf("You are invited to the annual 1.5-day workshop with %s from %s to %s at %s.\n\n%s",
				w.state.CustomerName, start.Format("2006-01-02 15:04 MST"), end.Format("2006-01-02 15:04 MST"), w.state.Place, w.state.Agenda),
			noticeText(NoticeWorkshopInvitation, w.state.CustomerName, momentArg(start), momentArg(end), w.state.Place, w.state.Agenda))
		if err != nil {
			return w.state, err
		}
	}
	return w.state, nil
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

// link is the workshop's page once prepared, before that its account's.
func (w *workshop) link() string {
	if w.state.WorkshopID == 0 {
		return KeyAccountLink(w.state.KeyAccountID, "workshops")
	}
	return WorkshopLink(w.state.WorkshopID)
}
