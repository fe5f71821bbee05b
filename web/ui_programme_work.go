package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// What the programme page shows beyond phases and timeline: the key
// accounts, who is missing which training and where they are booked, and
// the roll-out's record with its forms. All of it is read from our tables.

// trainingPerson is a KAM or deputy of the programme with the required
// courses she has not done and where she is booked for them.
type trainingPerson struct {
	EmployeeID uint
	Name       string
	// KAMOf and DeputyOf name the key accounts (customers) she has.
	KAMOf, DeputyOf []string
	// Standing is the programme's word on a KAM's training: "completed",
	// "exception" or "waiting"; empty for a deputy, whom the phase does not
	// wait for.
	Standing string
	Missing  []missingCourse
}

// missingCourse is a required course someone has no training record of,
// with her places in its sessions (none: not enrolled).
type missingCourse struct {
	Title  string
	Places []store.Enrolment
}

// rolloutView is the roll-out's record and, for the lead while the phase
// runs, its forms with what was typed.
type rolloutView struct {
	Conflicts   []workflows.RolloutConflict
	Briefings   []workflows.StaffBriefing
	MayRecord   bool
	Channels    []string
	Departments []string
	Form        rolloutForm
}

// rolloutForm is what the lead typed into the roll-out's forms, kept when
// a step is refused.
type rolloutForm struct {
	What, Between string
	// ResolveID is the conflict whose resolution was typed.
	ResolveID   int
	Resolution  string
	InformedOn  string
	Channel     string
	Groups      []string
	OtherGroups string
	Named       bool
	Note        string
}

// briefingChannelLabels name workflows.BriefingChannels on the page.
var briefingChannelLabels = map[string]string{
	"staff_meeting": "Staff meeting", "team_meetings": "Team meetings", "email": "E-mail",
	"intranet": "Intranet", "training": "Training", "other": "Other",
}

// ChannelLabel is the English label of a briefing channel (translated by the template).
func (rolloutView) ChannelLabel(channel string) string {
	if l, ok := briefingChannelLabels[channel]; ok {
		return l
	}
	return channel
}

// HasGroup reports whether group was ticked.
func (f rolloutForm) HasGroup(group string) bool { return slices.Contains(f.Groups, group) }

// programmeAccountsListed is how many key accounts the programme page lists;
// the key-accounts list, filtered to the programme, pages through the rest.
// Before, the page listed up to 200 and silently left out any further ones.
const programmeAccountsListed = 20

// readProgrammeWork adds the key accounts, the training standing and the
// roll-out's record to the programme page, each as far as the user may see
// it: the policy is asked here, on the request's goroutine, and the reads
// are started in reads, each filling its own field of p.
func (s *Server) readProgrammeWork(c echo.Context, p *programmePage, reads *errgroup.Group) {
	ctx := c.Request().Context()
	u := currentUser(c)
	all, employeeID := keyAccountScope(u)
	if p.AccountsShown = all || employeeID != nil; p.AccountsShown {
		f := store.KeyAccountFilter{ProgrammeID: p.ID}
		if !all {
			f.WorkedOnBy = employeeID
		}
		reads.Go(func() (err error) {
			if p.KeyAccounts, p.KeyAccountsTotal, err = s.opts.Store.ListKeyAccounts(ctx, f, store.Page{Number: 1, Size: programmeAccountsListed}); err != nil {
				return serverError(err)
			}
			return nil
		})
	}
	st := &p.State
	if st.CurrentPhase == workflows.PhaseTraining && (st.Status == workflows.StatusActive || st.Status == workflows.StatusPaused) &&
		s.may(c, policy.ActTrainingRecord, policy.Target{}) {
		p.TrainingShown = true
		p.MayEnrol = s.may(c, policy.ActTrainingManage, policy.Target{})
		reads.Go(func() (err error) {
			p.Training, err = s.programmeTrainingStanding(ctx, st)
			return err
		})
	}
	if rollout := st.Phase(workflows.PhaseRollout); st.RolloutChecks && rollout != nil && rollout.Status != workflows.PhasePending {
		v := &rolloutView{Conflicts: st.Conflicts, Briefings: st.Briefings, Channels: workflows.BriefingChannels,
			Form: rolloutForm{InformedOn: s.opts.Now().UTC().Format("2006-01-02"), Channel: workflows.BriefingChannels[0]}}
		v.MayRecord = p.IsLead && rollout.Status == workflows.PhaseInProgress && st.Status == workflows.StatusActive
		if v.MayRecord {
			reads.Go(func() (err error) {
				if v.Departments, err = s.opts.Store.EmployeeDepartments(ctx); err != nil {
					return serverError(err)
				}
				return nil
			})
		}
		p.Rollout = v
	}
	if ph := st.Phase(st.CurrentPhase); p.IsLead && ph != nil && ph.Status == workflows.PhaseInProgress {
		p.Hindrances = st.SubmitHindrances(st.CurrentPhase)
	}
}

