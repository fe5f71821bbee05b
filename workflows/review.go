package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names shared with the web and worker for the review workflow.
const (
	ReviewWorkflowName = "Review"
	QueryReviewState   = "state"

	UpdateRecordFindings  = "record_findings"
	UpdateAddMeasure      = "add_measure"
	UpdateCompleteMeasure = "complete_measure"
	UpdateSignOff         = "sign_off"

	ActivityGatherReview    = "GatherReview"
	ActivitySaveFindings    = "SaveFindings"
	ActivitySaveMeasure     = "SaveMeasure"
	ActivityCompleteMeasure = "CompleteMeasure"
	ActivitySetReviewStatus = "SetReviewStatus"
)

// ReviewScheduleID is the Temporal Schedule of a programme's reviews.
func ReviewScheduleID(programmeID uint) string {
	return "review-schedule-" + strconv.FormatUint(uint64(programmeID), 10)
}

// ReviewWorkflowIDPrefix starts every review workflow ID of a programme;
// the Schedule appends the scheduled time, an on-demand review the date.
func ReviewWorkflowIDPrefix(programmeID uint) string {
	return "review-" + strconv.FormatUint(uint64(programmeID), 10)
}

// Review statuses.
const (
	ReviewOpen      = "open"
	ReviewSignedOff = "signed_off"
	ReviewClosed    = "closed"
)

// ReviewInput starts a review (from the Schedule or on demand).
type ReviewInput struct {
	ProgrammeID     uint   `json:"programme_id"`
	ControllerEmail string `json:"controller_email"`
}

// ReviewAccountKPI is one key account's figures in a review.
type ReviewAccountKPI struct {
	CustomerID   uint   `json:"customer_id"`
	CustomerName string `json:"customer_name"`
}

// ReviewGathered is what the gathering activity found.
type ReviewGathered struct {
	ReviewID  uint               `json:"review_id"`
	LeadEmail string             `json:"lead_email"`
	Accounts  []ReviewAccountKPI `json:"accounts"`
	// ProgrammeName names the programme in messages; empty in results
	// recorded before it was added.
	ProgrammeName string `json:"programme_name,omitempty"`
}

// GatherInput asks for a review's KPIs.
type GatherInput struct {
	ProgrammeID     uint   `json:"programme_id"`
	WorkflowID      string `json:"workflow_id"`
	ControllerEmail string `json:"controller_email"`
}

// MeasureState is an optimisation measure tracked by the review.
type MeasureState struct {
	ID            uint      `json:"id"`
	CustomerID    uint      `json:"customer_id,omitempty"`
	Title         string    `json:"title"`
	OwnerEmail    string    `json:"owner_email"`
	Due           time.Time `json:"due"`
	Done          bool      `json:"done"`
	RemindersSent []string  `json:"reminders_sent,omitempty"`
	// saveKey names a measure whose save is under way (ID still 0).
	saveKey string
}

// ReviewState is the live state of a review.
type ReviewState struct {
	ReviewInput
	ReviewID  uint               `json:"review_id"`
	LeadEmail string             `json:"lead_email"`
	Status    string             `json:"status"`
	Accounts  []ReviewAccountKPI `json:"accounts"`
	Overall   string             `json:"overall"`
	Measures  []MeasureState     `json:"measures"`
}

// FindingsRequest records findings on one account (CustomerID) or overall (0).
type FindingsRequest struct {
	Actor      Actor  `json:"actor"`
	CustomerID uint   `json:"customer_id"`
	Text       string `json:"text"`
}

// MeasureRequest adds an optimisation measure.
type MeasureRequest struct {
	Actor      Actor     `json:"actor"`
	CustomerID uint      `json:"customer_id"`
	Title      string    `json:"title"`
	OwnerEmail string    `json:"owner_email"`
	Due        time.Time `json:"due"`
}

// MeasureDoneRequest marks a measure done.
type MeasureDoneRequest struct {
	Actor     Actor `json:"actor"`
	MeasureID uint  `json:"measure_id"`
}

// SignOffRequest closes the review's findings.
type SignOffRequest struct {
	Actor   Actor  `json:"actor"`
	Overall string `json:"overall"`
}

// Activity payloads.

// SaveFindingsInput stores findings on an account.
type SaveFindingsInput struct {
	ReviewID   uint   `json:"review_id"`
	CustomerID uint   `json:"customer_id"`
	Text       string `json:"text"`
}

