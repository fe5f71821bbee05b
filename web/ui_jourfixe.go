package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// jourFixeSection is the jour-fixe part of the programme page: its
// monthly schedules and jour fixes for everyone, the forms for its lead.
type jourFixeSection struct {
	CanSchedule, CanStart bool
	Schedules             []jourFixeScheduleRow
	Accounts              []accountChoice
	List                  []jourFixeRow
	Form                  jourFixeForms
}

type jourFixeScheduleRow struct {
	KeyAccountID uint
	Scope        string // the customer; "" for all key accounts
	DayOfMonth   int
	SetBy        string
	UpdatedAt    time.Time
}

type accountChoice struct {
	ID   uint
	Name string
}

// AccountOptions are the options of a select of the programme's key
// accounts, the one whose ID is selected chosen. Built here rather than
// in the template: the page has two such selects, each with every key
// account of the programme.
func (j jourFixeSection) AccountOptions(selected string) template.HTML {
	var b strings.Builder
	b.Grow(len(j.Accounts) * 48)
	for _, a := range j.Accounts {
		id := uitoa(a.ID)
		writeOption(&b, id, id == selected, a.Name)
	}
	return template.HTML(b.String()) // the names escaped above
}

type jourFixeRow struct {
	ID        uint
	MeetingAt time.Time
	Scope     string
	Status    string
}

// jourFixeForms keeps the lead's schedule and start forms as typed, with
// the refusals by field.
type jourFixeForms struct {
	Day, ScheduleScope, MeetingAt, StartScope string
	Errors                                    map[string]string
}

// programmeAccountNames names the programme's key accounts by customer.
func (s *Server) programmeAccountNames(ctx context.Context, programmeID uint) ([]accountChoice, map[uint]string, error) {
	kas, err := s.opts.Store.KeyAccountNames(ctx, programmeID)
	if err != nil {
		return nil, nil, serverError(err)
	}
	names := map[uint]string{}
	choices := make([]accountChoice, 0, len(kas))
	for _, ka := range kas {
		names[ka.ID] = ka.CustomerName
		choices = append(choices, accountChoice{ID: ka.ID, Name: ka.CustomerName})
	}
	return choices, names, nil
}

// fillJourFixeSection reads the programme's jour-fixe schedules and
// meetings from the database, keeping a refused form already on p.
func (s *Server) fillJourFixeSection(c echo.Context, p *programmePage) error {
	ctx := c.Request().Context()
	t := policy.Target{ProgrammeID: p.ID}
	j := &p.JourFixe
	j.CanSchedule, j.CanStart = s.may(c, policy.ActJourFixeSchedule, t), s.may(c, policy.ActJourFixeStart, t)
	// The accounts' names, the schedules and the meetings, read at once.
	var (
		reads     errgroup.Group
		names     map[uint]string
		schedules []store.JourFixeSchedule
		list      []store.JourFixe
	)
	reads.Go(func() (err error) {
		j.Accounts, names, err = s.programmeAccountNames(ctx, p.ID)
		return err
	})
	reads.Go(func() (err error) {
		if schedules, err = s.opts.Store.JourFixeSchedulesOf(ctx, p.ID); err != nil {
			return serverError(err)
		}
		return nil
	})
	reads.Go(func() (err error) {
		if list, err = s.opts.Store.JourFixesOf(ctx, p.ID); err != nil {
			return serverError(err)
		}
		return nil
	})
	if err := reads.Wait(); err != nil {
		return err
	}
	scope := func(ka uint) string { return names[ka] }
	for _, sc := range schedules {
		j.Schedules = append(j.Schedules, jourFixeScheduleRow{KeyAccountID: sc.KeyAccountID, Scope: scope(sc.KeyAccountID), DayOfMonth: sc.DayOfMonth, SetBy: sc.SetBy, UpdatedAt: sc.UpdatedAt})
	}
	for _, jf := range list {
		row := jourFixeRow{ID: jf.ID, MeetingAt: jf.MeetingAt, Status: jf.Status}
		if jf.KeyAccountID != nil {
			row.Scope = scope(*jf.KeyAccountID)
		}
		j.List = append(j.List, row)
	}
	if j.Form.Day == "" {
		j.Form.Day = "1"
	}
	return nil
}

// jourFixeFormAnswer shows the programme page again with a refused
// jour-fixe form at its field, as typed.
func (s *Server) jourFixeFormAnswer(c echo.Context, id uint, f jourFixeForms, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	p, perr := s.programmePageData(c, id)
	if perr != nil {
		return perr
	}
	if f.Day == "" {
		f.Day = p.JourFixe.Form.Day
	}
	p.JourFixe.Form = f
	p.JourFixe.Form.Errors = ae.Fields
	if len(ae.Fields) == 0 {
		p.Error = ae.Message
	}
	return s.render(c, ae.Status, "programme.html", p)
}

