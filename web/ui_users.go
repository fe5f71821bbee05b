package web

import (
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type usersPage struct {
	Users []store.User
	Pager pager
}

// usersPage lists sign-in accounts with their roles, searchable and paged.
func (s *Server) usersPage(c echo.Context) error {
	return renderList(s, c, "/admin/users", "users.html", s.opts.Store.SearchUsers, func(list []store.User, p pager) any {
		return usersPage{Users: list, Pager: p}
	})
}

// userForm is the user form's fields as typed, with messages per field.
type userForm struct {
	ID                      uint
	Email, Name, Language   string
	EmployeeEmail, Password string
	Disabled                bool
	Roles                   map[string]bool
	AllRoles                []store.Role
	Errors                  map[string]string
}

func newUserForm() userForm {
	return userForm{Roles: map[string]bool{}, AllRoles: store.Roles(), Errors: map[string]string{}}
}

func (s *Server) userNew(c echo.Context) error {
	return s.render(c, http.StatusOK, "user_form.html", newUserForm())
}

func (s *Server) userEdit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such user.")
	}
	ctx := c.Request().Context()
	u, err := s.opts.Store.UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return clientError(http.StatusNotFound, "There is no such user.")
	} else if err != nil {
		return serverError(err)
	}
	f := newUserForm()
	f.ID, f.Email, f.Name, f.Language, f.Disabled = u.ID, u.Email, u.Name, u.Language, u.Disabled
	for _, r := range u.Roles {
		f.Roles[string(r.Role)] = true
	}
	if u.EmployeeID != nil {
		e, err := s.opts.Store.Employee(ctx, *u.EmployeeID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return serverError(err)
		}
		if e != nil {
			f.EmployeeEmail = e.Email
		}
	}
	return s.render(c, http.StatusOK, "user_form.html", f)
}

// userSave creates or updates a user; invalid fields answer 422 with a
// message at each field and nothing is saved.
func (s *Server) userSave(c echo.Context) error {
	ctx := c.Request().Context()
	f := newUserForm()
	f.Email, f.Name = strings.ToLower(strings.TrimSpace(c.FormValue("email"))), strings.TrimSpace(c.FormValue("name"))
	f.Language, f.EmployeeEmail = c.FormValue("language"), strings.TrimSpace(c.FormValue("employee_email"))
	f.Password, f.Disabled = c.FormValue("password"), c.FormValue("disabled") != ""
	var roles []store.Role
	for _, v := range c.Request().Form["roles"] {
		r := store.Role(v)
		if !r.Valid() {
			f.Errors["roles"] = "Choose roles from the list."
			continue
		}
		f.Roles[v] = true
		roles = append(roles, r)
	}
	if c.Param("id") != "" {
		id, err := idParam(c, "id")
		if err != nil {
			return clientError(http.StatusNotFound, "There is no such user.")
		}
		cur, err := s.opts.Store.UserByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return clientError(http.StatusNotFound, "There is no such user.")
		} else if err != nil {
			return serverError(err)
		}
		f.ID, f.Email = cur.ID, cur.Email
		// An admin cannot lock themself out.
		if me := currentUser(c); me != nil && me.ID == cur.ID {
			if !f.Roles[string(store.RoleAdmin)] {
				f.Errors["roles"] = "You cannot take the admin role from yourself; ask another admin."
			}
			if f.Disabled {
				f.Errors["disabled"] = "You cannot disable your own account."
			}
		}
	} else if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || len(f.Email) > 254 {
		f.Errors["email"] = "Enter an e-mail address like name@example.com."
	}
	if f.Name == "" || len(f.Name) > 200 {
		f.Errors["name"] = "Enter the person's name (up to 200 characters)."
	}
	if !store.ValidLanguage(f.Language) {
		f.Errors["language"] = "Choose English, German or the browser's language."
	}
	if f.ID == 0 || f.Password != "" {
		if msg := passwordMessage(store.CheckNewPassword(f.Email, f.Password), f.ID == 0); msg != "" {
			f.Errors["password"] = msg
		}
	}
	var employeeID *uint
	if f.EmployeeEmail != "" {
		e, err := s.opts.Store.EmployeeByEmail(ctx, f.EmployeeEmail)
		switch {
		case errors.Is(err, store.ErrNotFound):
			f.Errors["employee_email"] = "No active employee has this e-mail address."
		case err != nil:
			return serverError(err)
		default:
			employeeID = &e.ID
		}
	}
	if len(f.Errors) > 0 {
		f.Password = ""
		return s.render(c, http.StatusUnprocessableEntity, "user_form.html", f)
	}
	var err error
	if f.ID == 0 {
		_, err = s.opts.Store.CreateUser(ctx, store.NewUser{Email: f.Email, Name: f.Name, Password: f.Password, Roles: roles, EmployeeID: employeeID, Language: f.Language})
	} else {
		err = s.opts.Store.UpdateUser(ctx, store.UserChange{ID: f.ID, Name: f.Name, Roles: roles, Language: f.Language, Disabled: f.Disabled, EmployeeID: employeeID, Password: f.Password, At: s.opts.Now()})
	}
	switch {
	case errors.Is(err, store.ErrDuplicate):
		f.Errors["email"], f.Password = "A user with this e-mail address exists.", ""
		return s.render(c, http.StatusUnprocessableEntity, "user_form.html", f)
	case err != nil:
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?q="+url.QueryEscape(f.Email))
}

// setLanguage stores the signed-in user's language and goes back to the
// page the switch was on (a local path only).
func (s *Server) setLanguage(c echo.Context) error {
	l := c.FormValue("language")
	if l != string(langEN) && l != string(langDE) {
		return clientError(http.StatusUnprocessableEntity, "language: choose en or de")
	}
	if err := s.opts.Store.SetUserLanguage(c.Request().Context(), currentUser(c).ID, l); err != nil {
		return serverError(err)
	}
	back := c.FormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		back = "/"
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// passwordMessage is what the user form says about the password policy's
// answer (store.CheckNewPassword), or "" when the password is fine.
func passwordMessage(err error, newUser bool) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, store.ErrPasswordLength) && newUser:
		return "Choose a password of at least 12 characters."
	case errors.Is(err, store.ErrPasswordLength):
		return "A new password has 12 to 200 characters; leave it empty to keep the current one."
	case errors.Is(err, store.ErrPasswordPersonal):
		return "The password must not contain the e-mail address or its name part."
	case errors.Is(err, store.ErrPasswordCommon):
		return "This password is one of the most common ones; choose another."
	}
	return "This password is too simple (a character or pattern repeated)."
}
