package web

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the API description; a test keeps it in step with the routes.
func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openAPIDoc)
}

// Routes lists the registered method and path pairs (for tests and tooling).
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }
