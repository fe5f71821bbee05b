package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type homePage struct {
	Programmes []programmeRow
	Total      int64
}

type programmeRow struct {
	store.Programme
	Progress store.PhaseProgress
}

// home lists the programmes with their current phase.
func (s *Server) home(c echo.Context) error {
	progs, total, err := s.opts.Store.ListProgrammes(c.Request().Context(), store.Page{Number: 1, Size: 50})
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
	page := homePage{Total: total}
	for _, p := range progs {
		page.Programmes = append(page.Programmes, programmeRow{Programme: p, Progress: progress[p.ID]})
	}
	return s.render(c, http.StatusOK, "home.html", page)
}
