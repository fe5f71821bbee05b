package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// workshopPage is one annual workshop: its dates (or the dates the customer
// chooses from), the participants of both sides with the hierarchy-matched
// suggestion marked, the agenda, and the minutes with the agreed actions.
// The KAM's forms keep what was typed when a step is refused, each refusal
// at its field.
type workshopPage struct {
	Workshop     *store.Workshop
	CustomerName string
	Ours, Theirs []participantView
	// OursPicker and TheirsChoices are the people who may join: our
	// active employees (a few, and a finder) and the customer's contacts
	// not taking part yet, the hierarchy's suggestion first.
	OursPicker    employeePicker
	TheirsChoices []personChoice
	Options       []time.Time
	Actions       []store.Action
	Owners        []ownerChoice
	// CanPlan shows the KAM's forms; each is open only while its step is.
	CanPlan                                  bool
	DatesOpen, ParticipantsOpen, MinutesOpen bool
	Dates                                    datesInput
	Minutes                                  string
	Rows                                     []planActionRow
	// ChosenOurs and ChosenTheirs keep a refused addition's pick.
	ChosenOurs, ChosenTheirs string
	Errors                   map[string]string
	Error, Message           string
	Now                      time.Time
}

type participantView struct {
	ID        uint
	Name      string
	Level     store.HierarchyLevel
	Suggested bool
}

type personChoice struct {
	ID        uint
	Name      string
	Level     store.HierarchyLevel
	Suggested bool
}

// datesInput is the dates form as typed (datetime-local values, UTC).
type datesInput struct {
	StartsAt     string
	Alternatives [workflows.MaxWorkshopDates - 1]string
	Place        string
}

// FieldError is the refusal at the input named field, or "".
func (p workshopPage) FieldError(field string) string { return p.Errors[field] }

// Chosen reports whether email is a row's owner as the form shows it.
func (p workshopPage) Chosen(email, owner string) bool { return strings.EqualFold(email, owner) }

// workshopMessages are the notes shown after a step succeeded (?done=).
var workshopMessages = map[string]string{
	"started":      "The workshop is prepared: participants are suggested by hierarchy. Propose up to three dates.",
	"options":      "The dates went to the customer. Confirm the one chosen to send the invitation.",
	"invited":      "The date is set and the invitation went out.",
	"participants": "Participants saved.",
	"minutes":      "Minutes recorded; every agreed item is tracked as an action.",
}

func (s *Server) workshopPageView(c echo.Context) error {
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	p := workshopPage{Message: workshopMessages[c.QueryParam("done")]}
	if w.Status == workflows.WorkshopProposed || w.Status == workflows.WorkshopPlanning {
		p.Dates.Place = w.Place
	}
	p.Rows = []planActionRow{{}}
	return s.renderWorkshop(c, w, http.StatusOK, p)
}

