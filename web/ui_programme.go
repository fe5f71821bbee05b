package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// timelineRow is one phase of the programme's milestone view. Horizontal
// positions are percentages of the chart's width, so the chart fills any
// screen while its text keeps its size; vertical ones are px.
type timelineRow struct {
	Phase             workflows.Phase
	Status            workflows.PhaseStatus
	Y                 int
	PlanX, PlanW      float64
	ActX, ActW        float64
	HasActual, Late   bool
	Current, Gate     bool
	Due               time.Time
	Started, Finished *time.Time
	// MilestoneX is a gate's due date; PassedX, when Passed, the day the
	// committee let the programme through it.
	MilestoneX, PassedX float64
	Passed              bool
}

// timelineTick is a quarter's start on the time axis; years are labelled.
type timelineTick struct {
	X      float64
	Label  string
	Anchor string
}

type timeline struct {
	Height, AxisY, RowH int
	Rows                []timelineRow
	Ticks               []timelineTick
	// Today is marked when it falls within the chart; its label sits in a
	// row of its own below the phases, running towards the middle.
	ShowToday   bool
	Today       time.Time
	TodayX      float64
	TodayY      int
	TodayAnchor string
}

// Timeline geometry: rows of label line and bars, an axis on top, the
// today label below.
const (
	timelineRowH   = 40
	timelineTop    = 26
	timelineMargin = 1.0 // % kept free left and right
)

// textAnchor keeps a label at x (%) inside the chart: near an edge it
// starts or ends there instead of centring.
func textAnchor(x float64) string {
	switch {
	case x < 12:
		return "start"
	case x > 88:
		return "end"
	}
	return "middle"
}

// buildTimeline lays out the programme as a milestone view: per phase its
// planned window (from the previous due date to its own) against its
// actual run, gates as milestones at their due dates and where passed, the
// current phase marked, late runs and missed gates flagged, and today.
func buildTimeline(st workflows.ProgrammeState, now time.Time) timeline {
	from := st.StartDate
	to := from
	for _, ph := range st.Phases {
		for _, tm := range []*time.Time{&ph.Due, ph.CompletedAt, ph.ApprovedAt} {
			if tm != nil && tm.After(to) {
				to = *tm
			}
		}
	}
	open := st.Status != workflows.StatusCompleted && st.Status != workflows.StatusCancelled
	if now.After(to) && open {
		to = now
	}
	to = to.AddDate(0, 1, 0)
	span := to.Sub(from)
	x := func(tm time.Time) float64 {
		if tm.Before(from) {
			tm = from
		}
		return timelineMargin + (100-2*timelineMargin)*float64(tm.Sub(from))/float64(span)
	}
	t := timeline{AxisY: 14, RowH: timelineRowH}
	prev := from
	for i, ph := range st.Phases {
		r := timelineRow{Phase: ph.Phase, Status: ph.Status, Y: timelineTop + i*timelineRowH, Due: ph.Due, Gate: ph.Gate,
			Started: ph.StartedAt, Finished: ph.CompletedAt,
			Current: open && ph.Phase == st.CurrentPhase && ph.Status != workflows.PhaseDone}
		r.PlanX, r.PlanW = x(prev), max(0.4, x(ph.Due)-x(prev))
		end := now
		if ph.CompletedAt != nil {
			end = *ph.CompletedAt
		}
		if ph.StartedAt != nil {
			r.HasActual = true
			r.ActX, r.ActW = x(*ph.StartedAt), max(0.8, x(end)-x(*ph.StartedAt))
		}
		// Late: finished after its due date, or still open past it.
		r.Late = end.After(ph.Due) && (ph.CompletedAt != nil || open)
		if ph.Gate {
			r.MilestoneX = x(ph.Due)
			if ph.Status == workflows.PhaseDone {
				passed := ph.ApprovedAt
				if passed == nil {
					passed = ph.CompletedAt
				}
				if passed != nil {
					r.Passed, r.PassedX = true, x(*passed)
				}
			}
		}
		t.Rows = append(t.Rows, r)
		prev = ph.Due
	}
	bottom := timelineTop + len(st.Phases)*timelineRowH
	t.Height = bottom + 8
	if now.After(from) && now.Before(to) {
		t.ShowToday, t.Today, t.TodayX = true, now, x(now)
		// The label runs from the line towards the chart's middle, so it
		// stays inside at any width.
		t.TodayAnchor, t.TodayY = "start", bottom+14
		if t.TodayX > 50 {
			t.TodayAnchor = "end"
		}
		t.Height = bottom + 22
	}
	// The start's year is labelled unless a new year's label is close by.
	startLabel := true
	for q := time.Date(from.Year(), from.Month()-(from.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 3, 0); q.Before(to); q = q.AddDate(0, 3, 0) {
		tick := timelineTick{X: x(q)}
		if q.Month() == time.January {
			tick.Label, tick.Anchor = fmt.Sprint(q.Year()), textAnchor(tick.X)
			startLabel = startLabel && tick.X > 14
		}
		t.Ticks = append(t.Ticks, tick)
	}
	if startLabel {
		t.Ticks = append(t.Ticks, timelineTick{X: x(from), Label: fmt.Sprint(from.Year()), Anchor: "start"})
	}
	return t
}

// The rows' lines: the label, the planned bar, the actual bar below it and
// the gates' milestones across both.
func (r timelineRow) LabelY() int { return r.Y + 14 }
func (r timelineRow) PlanY() int  { return r.Y + 20 }
func (r timelineRow) ActY() int   { return r.Y + 28 }
func (r timelineRow) MarkY() int  { return r.Y + 27 }

// Bottom is where the phases end (the ticks and the today line reach it).
func (t timeline) Bottom() int { return timelineTop + len(t.Rows)*timelineRowH }

// pct writes a timeline position as an SVG percentage length.
func pct(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) + "%" }

