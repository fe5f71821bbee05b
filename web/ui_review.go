package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// reviewPage is one controller review: KPIs per key account with their
// findings, the optimisation measures and the sign-off.
type reviewPage struct {
	Review        *store.Review
	ProgrammeName string
	Open          bool
	CanEdit       bool
	Now           time.Time
	Error         string
	// Notice says what the form just sent did (after its redirect).
	Notice string
	// RefusedForm names the refused findings or sign-off form
	// ("findings-<customer>", "sign-off"), Typed what was typed in it.
	RefusedForm, Typed string
	Refusal            formRefusal
	// Groups are the measures by key account, programme-wide ones last.
	Groups []measureGroup
	// People work on the programme; Others are the remaining users: both
	// can own a measure (controllers only).
	People []store.ProgrammePerson
	Others []ownerChoice
	// MeasureFields and MeasureForm keep a refused measure's reasons at
	// their fields and what was chosen and typed.
	MeasureFields map[string]string
	MeasureForm   map[string]string
}

// measureGroup is one key account's measures (CustomerID 0: the programme's).
type measureGroup struct {
	CustomerID uint
	// Name is the account's customer, when the reader sees the account.
	Name     string
	Measures []store.Measure
}

// measureGroups groups a review's measures by key account in the order of
// its accounts; measures of accounts the reader does not see form groups
// without a name, and programme-wide measures come last.
func measureGroups(r *store.Review) []measureGroup {
	byCustomer := map[uint][]store.Measure{}
	for _, m := range r.Measures {
		var cid uint
		if m.CustomerID != nil {
			cid = *m.CustomerID
		}
		byCustomer[cid] = append(byCustomer[cid], m)
	}
	var out []measureGroup
	for _, a := range r.Accounts {
		if ms, ok := byCustomer[a.CustomerID]; ok {
			out = append(out, measureGroup{CustomerID: a.CustomerID, Name: a.CustomerName, Measures: ms})
			delete(byCustomer, a.CustomerID)
		}
	}
	var unnamed []uint
	for cid := range byCustomer {
		if cid != 0 {
			unnamed = append(unnamed, cid)
		}
	}
	for _, cid := range sortedIDs(unnamed) {
		out = append(out, measureGroup{CustomerID: cid, Measures: byCustomer[cid]})
	}
	if ms, ok := byCustomer[0]; ok {
		out = append(out, measureGroup{Measures: ms})
	}
	return out
}

// MeasureValue is what the refused measure form had in field.
func (p reviewPage) MeasureValue(field string) string { return p.MeasureForm[field] }

// IsOwner reports whether email is the owner the measure form shows.
func (p reviewPage) IsOwner(email string) bool {
	return strings.EqualFold(email, p.MeasureForm["owner_email"])
}

// reviewPageView shows a review; controllers get the forms while it is open.
func (s *Server) reviewPageView(c echo.Context) error {
	return s.renderReviewWith(c, http.StatusOK, "", func(p *reviewPage) { p.Notice = doneNotice(c) })
}

func (s *Server) renderReview(c echo.Context, status int, msg string) error {
	return s.renderReviewWith(c, status, msg, nil)
}

func (s *Server) renderReviewWith(c echo.Context, status int, msg string, more func(*reviewPage)) error {
	r, err := s.loadReview(c)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return clientError(http.StatusNotFound, "There is no such review.")
		}
		return err
	}
	if r, err = s.reviewSeenBy(c, r); err != nil {
		return err
	}
	p := reviewPage{Review: r, Open: r.Status == workflows.ReviewOpen, Now: s.opts.Now(), Error: msg}
	if msg == "" {
		p.Notice = doneNotice(c)
	}
	p.CanEdit = s.may(c, policy.ActReviewManage, policy.Target{ProgrammeID: r.ProgrammeID, ReviewID: r.ID})
	ctx := c.Request().Context()
	if pr, _, err := s.opts.Store.ProgrammeByID(ctx, r.ProgrammeID); err == nil {
		p.ProgrammeName = pr.Name
	} else if !errors.Is(err, store.ErrNotFound) {
		return serverError(err)
	}
	p.Groups = measureGroups(r)
	if p.CanEdit && p.Open {
		if err := s.measureOwnerChoices(ctx, &p); err != nil {
			return err
		}
	}
	if more != nil {
		more(&p)
	}
	return s.render(c, status, "review.html", p)
}