// renderWorkshop fills p (which may carry what was typed and a refusal).
func (s *Server) renderWorkshop(c echo.Context, w *store.Workshop, status int, p workshopPage) error {
	ctx := c.Request().Context()
	ka, err := s.opts.Store.KeyAccountByID(ctx, w.KeyAccountID)
	if err != nil {
		return serverError(err)
	}
	cust, err := s.opts.Store.Customer(ctx, ka.CustomerID)
	if err != nil {
		return serverError(err)
	}
	p.Workshop, p.CustomerName, p.Options, p.Now = w, cust.Name, w.Options(), s.opts.Now()
	if p.Actions, err = s.opts.Store.ActionsFrom(ctx, "workshop", w.ID); err != nil {
		return serverError(err)
	}
	suggested, err := s.suggestedParticipants(ctx, ka.ID)
	if err != nil {
		return err
	}
	taking := map[workshopPerson]bool{}
	for _, pt := range w.Participants {
		who := workshopPerson{pt.Side, pt.PersonID}
		v := participantView{ID: pt.PersonID, Name: pt.Name, Level: pt.Level, Suggested: suggested[who]}
		taking[who] = true
		if pt.Side == workflows.SideOurs {
			p.Ours = append(p.Ours, v)
		} else {
			p.Theirs = append(p.Theirs, v)
		}
	}
	sortParticipants(p.Ours)
	sortParticipants(p.Theirs)
	p.CanPlan = s.may(c, policy.ActWorkshopPlan, policy.Target{KeyAccount: ka})
	started := w.StartsAt != nil && !p.Now.Before(*w.StartsAt)
	before := (w.Status == workflows.WorkshopPlanning || w.Status == workflows.WorkshopProposed || w.Status == workflows.WorkshopInvited) && !started
	p.DatesOpen, p.ParticipantsOpen = p.CanPlan && before, p.CanPlan && before
	p.MinutesOpen = p.CanPlan && w.Status == workflows.WorkshopInvited && started
	if p.ParticipantsOpen {
		if err := s.loadOursPicker(c, &p, suggested, taking); err != nil {
			return err
		}
		for _, ct := range cust.Contacts {
			if who := (workshopPerson{workflows.SideTheirs, ct.ID}); !taking[who] {
				p.TheirsChoices = append(p.TheirsChoices, personChoice{ID: ct.ID, Name: ct.Name, Level: ct.HierarchyLevel, Suggested: suggested[who]})
			}
		}
		// The suggestion first, then by name.
		sort.SliceStable(p.TheirsChoices, func(i, j int) bool { return p.TheirsChoices[i].Suggested && !p.TheirsChoices[j].Suggested })
	}
	if p.MinutesOpen {
		kept := make([]string, len(p.Rows))
		for i, r := range p.Rows {
			kept[i] = r.OwnerEmail
		}
		owners, err := s.ownerChoices(ctx, kept)
		if err != nil {
			return err
		}
		p.Owners = owners
	}
	return s.render(c, status, "workshop.html", p)
}

// workshopPerson is a person of one side of a workshop.
type workshopPerson struct {
	Side string
	ID   uint
}

// suggestedParticipants is the hierarchy-matched suggestion of both sides.
func (s *Server) suggestedParticipants(ctx context.Context, keyAccountID uint) (map[workshopPerson]bool, error) {
	list, err := s.opts.Store.SuggestWorkshopParticipants(ctx, keyAccountID)
	if err != nil {
		return nil, serverError(err)
	}
	out := map[workshopPerson]bool{}
	for _, p := range list {
		out[workshopPerson{p.Side, p.PersonID}] = true
	}
	return out, nil
}

// loadOursPicker fills the select of our people who may join: those
// not taking part, the suggested ones first, a refused pick kept.
func (s *Server) loadOursPicker(c echo.Context, p *workshopPage, suggested, taking map[workshopPerson]bool) error {
	pk := employeePicker{Field: "ours_id", Blank: "— choose —"}
	var sugg []uint
	for _, pt := range p.Workshop.Participants {
		if pt.Side == workflows.SideOurs {
			pk.Except = append(pk.Except, pt.PersonID)
		}
	}
	for who := range suggested {
		if who.Side == workflows.SideOurs && !taking[who] {
			sugg = append(sugg, who.ID)
		}
	}
	if len(sugg) > 0 {
		byID, err := s.opts.Store.EmployeesByID(c.Request().Context(), sugg)
		if err != nil {
			return serverError(err)
		}
		for _, e := range byID {
			if e.ArchivedAt == nil && uitoa(e.ID) != p.ChosenOurs {
				pk.Suggested = append(pk.Suggested, e)
			}
		}
		sort.Slice(pk.Suggested, func(i, j int) bool { return pk.Suggested[i].Name < pk.Suggested[j].Name })
	}
	var typed []string
	if p.ChosenOurs != "" {
		typed = []string{p.ChosenOurs}
	}
	if err := s.loadEmployeePicker(c, &pk, "", typed); err != nil {
		return err
	}
	p.OursPicker = pk
	return nil
}

// sortParticipants orders by hierarchy level (board first), then name.
func sortParticipants(list []participantView) {
	rank := map[store.HierarchyLevel]int{}
	for i, l := range store.HierarchyLevels() {
		rank[l] = i
	}
	sort.SliceStable(list, func(i, j int) bool {
		if rank[list[i].Level] != rank[list[j].Level] {
			return rank[list[i].Level] < rank[list[j].Level]
		}
		return list[i].Name < list[j].Name
	})
}