// phaseTitle turns a phase key into a label ("kam_profile" → "KAM profile").
func phaseTitle(p string) string {
	if p == "" {
		return ""
	}
	t := strings.ToUpper(p[:1]) + strings.ReplaceAll(p[1:], "_", " ")
	return strings.Replace(t, "Kam ", "KAM ", 1)
}

type programmePage struct {
	ID       uint
	State    workflows.ProgrammeState
	Warnings []string
	Timeline timeline
	// Events are a page of the audit trail, newest first (?events=).
	Events      []store.ProgrammeEvent
	EventsPager pager
	// Names are the customers and people the audit trail's comments name.
	Names       eventNames
	IsLead      bool
	IsCommittee bool
	Error       string
	Fields      map[string]string
	Now         time.Time
	// JourFixe is the programme's jour fixe: schedules, meetings, forms.
	JourFixe jourFixeSection
	// Notice says what the form just sent did (after its redirect).
	Notice string

	// AccountsShown: the user may see key accounts (all, or those she
	// keeps); KeyAccounts are the programme's she may see.
	AccountsShown bool
	// KeyAccounts are the first programmeAccountsListed by name, of
	// KeyAccountsTotal; the key-accounts list pages through all of them.
	KeyAccounts      []store.KeyAccountRow
	KeyAccountsTotal int64
	// TrainingShown: the training phase runs and the user may read training
	// records; Training is who misses what.
	TrainingShown bool
	Training      []trainingPerson
	MayEnrol      bool
	Rollout       *rolloutView
	// Hindrances keep the current phase from being handed in (the lead's
	// view, by the workflow's rule).
	Hindrances []workflows.SubmitHindrance
	// SubmitPhase, SubmitText and SubmitParts keep a refused submission's
	// typed result.
	SubmitPhase workflows.Phase
	SubmitText  string
	SubmitParts map[string]string
	// DecisionPhase and DecisionComment keep a refused gate decision's
	// comment.
	DecisionPhase   workflows.Phase
	DecisionComment string
	// Managed names the refused management form (its update), ManageTyped
	// what was typed into it.
	Managed     string
	ManageTyped map[string]string
}

// fieldsShownInPlace are the fields the page shows at their form; the
// refusal's other fields are listed under its message.
var fieldsShownInPlace = map[string]bool{
	"result": true, "comment": true, "what": true, "between": true, "briefings": true, "informed_on": true, "channel": true, "groups": true, "note": true,
}

func shownInPlace(field string) bool {
	return fieldsShownInPlace[field] || strings.HasPrefix(field, "conflicts[") || strings.HasPrefix(field, "groups[") ||
		strings.HasPrefix(field, "parts.")
}

// FieldError is the refusal's reason for field, if any.
func (p *programmePage) FieldError(field string) string { return p.Fields[field] }

// OtherFields are the refusal's reasons the page shows under its message.
func (p *programmePage) OtherFields() map[string]string {
	out := map[string]string{}
	for f, m := range p.Fields {
		if !shownInPlace(f) && !(p.Managed != "" && manageFields[f]) {
			out[f] = m
		}
	}
	return out
}

// manageFields are the inputs of the management forms (pause, resume,
// re-plan, cancel), shown at the refused form.
var manageFields = map[string]bool{"reason": true, "shift_days": true, "phase": true, "due": true, "set": true}

