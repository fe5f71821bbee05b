package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type employeesPage struct {
	Employees []store.Employee
	Pager     pager
	Notice    string
}

// employeesPage lists our people with search and pagination; ?archived=1
// lists the archived ones.
func (s *Server) employeesPage(c echo.Context) error {
	st := s.opts.Store
	return renderArchivable(s, c, "/employees", "employees.html", st.SearchEmployees, st.SearchArchivedEmployees, func(list []store.Employee, p pager) any {
		return employeesPage{Employees: list, Pager: p, Notice: doneNotice(c)}
	})
}

// employeeForm is the employee form's fields as typed, with messages per field.
type employeeForm struct {
	ID                                       uint
	Name, Email, JobTitle, Department, Level string
	KAMQualified                             bool
	Levels                                   []store.HierarchyLevel
	Errors                                   map[string]string
}

func (f *employeeForm) validate() (store.Employee, bool) {
	f.Name, f.Email = strings.TrimSpace(f.Name), strings.ToLower(strings.TrimSpace(f.Email))
	f.JobTitle, f.Department, f.Level = strings.TrimSpace(f.JobTitle), strings.TrimSpace(f.Department), strings.TrimSpace(f.Level)
	f.Levels, f.Errors = store.HierarchyLevels(), map[string]string{}
	e := store.Employee{ID: f.ID, Name: f.Name, Email: f.Email, JobTitle: f.JobTitle, Department: f.Department, HierarchyLevel: store.HierarchyLevel(f.Level), KAMQualified: f.KAMQualified}
	if f.Name == "" || len(f.Name) > 200 {
		f.Errors["name"] = "Enter the person's name (up to 200 characters)."
	}
	if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || len(f.Email) > 254 {
		f.Errors["email"] = "Enter an e-mail address like name@example.com."
	}
	if len(f.JobTitle) > 200 {
		f.Errors["job_title"] = "At most 200 characters."
	}
	if len(f.Department) > 120 {
		f.Errors["department"] = "At most 120 characters."
	}
	if !e.HierarchyLevel.Valid() {
		f.Errors["level"] = "Choose a hierarchy level: board, management, department_head, specialist or assistant."
	}
	return e, len(f.Errors) == 0
}

func (s *Server) employeeNew(c echo.Context) error {
	return s.render(c, http.StatusOK, "employee_form.html", employeeForm{Level: string(store.LevelSpecialist), Levels: store.HierarchyLevels()})
}

func (s *Server) employeeEdit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such employee.")
	}
	e, err := s.opts.Store.Employee(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.ArchivedAt != nil) {
		return clientError(http.StatusNotFound, "There is no such employee.")
	} else if err != nil {
		return serverError(err)
	}
	return s.render(c, http.StatusOK, "employee_form.html", employeeForm{ID: e.ID, Name: e.Name, Email: e.Email, JobTitle: e.JobTitle,
		Department: e.Department, Level: string(e.HierarchyLevel), KAMQualified: e.KAMQualified, Levels: store.HierarchyLevels()})
}

// employeeSave creates or updates an employee; invalid fields answer 422
// with a message at each field and nothing is saved.
func (s *Server) employeeSave(c echo.Context) error {
	f := employeeForm{Name: c.FormValue("name"), Email: c.FormValue("email"), JobTitle: c.FormValue("job_title"),
		Department: c.FormValue("department"), Level: c.FormValue("level"), KAMQualified: c.FormValue("kam_qualified") != ""}
	if c.Param("id") != "" {
		id, err := idParam(c, "id")
		if err != nil {
			return clientError(http.StatusNotFound, "There is no such employee.")
		}
		f.ID = id
	}
	e, ok := f.validate()
	if !ok {
		return s.render(c, http.StatusUnprocessableEntity, "employee_form.html", f)
	}
	ctx := c.Request().Context()
	var err error
	if f.ID == 0 {
		err = s.opts.Store.CreateEmployee(ctx, &e)
	} else {
		err = s.opts.Store.UpdateEmployee(ctx, &e)
	}
	switch {
	case errors.Is(err, store.ErrDuplicate):
		f.Errors["email"] = "Another employee has this e-mail address."
		return s.render(c, http.StatusUnprocessableEntity, "employee_form.html", f)
	case errors.Is(err, store.ErrNotFound):
		return clientError(http.StatusNotFound, "There is no such employee.")
	case err != nil:
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/employees?q=%s", url.QueryEscape(e.Email)))
}

func (s *Server) employeeArchive(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such employee.")
	}
	if err := s.opts.Store.ArchiveEmployee(c.Request().Context(), id, s.opts.Now()); errors.Is(err, store.ErrNotFound) {
		return clientError(http.StatusNotFound, "There is no such employee, or it is archived already.")
	} else if err != nil {
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/employees?done=employee-archived")
}