// workshopAnswer shows the workshop page again with a refusal at its
// field and what was typed kept; a refusal naming no field shows on top.
func (s *Server) workshopAnswer(c echo.Context, w *store.Workshop, p workshopPage, err error) error {
	r, ok := refusalOf(err, nil)
	if !ok {
		return err
	}
	p.Errors, p.Error = r.Fields, r.Message
	if len(p.Rows) == 0 {
		p.Rows = []planActionRow{{}}
	}
	return s.renderWorkshop(c, w, r.Status, p)
}

func (s *Server) workshopDone(c echo.Context, w *store.Workshop, done, anchor string) error {
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workshops/%d?done=%s#%s", w.ID, done, anchor))
}

// workshopDatesForm proposes up to three first days (the customer chooses
// one), or one date, which sets it and invites; the confirm buttons of the
// proposed dates send one.
func (s *Server) workshopDatesForm(c echo.Context) error {
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	in := datesInput{StartsAt: strings.TrimSpace(c.FormValue("starts_at")), Place: c.FormValue("place")}
	p := workshopPage{Dates: in, Rows: []planActionRow{{}}}
	for i := range in.Alternatives {
		p.Dates.Alternatives[i] = strings.TrimSpace(c.FormValue(fmt.Sprintf("alternatives[%d]", i)))
	}
	req := workflows.ProposeDatesRequest{Actor: actor(c), Place: p.Dates.Place}
	zone := s.readerZone(c)
	if req.StartsAt, err = parseLocal(zone, "starts_at", p.Dates.StartsAt, "enter the first day and time"); err != nil {
		return s.workshopAnswer(c, w, p, err)
	}
	var formIndex []int // the request's alternative → the form's field
	for i, v := range p.Dates.Alternatives {
		if v == "" {
			continue
		}
		t, err := parseLocal(zone, fmt.Sprintf("alternatives[%d]", i), v, "enter the first day and time")
		if err != nil {
			return s.workshopAnswer(c, w, p, err)
		}
		req.Alternatives = append(req.Alternatives, t)
		formIndex = append(formIndex, i)
	}
	var st workflows.WorkshopState
	if err := s.sendUpdate(c.Request().Context(), w.WorkflowID, workflows.UpdateProposeDates, req, &st, "the workshop is closed"); err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			ae.Fields = renameAlternatives(ae.Fields, formIndex)
		}
		return s.workshopAnswer(c, w, p, err)
	}
	if len(req.Alternatives) > 0 {
		return s.workshopDone(c, w, "options", "dates")
	}
	return s.workshopDone(c, w, "invited", "dates")
}

var alternativeField = regexp.MustCompile(`^alternatives\[(\d+)\]$`)

// renameAlternatives points the validator's alternatives[i] (blank fields
// left out) at the form's field.
func renameAlternatives(fields map[string]string, formIndex []int) map[string]string {
	if len(fields) == 0 {
		return fields
	}
	out := map[string]string{}
	for f, msg := range fields {
		if m := alternativeField.FindStringSubmatch(f); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(formIndex) {
				f = fmt.Sprintf("alternatives[%d]", formIndex[i])
			}
		}
		out[f] = msg
	}
	return out
}

