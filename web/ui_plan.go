package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// planEditor is the KAM's account plan form: rows are added and removed by
// submit buttons that show the form again with what was typed, so it works
// without JavaScript. Field names are the API's field paths
// (goals[0].objectives[1].actions[0].due), so a refusal lands at its input.
type planEditor struct {
	KeyAccountID uint
	CustomerName string
	// Plan is the newest stored version (nil before the first draft).
	Plan     *store.AccountPlan
	Strategy string
	Goals    []planGoalRow
	Owners   []ownerChoice
	Errors   map[string]string
	Error    string
	// Locked: the submitted plan waits for its decision; nothing to edit.
	Locked bool
}

type planGoalRow struct {
	Title      string
	Objectives []planObjectiveRow
}

type planObjectiveRow struct {
	Title   string
	Actions []planActionRow
}

type planActionRow struct {
	Title, OwnerEmail, Due string
}

type ownerChoice struct {
	Email, Name string
}

// FieldError is the refusal at the input named field, or "".
func (p planEditor) FieldError(field string) string { return p.Errors[field] }

// Chosen reports whether email is an action's owner as the form shows it.
func (p planEditor) Chosen(email, owner string) bool { return strings.EqualFold(email, owner) }

// planEditorPage shows the plan editor with the newest version filled in.
func (s *Server) planEditorPage(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	p, err := s.newPlanEditor(c.Request().Context(), ka)
	if err != nil {
		return err
	}
	if p.Plan != nil {
		p.Strategy, p.Goals = p.Plan.Strategy, planRows(p.Plan)
	}
	if len(p.Goals) == 0 {
		p.Goals = []planGoalRow{newGoalRow()}
	}
	return s.renderPlanEditor(c, http.StatusOK, p)
}

func (s *Server) newPlanEditor(ctx context.Context, ka *store.KeyAccount) (planEditor, error) {
	p := planEditor{KeyAccountID: ka.ID}
	cust, err := s.opts.Store.Customer(ctx, ka.CustomerID)
	if err != nil {
		return p, serverError(err)
	}
	p.CustomerName = cust.Name
	if p.Plan, err = s.opts.Store.LatestPlan(ctx, ka.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return p, serverError(err)
	}
	p.Locked = p.Plan != nil && p.Plan.Status == "submitted"
	return p, nil
}

func (s *Server) renderPlanEditor(c echo.Context, status int, p planEditor) error {
	// An owner kept from the plan or the form stays selectable.
	var kept []string
	for _, g := range p.Goals {
		for _, o := range g.Objectives {
			for _, a := range o.Actions {
				kept = append(kept, a.OwnerEmail)
			}
		}
	}
	owners, err := s.ownerChoices(c.Request().Context(), kept)
	if err != nil {
		return err
	}
	p.Owners = owners
	return s.render(c, status, "plan.html", p)
}

// ownerChoices are the people an action may be given to, then any owner
// in kept who is not among them (an address typed or kept from before),
// so a form shown again never drops a chosen owner.
func (s *Server) ownerChoices(ctx context.Context, kept []string) ([]ownerChoice, error) {
	users, err := s.opts.Store.ActionOwnerChoices(ctx)
	if err != nil {
		return nil, serverError(err)
	}
	out := make([]ownerChoice, 0, len(users))
	known := map[string]bool{}
	for _, u := range users {
		out = append(out, ownerChoice{Email: u.Email, Name: u.Name})
		known[strings.ToLower(u.Email)] = true
	}
	for _, email := range kept {
		if e := strings.ToLower(strings.TrimSpace(email)); e != "" && !known[e] {
			known[e] = true
			out = append(out, ownerChoice{Email: email, Name: email})
		}
	}
	return out, nil
}

func newGoalRow() planGoalRow {
	return planGoalRow{Objectives: []planObjectiveRow{{Actions: []planActionRow{{}}}}}
}

// planRows turns a stored plan into the editor's rows.
func planRows(p *store.AccountPlan) []planGoalRow {
	var goals []planGoalRow
	for _, g := range p.Goals {
		row := planGoalRow{Title: g.Title}
		for _, o := range g.Objectives {
			orow := planObjectiveRow{Title: o.Title}
			var actions []workflows.ActionInput
			_ = json.Unmarshal([]byte(o.PlannedActions), &actions)
			for _, a := range actions {
				orow.Actions = append(orow.Actions, planActionRow{Title: a.Title, OwnerEmail: a.OwnerEmail, Due: a.Due.Format(time.DateOnly)})
			}
			row.Objectives = append(row.Objectives, orow)
		}
		goals = append(goals, row)
	}
	return goals
}

