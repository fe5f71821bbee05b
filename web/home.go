package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type homePage struct {
	Programmes []programmeRow
	Pager      pager
	// Sections by role; nil when the user lacks the role.
	Approvals  []store.Approval
	Committee  bool
	HR         *hrHome
	Controller *controllerHome
	KAM        *kamHome
	CanCreate  bool
	now        time.Time
}

type hrHome struct {
	FreeSessions []store.SessionSeats
	Missing      []missingTraining
	MissingTotal int
}

// homeListLimit is how many rows a start-page list shows.
const homeListLimit = 20

type missingTraining struct {
	Employee store.Employee
	Courses  []store.Course
}

type controllerHome struct {
	Reviews  []store.Review
	Cadences []store.ReviewCadence
}

type kamHome struct {
	Accounts  []kamAccount
	Actions   []store.Action
	Workshops []store.Workshop
}

type kamAccount struct {
	store.KeyAccount
	CustomerName string
	Role         string
}

type programmeRow struct {
	store.Programme
	Progress store.PhaseProgress
}

// home lists the programmes with their current phase.
func (s *Server) home(c echo.Context) error {
	lq, err := parseListQuery(c)
	if err != nil {
		return err
	}
	progs, total, err := s.opts.Store.ListProgrammes(c.Request().Context(), store.Page{Number: lq.Page, Size: listPageSize})
	if err != nil {
		return serverError(err)
	}
	ids := make([]uint, len(progs))
	for i, p := range progs {
		ids[i] = p.ID
	}
	progress, err := s.opts.Store.ProgressOf(c.Request().Context(), ids, s.opts.Now())
	if err != nil {
		return serverError(err)
	}
	page := homePage{Pager: newPager("/", listQuery{Page: lq.Page}, listPageSize, total), now: s.opts.Now(), CanCreate: currentUser(c).HasRole(store.RoleLead)}
	for _, p := range progs {
		page.Programmes = append(page.Programmes, programmeRow{Programme: p, Progress: progress[p.ID]})
	}
	if err := s.roleSections(c, &page); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "home.html", page)
}

// roleSections fills what each of the user's roles works on first.
func (s *Server) roleSections(c echo.Context, page *homePage) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	now := s.opts.Now()
	if u.HasRole(store.RoleCommittee) {
		page.Committee = true
		list, err := s.opts.Store.ApprovalsWaitingFor(ctx, u.Email)
		if err != nil {
			return serverError(err)
		}
		page.Approvals = list
	}
	if u.HasRole(store.RoleHR) {
		h := &hrHome{}
		var err error
		if h.FreeSessions, err = s.opts.Store.UpcomingSessions(ctx, now, true); err != nil {
			return serverError(err)
		}
		ids, err := s.opts.Store.AssignedKAMIDs(ctx)
		if err != nil {
			return serverError(err)
		}
		missing, err := s.opts.Store.MissingRequiredCourses(ctx, ids)
		if err != nil {
			return serverError(err)
		}
		// The start page shows the first few; the count says how many in all.
		var shown []uint
		for _, id := range ids {
			if len(missing[id]) > 0 {
				h.MissingTotal++
				if len(shown) < homeListLimit {
					shown = append(shown, id)
				}
			}
		}
		emps, err := s.opts.Store.EmployeesByID(ctx, shown)
		if err != nil {
			return serverError(err)
		}
		for _, id := range shown {
			h.Missing = append(h.Missing, missingTraining{Employee: emps[id], Courses: missing[id]})
		}
		page.HR = h
	}
	if u.HasRole(store.RoleController) {
		h := &controllerHome{}
		var err error
		if h.Reviews, err = s.opts.Store.OpenReviews(ctx); err != nil {
			return serverError(err)
		}
		if h.Cadences, err = s.opts.Store.Cadences(ctx); err != nil {
			return serverError(err)
		}
		page.Controller = h
	}
	if u.HasRole(store.RoleKAM) && u.EmployeeID != nil {
		h := &kamHome{}
		kas, err := s.opts.Store.KeyAccountsOfKAM(ctx, *u.EmployeeID)
		if err != nil {
			return serverError(err)
		}
		ids := make([]uint, len(kas))
		for i, ka := range kas {
			ids[i] = ka.CustomerID
		}
		names, err := s.opts.Store.CustomerNames(ctx, ids)
		if err != nil {
			return serverError(err)
		}
		for _, ka := range kas {
			role := "deputy"
			switch {
			case ka.CoveringEmployeeID != nil && *ka.CoveringEmployeeID == *u.EmployeeID:
				role = "covering (handover)"
			case ka.KAMEmployeeID != nil && *ka.KAMEmployeeID == *u.EmployeeID:
				role = "KAM"
			}
			h.Accounts = append(h.Accounts, kamAccount{KeyAccount: ka, CustomerName: names[ka.CustomerID], Role: role})
		}
		if h.Actions, err = s.opts.Store.OpenActionsOwnedBy(ctx, u.Email); err != nil {
			return serverError(err)
		}
		ws, err := s.opts.Store.WorkshopsOfEmployee(ctx, *u.EmployeeID)
		if err != nil {
			return serverError(err)
		}
		for _, w := range ws {
			if w.EndsAt != nil && w.EndsAt.After(now) {
				h.Workshops = append(h.Workshops, w)
			}
		}
		page.KAM = h
	}
	return nil
}

// KAMOverdue marks an action past its due date.
func (p homePage) KAMOverdue(a store.Action) bool { return a.DoneAt == nil && a.Due.Before(p.now) }
