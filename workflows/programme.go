package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Activity names the programme workflow calls; the worker registers the
// activities package's methods under these names.
const (
	ActivityRecordProgrammeEvent = "RecordProgrammeEvent"
	ActivityNotify               = "Notify"
)

// defaultHistoryLimit triggers continue-as-new at a phase boundary before
// the history grows large, even if the server has not suggested it yet.
const defaultHistoryLimit = 5000

const maxResultLen = 20000

// programme carries one programme's state through its phases.
type programme struct {
	state ProgrammeState
	// version counts state changes made by updates; the main loop waits on it.
	version      int
	historyLimit int
	// projected is what the last recorded event left in the database.
	projected projected
	// plansThroughPlanWorkflow: a key account's plan counts only when its
	// plan workflow approved it (taken once in setup, read by the validator).
	plansThroughPlanWorkflow bool
	// computing counts compute_selection updates awaiting their candidates.
	computing int
}

// Programme is the workflow of one KAM introduction, from set-up to the
// committee closing it, over two to three years.
func Programme(ctx workflow.Context, in ProgrammeInput) (ProgrammeState, error) {
	p := &programme{}
	if err := p.setup(ctx, in); err != nil {
		return p.state, err
	}
	return p.run(ctx)
}

func (p *programme) setup(ctx workflow.Context, in ProgrammeInput) error {
	p.historyLimit = defaultHistoryLimit
	p.plansThroughPlanWorkflow = workflow.GetVersion(ctx, changePlansThroughPlanWorkflow, workflow.DefaultVersion, 1) == 1
	// Taken once per programme: a resumed run keeps what its first run chose.
	rolloutChecks := workflow.GetVersion(ctx, changeRolloutRecord, workflow.DefaultVersion, 1) == 1
	if in.HistoryLimit > 0 {
		p.historyLimit = in.HistoryLimit
	}
	if in.Resume != nil {
		p.state = *in.Resume
	} else {
		if err := validateInput(in); err != nil {
			return err
		}
		plan := in.Plan
		if len(plan) == 0 {
			plan = DefaultPlan(in.StartDate)
		}
		reminders := in.Reminders
		if len(reminders.Before) == 0 && reminders.OverdueEvery == 0 {
			reminders = DefaultReminders()
		}
		p.state = ProgrammeState{
			ProgrammeID:     in.ProgrammeID,
			Name:            in.Name,
			LeadEmail:       in.LeadEmail,
			CommitteeEmails: in.CommitteeEmails,
			StartDate:       in.StartDate,
			Reminders:       reminders,
			Status:          StatusActive,
			CurrentPhase:    phaseDefs[0].key,
			FocusLimit:      in.FocusLimit,
			RolloutChecks:   rolloutChecks,
		}
		if p.state.FocusLimit == 0 {
			p.state.FocusLimit = DefaultFocusLimit
		}
		for i, d := range phaseDefs {
			p.state.Phases = append(p.state.Phases, PhaseState{
				Phase: d.key, Gate: d.gate, Status: PhasePending, Due: plan[i].Due, Responsible: in.LeadEmail,
			})
		}
		// The first phase is open from the start, so an update arriving with
		// the first workflow task is validated against it.
		now := workflow.Now(ctx)
		p.state.Phases[0].Status, p.state.Phases[0].StartedAt = PhaseInProgress, &now
	}
	if err := workflow.SetQueryHandler(ctx, QueryProgrammeState, func() (ProgrammeState, error) {
		return p.state, nil
	}); err != nil {
		return fmt.Errorf("register query: %w", err)
	}
	if err := registerUpdates(ctx, []updateHandler{
		{UpdateSubmit, p.submit, p.validateSubmit},
		{UpdateApprove, p.approve, p.validateApprove},
		{UpdateReject, p.reject, p.validateReject},
		{UpdatePause, p.pause, p.validatePause},
		{UpdateResume, p.resume, p.validateResume},
		{UpdateCancel, p.cancel, p.validateCancel},
		{UpdateReplan, p.replan, p.validateReplan},
	}); err != nil {
		return err
	}
	if err := p.registerSelectionHandlers(ctx); err != nil {
		return err
	}
	return p.registerRolloutHandlers(ctx)
}

