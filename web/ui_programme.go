package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// timelineRow is one phase in the SVG timeline (coordinates in px).
type timelineRow struct {
	Label                string
	Y                    int
	PlanX, PlanW         int
	ActX, ActW           int
	HasActual, Late      bool
	DueLabel, StatusText string
}

type timeline struct {
	Width, Height, LabelW int
	TodayX                int
	ShowToday             bool
	Rows                  []timelineRow
	Years                 []struct {
		X     int
		Label string
	}
}

// buildTimeline lays out planned (due-date windows) against actual phase
// runs; late phases are marked.
func buildTimeline(st workflows.ProgrammeState, now time.Time) timeline {
	const labelW, chartW, rowH = 190, 640, 24
	t := timeline{Width: labelW + chartW + 20, LabelW: labelW, Height: len(st.Phases)*rowH + 40}
	from := st.StartDate
	to := from
	for _, ph := range st.Phases {
		if ph.Due.After(to) {
			to = ph.Due
		}
		if ph.CompletedAt != nil && ph.CompletedAt.After(to) {
			to = *ph.CompletedAt
		}
	}
	if now.After(to) && st.Status != workflows.StatusCompleted && st.Status != workflows.StatusCancelled {
		to = now
	}
	to = to.AddDate(0, 1, 0)
	span := to.Sub(from)
	x := func(tm time.Time) int {
		if tm.Before(from) {
			tm = from
		}
		return labelW + int(float64(chartW)*float64(tm.Sub(from))/float64(span))
	}
	prev := from
	for i, ph := range st.Phases {
		r := timelineRow{Label: phaseTitle(string(ph.Phase)), Y: 20 + i*rowH, DueLabel: ph.Due.Format("2006-01-02"), StatusText: string(ph.Status)}
		r.PlanX, r.PlanW = x(prev), max(2, x(ph.Due)-x(prev))
		if ph.StartedAt != nil {
			end := now
			if ph.CompletedAt != nil {
				end = *ph.CompletedAt
			}
			r.HasActual = true
			r.ActX, r.ActW = x(*ph.StartedAt), max(3, x(end)-x(*ph.StartedAt))
			r.Late = end.After(ph.Due)
		}
		t.Rows = append(t.Rows, r)
		prev = ph.Due
	}
	if now.After(from) && now.Before(to) {
		t.ShowToday, t.TodayX = true, x(now)
	}
	for y := from.Year() + 1; y <= to.Year(); y++ {
		t.Years = append(t.Years, struct {
			X     int
			Label string
		}{x(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)), fmt.Sprint(y)})
	}
	return t
}

// phaseTitle turns a phase key into a label ("kam_profile" → "KAM profile").
func phaseTitle(p string) string {
	if p == "" {
		return ""
	}
	t := strings.ToUpper(p[:1]) + strings.ReplaceAll(p[1:], "_", " ")
	return strings.Replace(t, "Kam ", "KAM ", 1)
}

type programmePage struct {
	ID          uint
	State       workflows.ProgrammeState
	Warnings    []string
	Timeline    timeline
	Events      []store.ProgrammeEvent
	IsLead      bool
	IsCommittee bool
	Error       string
	Fields      map[string]string
	Now         time.Time
}

func (s *Server) programmePageData(c echo.Context, id uint) (*programmePage, error) {
	ctx := c.Request().Context()
	st, err := s.programmeState(ctx, id)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, clientError(http.StatusNotFound, "There is no such programme.")
		}
		return nil, err
	}
	events, err := s.opts.Store.ProgrammeEvents(ctx, id)
	if err != nil {
		return nil, serverError(err)
	}
	u := currentUser(c)
	p := &programmePage{ID: id, State: st, Warnings: st.Warnings(s.opts.Now()), Timeline: buildTimeline(st, s.opts.Now()), Events: events, Now: s.opts.Now()}
	p.IsLead = u.HasRole(store.RoleLead) && strings.EqualFold(u.Email, st.LeadEmail)
	for _, e := range st.CommitteeEmails {
		p.IsCommittee = p.IsCommittee || u.HasRole(store.RoleCommittee) && strings.EqualFold(u.Email, e)
	}
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
		switch step {
		case workflows.UpdateSubmit:
			arg = workflows.SubmitRequest{Actor: a, Phase: phase, Result: c.FormValue("result")}
		default:
			arg = workflows.DecisionRequest{Actor: a, Phase: phase, Comment: c.FormValue("comment")}
		}
		return s.programmeUpdate(c, id, step, arg, "#phase-"+string(phase))
	}
}

// programmeUpdate sends a human step to the programme and goes back to the
// page; a refusal is shown on the page with its reason and field messages.
func (s *Server) programmeUpdate(c echo.Context, id uint, step string, arg any, anchor string) error {
	var st workflows.ProgrammeState
	err := s.sendUpdate(c.Request().Context(), workflows.ProgrammeWorkflowID(id), step, arg, &st, "the programme is closed")
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d%s", id, anchor))
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	p, perr := s.programmePageData(c, id)
	if perr != nil {
		return perr
	}
	p.Error, p.Fields = ae.Message, ae.Fields
	return s.render(c, ae.Status, "programme.html", p)
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
		var arg any
		switch step {
		case workflows.UpdateReplan:
			r := workflows.ReplanRequest{Actor: a, Reason: reason}
			if v := strings.TrimSpace(c.FormValue("shift_days")); v != "" {
				n, perr := strconv.Atoi(v)
				if perr != nil || n < -3650 || n > 3650 {
					return s.programmeRefusal(c, id, fieldError("shift_days", "enter whole days, from -3650 to 3650"))
				}
				r.ShiftDays = n
			}
			if ph := c.FormValue("phase"); ph != "" {
				if !workflows.Phase(ph).Valid() {
					return s.programmeRefusal(c, id, fieldError("phase", "choose a phase of the programme"))
				}
				due, perr := parseDate("due", c.FormValue("due"))
				if perr != nil {
					return s.programmeRefusal(c, id, perr)
				}
				r.Set = append(r.Set, workflows.PhaseDue{Phase: workflows.Phase(ph), Due: due})
			}
			arg = r
		default:
			arg = workflows.LifecycleRequest{Actor: a, Reason: reason}
		}
		return s.programmeUpdate(c, id, step, arg, "#manage")
	}
}

// programmeRefusal shows the programme page with a refusal made before
// anything was sent to the workflow.
func (s *Server) programmeRefusal(c echo.Context, id uint, refusal error) error {
	var ae *apiError
	if !errors.As(refusal, &ae) {
		return refusal
	}
	p, err := s.programmePageData(c, id)
	if err != nil {
		return err
	}
	p.Error, p.Fields = ae.Message, ae.Fields
	return s.render(c, ae.Status, "programme.html", p)
}