// programmeTrainingStanding lists the programme's KAMs and deputies (assignment
// order) with the required courses each misses and her places in them.
func (s *Server) programmeTrainingStanding(ctx context.Context, st *workflows.ProgrammeState) ([]trainingPerson, error) {
	customers := map[uint]string{}
	for _, c := range st.Candidates {
		customers[c.CustomerID] = c.CustomerName
	}
	var people []trainingPerson
	index := map[uint]int{}
	person := func(id uint) *trainingPerson {
		if i, ok := index[id]; ok {
			return &people[i]
		}
		index[id] = len(people)
		people = append(people, trainingPerson{EmployeeID: id})
		return &people[len(people)-1]
	}
	for _, a := range st.Assignments {
		k := person(a.KAMEmployeeID)
		k.KAMOf = append(k.KAMOf, customers[a.CustomerID])
		if a.DeputyEmployeeID != 0 {
			d := person(a.DeputyEmployeeID)
			d.DeputyOf = append(d.DeputyOf, customers[a.CustomerID])
		}
	}
	ids := make([]uint, len(people))
	for i, pe := range people {
		ids[i] = pe.EmployeeID
	}
	// The people, the courses they miss and their places, read at once.
	var (
		reads   errgroup.Group
		emps    map[uint]store.Employee
		missing map[uint][]store.Course
		places  []store.Enrolment
	)
	reads.Go(func() (err error) {
		emps, err = s.opts.Store.EmployeesByID(ctx, ids)
		return err
	})
	reads.Go(func() (err error) {
		missing, err = s.opts.Store.MissingRequiredCourses(ctx, ids)
		return err
	})
	reads.Go(func() (err error) {
		places, err = s.opts.Store.OpenPlacesOf(ctx, ids)
		return err
	})
	if err := reads.Wait(); err != nil {
		return nil, serverError(err)
	}
	waiting := st.MissingTraining()
	for i := range people {
		pe := &people[i]
		pe.Name = emps[pe.EmployeeID].Name
		switch {
		case len(pe.KAMOf) == 0:
		case slices.Contains(waiting, pe.EmployeeID):
			pe.Standing = "waiting"
		default:
			pe.Standing = "completed"
			for _, t := range st.Training {
				if t.EmployeeID == pe.EmployeeID && !t.Completed && t.Exception {
					pe.Standing = "exception"
				}
			}
		}
		for _, course := range missing[pe.EmployeeID] {
			m := missingCourse{Title: course.Title}
			for _, pl := range places {
				if pl.EmployeeID == pe.EmployeeID && pl.Session != nil && pl.Session.CourseID == course.ID {
					m.Places = append(m.Places, pl)
				}
			}
			pe.Missing = append(pe.Missing, m)
		}
	}
	return people, nil
}

// rolloutFormOf reads the roll-out forms' fields as typed.
func rolloutFormOf(c echo.Context) rolloutForm {
	f := rolloutForm{
		What: c.FormValue("what"), Between: c.FormValue("between"), Resolution: c.FormValue("resolution"),
		InformedOn: strings.TrimSpace(c.FormValue("informed_on")), Channel: c.FormValue("channel"),
		OtherGroups: c.FormValue("other_groups"), Named: c.FormValue("key_accounts_named") == "yes", Note: c.FormValue("note"),
	}
	if form, err := c.FormParams(); err == nil {
		f.Groups = form["groups"]
	}
	return f
}

// briefingRequest shapes a briefing as the page and the API give it: the
// date as YYYY-MM-DD, the groups ticked plus any typed (comma-separated).
func briefingRequest(a workflows.Actor, informedOn, channel string, groups []string, other string, named bool, note string) (workflows.StaffInformedRequest, error) {
	on, err := parseDate("informed_on", informedOn)
	if err != nil {
		return workflows.StaffInformedRequest{}, err
	}
	all := append([]string(nil), groups...)
	for _, g := range strings.Split(other, ",") {
		all = append(all, g)
	}
	return workflows.StaffInformedRequest{Actor: a, InformedOn: on, Channel: channel, Groups: all, KeyAccountsNamed: named, Note: note}, nil
}