// updateHandler pairs an update's handler with its validator.
type updateHandler struct {
	name      string
	handler   any
	validator any
}

func registerUpdates(ctx workflow.Context, handlers []updateHandler) error {
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, onUpdatePath(h.handler), workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", h.name, err)
		}
	}
	return nil
}

func validateInput(in ProgrammeInput) error {
	switch {
	case in.ProgrammeID == 0:
		return invalid("programme_id", "programme_id is required")
	case strings.TrimSpace(in.Name) == "":
		return invalid("name", "name is required")
	case !strings.Contains(in.LeadEmail, "@"):
		return invalid("lead_email", "lead_email must be an e-mail address")
	case len(in.CommitteeEmails) == 0:
		return invalid("committee_emails", "the steering committee needs at least one member")
	case in.StartDate.IsZero():
		return invalid("start_date", "start_date is required")
	}
	if err := ValidateFocusLimit(in.FocusLimit); err != nil {
		return err
	}
	if len(in.Plan) > 0 {
		if err := ValidatePlan(in.Plan); err != nil {
			return err
		}
	}
	return nil
}

// ValidatePlan insists on one due date per phase, in phase order, never
// going backwards; the web checks a new programme's plan with it too.
func ValidatePlan(plan []PhaseDue) error {
	return checkPlan(plan, func(i int, part string) string { return fmt.Sprintf("plan[%d].%s", i, part) })
}

// checkPlan is ValidatePlan naming the offending field with field.
func checkPlan(plan []PhaseDue, field func(i int, part string) string) error {
	if len(plan) != len(phaseDefs) {
		return invalid("plan", fmt.Sprintf("the plan needs a due date for each of the %d phases, in order", len(phaseDefs)))
	}
	for i, d := range plan {
		if d.Phase != phaseDefs[i].key {
			return invalid(field(i, "phase"), fmt.Sprintf("must be %q", phaseDefs[i].key))
		}
		if i > 0 && d.Due.Before(plan[i-1].Due) {
			return invalid(field(i, "due"), fmt.Sprintf("the due date of %s is before the one of %s", d.Phase, plan[i-1].Phase))
		}
	}
	return nil
}

// MaxFocusLimit bounds the provisional list length a programme may set.
const MaxFocusLimit = 1000

// ValidateFocusLimit accepts 0 (the default) or 1 to MaxFocusLimit.
func ValidateFocusLimit(n int) error {
	if n < 0 || n > MaxFocusLimit {
		return invalid("focus_limit", fmt.Sprintf("focus_limit must be between 1 and %d", MaxFocusLimit))
	}
	return nil
}

// run waits for each phase in turn while it sends reminders. The update
// handlers move the programme forward themselves, so the state a validator
// sees is always current, even while this loop waits on an activity.
func (p *programme) run(ctx workflow.Context) (ProgrammeState, error) {
	if p.state.EventSeq == 0 {
		if err := p.record(ctx, EventCreated, "", p.state.LeadEmail, ""); err != nil {
			return p.state, err
		}
		if err := p.record(ctx, EventPhaseStarted, p.state.CurrentPhase, "", ""); err != nil {
			return p.state, err
		}
	}
	if err := p.upsertSearchAttributes(ctx); err != nil {
		return p.state, err
	}
	for p.state.Status == StatusActive || p.state.Status == StatusPaused {
		current := p.state.CurrentPhase
		if err := p.awaitPhase(ctx, phaseIndex(current)); err != nil {
			return p.state, err
		}
		if p.state.Status != StatusActive && p.state.Status != StatusPaused {
			break
		}
		if p.shouldContinueAsNew(ctx) {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return p.state, err
			}
			resume := p.state
			return p.state, workflow.NewContinueAsNewError(ctx, ProgrammeWorkflowName, ProgrammeInput{Resume: &resume})
		}
	}
	return p.finish(ctx)
}

