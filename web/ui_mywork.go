package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
)

// myWorkPath is the page listing what waits for the signed-in user.
const myWorkPath = "/my-work"

// myWorkPage lists everything waiting for one user, soonest due first.
type myWorkPage struct {
	Items []workRow
	Error string
	Now   time.Time
}

// workRow is one item with where to do it and whether it can be done
// right here (Complete: the form's action).
type workRow struct {
	store.WorkItem
	Link     string
	Complete string
	Overdue  bool
}

// workSummary is the start page's short view of My work.
type workSummary struct {
	Total, Overdue int
	Next           []workRow
}

// myWorkSummaryLimit is how many items the start page shows.
const myWorkSummaryLimit = 5

// myWorkPage serves /my-work.
func (s *Server) myWorkPage(c echo.Context) error {
	return s.renderMyWork(c, http.StatusOK, "")
}

func (s *Server) renderMyWork(c echo.Context, status int, msg string) error {
	rows, err := s.myWork(c)
	if err != nil {
		return err
	}
	return s.render(c, status, "my_work.html", myWorkPage{Items: rows, Error: msg, Now: s.opts.Now()})
}

// fromMyWork: the form was sent from My work, which it returns to.
func fromMyWork(c echo.Context) bool { return c.FormValue("from") == "my-work" }

// myWorkAnswer shows My work again with a refusal's reason.
func (s *Server) myWorkAnswer(c echo.Context, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	return s.renderMyWork(c, ae.Status, ae.text())
}

// myWork reads the user's work from the database with the links she can
// follow and the forms the policy lets her use.
func (s *Server) myWork(c echo.Context) ([]workRow, error) {
	ctx := c.Request().Context()
	items, err := s.opts.Store.WorkWaitingFor(ctx, s.workQuery(c))
	if err != nil {
		return nil, serverError(err)
	}
	readable, err := s.accountsReadable(c)(ctx, items)
	if err != nil {
		return nil, err
	}
	return s.workRows(c, items, readable), nil
}

// workQuery asks for the signed-in user's work.
func (s *Server) workQuery(c echo.Context) store.WorkQuery {
	u := currentUser(c)
	return store.WorkQuery{Email: u.Email, EmployeeID: u.EmployeeID, Now: s.opts.Now(),
		Lead: u.HasRole(store.RoleLead), Committee: u.HasRole(store.RoleCommittee)}
}

// workRows adds to items the links she can follow (to the accounts
// readable says she may open) and the forms she may use.
func (s *Server) workRows(c echo.Context, items []store.WorkItem, readable func(uint) bool) []workRow {
	u := currentUser(c)
	now := s.opts.Now()
	rows := make([]workRow, 0, len(items))
	for _, it := range items {
		r := workRow{WorkItem: it, Overdue: it.Due.Before(now)}
		account := func(anchor string) string {
			if readable(it.KeyAccountID) {
				return "/key-accounts/" + uitoa(it.KeyAccountID) + anchor
			}
			return ""
		}
		switch it.Kind {
		case store.WorkGate:
			r.Link = "/programmes/" + uitoa(it.ProgrammeID) + "#phase-" + it.Step
		case store.WorkPlan:
			r.Link = account("")
		case store.WorkAction:
			r.Link = account("#actions")
			if s.may(c, policy.ActActionComplete, policy.Target{OwnerEmail: u.Email}) {
				r.Complete = "/key-accounts/" + uitoa(it.KeyAccountID) + "/actions/" + uitoa(it.ID) + "/done-form"
			}
		case store.WorkMeasure:
			r.Link = "/reviews/" + uitoa(it.ReviewID) + "#measure-" + uitoa(it.ID)
			if s.may(c, policy.ActMeasureDone, policy.Target{ProgrammeID: it.ProgrammeID, ReviewID: it.ReviewID, OwnerEmail: u.Email}) {
				r.Complete = "/reviews/" + uitoa(it.ReviewID) + "/measures/" + uitoa(it.ID) + "/done-form"
			}
		case store.WorkHandover:
			r.Link = account("#handovers")
		case store.WorkJourFixe:
			// Her input form is on the jour fixe's page, whether or not
			// she may open the account (asked through a relationship).
			r.Link = "/jour-fixes/" + uitoa(it.ID) + "#input-" + uitoa(it.KeyAccountID)
		case store.WorkWorkshop:
			// The workshop's page, where its dates and minutes are given.
			if readable(it.KeyAccountID) {
				r.Link = "/workshops/" + uitoa(it.ID) + "#dates"
				if it.Step == "minutes" {
					r.Link = "/workshops/" + uitoa(it.ID) + "#minutes"
				}
			}
		case store.WorkTraining:
			if pl, err := url.Parse(it.Place); err == nil && (pl.Scheme == "https" || pl.Scheme == "http") && pl.Host != "" {
				r.Link = pl.String()
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// accountsReadable returns what answers which key accounts the user may
// open (policy.AccountScope): with one query at most, and none unless an
// item is about an account. What it returns asks nothing of the echo
// context, so a page may run it on a goroutine of its own.
func (s *Server) accountsReadable(c echo.Context) func(context.Context, []store.WorkItem) (func(uint) bool, error) {
	all, employeeID := keyAccountScope(currentUser(c))
	return func(ctx context.Context, items []store.WorkItem) (func(uint) bool, error) {
		if all {
			return func(uint) bool { return true }, nil
		}
		if employeeID == nil || !slices.ContainsFunc(items, func(it store.WorkItem) bool { return it.KeyAccountID != 0 }) {
			return func(uint) bool { return false }, nil
		}
		rows, _, err := s.opts.Store.ListKeyAccounts(ctx, store.KeyAccountFilter{WorkedOnBy: employeeID}, store.Page{Number: 1, Size: store.MaxPageSize})
		if err != nil {
			return nil, serverError(err)
		}
		ids := map[uint]bool{}
		for _, r := range rows {
			ids[r.ID] = true
		}
		return func(id uint) bool { return ids[id] }, nil
	}
}

// workSummaryRows is the start page's part of My work: the counts and the
// soonest few as store.WorkSummaryFor read them, with their links and forms.
func (s *Server) workSummaryRows(c echo.Context, sum store.WorkSummary, readable func(uint) bool) *workSummary {
	return &workSummary{Total: sum.Total, Overdue: sum.Overdue, Next: s.workRows(c, sum.Next, readable)}
}

// OpenItems are a handover's open checklist items, in words.
func (r workRow) OpenItems() []string {
	if r.Kind != store.WorkHandover || r.Step == "" {
		return nil
	}
	items := strings.Split(r.Step, ",")
	for i, it := range items {
		items[i] = handoverLabel(it)
	}
	return items
}