// ManageValue is what was typed into input name of the refused
// management form step (a workflow update name), else "".
func (p *programmePage) ManageValue(step, name string) string {
	if p.Managed != step {
		return ""
	}
	return p.ManageTyped[name]
}

// ManageError is the refusal at input field of the management form step.
func (p *programmePage) ManageError(step, field string) string {
	if p.Managed != step {
		return ""
	}
	if field == "due" && p.Fields["set"] != "" {
		return p.Fields["set"]
	}
	return p.Fields[field]
}

// Hindrance is what keeps the current phase from being handed in at
// field, unless a refusal says so already.
func (p *programmePage) Hindrance(field string) string {
	if _, refused := p.Fields[field]; refused {
		return ""
	}
	for _, h := range p.Hindrances {
		if h.Field == field {
			return h.Reason
		}
	}
	return ""
}

// GroupErrors are the refusal's reasons about the briefing's groups.
func (p *programmePage) GroupErrors() []string {
	var out []string
	for f, m := range p.Fields {
		if f == "groups" || strings.HasPrefix(f, "groups[") {
			out = append(out, m)
		}
	}
	return out
}

// FieldedHindrances reports whether some hindrance is shown at a field
// further down rather than in the phase's row.
func (p *programmePage) FieldedHindrances() bool {
	for _, h := range p.Hindrances {
		if h.Field != "" {
			return true
		}
	}
	return false
}

func (s *Server) programmePageData(c echo.Context, id uint) (*programmePage, error) {
	ctx := c.Request().Context()
	st, err := s.programmePageState(ctx, id)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, clientError(http.StatusNotFound, "There is no such programme.")
		}
		return nil, err
	}
	eventsPage, err := pageNumber(c, "events")
	if err != nil {
		return nil, err
	}
	// The audit trail (with the names its entries show), the key accounts,
	// the training standing and the roll-out's departments are read while
	// the jour-fixe section reads its own: the page waits for the longest.
	var (
		reads  errgroup.Group
		events []store.ProgrammeEvent
		total  int64
		names  eventNames
	)
	reads.Go(func() error {
		var err error
		if events, total, err = s.opts.Store.ProgrammeEventsPage(ctx, id, store.Page{Number: eventsPage, Size: listPageSize}); err != nil {
			return serverError(err)
		}
		names, err = s.eventNames(ctx, st, events)
		return err
	})
	p := &programmePage{ID: id, State: st, Warnings: st.Warnings(s.opts.Now()), Timeline: buildTimeline(st, s.opts.Now()), Now: s.opts.Now()}
	p.IsLead, p.IsCommittee = st.IsLead(actor(c)), st.IsCommittee(actor(c))
	s.readProgrammeWork(c, p, &reads)
	err = s.fillJourFixeSection(c, p)
	if readErr := reads.Wait(); err == nil {
		err = readErr
	}
	if err != nil {
		return nil, err
	}
	p.Events, p.Names = events, names
	// The pager keeps no other parameter: ?done= would say again on every
	// page what the last form did.
	p.EventsPager = sectionPager(fmt.Sprintf("/programmes/%d", id), "events", "audit-trail", nil, eventsPage, listPageSize, total)
	return p, nil
}

// programmePage shows the timeline, the phases with their results and the
// steps the user may take, and the audit trail.
func (s *Server) programmePage(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	p, err := s.programmePageData(c, id)
	if err != nil {
		return err
	}
	p.Notice = doneNotice(c)
	return s.render(c, http.StatusOK, "programme.html", p)
}

func uiID(c echo.Context) (uint, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return 0, clientError(http.StatusNotFound, "There is no such programme.")
	}
	return id, nil
}

// programmeStep handles the phase forms (submit, approve, reject): the
// workflow's validators decide; a refusal is shown on the page with its reason.
func (s *Server) programmeStep(step string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := uiID(c)
		if err != nil {
			return err
		}
		phase := workflows.Phase(c.Param("phase"))
		if !phase.Valid() {
			return clientError(http.StatusNotFound, "There is no such phase.")
		}
		a := actor(c)
		var arg any
		var keep func(*programmePage)
		switch step {
		case workflows.UpdateSubmit:
			typed, parts := c.FormValue("result"), partsOf(c)
			keep = func(p *programmePage) { p.SubmitPhase, p.SubmitText, p.SubmitParts = phase, typed, parts }
			result, err := submitResult(phase, typed, parts)
			if err != nil {
				return s.programmeRefusal(c, id, err, keep)
			}
			arg = workflows.SubmitRequest{Actor: a, Phase: phase, Result: result}
		default:
			comment := c.FormValue("comment")
			keep = func(p *programmePage) { p.DecisionPhase, p.DecisionComment = phase, comment }
			arg = workflows.DecisionRequest{Actor: a, Phase: phase, Comment: comment}
		}
		return s.programmeUpdate(c, id, step, arg, "#phase-"+string(phase), keep)
	}
}