// finish lets running updates complete before the workflow closes.
func (p *programme) finish(ctx workflow.Context) (ProgrammeState, error) {
	if err := p.upsertSearchAttributes(ctx); err != nil {
		return p.state, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return p.state, err
	}
	return p.state, nil
}

func (p *programme) shouldContinueAsNew(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > p.historyLimit
}

// changeSteadyReminderTimer keeps one timer per reminder instead of
// starting a new one after every update (two commands and a timer task
// less per update).
const changeSteadyReminderTimer = "steady-reminder-timer"

// awaitPhase waits until phase i is done or the programme is cancelled,
// sending reminders before its due date and overdue notices after it.
func (p *programme) awaitPhase(ctx workflow.Context, i int) error {
	ph := &p.state.Phases[i]
	steady := workflow.GetVersion(ctx, changeSteadyReminderTimer, workflow.DefaultVersion, 1) == 1
	var timer reminderTimer
	defer timer.stop()
	for ph.Status != PhaseDone && (p.state.Status == StatusActive || p.state.Status == StatusPaused) {
		seen := p.version
		changed := func() bool { return p.version != seen }
		if p.state.Status == StatusPaused {
			timer.stop()
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		now := workflow.Now(ctx)
		r := nextReminder(ph, p.state.Reminders, now)
		ph.RemindersSent = append(ph.RemindersSent, r.skipped...)
		if !r.at.After(now) {
			if err := p.remind(ctx, ph, r); err != nil {
				return err
			}
			continue
		}
		if !steady {
			if _, err := workflow.AwaitWithTimeout(ctx, r.at.Sub(now), changed); err != nil {
				return err
			}
			continue
		}
		// An update wakes the loop; the timer stays unless the reminder it
		// waits for moved (a replan, a resume, a notice sent).
		timer.set(ctx, r.at, now)
		if err := workflow.Await(ctx, func() bool { return changed() || timer.fired() }); err != nil {
			return err
		}
	}
	return nil
}

// reminderTimer is the timer for the next reminder of a phase.
type reminderTimer struct {
	at     time.Time
	future workflow.Future
	cancel workflow.CancelFunc
}

// set makes the timer fire at at, keeping it if it already does.
func (t *reminderTimer) set(ctx workflow.Context, at, now time.Time) {
	if t.future != nil && t.at.Equal(at) && !t.future.IsReady() {
		return
	}
	t.stop()
	tctx, cancel := workflow.WithCancel(ctx)
	*t = reminderTimer{at: at, future: workflow.NewTimer(tctx, at.Sub(now)), cancel: cancel}
}

func (t *reminderTimer) fired() bool { return t.future != nil && t.future.IsReady() }

// stop cancels a pending timer.
func (t *reminderTimer) stop() {
	if t.future != nil && !t.future.IsReady() {
		t.cancel()
	}
	*t = reminderTimer{}
}

// reminder is the next notice due for a phase.
type reminder struct {
	key     string
	at      time.Time
	overdue bool
	// skipped are notices whose time passed while a later one is also due
	// (after a late start, a replan or a resume): only the latest is sent.
	skipped []string
}

func nextReminder(ph *PhaseState, policy ReminderPolicy, now time.Time) reminder {
	sent := map[string]bool{}
	for _, k := range ph.RemindersSent {
		sent[k] = true
	}
	var candidates []reminder
	for _, b := range policy.Before {
		key := "before-" + strconv.FormatInt(int64(b/time.Hour), 10) + "h"
		if !sent[key] {
			candidates = append(candidates, reminder{key: key, at: ph.Due.Add(-b)})
		}
	}
	every := policy.OverdueEvery
	if every <= 0 {
		every = 7 * 24 * time.Hour
	}
	next := 0
	for k := 0; sent["overdue-"+strconv.Itoa(k)]; k++ {
		next = k + 1
	}
	if now.After(ph.Due) {
		if passed := int(now.Sub(ph.Due) / every); passed > next {
			next = passed
		}
	}
	candidates = append(candidates, reminder{key: "overdue-" + strconv.Itoa(next), at: ph.Due.Add(time.Duration(next) * every), overdue: true})
	// Candidates are few; order them by time (insertion sort keeps it deterministic).
	for a := 1; a < len(candidates); a++ {
		for b := a; b > 0 && candidates[b].at.Before(candidates[b-1].at); b-- {
			candidates[b], candidates[b-1] = candidates[b-1], candidates[b]
		}
	}
	var skipped []string
	pick := candidates[0]
	for _, c := range candidates[1:] {
		if c.at.After(now) {
			break
		}
		skipped = append(skipped, pick.key)
		pick = c
	}
	// Overdue notices between the last one sent and the current one are
	// implied by it, not separate reminders.
	if pick.overdue {
		skipped = skipped[:0:0]
		for _, c := range candidates {
			if !c.overdue && !c.at.After(now) {
				skipped = append(skipped, c.key)
			}
		}
		for k := 0; k < next; k++ {
			if key := "overdue-" + strconv.Itoa(k); !sent[key] {
				skipped = append(skipped, key)
			}
		}
	}
	pick.skipped = skipped
	return pick
}

func (p *programme) remind(ctx workflow.Context, ph *PhaseState, r reminder) error {
	due := ph.Due.Format("2006-01-02")
	n := Notification{
		IdempotencyKey: fmt.Sprintf("programme-%d/%s/%s/%s", p.state.ProgrammeID, ph.Phase, r.key, due),
		ProgrammeID:    p.state.ProgrammeID,
		Link:           ProgrammeLink(p.state.ProgrammeID, ph.Phase),
	}
	kind := EventReminder
	if r.overdue {
		kind = EventOverdue
		n.Recipients = append([]string{p.state.LeadEmail}, p.state.CommitteeEmails...)
		n.Subject = fmt.Sprintf("%s: phase %s is overdue (due %s)", p.state.Name, ph.Phase, due)
		n.Body = fmt.Sprintf("The phase %q of the KAM programme %q was due on %s and is not finished. Responsible: %s.", ph.Phase, p.state.Name, due, ph.Responsible)
		n.Text = noticeText(NoticePhaseOverdue, p.state.Name, string(ph.Phase), due, ph.Responsible)
	} else {
		n.Recipients = []string{ph.Responsible}
		n.Subject = fmt.Sprintf("%s: phase %s is due on %s", p.state.Name, ph.Phase, due)
		n.Body = fmt.Sprintf("Reminder: the phase %q of the KAM programme %q is due on %s.", ph.Phase, p.state.Name, due)
		n.Text = noticeText(NoticePhaseDue, p.state.Name, string(ph.Phase), due)
	}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil); err != nil {
		return fmt.Errorf("notify %s: %w", r.key, err)
	}
	ph.RemindersSent = append(ph.RemindersSent, r.key)
	return p.recordText(ctx, kind, ph.Phase, "", r.key, reminderText(r.key))
}