// workshopParticipantsForm adds one person to either side or removes one
// (op add-ours, add-theirs, remove:ours:ID, remove:theirs:ID); the
// workflow checks the whole new list.
func (s *Server) workshopParticipantsForm(c echo.Context) error {
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ka, err := s.opts.Store.KeyAccountByID(ctx, w.KeyAccountID)
	if err != nil {
		return serverError(err)
	}
	p := workshopPage{ChosenOurs: c.FormValue("ours_id"), ChosenTheirs: c.FormValue("theirs_id"), Rows: []planActionRow{{}}}
	current := make([]workflows.WorkshopPerson, 0, len(w.Participants))
	for _, pt := range w.Participants {
		current = append(current, workflows.WorkshopPerson{Side: pt.Side, PersonID: pt.PersonID, Name: pt.Name, Email: pt.Email, Level: string(pt.Level)})
	}
	op := c.FormValue("op")
	side := ""
	var next []workflows.WorkshopPerson
	switch {
	case op == "add-ours" || op == "add-theirs":
		side = strings.TrimPrefix(op, "add-")
		field := side + "_id"
		id, _ := strconv.ParseUint(c.FormValue(field), 10, 32)
		person, err := s.participantOf(ctx, ka, side, uint(id), field)
		if err != nil {
			return s.workshopAnswer(c, w, p, err)
		}
		next = append(current, person)
	case strings.HasPrefix(op, "remove:"):
		parts := strings.Split(op, ":")
		id, _ := strconv.ParseUint(parts[len(parts)-1], 10, 32)
		if len(parts) == 3 {
			side = parts[1]
		}
		for _, pt := range current {
			if pt.Side == side && pt.PersonID == uint(id) {
				continue
			}
			next = append(next, pt)
		}
		if len(next) == len(current) {
			return s.workshopAnswer(c, w, p, fieldError("participants", "this person does not take part; reload the page"))
		}
	default:
		return s.workshopAnswer(c, w, p, fieldError("participants", "choose someone to add or remove"))
	}
	if err := s.setParticipants(ctx, w, actor(c), next); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && len(ae.Fields) > 0 {
			// The list's refusal shows at the side that was changed.
			msg := ae.Fields["participants."+side]
			for _, m := range ae.Fields {
				if msg == "" {
					msg = m
				}
			}
			ae = &apiError{Status: ae.Status, Code: ae.Code, Message: ae.Message, Fields: map[string]string{"participants." + side: msg}}
			err = ae
		}
		return s.workshopAnswer(c, w, p, err)
	}
	return s.workshopDone(c, w, "participants", "participants")
}

// participantOf resolves a person to add: one of our active employees or
// one of the customer's contacts; a refusal names field.
func (s *Server) participantOf(ctx context.Context, ka *store.KeyAccount, side string, id uint, field string) (workflows.WorkshopPerson, error) {
	switch side {
	case workflows.SideOurs:
		e, err := s.opts.Store.Employee(ctx, id)
		if err == nil && e.ArchivedAt == nil {
			return workflows.WorkshopPerson{Side: side, PersonID: e.ID, Name: e.Name, Email: e.Email, Level: string(e.HierarchyLevel)}, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return workflows.WorkshopPerson{}, serverError(err)
		}
		return workflows.WorkshopPerson{}, fieldError(field, "choose one of our people")
	case workflows.SideTheirs:
		ct, err := s.opts.Store.ContactOfCustomer(ctx, id, ka.CustomerID)
		if err == nil && ct.ArchivedAt == nil {
			return workflows.WorkshopPerson{Side: side, PersonID: ct.ID, Name: ct.Name, Email: ct.Email, Level: string(ct.HierarchyLevel)}, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return workflows.WorkshopPerson{}, serverError(err)
		}
		return workflows.WorkshopPerson{}, fieldError(field, "choose one of the customer's contacts")
	}
	return workflows.WorkshopPerson{}, fieldError(field, "side is ours or theirs")
}

// setParticipants sends the whole new list to the workshop's workflow; the
// API and the workshop page change participants through it.
func (s *Server) setParticipants(ctx context.Context, w *store.Workshop, by workflows.Actor, people []workflows.WorkshopPerson) error {
	if people == nil {
		people = []workflows.WorkshopPerson{}
	}
	var st workflows.WorkshopState
	return s.sendUpdate(ctx, w.WorkflowID, workflows.UpdateSetParticipants, workflows.ParticipantsRequest{Actor: by, Participants: people}, &st, "the workshop is closed")
}

var minutesRowField = regexp.MustCompile(`^actions\[(\d{1,3})\]\.(title|owner_email|due)$`)

// parseMinutesRows reads the minutes form's action rows in index order.
func parseMinutesRows(c echo.Context) ([]planActionRow, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, fieldError("body", "the form could not be read")
	}
	rows := map[int]*planActionRow{}
	for name, vs := range form {
		m := minutesRowField.FindStringSubmatch(name)
		if m == nil || len(vs) == 0 {
			continue
		}
		if reason := store.TextProblem(m[2], vs[0]); reason != "" {
			return nil, fieldError(name, reason)
		}
		i, _ := strconv.Atoi(m[1])
		r := rows[i]
		if r == nil {
			r = &planActionRow{}
			rows[i] = r
		}
		switch m[2] {
		case "title":
			r.Title = vs[0]
		case "owner_email":
			r.OwnerEmail = vs[0]
		default:
			r.Due = vs[0]
		}
	}
	idx := make([]int, 0, len(rows))
	for i := range rows {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]planActionRow, 0, len(idx))
	for _, i := range idx {
		out = append(out, *rows[i])
	}
	return out, nil
}