// SaveMeasureInput stores a measure once per key.
type SaveMeasureInput struct {
	ReviewID uint         `json:"review_id"`
	Key      string       `json:"key"`
	Measure  MeasureState `json:"measure"`
}

// MeasureDoneInput marks a measure done.
type MeasureDoneInput struct {
	MeasureID uint      `json:"measure_id"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// ReviewStatusInput records sign-off or closing.
type ReviewStatusInput struct {
	ReviewID uint      `json:"review_id"`
	Status   string    `json:"status"`
	Overall  string    `json:"overall"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

type review struct {
	state   ReviewState
	id      string
	version int
	seq     int
}

// Review is one controller review: KPIs gathered per key account,
// findings and optimisation measures recorded, measures tracked with
// reminders and escalation; it closes when signed off and every measure is done.
func Review(ctx workflow.Context, in ReviewInput) (ReviewState, error) {
	r := &review{id: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if in.ProgrammeID == 0 || !strings.Contains(in.ControllerEmail, "@") {
		return r.state, invalid("input", "programme_id and controller_email are required")
	}
	r.state = ReviewState{ReviewInput: in, Status: ReviewOpen}
	if err := workflow.SetQueryHandler(ctx, QueryReviewState, func() (ReviewState, error) { return r.state, nil }); err != nil {
		return r.state, err
	}
	if err := registerUpdates(ctx, []updateHandler{
		{UpdateRecordFindings, r.recordFindings, r.validateFindings},
		{UpdateAddMeasure, r.addMeasure, r.validateMeasure},
		{UpdateCompleteMeasure, r.completeMeasure, r.validateComplete},
		{UpdateSignOff, r.signOff, r.validateSignOff},
	}); err != nil {
		return r.state, err
	}
	if err := followOwnerChanges(ctx, func(c OwnerChanged) {
		if m := r.measure(c.ID); m != nil && c.Kind == WorkMeasure {
			m.OwnerEmail = c.OwnerEmail
		}
	}); err != nil {
		return r.state, err
	}
	var g ReviewGathered
	gin := GatherInput{ProgrammeID: in.ProgrammeID, WorkflowID: r.id, ControllerEmail: in.ControllerEmail}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityGatherReview, gin).Get(ctx, &g); err != nil {
		return r.state, fmt.Errorf("gather review: %w", err)
	}
	r.state.ReviewID, r.state.LeadEmail, r.state.Accounts = g.ReviewID, g.LeadEmail, g.Accounts
	r.version++
	programme := g.ProgrammeName
	if programme == "" {
		programme = "programme " + strconv.FormatUint(uint64(in.ProgrammeID), 10)
	}
	if err := r.notify(ctx, "ready", []string{in.ControllerEmail}, "Review ready: "+programme,
		fmt.Sprintf("The KPIs of %d key accounts are gathered. Record findings and optimisation measures, then sign the review off.", len(g.Accounts)),
		noticeText(NoticeReviewReady, programme, intText(len(g.Accounts)))); err != nil {
		return r.state, err
	}
	for !(r.state.Status == ReviewSignedOff && r.allDone()) {
		seen := r.version
		changed := func() bool { return r.version != seen }
		now := workflow.Now(ctx)
		m, key, at, ok := r.nextReminder(now)
		if !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return r.state, err
			}
			continue
		}
		if at.After(now) {
			if _, err := workflow.AwaitWithTimeout(ctx, at.Sub(now), changed); err != nil {
				return r.state, err
			}
			continue
		}
		m.RemindersSent = append(m.RemindersSent, key)
		to := []string{m.OwnerEmail}
		subject := fmt.Sprintf("Measure due %s: %s", m.Due.Format("2006-01-02"), m.Title)
		textKey := NoticeMeasureDue
		if strings.HasPrefix(key, "overdue") {
			to = append(to, r.state.ControllerEmail, r.state.LeadEmail)
			subject = fmt.Sprintf("Measure overdue since %s: %s", m.Due.Format("2006-01-02"), m.Title)
			textKey = NoticeMeasureOverdue
		}
		if err := r.notify(ctx, fmt.Sprintf("measure-%d/%s", m.ID, key), to, subject,
			fmt.Sprintf("Optimisation measure %q (owner %s) from a controller review is due on %s.", m.Title, m.OwnerEmail, m.Due.Format("2006-01-02")),
			noticeText(textKey, m.Title, m.OwnerEmail, dateArg(m.Due))); err != nil {
			return r.state, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return r.state, err
	}
	r.state.Status = ReviewClosed
	st := ReviewStatusInput{ReviewID: r.state.ReviewID, Status: ReviewClosed, At: workflow.Now(ctx)}
	return r.state, workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySetReviewStatus, st).Get(ctx, nil)
}

