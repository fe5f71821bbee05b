package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type homePage struct {
	Programmes []store.Programme
	Total      int64
}

// home lists the programmes with their current phase.
func (s *Server) home(c echo.Context) error {
	progs, total, err := s.opts.Store.ListProgrammes(c.Request().Context(), store.Page{Number: 1, Size: 50})
	if err != nil {
		return serverError(err)
	}
	return s.render(c, http.StatusOK, "home.html", homePage{Programmes: progs, Total: total})
}
