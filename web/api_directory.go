package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// directoryRoutes let integrations discover the IDs other routes take.
func (s *Server) directoryRoutes(api *echo.Group) {
	// Everyone picks people (KAMs, deputies, owners, participants).
	api.GET("/employees", s.apiListEmployees)
	// Which accounts a user sees is keyAccountScope's rule.
	api.GET("/key-accounts", s.apiListKeyAccounts)
}

// apiListEmployees pages through employees matching ?q= (name, e-mail,
// job title, department), active ones unless ?archived=true.
func (s *Server) apiListEmployees(c echo.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if utf8.RuneCountInString(q) > 200 {
		return fieldError("q", "must be at most 200 characters")
	}
	withArchived := false
	if v := c.QueryParam("archived"); v != "" {
		if withArchived, err = strconv.ParseBool(v); err != nil {
			return fieldError("archived", "must be true or false")
		}
	}
	list, total, err := s.opts.Store.FindEmployees(c.Request().Context(), q, withArchived, page)
	if err != nil {
		return serverError(err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, e := range list {
		items = append(items, map[string]any{
			"id": e.ID, "name": e.Name, "email": e.Email, "job_title": e.JobTitle, "department": e.Department,
			"hierarchy_level": e.HierarchyLevel, "kam_qualified": e.KAMQualified, "archived": e.ArchivedAt != nil,
		})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "page": page.Number, "size": page.Size, "total": total})
}

// apiListKeyAccounts pages through the key accounts the user may see,
// filtered by ?programme_id=, ?customer_id=, ?kam_employee_id= and ?status=.
func (s *Server) apiListKeyAccounts(c echo.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f, visible, err := keyAccountFilterOf(c)
	if err != nil {
		return err
	}
	items := []map[string]any{}
	if !visible {
		// Not on anyone's account: nothing to see.
		return c.JSON(http.StatusOK, map[string]any{"items": items, "page": page.Number, "size": page.Size, "total": 0})
	}
	rows, total, err := s.opts.Store.ListKeyAccounts(c.Request().Context(), f, page)
	if err != nil {
		return serverError(err)
	}
	name := func(id *uint, n string) any {
		if id == nil {
			return nil
		}
		return n
	}
	for _, r := range rows {
		items = append(items, map[string]any{
			"id": r.ID, "programme_id": r.ProgrammeID, "customer_id": r.CustomerID, "customer_name": r.CustomerName,
			"kam_employee_id": r.KAMEmployeeID, "kam_name": name(r.KAMEmployeeID, r.KAMName),
			"deputy_employee_id": r.DeputyEmployeeID, "deputy_name": name(r.DeputyEmployeeID, r.DeputyName),
			"covering_employee_id": r.CoveringEmployeeID, "covering_name": name(r.CoveringEmployeeID, r.CoveringName),
			"status": r.Status(), "confirmed_at": r.ConfirmedAt,
		})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "page": page.Number, "size": page.Size, "total": total})
}

// keyAccountFilterOf reads a key-account list's filters (?programme_id=,
// ?customer_id=, ?kam_employee_id=, ?status=) and narrows them to what the
// user may see (keyAccountScope); visible is false when she may see none.
func keyAccountFilterOf(c echo.Context) (f store.KeyAccountFilter, visible bool, err error) {
	for _, p := range []struct {
		name string
		dst  *uint
	}{{"programme_id", &f.ProgrammeID}, {"customer_id", &f.CustomerID}, {"kam_employee_id", &f.KAMEmployeeID}} {
		if v := c.QueryParam(p.name); v != "" {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil || n == 0 {
				return f, false, fieldError(p.name, "must be a whole number from 1")
			}
			*p.dst = uint(n)
		}
	}
	if v := c.QueryParam("status"); v != "" {
		if !slices.Contains(store.KeyAccountStatuses, v) {
			return f, false, fieldError("status", "must be one of "+strings.Join(store.KeyAccountStatuses, ", "))
		}
		f.Status = v
	}
	all, employeeID := keyAccountScope(currentUser(c))
	if !all && employeeID == nil {
		return f, false, nil
	}
	if !all {
		f.WorkedOnBy = employeeID
	}
	return f, true, nil
}