func (r *review) allDone() bool {
	for _, m := range r.state.Measures {
		if !m.Done {
			return false
		}
	}
	return true
}

// nextReminder: 3 days before a measure's due date to its owner, at the due
// date to owner, controller and lead, then weekly.
func (r *review) nextReminder(now time.Time) (*MeasureState, string, time.Time, bool) {
	var best *MeasureState
	var bestKey string
	var bestAt time.Time
	for i := range r.state.Measures {
		m := &r.state.Measures[i]
		if m.Done || m.ID == 0 {
			continue // reminders start once the measure is saved
		}
		sent := map[string]bool{}
		for _, k := range m.RemindersSent {
			sent[k] = true
		}
		key, at := "before", m.Due.Add(-3*24*time.Hour)
		if sent[key] || now.After(m.Due) {
			n := 0
			for sent["overdue-"+strconv.Itoa(n)] {
				n++
			}
			if passed := int(now.Sub(m.Due) / (7 * 24 * time.Hour)); now.After(m.Due) && passed > n {
				n = passed
			}
			key, at = "overdue-"+strconv.Itoa(n), m.Due.Add(time.Duration(n)*7*24*time.Hour)
		}
		if best == nil || at.Before(bestAt) {
			best, bestKey, bestAt = m, key, at
		}
	}
	return best, bestKey, bestAt, best != nil
}

func (r *review) notify(ctx workflow.Context, kind string, to []string, subject, body string, text *NoticeText) error {
	var rcpt []string
	for _, e := range to {
		if e != "" {
			rcpt = append(rcpt, e)
		}
	}
	n := Notification{IdempotencyKey: r.id + "/" + kind, Recipients: rcpt, Subject: subject, Body: body, ProgrammeID: r.state.ProgrammeID,
		Link: ReviewLink(r.state.ReviewID), Text: text}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

func (r *review) requireController(a Actor) error {
	if !a.has("controller") {
		return forbidden("only a controller does this")
	}
	if r.state.ReviewID == 0 {
		return conflict("the review's KPIs are still being gathered")
	}
	return nil
}

func (r *review) validateFindings(f FindingsRequest) error {
	if err := r.requireController(f.Actor); err != nil {
		return err
	}
	if r.state.Status != ReviewOpen {
		return conflict("the review is signed off")
	}
	if strings.TrimSpace(f.Text) == "" || len(f.Text) > 10000 {
		return invalid("text", "findings are required (up to 10000 characters)")
	}
	if f.CustomerID != 0 && !r.hasAccount(f.CustomerID) {
		return invalid("customer_id", fmt.Sprintf("customer %d is not a key account in this review", f.CustomerID))
	}
	return nil
}

func (r *review) hasAccount(id uint) bool {
	for _, a := range r.state.Accounts {
		if a.CustomerID == id {
			return true
		}
	}
	return false
}

func (r *review) recordFindings(ctx workflow.Context, f FindingsRequest) (ReviewState, error) {
	text := strings.TrimSpace(f.Text)
	if f.CustomerID == 0 {
		r.state.Overall = text
		r.version++
		return r.state, nil
	}
	in := SaveFindingsInput{ReviewID: r.state.ReviewID, CustomerID: f.CustomerID, Text: text}
	return r.state, workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySaveFindings, in).Get(ctx, nil)
}

func (r *review) validateMeasure(ctx workflow.Context, m MeasureRequest) error {
	if err := r.requireController(m.Actor); err != nil {
		return err
	}
	if r.state.Status != ReviewOpen {
		return conflict("the review is signed off")
	}
	switch {
	case strings.TrimSpace(m.Title) == "" || len(m.Title) > 300:
		return invalid("title", "title is required (up to 300 characters)")
	case !strings.Contains(m.OwnerEmail, "@"):
		return invalid("owner_email", "a measure needs an owner")
	case !m.Due.After(workflow.Now(ctx)):
		return invalid("due", "the due date must be in the future")
	case m.CustomerID != 0 && !r.hasAccount(m.CustomerID):
		return invalid("customer_id", fmt.Sprintf("customer %d is not a key account in this review", m.CustomerID))
	}
	return nil
}