// planFieldName matches the editor's inputs: goals[i].title,
// goals[i].objectives[j].title and goals[i].objectives[j].actions[k].(title|owner_email|due).
var planFieldName = regexp.MustCompile(`^goals\[(\d{1,3})\](?:\.objectives\[(\d{1,3})\](?:\.actions\[(\d{1,3})\])?)?\.(title|owner_email|due)$`)

// parsePlanForm reads the editor's rows in index order (gaps close up);
// a line break in a one-line field is refused at that field.
func parsePlanForm(c echo.Context) (string, []planGoalRow, error) {
	form, err := c.FormParams()
	if err != nil {
		return "", nil, fieldError("body", "the form could not be read")
	}
	type key struct{ g, o, a int }
	goals, objectives, actions := map[int]bool{}, map[[2]int]bool{}, map[key]bool{}
	values := map[string]string{}
	for name, vs := range form {
		m := planFieldName.FindStringSubmatch(name)
		if m == nil || len(vs) == 0 {
			continue
		}
		if reason := store.TextProblem(m[4], vs[0]); reason != "" {
			return "", nil, fieldError(name, reason)
		}
		values[name] = vs[0]
		g, _ := strconv.Atoi(m[1])
		goals[g] = true
		if m[2] != "" {
			o, _ := strconv.Atoi(m[2])
			objectives[[2]int{g, o}] = true
			if m[3] != "" {
				a, _ := strconv.Atoi(m[3])
				actions[key{g, o, a}] = true
			}
		}
	}
	sorted := func(set []int) []int { sort.Ints(set); return set }
	var gs []int
	for g := range goals {
		gs = append(gs, g)
	}
	var rows []planGoalRow
	for _, g := range sorted(gs) {
		gf := fmt.Sprintf("goals[%d]", g)
		row := planGoalRow{Title: values[gf+".title"]}
		var os []int
		for k := range objectives {
			if k[0] == g {
				os = append(os, k[1])
			}
		}
		for _, o := range sorted(os) {
			of := fmt.Sprintf("%s.objectives[%d]", gf, o)
			orow := planObjectiveRow{Title: values[of+".title"]}
			var as []int
			for k := range actions {
				if k.g == g && k.o == o {
					as = append(as, k.a)
				}
			}
			for _, a := range sorted(as) {
				af := fmt.Sprintf("%s.actions[%d]", of, a)
				orow.Actions = append(orow.Actions, planActionRow{Title: values[af+".title"], OwnerEmail: values[af+".owner_email"], Due: values[af+".due"]})
			}
			row.Objectives = append(row.Objectives, orow)
		}
		rows = append(rows, row)
	}
	return c.FormValue("strategy"), rows, nil
}