// changeProjectionDeltas makes each event carry only what changed, and the
// whole state a page shows (criteria, candidates, assignments, training,
// plans, results) instead of only the milestones.
const changeProjectionDeltas = "projection-deltas"

// record projects a transition to the DB; Seq makes the write idempotent.
func (p *programme) record(ctx workflow.Context, kind string, phase Phase, actor, comment string) error {
	return p.recordWith(ctx, kind, phase, actor, comment, nil, nil)
}

// recordText records an event whose comment kamflow wrote: in English, and
// by its key and parameters.
func (p *programme) recordText(ctx workflow.Context, kind string, phase Phase, actor, comment string, text *CommentText) error {
	return p.recordWith(ctx, kind, phase, actor, comment, nil, text)
}

// recordWith records an event that carries a KAM's training fact.
func (p *programme) recordWith(ctx workflow.Context, kind string, phase Phase, actor, comment string, training *TrainingEventFact, text *CommentText) error {
	p.state.EventSeq++
	if workflow.GetVersion(ctx, changeProjectionDeltas, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		// Started before deltas: every event carries the whole state, so
		// the database catches up with what older events did not carry.
		p.projected.valid = false
	}
	ev := ProgrammeEvent{
		ProgrammeID: p.state.ProgrammeID, Seq: p.state.EventSeq, Kind: kind, Phase: phase, Actor: actor, Comment: comment, Text: text,
		At: workflow.Now(ctx), Name: p.state.Name, LeadEmail: p.state.LeadEmail, StartDate: p.state.StartDate, Status: p.state.Status,
		CurrentPhase: p.state.CurrentPhase, CommitteeEmails: p.state.CommitteeEmails, TrainingFact: training,
	}
	p.fillChanges(&ev)
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityRecordProgrammeEvent, ev).Get(ctx, nil); err != nil {
		// The database may have missed this change: the next event carries everything.
		p.projected.valid = false
		return fmt.Errorf("record %s: %w", kind, err)
	}
	return nil
}