// measureOwnerChoices fills the owner select: the programme's people first,
// then every other enabled user.
func (s *Server) measureOwnerChoices(ctx context.Context, p *reviewPage) error {
	var err error
	if p.People, err = s.opts.Store.ProgrammePeople(ctx, p.Review.ProgrammeID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return serverError(err)
	}
	users, err := s.opts.Store.ActionOwnerChoices(ctx)
	if err != nil {
		return serverError(err)
	}
	inProgramme := map[string]bool{}
	for _, person := range p.People {
		inProgramme[strings.ToLower(person.Email)] = true
	}
	for _, u := range users {
		if !inProgramme[strings.ToLower(u.Email)] {
			p.Others = append(p.Others, ownerChoice{Email: u.Email, Name: u.Name})
		}
	}
	return nil
}

// reviewForm sends one of the review's human steps from the page's forms;
// a refusal shows the page again with the reason.
func (s *Server) reviewForm(step string) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, err := s.loadReview(c)
		if err != nil {
			return clientError(http.StatusNotFound, "There is no such review.")
		}
		var arg any
		switch step {
		case workflows.UpdateRecordFindings:
			cid, perr := optionalID(c.FormValue("customer_id"))
			if perr != nil {
				return s.reviewAnswer(c, fieldError("customer_id", "choose a key account of the review"))
			}
			arg = workflows.FindingsRequest{Actor: actor(c), CustomerID: cid, Text: c.FormValue("text")}
		case workflows.UpdateAddMeasure:
			cid, perr := optionalID(c.FormValue("customer_id"))
			if perr != nil {
				return s.measureRefusal(c, fieldError("customer_id", "choose a key account of the review, or none"))
			}
			due, perr := parseDate("due", c.FormValue("due"))
			if perr != nil {
				return s.measureRefusal(c, perr)
			}
			owner := strings.TrimSpace(c.FormValue("owner_email"))
			if owner == "" {
				return s.measureRefusal(c, fieldError("owner_email", "choose who owns the measure"))
			}
			if _, uerr := s.opts.Store.UserByEmail(c.Request().Context(), owner); errors.Is(uerr, store.ErrNotFound) {
				return s.measureRefusal(c, fieldError("owner_email", "no user has this e-mail address"))
			} else if uerr != nil {
				return serverError(uerr)
			}
			// Due at the end of the day, so "due today" is not overdue at 00:00.
			arg = workflows.MeasureRequest{Actor: actor(c), CustomerID: cid, Title: c.FormValue("title"), OwnerEmail: owner, Due: due.Add(23*time.Hour + 59*time.Minute)}
		case workflows.UpdateCompleteMeasure:
			mid, perr := idParam(c, "measureID")
			if perr != nil {
				return clientError(http.StatusNotFound, "There is no such measure.")
			}
			arg = workflows.MeasureDoneRequest{Actor: actor(c), MeasureID: mid}
		case workflows.UpdateSignOff:
			arg = workflows.SignOffRequest{Actor: actor(c), Overall: c.FormValue("overall")}
		default:
			return serverError(fmt.Errorf("unknown review step %q", step))
		}
		var st workflows.ReviewState
		back := step == workflows.UpdateCompleteMeasure && fromMyWork(c)
		if err := s.sendUpdate(c.Request().Context(), r.WorkflowID, step, arg, &st, "the review is closed"); err != nil {
			if back {
				return s.myWorkAnswer(c, err)
			}
			switch step {
			case workflows.UpdateAddMeasure:
				return s.measureRefusal(c, err)
			case workflows.UpdateRecordFindings:
				return s.reviewTextRefusal(c, err, fmt.Sprintf("findings-%d", arg.(workflows.FindingsRequest).CustomerID), c.FormValue("text"), "text")
			case workflows.UpdateSignOff:
				return s.reviewTextRefusal(c, err, "sign-off", c.FormValue("overall"), "overall")
			}
			return s.reviewAnswer(c, err)
		}
		if back {
			return c.Redirect(http.StatusSeeOther, myWorkPath+"#work")
		}
		anchor := ""
		if step == workflows.UpdateCompleteMeasure {
			anchor = "#measures"
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/reviews/%d?done=%s%s", r.ID, reviewDone[step], anchor))
	}
}