// programmeDone names each step's notice (doneNotices) for the page the
// step's form goes back to.
var programmeDone = map[string]string{
	workflows.UpdateSubmit: "phase-submitted", workflows.UpdateReject: "gate-rejected",
	workflows.UpdatePause: "programme-paused", workflows.UpdateResume: "programme-resumed", workflows.UpdateReplan: "programme-replanned",
	workflows.UpdateCancel: "programme-cancelled", workflows.UpdateLogConflict: "conflict-logged",
	workflows.UpdateResolveConflict: "conflict-resolved", workflows.UpdateRecordStaffInformed: "briefing-recorded",
}

// programmeUpdate sends a human step to the programme and goes back to the
// page; a refusal is shown on the page with its reason and field messages,
// keep putting the refused form's input back.
func (s *Server) programmeUpdate(c echo.Context, id uint, step string, arg any, anchor string, keep func(*programmePage)) error {
	var st workflows.ProgrammeState
	err := s.sendUpdate(c.Request().Context(), workflows.ProgrammeWorkflowID(id), step, arg, &st, "the programme is closed")
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d?done=%s%s", id, programmeNotice(step, st), anchor))
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	return s.programmeRefusal(c, id, ae, keep)
}

// programmeManage handles pause, resume, cancel and replan from the
// programme page's management forms.
func (s *Server) programmeManage(step string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := uiID(c)
		if err != nil {
			return err
		}
		a, reason := actor(c), c.FormValue("reason")
		typed := formValues(c, "reason", "shift_days", "phase", "due")
		keep := func(p *programmePage) { p.Managed, p.ManageTyped = step, typed }
		var arg any
		switch step {
		case workflows.UpdateReplan:
			r := workflows.ReplanRequest{Actor: a, Reason: reason}
			if v := strings.TrimSpace(c.FormValue("shift_days")); v != "" {
				n, perr := strconv.Atoi(v)
				if perr != nil || n < -3650 || n > 3650 {
					return s.programmeRefusal(c, id, fieldError("shift_days", "enter whole days, from -3650 to 3650"), keep)
				}
				r.ShiftDays = n
			}
			if ph := c.FormValue("phase"); ph != "" {
				if !workflows.Phase(ph).Valid() {
					return s.programmeRefusal(c, id, fieldError("phase", "choose a phase of the programme"), keep)
				}
				due, perr := parseDate("due", c.FormValue("due"))
				if perr != nil {
					return s.programmeRefusal(c, id, perr, keep)
				}
				r.Set = append(r.Set, workflows.PhaseDue{Phase: workflows.Phase(ph), Due: due})
			}
			arg = r
		default:
			arg = workflows.LifecycleRequest{Actor: a, Reason: reason}
		}
		return s.programmeUpdate(c, id, step, arg, "#manage", keep)
	}
}

// programmeRefusal shows the programme page with a refusal (the
// workflow's, or one made before anything was sent to it); keep puts the
// refused form's input back.
func (s *Server) programmeRefusal(c echo.Context, id uint, refusal error, keep func(*programmePage)) error {
	r, ok := refusalOf(refusal, nil)
	if !ok {
		return refusal
	}
	p, err := s.programmePageData(c, id)
	if err != nil {
		return err
	}
	p.Error, p.Fields = r.Message, r.Fields
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	if keep != nil {
		keep(p)
	}
	return s.render(c, r.Status, "programme.html", p)
}

// OpenPhases counts the phases not done yet: what cancelling ends.
func (p programmePage) OpenPhases() int {
	n := 0
	for _, ph := range p.State.Phases {
		if ph.Status != workflows.PhaseDone {
			n++
		}
	}
	return n
}

// programmeNotice is the ?done= notice of a step, from the state the
// workflow answered with: approving the last phase completes the
// programme, any other approval starts the next phase.
func programmeNotice(step string, st workflows.ProgrammeState) string {
	switch {
	case step == workflows.UpdateApprove && st.Status == workflows.StatusCompleted:
		return "programme-completed"
	case step == workflows.UpdateApprove:
		return "phase-approved"
	}
	return programmeDone[step]
}