func (p *programme) upsertSearchAttributes(ctx workflow.Context) error {
	return workflow.UpsertTypedSearchAttributes(ctx,
		SearchAttrStatus.ValueSet(string(p.state.Status)),
		SearchAttrPhase.ValueSet(string(p.state.CurrentPhase)),
		SearchAttrLead.ValueSet(p.state.LeadEmail),
	)
}

func (p *programme) changed() { p.version++ }

// withActivityOptions is applied at each call because update handlers get
// a fresh context, not the one the main loop configured. Activities a
// person waits on (an update handler's) share UpdateActivityBound from the
// update's start; the main loop's retry until they succeed.
func withActivityOptions(ctx workflow.Context) workflow.Context {
	if deadline, onPath := ctx.Value(updatePathKey{}).(time.Time); onPath {
		left := max(deadline.Sub(workflow.Now(ctx)), time.Second)
		return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout:    min(left, UpdateActivityBound/2),
			ScheduleToCloseTimeout: left,
			RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 4 * time.Second},
		})
	}
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	})
}

// --- validators: they reject synchronously; a rejection never enters history ---

func (p *programme) requireOpen() error {
	switch p.state.Status {
	case StatusCancelled:
		return conflict("the programme is cancelled")
	case StatusCompleted:
		return conflict("the programme is completed")
	}
	return nil
}

func (p *programme) requireActive() error {
	if err := p.requireOpen(); err != nil {
		return err
	}
	if p.state.Status == StatusPaused {
		return conflict("the programme is paused")
	}
	return nil
}

func (p *programme) isLead(a Actor) bool { return p.state.IsLead(a) }

func (p *programme) isCommittee(a Actor) bool { return p.state.IsCommittee(a) }

func (p *programme) requireCurrent(phase Phase, want PhaseStatus) (*PhaseState, error) {
	if !phase.Valid() {
		return nil, invalid("phase", fmt.Sprintf("%q is not a phase", phase))
	}
	if phase != p.state.CurrentPhase {
		return nil, conflict(fmt.Sprintf("phase %s is not the current phase (%s)", phase, p.state.CurrentPhase))
	}
	ph := p.state.Phase(phase)
	if ph.Status != want {
		return nil, conflict(fmt.Sprintf("phase %s is %s, not %s", phase, ph.Status, want))
	}
	return ph, nil
}