// planRowIndex parses "1.0.2" into at most want indices.
func planRowIndex(s string, want int) ([]int, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != want {
		return nil, false
	}
	out := make([]int, want)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

// editPlanRows adds or removes the row op names; false for an unknown op
// or a row that is not there.
func editPlanRows(goals []planGoalRow, op string) ([]planGoalRow, bool) {
	verb, at, _ := strings.Cut(op, ":")
	switch verb {
	case "add-goal":
		return append(goals, newGoalRow()), true
	case "add-objective", "remove-goal":
		ix, ok := planRowIndex(at, 1)
		if !ok || ix[0] >= len(goals) {
			return goals, false
		}
		if verb == "remove-goal" {
			return append(goals[:ix[0]], goals[ix[0]+1:]...), true
		}
		goals[ix[0]].Objectives = append(goals[ix[0]].Objectives, planObjectiveRow{Actions: []planActionRow{{}}})
		return goals, true
	case "add-action", "remove-objective":
		ix, ok := planRowIndex(at, 2)
		if !ok || ix[0] >= len(goals) || ix[1] >= len(goals[ix[0]].Objectives) {
			return goals, false
		}
		g := &goals[ix[0]]
		if verb == "remove-objective" {
			g.Objectives = append(g.Objectives[:ix[1]], g.Objectives[ix[1]+1:]...)
			return goals, true
		}
		g.Objectives[ix[1]].Actions = append(g.Objectives[ix[1]].Actions, planActionRow{})
		return goals, true
	case "remove-action":
		ix, ok := planRowIndex(at, 3)
		if !ok || ix[0] >= len(goals) || ix[1] >= len(goals[ix[0]].Objectives) || ix[2] >= len(goals[ix[0]].Objectives[ix[1]].Actions) {
			return goals, false
		}
		o := &goals[ix[0]].Objectives[ix[1]]
		o.Actions = append(o.Actions[:ix[2]], o.Actions[ix[2]+1:]...)
		return goals, true
	}
	return goals, false
}

// planBodyOf is the editor's rows as the API's plan; action rows left
// wholly blank are no actions.
func planBodyOf(strategy string, goals []planGoalRow) planBody {
	b := planBody{Strategy: strategy}
	for _, g := range goals {
		gb := planGoalBody{Title: g.Title}
		for _, o := range g.Objectives {
			ob := planObjectiveBody{Title: o.Title}
			for _, a := range o.Actions {
				ob.Actions = append(ob.Actions, actionBody{Title: a.Title, OwnerEmail: a.OwnerEmail, Due: a.Due})
			}
			gb.Objectives = append(gb.Objectives, ob)
		}
		b.Goals = append(b.Goals, gb)
	}
	return b
}

// dropBlankActions removes action rows nothing was typed into, so an
// unused row is not refused.
func dropBlankActions(goals []planGoalRow) {
	for gi := range goals {
		for oi := range goals[gi].Objectives {
			o := &goals[gi].Objectives[oi]
			kept := o.Actions[:0]
			for _, a := range o.Actions {
				if strings.TrimSpace(a.Title) != "" || strings.TrimSpace(a.Due) != "" {
					kept = append(kept, a)
				}
			}
			o.Actions = kept
		}
	}
}

// planForm handles the editor's buttons: add or remove a row (the form
// again, as typed), save the draft, or save and submit it for approval.
func (s *Server) planForm(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := s.newPlanEditor(ctx, ka)
	if err != nil {
		return err
	}
	op := c.FormValue("op")
	p.Strategy, p.Goals, err = parsePlanForm(c)
	if err != nil {
		return s.planEditorAnswer(c, p, err)
	}
	if op != "save" && op != "submit" {
		var ok bool
		if p.Goals, ok = editPlanRows(p.Goals, op); !ok {
			return s.planEditorAnswer(c, p, fieldError("op", "this row is not in the form; reload the page"))
		}
		return s.renderPlanEditor(c, http.StatusOK, p)
	}
	dropBlankActions(p.Goals)
	if _, err := s.savePlanDraft(ctx, ka, planBodyOf(p.Strategy, p.Goals)); err != nil {
		return s.planEditorAnswer(c, p, err)
	}
	if op == "submit" {
		if _, _, err := s.submitPlan(ctx, ka, actor(c)); err != nil {
			return s.accountAnswer(c, ka.ID, err)
		}
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d#plan", ka.ID))
}

// planEditorAnswer shows the editor again with the refusal at its field
// and everything typed kept.
func (s *Server) planEditorAnswer(c echo.Context, p planEditor, err error) error {
	r, ok := refusalOf(err, nil)
	if !ok {
		return err
	}
	p.Errors, p.Error = r.Fields, r.Message
	return s.renderPlanEditor(c, r.Status, p)
}

// planSubmitForm submits the saved draft from the key-account page.
func (s *Server) planSubmitForm(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	if _, _, err := s.submitPlan(c.Request().Context(), ka, actor(c)); err != nil {
		return s.accountAnswer(c, ka.ID, err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d#plan", ka.ID))
}

// planDecisionForm approves or rejects the submitted plan with a comment,
// from the key-account page or the start page's "Plans waiting" list; a
// refusal shows on the key-account page at the comment, as typed.
func (s *Server) planDecisionForm(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	update := workflows.UpdateApproveAccountPlan
	switch c.FormValue("decision") {
	case "approve":
	case "reject":
		update = workflows.UpdateRejectAccountPlan
	default:
		return s.planDecisionAnswer(c, ka.ID, fieldError("decision", "choose approve or reject"))
	}
	var st workflows.PlanState
	if err := s.decidePlan(c.Request().Context(), ka, update, workflows.PlanDecision{Actor: actor(c), Comment: c.FormValue("comment")}, &st); err != nil {
		return s.planDecisionAnswer(c, ka.ID, err)
	}
	if c.FormValue("back") == "home" {
		return c.Redirect(http.StatusSeeOther, "/#plans-waiting")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d#plan", ka.ID))
}

func (s *Server) planDecisionAnswer(c echo.Context, keyAccountID uint, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	msg := ""
	if len(ae.Fields) == 0 {
		msg = ae.Message
	}
	return s.renderAccountPage(c, keyAccountID, ae.Status, accountPage{Error: msg, PlanDecision: &planDecisionError{Fields: ae.Fields, Comment: c.FormValue("comment")}})
}

// planDecisionError is a refused decision: why, at which field, and the
// comment as typed.
type planDecisionError struct {
	Fields  map[string]string
	Comment string
}
