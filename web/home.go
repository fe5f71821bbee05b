package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

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
	// seats; FreeTotal counts them up to homeCountedUpTo.
	FreeSessions []store.FreeSession
	FreeTotal    store.Count
	// Missing are the first of the assigned KAMs running programmes wait
	// for (store.TrainingOutstanding, the programmes' own count);
	// MissingTotal counts them all.
	Missing      []store.KAMTrainingStanding
	MissingTotal int
}

// homeListLimit is how many rows a start-page list shows.
const homeListLimit = 20

// homeCountedUpTo bounds a start-page count of what grows with the
// company's calendar: past it the page says "over 100 in all" and links
// to the page that lists them.
const homeCountedUpTo = 100

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
	store.ProgrammeSummary
	Progress store.PhaseProgress
}

// home lists the programmes with their current phase, the user's work in
// short and what each of her roles works on first. Its lists are read at
// once, each into its own field; what needs the echo context (the policy's
// answers, My work's links) is done on the request's goroutine after.
func (s *Server) home(c echo.Context) error {
	lq, err := parseListQuery(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	page := homePage{now: s.opts.Now(), CanCreate: policy.Possible(currentUser(c), policy.ActProgrammeCreate)}
	var (
		reads    errgroup.Group
		progs    []store.ProgrammeSummary
		total    int64
		work     store.WorkSummary
		readable func(uint) bool
	)
	reads.Go(func() (err error) {
		progs, total, err = s.opts.Store.ProgrammeSummaries(ctx, store.Page{Number: lq.Page, Size: listPageSize})
		return err
	})
	// My work's few items, and, if one is about a key account, which
	// accounts she may open.
	query, readAccounts := s.workQuery(c), s.accountsReadable(c)
	reads.Go(func() (err error) {
		if work, err = s.opts.Store.WorkSummaryFor(ctx, query, myWorkSummaryLimit); err != nil {
			return err
		}
		readable, err = readAccounts(ctx, work.Next)
		return err
	})
	decide := s.readRoleSections(c, &reads, &page)
	if err := reads.Wait(); err != nil {
		return serverError(err)
	}
	page.Pager = newPager("/", listQuery{Page: lq.Page}, listPageSize, total)
	for _, p := range progs {
		page.Programmes = append(page.Programmes, programmeRow{ProgrammeSummary: p, Progress: p.ProgressAt(page.now)})
	}
	decide()
	page.Work = s.workSummaryRows(c, work, readable)
	return s.render(c, http.StatusOK, "home.html", page)
}

// readRoleSections starts reading, in reads, what each of the user's roles
// works on first; the function it returns keeps, once they are read, what
// the policy lets her see of them (the plans she may decide).
func (s *Server) readRoleSections(c echo.Context, reads *errgroup.Group, page *homePage) (decide func()) {
	ctx := c.Request().Context()
	u := currentUser(c)
	now := page.now
	var plans []store.PlanWaiting
	if u.HasRole(store.RoleCommittee) {
		page.Committee = true
		reads.Go(func() error {
			list, total, err := s.opts.Store.ApprovalsWaitingFor(ctx, u.Email, homeListLimit)
			page.Approvals, page.ApprovalsTotal = list, int(total)
			return err
		})
	}
	if policy.Possible(u, policy.ActPlanDecide) {
		page.DecidesPlans = true
		reads.Go(func() (err error) {
			plans, err = s.opts.Store.PlansWaitingFor(ctx, u.Email)
			return err
		})
	}
	if u.HasRole(store.RoleHR) {
		h := &hrHome{}
		page.HR = h
		reads.Go(func() error {
			list, free, err := s.opts.Store.UpcomingFreeSessions(ctx, now, homeListLimit, homeCountedUpTo)
			h.FreeSessions, h.FreeTotal = list, free
			return err
		})
		// The start page shows the first few; the count says how many in all.
		reads.Go(func() error {
			waiting, total, err := s.opts.Store.TrainingOutstanding(ctx, 0, store.Page{Number: 1, Size: homeListLimit})
			h.Missing, h.MissingTotal = waiting, int(total)
			return err
		})
	}
	if u.HasRole(store.RoleController) {
		h := &controllerHome{}
		page.Controller = h
		// The names of the programmes are read once both lists are.
		reads.Go(func() error {
			var lists errgroup.Group
			lists.Go(func() error {
				list, total, err := s.opts.Store.OpenReviewsFirst(ctx, homeListLimit)
				h.Reviews, h.ReviewsTotal = list, int(total)
				return err
			})
			lists.Go(func() error {
				list, total, err := s.opts.Store.CadencesFirst(ctx, homeListLimit)
				h.Cadences, h.CadencesTotal = list, int(total)
				return err
			})
			if err := lists.Wait(); err != nil {
				return err
			}
			var ids []uint
			for _, r := range h.Reviews {
				ids = append(ids, r.ProgrammeID)
			}
			for _, cd := range h.Cadences {
				ids = append(ids, cd.ProgrammeID)
			}
			var err error
			h.Names, err = s.opts.Store.ProgrammeNames(ctx, ids)
			return err
		})
	}
	if u.HasRole(store.RoleKAM) && u.EmployeeID != nil {
		me := *u.EmployeeID
		h := &kamHome{}
		page.KAM = h
		reads.Go(func() error {
			kas, err := s.opts.Store.KeyAccountsOfKAM(ctx, me)
			for _, ka := range kas {
				h.Accounts = append(h.Accounts, kamAccount{KeyAccount: ka, Role: kamPart(ka, me)})
			}
			return err
		})
		reads.Go(func() error {
			list, open, err := s.opts.Store.OpenActionsPage(ctx, u.Email, homeListLimit)
			h.Actions, h.ActionsTotal = list, int(open)
			return err
		})
		reads.Go(func() (err error) {
			h.Workshops, err = s.opts.Store.UpcomingWorkshopsOf(ctx, me, now, homeListLimit)
			return err
		})
	}
	return func() {
		for _, w := range plans {
			if s.may(c, policy.ActPlanDecide, policy.Target{ProgrammeID: w.ProgrammeID}) {
				page.PlansWaiting = append(page.PlansWaiting, w)
			}
		}
	}
}

// kamPart is what the KAM me is to an account she works on.
func kamPart(ka store.KeyAccount, me uint) string {
	switch {
	case ka.CoveringEmployeeID != nil && *ka.CoveringEmployeeID == me:
		return "covering (handover)"
	case ka.KAMEmployeeID != nil && *ka.KAMEmployeeID == me:
		return "KAM"
	}
	return "deputy"
}

// KAMOverdue marks an action past its due date.
func (p homePage) KAMOverdue(a store.Action) bool { return a.DoneAt == nil && a.Due.Before(p.now) }