func (p *programme) validateSubmit(r SubmitRequest) error {
	if err := p.requireActive(); err != nil {
		return err
	}
	ph, err := p.requireCurrent(r.Phase, PhaseInProgress)
	if err != nil {
		return err
	}
	if !p.isLead(r.Actor) && !strings.EqualFold(r.Actor.Email, ph.Responsible) {
		return forbidden("only the programme lead or the phase's responsible person submits results")
	}
	// Prerequisites came with selection and assignment; a programme that
	// runs the older code (its first gate said so) hands phases in without them.
	if !p.state.PreSelection {
		if r.Phase == PhaseProvisionalSelection && p.computing > 0 {
			return conflict("the provisional list is being computed; submit it once it is done")
		}
		if h := p.state.SubmitHindrances(r.Phase); len(h) > 0 {
			return conflictAt(h[0].Field, h[0].Reason)
		}
	}
	result := strings.TrimSpace(r.Result)
	if result == "" && !p.composesResult(r.Phase) {
		return invalid("result", "result is required: describe what the phase produced")
	}
	if len(result) > maxResultLen {
		return invalid("result", fmt.Sprintf("result is longer than %d characters", maxResultLen))
	}
	return nil
}

func (p *programme) validateDecision(r DecisionRequest, commentRequired bool) error {
	if err := p.requireActive(); err != nil {
		return err
	}
	if _, err := p.requireCurrent(r.Phase, PhaseSubmitted); err != nil {
		return err
	}
	if !p.isCommittee(r.Actor) {
		return forbidden("only members of this programme's steering committee decide on a gate")
	}
	if commentRequired && strings.TrimSpace(r.Comment) == "" {
		return invalid("comment", "a rejection needs a comment saying what to rework")
	}
	if len(r.Comment) > maxResultLen {
		return invalid("comment", fmt.Sprintf("comment is longer than %d characters", maxResultLen))
	}
	return nil
}

func (p *programme) validateApprove(r DecisionRequest) error { return p.validateDecision(r, false) }
func (p *programme) validateReject(r DecisionRequest) error  { return p.validateDecision(r, true) }

func (p *programme) validatePause(r LifecycleRequest) error {
	if err := p.requireActive(); err != nil {
		return err
	}
	if !p.isLead(r.Actor) {
		return forbidden("only the programme lead pauses the programme")
	}
	return nil
}

func (p *programme) validateResume(r LifecycleRequest) error {
	if err := p.requireOpen(); err != nil {
		return err
	}
	if p.state.Status != StatusPaused {
		return conflict("the programme is not paused")
	}
	if !p.isLead(r.Actor) {
		return forbidden("only the programme lead resumes the programme")
	}
	return nil
}

func (p *programme) validateCancel(r LifecycleRequest) error {
	if err := p.requireOpen(); err != nil {
		return err
	}
	if !p.isLead(r.Actor) && !p.isCommittee(r.Actor) {
		return forbidden("only the programme lead or a committee member cancels the programme")
	}
	if strings.TrimSpace(r.Reason) == "" {
		return invalid("reason", "say why the programme is cancelled")
	}
	return nil
}

func (p *programme) validateReplan(r ReplanRequest) error {
	if err := p.requireOpen(); err != nil {
		return err
	}
	if !p.isLead(r.Actor) {
		return forbidden("only the programme lead re-plans the programme")
	}
	if r.ShiftDays == 0 && len(r.Set) == 0 {
		return invalid("shift_days", "give shift_days or due dates to set")
	}
	if r.ShiftDays < -3650 || r.ShiftDays > 3650 {
		return invalid("shift_days", "shift_days must be within ±3650")
	}
	if strings.TrimSpace(r.Reason) == "" {
		return invalid("reason", "say why the plan changes")
	}
	for _, d := range r.Set {
		ph := p.state.Phase(d.Phase)
		if ph == nil {
			return invalid("set", fmt.Sprintf("%q is not a phase", d.Phase))
		}
		if ph.Status == PhaseDone {
			return conflict(fmt.Sprintf("phase %s is done; its due date is history", d.Phase))
		}
		if d.Due.IsZero() {
			return invalid("set."+string(d.Phase), "due date is required")
		}
	}
	// A re-plan names the phase whose date would go backwards.
	return checkPlan(p.replanned(r), func(i int, _ string) string { return "plan." + string(phaseDefs[i].key) })
}