// changeMeasureFirst: add_measure puts the measure into the state before
// it awaits the save, so a sign-off meanwhile cannot close the review
// without it.
const changeMeasureFirst = "review-measure-state-first"

func (r *review) addMeasure(ctx workflow.Context, m MeasureRequest) (ReviewState, error) {
	r.seq++
	ms := MeasureState{CustomerID: m.CustomerID, Title: strings.TrimSpace(m.Title), OwnerEmail: strings.ToLower(m.OwnerEmail), Due: m.Due}
	in := SaveMeasureInput{ReviewID: r.state.ReviewID, Key: r.id + "/m" + strconv.Itoa(r.seq), Measure: ms}
	if workflow.GetVersion(ctx, changeMeasureFirst, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySaveMeasure, in).Get(ctx, &ms.ID); err != nil {
			return r.state, fmt.Errorf("save measure: %w", err)
		}
		r.state.Measures = append(r.state.Measures, ms)
		r.version++
		return r.state, r.notifyMeasure(ctx, ms)
	}
	ms.saveKey = in.Key
	r.state.Measures = append(r.state.Measures, ms)
	r.version++
	var id uint
	err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySaveMeasure, in).Get(ctx, &id)
	for i := range r.state.Measures {
		if r.state.Measures[i].saveKey != in.Key {
			continue
		}
		if err != nil {
			r.state.Measures = append(r.state.Measures[:i], r.state.Measures[i+1:]...)
		} else {
			r.state.Measures[i].ID, r.state.Measures[i].saveKey = id, ""
			ms = r.state.Measures[i]
		}
		break
	}
	r.version++
	if err != nil {
		return r.state, fmt.Errorf("save measure: %w", err)
	}
	return r.state, r.notifyMeasure(ctx, ms)
}

func (r *review) notifyMeasure(ctx workflow.Context, ms MeasureState) error {
	return r.notify(ctx, fmt.Sprintf("measure-%d/assigned", ms.ID), []string{ms.OwnerEmail}, "New optimisation measure: "+ms.Title,
		fmt.Sprintf("A controller review gave you the measure %q, due on %s.", ms.Title, ms.Due.Format("2006-01-02")),
		noticeText(NoticeMeasureAssigned, ms.Title, dateArg(ms.Due)))
}

func (r *review) measure(id uint) *MeasureState {
	if id == 0 {
		return nil // a measure being saved has no ID yet
	}
	for i := range r.state.Measures {
		if r.state.Measures[i].ID == id {
			return &r.state.Measures[i]
		}
	}
	return nil
}

func (r *review) validateComplete(d MeasureDoneRequest) error {
	m := r.measure(d.MeasureID)
	if m == nil {
		return notFound("measure_id", fmt.Sprintf("no measure %d in this review", d.MeasureID))
	}
	if !d.Actor.has("controller") && !strings.EqualFold(d.Actor.Email, m.OwnerEmail) {
		return forbidden("only the measure's owner or a controller marks it done")
	}
	if m.Done {
		return conflict("the measure is done already")
	}
	return nil
}

func (r *review) completeMeasure(ctx workflow.Context, d MeasureDoneRequest) (ReviewState, error) {
	m := r.measure(d.MeasureID)
	m.Done = true
	r.version++
	in := MeasureDoneInput{MeasureID: m.ID, By: d.Actor.Email, At: workflow.Now(ctx)}
	return r.state, workflow.ExecuteActivity(withActivityOptions(ctx), ActivityCompleteMeasure, in).Get(ctx, nil)
}

func (r *review) validateSignOff(s SignOffRequest) error {
	if err := r.requireController(s.Actor); err != nil {
		return err
	}
	if r.state.Status != ReviewOpen {
		return conflict("the review is signed off already")
	}
	if strings.TrimSpace(s.Overall) == "" && r.state.Overall == "" {
		return invalid("overall", "sum up the overall findings before signing off")
	}
	return nil
}

func (r *review) signOff(ctx workflow.Context, s SignOffRequest) (ReviewState, error) {
	if o := strings.TrimSpace(s.Overall); o != "" {
		r.state.Overall = o
	}
	r.state.Status = ReviewSignedOff
	r.version++
	in := ReviewStatusInput{ReviewID: r.state.ReviewID, Status: ReviewSignedOff, Overall: r.state.Overall, By: s.Actor.Email, At: workflow.Now(ctx)}
	return r.state, workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySetReviewStatus, in).Get(ctx, nil)
}
