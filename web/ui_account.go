package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type trendPoint struct {
	X, Y  int
	Label string
}

type accountPage struct {
	Matrix       *store.ContactMatrix
	Plan         *store.AccountPlan
	Actions      []store.Action
	Workshops    []store.Workshop
	Trend        []trendPoint
	History      []store.SatisfactionPoint
	TrendPath    string
	Handover     *store.Handover
	OverdueCount int
	Error        string
	Now          time.Time
}

// accountPage is a KAM's view of one key account: the contact matrix by
// hierarchy with its gaps, plan, actions, workshops, satisfaction trend and
// a running handover.
func (s *Server) accountPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such key account.")
	}
	return s.renderAccount(c, id, http.StatusOK, "")
}

func (s *Server) renderAccount(c echo.Context, id uint, status int, message string) error {
	ka, err := s.keyAccountAccess(c, id)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.opts.Now()
	p := accountPage{Error: message, Now: now}
	if p.Matrix, err = s.opts.Store.ContactMatrix(ctx, ka.ID, now, untouchedAfter); err != nil {
		return serverError(err)
	}
	if p.Plan, err = s.opts.Store.LatestPlan(ctx, ka.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return serverError(err)
	}
	if p.Actions, err = s.opts.Store.ActionsOf(ctx, ka.ID); err != nil {
		return serverError(err)
	}
	for _, a := range p.Actions {
		if a.DoneAt == nil && a.Due.Before(now) {
			p.OverdueCount++
		}
	}
	if p.Workshops, err = s.opts.Store.WorkshopsOf(ctx, ka.ID); err != nil {
		return serverError(err)
	}
	hist, err := s.opts.Store.SatisfactionHistory(ctx, ka.ID)
	if err != nil {
		return serverError(err)
	}
	p.History = hist
	// A small line chart: satisfaction 1..5 over the jour fixes.
	const w, h = 300, 80
	for i, pt := range hist {
		x := 10
		if len(hist) > 1 {
			x = 10 + i*(w-20)/(len(hist)-1)
		}
		y := h - 10 - int((pt.Satisfaction-1)/4*float64(h-20))
		p.Trend = append(p.Trend, trendPoint{X: x, Y: y, Label: fmt.Sprintf("%s: %.1f", pt.MeetingAt.Format("2006-01-02"), pt.Satisfaction)})
		if i == 0 {
			p.TrendPath = fmt.Sprintf("M%d %d", x, y)
		} else {
			p.TrendPath += fmt.Sprintf(" L%d %d", x, y)
		}
	}
	if h, err := s.opts.Store.OpenHandoverOf(ctx, ka.ID); err == nil {
		p.Handover = h
	} else if !errors.Is(err, store.ErrNotFound) {
		return serverError(err)
	}
	return s.render(c, status, "account.html", p)
}