// replanned is the plan after r: open phases shift, then set dates apply.
func (p *programme) replanned(r ReplanRequest) []PhaseDue {
	out := make([]PhaseDue, len(p.state.Phases))
	for i, ph := range p.state.Phases {
		due := ph.Due
		if ph.Status != PhaseDone {
			due = due.AddDate(0, 0, r.ShiftDays)
			for _, d := range r.Set {
				if d.Phase == ph.Phase {
					due = d.Due
				}
			}
		}
		out[i] = PhaseDue{Phase: ph.Phase, Due: due}
	}
	return out
}

// --- update handlers: validated already; they change state and project it ---

func (p *programme) submit(ctx workflow.Context, r SubmitRequest) (ProgrammeState, error) {
	ph := p.state.Phase(r.Phase)
	now := workflow.Now(ctx)
	result := strings.TrimSpace(r.Result)
	if p.composesResult(r.Phase) {
		result = p.state.RolloutResult(result)
	}
	ph.Result, ph.SubmittedBy, ph.SubmittedAt = result, r.Actor.Email, &now
	if ph.Gate {
		ph.Status = PhaseSubmitted
		p.changed()
	} else {
		p.completePhase(ctx, ph)
	}
	if err := p.record(ctx, EventSubmitted, r.Phase, r.Actor.Email, ""); err != nil {
		return p.state, err
	}
	if !ph.Gate {
		return p.state, p.announceProgress(ctx)
	}
	err := p.notify(ctx, fmt.Sprintf("programme-%d/%s/submitted/%d", p.state.ProgrammeID, r.Phase, p.state.EventSeq),
		p.state.CommitteeEmails,
		fmt.Sprintf("%s: phase %s waits for your approval", p.state.Name, r.Phase),
		fmt.Sprintf("%s submitted the results of phase %q of the KAM programme %q. Please approve or reject them.", r.Actor.Email, r.Phase, p.state.Name),
		noticeText(NoticePhaseSubmitted, p.state.Name, string(r.Phase), r.Actor.Email))
	return p.state, err
}

func (p *programme) approve(ctx workflow.Context, r DecisionRequest) (ProgrammeState, error) {
	ph := p.state.Phase(r.Phase)
	now := workflow.Now(ctx)
	ph.ApprovedBy, ph.ApprovedAt = r.Actor.Email, &now
	p.completePhase(ctx, ph)
	if err := p.record(ctx, EventApproved, r.Phase, r.Actor.Email, strings.TrimSpace(r.Comment)); err != nil {
		return p.state, err
	}
	if err := p.announceProgress(ctx); err != nil {
		return p.state, err
	}
	return p.state, p.afterGate(ctx, r.Phase)
}

// completePhase closes ph and opens the next phase at once, or completes
// the programme after the last one, before any activity yields.
func (p *programme) completePhase(ctx workflow.Context, ph *PhaseState) {
	now := workflow.Now(ctx)
	ph.Status, ph.CompletedAt = PhaseDone, &now
	if i := phaseIndex(ph.Phase) + 1; i < len(p.state.Phases) {
		next := &p.state.Phases[i]
		next.Status, next.StartedAt = PhaseInProgress, &now
		p.state.CurrentPhase = next.Phase
	} else {
		p.state.Status = StatusCompleted
	}
	p.changed()
}