// TypedOr is what was typed into form when it was refused, else saved.
func (p reviewPage) TypedOr(form, saved string) string {
	if p.RefusedForm == form {
		return p.Typed
	}
	return saved
}

// RefusalAt is the refusal at field of form, if form was refused.
func (p reviewPage) RefusalAt(form, field string) string {
	if p.RefusedForm == form {
		return p.Refusal.At(field)
	}
	return ""
}

// reviewTextRefusal shows the review page with a refused findings or
// sign-off form: the reason at its text, what was typed kept.
func (s *Server) reviewTextRefusal(c echo.Context, err error, form, typed string, field string) error {
	r, ok := refusalOf(err, func(f string) string {
		if f == "body" {
			return field
		}
		return f
	})
	if !ok {
		return err
	}
	msg := r.Message
	if msg == "" && r.At(field) == "" {
		msg = (&apiError{Fields: r.Fields}).text() // about no field of the form
	}
	return s.renderReviewWith(c, r.Status, msg, func(p *reviewPage) { p.RefusedForm, p.Typed, p.Refusal = form, typed, r })
}

// reviewDone names each review step's notice (doneNotices).
var reviewDone = map[string]string{
	workflows.UpdateRecordFindings: "findings-recorded", workflows.UpdateAddMeasure: "measure-added",
	workflows.UpdateCompleteMeasure: "measure-done", workflows.UpdateSignOff: "review-signed-off",
}

// reviewAnswer shows the review page with a refusal's reason.
func (s *Server) reviewAnswer(c echo.Context, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	return s.renderReview(c, ae.Status, ae.text())
}

// measureRefusal shows the review page with a refused measure's reasons at
// their fields and the form as it was filled in.
func (s *Server) measureRefusal(c echo.Context, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	msg := ""
	if len(ae.Fields) == 0 {
		msg = ae.text()
	}
	form := map[string]string{}
	for _, f := range []string{"title", "customer_id", "owner_email", "due"} {
		form[f] = c.FormValue(f)
	}
	return s.renderReviewWith(c, ae.Status, msg, func(p *reviewPage) {
		p.MeasureFields, p.MeasureForm = ae.Fields, form
		// An owner the lists lack stays chosen, so the form shows what was sent.
		owner := strings.TrimSpace(form["owner_email"])
		if owner == "" {
			return
		}
		for _, person := range p.People {
			if strings.EqualFold(person.Email, owner) {
				return
			}
		}
		for _, o := range p.Others {
			if strings.EqualFold(o.Email, owner) {
				return
			}
		}
		p.Others = append(p.Others, ownerChoice{Email: owner, Name: owner})
	})
}

// optionalID reads an optional positive ID from a form ("" means none).
func optionalID(v string) (uint, error) {
	if v = strings.TrimSpace(v); v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("not an id: %q", v)
	}
	return uint(n), nil
}

// OpenMeasures counts the review's measures not done yet.
func (p reviewPage) OpenMeasures() int {
	n := 0
	if p.Review != nil {
		for _, m := range p.Review.Measures {
			if m.DoneAt == nil {
				n++
			}
		}
	}
	return n
}