// workshopMinutesForm handles the minutes form's buttons: add or remove an
// action row (the form again, as typed), or record the minutes with every
// filled-in row as an agreed action.
func (s *Server) workshopMinutesForm(c echo.Context) error {
	w, err := s.workshopFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := workshopPage{Minutes: c.FormValue("minutes")}
	if p.Rows, err = parseMinutesRows(c); err != nil {
		return s.workshopAnswer(c, w, p, err)
	}
	op := c.FormValue("op")
	switch verb, at, _ := strings.Cut(op, ":"); verb {
	case "add-row":
		p.Rows = append(p.Rows, planActionRow{})
		return s.renderWorkshop(c, w, http.StatusOK, p)
	case "remove-row":
		i, err := strconv.Atoi(at)
		if err != nil || i < 0 || i >= len(p.Rows) {
			return s.workshopAnswer(c, w, p, fieldError("op", "this row is not in the form; reload the page"))
		}
		p.Rows = append(p.Rows[:i], p.Rows[i+1:]...)
		if len(p.Rows) == 0 {
			p.Rows = []planActionRow{{}}
		}
		return s.renderWorkshop(c, w, http.StatusOK, p)
	case "save", "":
	default:
		return s.workshopAnswer(c, w, p, fieldError("op", "this button is not in the form; reload the page"))
	}
	// Rows nothing was typed into are no actions.
	kept := p.Rows[:0]
	for _, r := range p.Rows {
		if strings.TrimSpace(r.Title) != "" || strings.TrimSpace(r.Due) != "" {
			kept = append(kept, r)
		}
	}
	p.Rows = kept
	bodies := make([]actionBody, len(p.Rows))
	for i, r := range p.Rows {
		bodies[i] = actionBody{Title: r.Title, OwnerEmail: r.OwnerEmail, Due: r.Due}
	}
	actions, err := s.parseActions(ctx, "actions", bodies)
	if err != nil {
		return s.workshopAnswer(c, w, p, err)
	}
	req := workflows.MinutesRequest{Actor: actor(c), Minutes: p.Minutes, Actions: actions}
	var st workflows.WorkshopState
	if err := s.sendUpdate(ctx, w.WorkflowID, workflows.UpdateRecordMinutes, req, &st, "the workshop is closed"); err != nil {
		return s.workshopAnswer(c, w, p, err)
	}
	return s.workshopDone(c, w, "minutes", "minutes")
}

// startWorkshopForm starts this year's workshop from the key-account page
// and opens it once prepared (a moment); a refusal shows on the account's
// page.
func (s *Server) startWorkshopForm(c echo.Context) error {
	ka, err := s.keyAccountFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.startWorkshop(ctx, ka); err != nil {
		return s.accountAnswer(c, ka.ID, err)
	}
	year := s.opts.Now().Year()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if w, err := s.opts.Store.WorkshopOfYear(ctx, ka.ID, year); err == nil {
			return s.workshopDone(c, w, "started", "participants")
		} else if !errors.Is(err, store.ErrNotFound) {
			return serverError(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/key-accounts/%d?done=workshop-preparing#workshops", ka.ID))
}

// accountAnswer shows the key-account page with a refusal's reason.
func (s *Server) accountAnswer(c echo.Context, keyAccountID uint, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	if ka, kerr := s.opts.Store.KeyAccountByID(c.Request().Context(), keyAccountID); kerr != nil || !s.may(c, policy.ActAccountRead, policy.Target{KeyAccount: ka}) {
		// An action's owner who does not keep the account gets the refusal
		// alone, not the account's page.
		return err
	}
	return s.renderAccount(c, keyAccountID, ae.Status, ae.text())
}