// announceProgress projects what completePhase did.
func (p *programme) announceProgress(ctx workflow.Context) error {
	if p.state.Status == StatusCompleted {
		if err := p.record(ctx, EventCompleted, "", "", ""); err != nil {
			return err
		}
	} else if err := p.record(ctx, EventPhaseStarted, p.state.CurrentPhase, "", ""); err != nil {
		return err
	}
	return p.upsertSearchAttributes(ctx)
}

func (p *programme) reject(ctx workflow.Context, r DecisionRequest) (ProgrammeState, error) {
	ph := p.state.Phase(r.Phase)
	comment := strings.TrimSpace(r.Comment)
	ph.Status, ph.LastRejection = PhaseInProgress, comment
	p.changed()
	if err := p.record(ctx, EventRejected, r.Phase, r.Actor.Email, comment); err != nil {
		return p.state, err
	}
	err := p.notify(ctx, fmt.Sprintf("programme-%d/%s/rejected/%d", p.state.ProgrammeID, r.Phase, p.state.EventSeq),
		[]string{ph.Responsible},
		fmt.Sprintf("%s: phase %s was sent back", p.state.Name, r.Phase),
		fmt.Sprintf("%s rejected the results of phase %q: %s", r.Actor.Email, r.Phase, comment),
		noticeText(NoticePhaseRejected, p.state.Name, string(r.Phase), r.Actor.Email, comment))
	return p.state, err
}

func (p *programme) pause(ctx workflow.Context, r LifecycleRequest) (ProgrammeState, error) {
	now := workflow.Now(ctx)
	p.state.Status, p.state.PausedAt = StatusPaused, &now
	p.changed()
	if err := p.record(ctx, EventPaused, p.state.CurrentPhase, r.Actor.Email, strings.TrimSpace(r.Reason)); err != nil {
		return p.state, err
	}
	return p.state, p.upsertSearchAttributes(ctx)
}

// resume moves every open due date by the time the programme was paused.
func (p *programme) resume(ctx workflow.Context, r LifecycleRequest) (ProgrammeState, error) {
	now := workflow.Now(ctx)
	paused := now.Sub(*p.state.PausedAt)
	for i := range p.state.Phases {
		if ph := &p.state.Phases[i]; ph.Status != PhaseDone {
			ph.Due = ph.Due.Add(paused)
			ph.RemindersSent = nil
		}
	}
	p.state.Status, p.state.PausedAt = StatusActive, nil
	p.changed()
	comment := fmt.Sprintf("due dates moved by %s", paused.Round(time.Hour))
	if reason := strings.TrimSpace(r.Reason); reason != "" {
		comment = reason + "; " + comment
	}
	if err := p.record(ctx, EventResumed, p.state.CurrentPhase, r.Actor.Email, comment); err != nil {
		return p.state, err
	}
	return p.state, p.upsertSearchAttributes(ctx)
}

func (p *programme) cancel(ctx workflow.Context, r LifecycleRequest) (ProgrammeState, error) {
	p.state.Status, p.state.CancelReason = StatusCancelled, strings.TrimSpace(r.Reason)
	p.changed()
	return p.state, p.record(ctx, EventCancelled, p.state.CurrentPhase, r.Actor.Email, p.state.CancelReason)
}

func (p *programme) replan(ctx workflow.Context, r ReplanRequest) (ProgrammeState, error) {
	for i, d := range p.replanned(r) {
		if ph := &p.state.Phases[i]; !ph.Due.Equal(d.Due) {
			ph.Due, ph.RemindersSent = d.Due, nil
		}
	}
	p.changed()
	return p.state, p.record(ctx, EventReplanned, "", r.Actor.Email, strings.TrimSpace(r.Reason))
}

func (p *programme) notify(ctx workflow.Context, key string, to []string, subject, body string, text *NoticeText) error {
	n := Notification{IdempotencyKey: key, Recipients: to, Subject: subject, Body: body, ProgrammeID: p.state.ProgrammeID,
		Link: ProgrammeLink(p.state.ProgrammeID, ""), Text: text}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}