// formAccountID reads an optional key account ("" is all of them).
func formAccountID(v string) (uint, error) {
	if strings.TrimSpace(v) == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
	if err != nil || n == 0 {
		return 0, fieldError("key_account_id", "choose all key accounts or one of them")
	}
	return uint(n), nil
}

// jourFixeScheduleForm sets the programme's monthly jour fixe (or one
// key account's).
func (s *Server) jourFixeScheduleForm(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	f := jourFixeForms{Day: strings.TrimSpace(c.FormValue("day_of_month")), ScheduleScope: c.FormValue("key_account_id")}
	ka, err := formAccountID(f.ScheduleScope)
	if err == nil {
		day, perr := strconv.Atoi(f.Day)
		if perr != nil {
			err = fieldError("day_of_month", "enter the day of the month, 1 to 28")
		} else {
			_, err = s.setJourFixeSchedule(c, id, ka, day)
		}
	}
	if err != nil {
		return s.jourFixeFormAnswer(c, id, f, err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d?done=schedule-set#jour-fixe", id))
}

// jourFixeStopForm stops a monthly jour fixe.
func (s *Server) jourFixeStopForm(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	ka, err := formAccountID(c.FormValue("key_account_id"))
	if err == nil {
		err = s.deleteJourFixeSchedule(c.Request().Context(), id, ka)
	}
	if err != nil {
		return s.jourFixeFormAnswer(c, id, jourFixeForms{}, err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d?done=schedule-stopped#jour-fixe", id))
}

// parseMeeting reads a datetime-local input in the reader's zone; empty
// is the default meeting a week ahead.
func parseMeeting(zone *time.Location, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	return parseLocal(zone, "meeting_at", v, "enter the meeting's date and time, or leave it empty for a week from now")
}

// jourFixeStartForm starts a jour fixe now and opens its page once the
// workflow has recorded it.
func (s *Server) jourFixeStartForm(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	f := jourFixeForms{MeetingAt: c.FormValue("meeting_at"), StartScope: c.FormValue("key_account_id")}
	var wid string
	ka, err := formAccountID(f.StartScope)
	if err == nil {
		var at time.Time
		if at, err = parseMeeting(s.readerZone(c), f.MeetingAt); err == nil {
			wid, _, err = s.startJourFixe(c, id, ka, at)
		}
	}
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Fields["key_account_id"] != "" {
			// The start form's account field, not the schedule form's.
			ae.Fields = map[string]string{"start_key_account_id": ae.Fields["key_account_id"]}
		}
		return s.jourFixeFormAnswer(c, id, f, err)
	}
	ctx := c.Request().Context()
	var jf *store.JourFixe
	s.awaitRecord(ctx, func(ctx context.Context) bool {
		jf, err = s.opts.Store.JourFixeByWorkflowID(ctx, wid)
		return err == nil
	})
	if jf != nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/jour-fixes/%d?done=jourfixe-started", jf.ID))
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d?done=jourfixe-started#jour-fixe", id))
}

// jourFixePage is one jour fixe as the reader may see it: what is asked,
// who was asked and gave input, the pooled picture per account, and her
// own input forms while it collects.
type jourFixePage struct {
	JourFixe      store.JourFixe
	ProgrammeName string
	Scope         string
	Accounts      []jourFixeAccountView
	Mine          []jourFixeInputForm
	Notice, Error string
}

// jourFixeAccountView is what the reader sees of one account she may read.
type jourFixeAccountView struct {
	KeyAccountID uint
	Name         string
	Picture      *store.AccountPicture
	Asked        []jourFixeAskedName
}

type jourFixeAskedName struct {
	Name  string
	Given bool
}

// jourFixeInputForm is the reader's input on one account she is asked
// about: stored or as typed, with the refusals by field.
type jourFixeInputForm struct {
	KeyAccountID               uint
	Name                       string
	Satisfaction               string
	Developments, Needs, Risks string
	Given                      bool
	Errors                     map[string]string
	Open                       bool
}

// Error is the refusal at field of this account's form.
func (f jourFixeInputForm) Error(field string) string { return f.Errors[field] }

func (s *Server) jourFixePage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such jour fixe.")
	}
	p, err := s.jourFixePageData(c, id)
	if err != nil {
		return err
	}
	p.Notice = doneNotice(c)
	return s.render(c, http.StatusOK, "jourfixe.html", p)
}

// jourFixePageData reads the jour fixe through the API's reading (one
// rule for what each reader sees) and names its accounts.
func (s *Server) jourFixePageData(c echo.Context, id uint) (*jourFixePage, error) {
	ctx := c.Request().Context()
	r, err := s.readJourFixe(c, id)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, clientError(http.StatusNotFound, "There is no such jour fixe.")
		}
		return nil, err
	}
	p := &jourFixePage{JourFixe: r.JourFixe}
	prog, _, err := s.opts.Store.ProgrammeByID(ctx, r.JourFixe.ProgrammeID)
	if err != nil {
		return nil, serverError(err)
	}
	p.ProgrammeName = prog.Name
	_, names, err := s.programmeAccountNames(ctx, r.JourFixe.ProgrammeID)
	if err != nil {
		return nil, err
	}
	if ka := r.JourFixe.KeyAccountID; ka != nil {
		p.Scope = names[*ka]
	}
	pictures := map[uint]*store.AccountPicture{}
	for i := range r.Pictures {
		pictures[r.Pictures[i].KeyAccountID] = &r.Pictures[i]
	}
	views := map[uint]*jourFixeAccountView{}
	var order []uint
	view := func(ka uint) *jourFixeAccountView {
		if v, ok := views[ka]; ok {
			return v
		}
		views[ka] = &jourFixeAccountView{KeyAccountID: ka, Name: names[ka], Picture: pictures[ka]}
		order = append(order, ka)
		return views[ka]
	}
	me := currentUser(c).EmployeeID
	for _, pa := range r.Participants {
		for _, ka := range pa.Accounts {
			if r.Readable[ka] {
				v := view(ka)
				v.Asked = append(v.Asked, jourFixeAskedName{Name: pa.Name, Given: pa.Gave(ka)})
			}
			if me != nil && *me == pa.EmployeeID {
				p.Mine = append(p.Mine, jourFixeInputForm{KeyAccountID: ka, Name: names[ka], Given: pa.Gave(ka)})
			}
		}
	}
	for ka := range pictures {
		view(ka)
	}
	for _, ka := range order {
		p.Accounts = append(p.Accounts, *views[ka])
	}
	// Her stored input fills her forms; she may change it until the meeting.
	open := r.JourFixe.Status != "held" && s.may(c, policy.ActJourFixeInput, policy.Target{ProgrammeID: r.JourFixe.ProgrammeID, JourFixeID: r.JourFixe.ID})
	for i := range p.Mine {
		f := &p.Mine[i]
		f.Open = open
		for _, in := range r.Inputs {
			if me != nil && in.EmployeeID == *me && in.KeyAccountID == f.KeyAccountID {
				f.Satisfaction, f.Developments, f.Needs, f.Risks = strconv.Itoa(in.Satisfaction), in.Developments, in.Needs, in.Risks
			}
		}
	}
	return p, nil
}