// rolloutStep sends one of the roll-out's updates from the page: back to
// the record on success, the page with the refusal at its field and the
// input kept otherwise.
func (s *Server) rolloutStep(step string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := uiID(c)
		if err != nil {
			return err
		}
		a, form := actor(c), rolloutFormOf(c)
		keep := func(p *programmePage) {
			if p.Rollout != nil {
				p.Rollout.Form = form
			}
		}
		var arg any
		anchor := "#rollout"
		switch step {
		case workflows.UpdateLogConflict:
			arg, anchor = workflows.ConflictRequest{Actor: a, What: form.What, Between: form.Between}, "#rollout-conflicts"
		case workflows.UpdateResolveConflict:
			n, perr := strconv.Atoi(c.Param("conflictID"))
			if perr != nil || n < 1 {
				return clientError(http.StatusNotFound, "There is no such conflict.")
			}
			form.ResolveID = n
			keep = func(p *programmePage) {
				if p.Rollout != nil {
					p.Rollout.Form = form
				}
				// The workflow names the request's field; the page shows it at the conflict's row.
				if msg, ok := p.Fields["resolution"]; ok {
					delete(p.Fields, "resolution")
					p.Fields[conflictField(p.State, n, "resolution")] = msg
				}
			}
			arg, anchor = workflows.ResolveConflictRequest{Actor: a, ConflictID: n, Resolution: form.Resolution}, fmt.Sprintf("#conflict-%d", n)
		default:
			r, perr := briefingRequest(a, form.InformedOn, form.Channel, form.Groups, form.OtherGroups, form.Named, form.Note)
			if perr != nil {
				return s.programmeRefusal(c, id, perr, keep)
			}
			arg, anchor = r, "#rollout-briefings"
		}
		return s.programmeUpdate(c, id, step, arg, anchor, keep)
	}
}

// conflictField names a resolve form's field by the conflict's place in
// the list, as the submit refusal names it (conflicts[1].resolution).
func conflictField(st workflows.ProgrammeState, conflictID int, field string) string {
	for i, c := range st.Conflicts {
		if c.ID == conflictID {
			return fmt.Sprintf("conflicts[%d].%s", i, field)
		}
	}
	return field
}

// submitResult is the result a submission hands in: the text as typed,
// or the phase's parts composed by the workflow's rule (ResultParts).
func submitResult(phase workflows.Phase, result string, parts map[string]string) (string, error) {
	if parts == nil {
		return result, nil
	}
	if strings.TrimSpace(result) != "" {
		return "", fieldError("result", "send the result as text or in its parts, not both")
	}
	composed, err := workflows.ComposeResult(phase, parts)
	if err != nil {
		return "", workflowError(err)
	}
	return composed, nil
}

// partsOf reads a submit form's parts.<key> fields; nil when it has none.
func partsOf(c echo.Context) map[string]string {
	form, err := c.FormParams()
	if err != nil {
		return nil
	}
	var out map[string]string
	for name, v := range form {
		if key, ok := strings.CutPrefix(name, "parts."); ok && len(v) > 0 {
			if out == nil {
				out = map[string]string{}
			}
			out[key] = v[0]
		}
	}
	return out
}

// partInput is one part of a phase's result in the submit form.
type partInput struct {
	workflows.ResultPart
	Value, Error string
}

// PartsOf is the submit form of a phase handed in by parts: what was typed
// when a submission was refused, else what was handed in last (a phase
// sent back is revised from it); nil for a phase handed in as text.
func (p *programmePage) PartsOf(phase workflows.Phase) []partInput {
	want := workflows.ResultParts(phase)
	if len(want) == 0 {
		return nil
	}
	values := p.SubmitParts
	if p.SubmitPhase != phase || values == nil {
		values = map[string]string{}
		if ph := p.State.Phase(phase); ph != nil {
			values = workflows.ParseResult(phase, ph.Result)
		}
	}
	out := make([]partInput, len(want))
	for i, rp := range want {
		out[i] = partInput{ResultPart: rp, Value: values[rp.Key]}
		if p.SubmitPhase == phase {
			out[i].Error = p.Fields["parts."+rp.Key]
		}
	}
	return out
}
