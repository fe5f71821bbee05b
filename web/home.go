package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
)

type homePage struct {
	Programmes []programmeRow
	Pager      pager
	// Sections by role; nil when the user lacks the role.
	Approvals []store.Approval
	// ApprovalsTotal counts all approvals waiting; Approvals are the
	// first homeListLimit.
	ApprovalsTotal int
	Committee      bool
	HR             *hrHome
	Controller     *controllerHome
	KAM            *kamHome
	CanCreate      bool
	// Work summarises My work.
	Work *workSummary
	now  time.Time

	// PlansWaiting are the submitted account plans the user may decide;
	// DecidesPlans shows the list (empty or not).
	PlansWaiting []store.PlanWaiting
	DecidesPlans bool
}

type hrHome struct {
	// FreeSessions are the first homeListLimit upcoming sessions with free
	// seats; FreeTotal counts them all.
	FreeSessions []store.SessionSeats
	FreeTotal    int
	// Missing are the first of the assigned KAMs running programmes wait
	// for (store.TrainingOutstanding, the programmes' own count);
	// MissingTotal counts them all.
	Missing      []store.KAMTrainingStanding
	MissingTotal int
}

// homeListLimit is how many rows a start-page list shows.
const homeListLimit = 20

// controllerHome shows the first homeListLimit open reviews and cadences
// with how many there are in all; the reviews page lists them.
type controllerHome struct {
	Reviews       []store.Review
	ReviewsTotal  int
	Cadences      []store.ReviewCadence
	CadencesTotal int
	// Names are the programmes' names by ID.
	Names map[uint]string
}

type kamHome struct {
	Accounts []kamAccount
	// Actions are the first homeListLimit of her open actions, soonest
	// due first; ActionsTotal counts them all.
	Actions      []store.Action
	ActionsTotal int
	Workshops    []store.Workshop
}

type kamAccount struct {
	store.KeyAccount
	Role string
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
	page := homePage{Pager: newPager("/", listQuery{Page: lq.Page}, listPageSize, total), now: s.opts.Now(), CanCreate: policy.Possible(currentUser(c), policy.ActProgrammeCreate)}
	for _, p := range progs {
		page.Programmes = append(page.Programmes, programmeRow{Programme: p, Progress: progress[p.ID]})
	}
	if err := s.roleSections(c, &page); err != nil {
		return err
	}
	if page.Work, err = s.myWorkSummary(c); err != nil {
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
		list, total, err := s.opts.Store.ApprovalsWaitingFor(ctx, u.Email, homeListLimit)
		if err != nil {
			return serverError(err)
		}
		page.Approvals, page.ApprovalsTotal = list, int(total)
	}
	if policy.Possible(u, policy.ActPlanDecide) {
		page.DecidesPlans = true
		list, err := s.opts.Store.PlansWaitingFor(ctx, u.Email)
		if err != nil {
			return serverError(err)
		}
		for _, w := range list {
			if s.may(c, policy.ActPlanDecide, policy.Target{ProgrammeID: w.ProgrammeID}) {
				page.PlansWaiting = append(page.PlansWaiting, w)
			}
		}
	}
	if u.HasRole(store.RoleHR) {
		h := &hrHome{}
		var err error
		var free int64
		if h.FreeSessions, free, err = s.opts.Store.UpcomingFreeSessions(ctx, now, homeListLimit); err != nil {
			return serverError(err)
		}
		h.FreeTotal = int(free)
		// The start page shows the first few; the count says how many in all.
		waiting, total, err := s.opts.Store.TrainingOutstanding(ctx, 0, store.Page{Number: 1, Size: homeListLimit})
		if err != nil {
			return serverError(err)
		}
		h.Missing, h.MissingTotal = waiting, int(total)
		page.HR = h
	}
	if u.HasRole(store.RoleController) {
		h := &controllerHome{}
		var err error
		var reviews, cadences int64
		if h.Reviews, reviews, err = s.opts.Store.OpenReviewsFirst(ctx, homeListLimit); err != nil {
			return serverError(err)
		}
		if h.Cadences, cadences, err = s.opts.Store.CadencesFirst(ctx, homeListLimit); err != nil {
			return serverError(err)
		}
		h.ReviewsTotal, h.CadencesTotal = int(reviews), int(cadences)
		var ids []uint
		for _, r := range h.Reviews {
			ids = append(ids, r.ProgrammeID)
		}
		for _, cd := range h.Cadences {
			ids = append(ids, cd.ProgrammeID)
		}
		if h.Names, err = s.opts.Store.ProgrammeNames(ctx, ids); err != nil {
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
		for _, ka := range kas {
			role := "deputy"
			switch {
			case ka.CoveringEmployeeID != nil && *ka.CoveringEmployeeID == *u.EmployeeID:
				role = "covering (handover)"
			case ka.KAMEmployeeID != nil && *ka.KAMEmployeeID == *u.EmployeeID:
				role = "KAM"
			}
			h.Accounts = append(h.Accounts, kamAccount{KeyAccount: ka, Role: role})
		}
		var open int64
		if h.Actions, open, err = s.opts.Store.OpenActionsPage(ctx, u.Email, homeListLimit); err != nil {
			return serverError(err)
		}
		h.ActionsTotal = int(open)
		if h.Workshops, err = s.opts.Store.UpcomingWorkshopsOf(ctx, *u.EmployeeID, now, homeListLimit); err != nil {
			return serverError(err)
		}
		page.KAM = h
	}
	return nil
}

// KAMOverdue marks an action past its due date.
func (p homePage) KAMOverdue(a store.Action) bool { return a.DoneAt == nil && a.Due.Before(p.now) }