// jourFixeInputForm gives the reader's view of one account; a refusal
// shows at its field with what she typed.
func (s *Server) jourFixeInputForm(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such jour fixe.")
	}
	ctx := c.Request().Context()
	j, err := s.opts.Store.JourFixeByID(ctx, id)
	if err != nil {
		return storeError(err, "jour fixe")
	}
	typed := jourFixeInputForm{Satisfaction: strings.TrimSpace(c.FormValue("satisfaction")), Developments: c.FormValue("developments"),
		Needs: c.FormValue("needs"), Risks: c.FormValue("risks")}
	ka, err := formAccountID(c.FormValue("key_account_id"))
	if err == nil && ka == 0 {
		err = fieldError("key_account_id", "choose the key account your input is about")
	}
	if err == nil {
		sat, perr := strconv.Atoi(typed.Satisfaction)
		if perr != nil {
			err = fieldError("satisfaction", "choose the satisfaction, 1 (very unhappy) to 5 (very happy)")
		} else {
			err = s.giveJourFixeInput(ctx, j, workflows.InputRequest{Actor: actor(c), KeyAccountID: ka, Satisfaction: sat,
				Developments: typed.Developments, Needs: typed.Needs, Risks: typed.Risks}, new(workflows.JourFixeState))
		}
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		p, perr := s.jourFixePageData(c, id)
		if perr != nil {
			return perr
		}
		kept := false
		for i := range p.Mine {
			if p.Mine[i].KeyAccountID == ka {
				typed.KeyAccountID, typed.Name, typed.Given, typed.Open = ka, p.Mine[i].Name, p.Mine[i].Given, p.Mine[i].Open
				typed.Errors = ae.Fields
				p.Mine[i], kept = typed, true
			}
		}
		if !kept || len(ae.Fields) == 0 {
			p.Error = ae.text()
		}
		return s.render(c, ae.Status, "jourfixe.html", p)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/jour-fixes/%d?done=input-given#input-%d", id, ka))
}
