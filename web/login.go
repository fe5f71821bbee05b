package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type loginPage struct {
	Email      string
	Error      string
	DemoLogins []store.DemoLogin
	DemoPass   string
}

func (s *Server) loginForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return s.render(c, http.StatusOK, "login.html", s.loginData(""))
}

func (s *Server) loginData(email string) loginPage {
	p := loginPage{Email: email, DemoLogins: s.opts.DemoLogins}
	if len(p.DemoLogins) > 0 {
		p.DemoPass = store.DemoPassword
	}
	return p
}

// login checks the credentials and starts a fresh session; every failure
// gets the same message so it reveals nothing about which accounts exist.
func (s *Server) login(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	if email == "" || password == "" {
		p := s.loginData(email)
		p.Error = "Enter your e-mail address and password."
		return s.render(c, http.StatusUnprocessableEntity, "login.html", p)
	}
	ip := c.RealIP()
	if s.logins.blocked(ip) {
		return clientError(http.StatusTooManyRequests, "Too many failed sign-ins. Wait a minute and try again.")
	}
	ctx := c.Request().Context()
	u, err := s.opts.Store.Authenticate(ctx, email, password)
	if errors.Is(err, store.ErrNotFound) {
		s.logins.failed(ip)
		p := s.loginData(email)
		p.Error = "E-mail address or password is wrong."
		return s.render(c, http.StatusUnauthorized, "login.html", p)
	}
	if err != nil {
		return serverError(err)
	}
	// A new session at every sign-in: an old cookie never becomes signed in.
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		_ = s.opts.Store.DeleteSession(ctx, ck.Value)
	}
	token, _, err := s.opts.Store.CreateSession(ctx, u.ID, s.opts.Now())
	if err != nil {
		return serverError(err)
	}
	s.setCookie(c, sessionCookie, token, store.SessionTTL)
	s.clearCookie(c, loginCSRFCookie)
	return c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.opts.Store.DeleteSession(c.Request().Context(), ck.Value); err != nil {
			return serverError(err)
		}
	}
	s.clearCookie(c, sessionCookie)
	return c.Redirect(http.StatusSeeOther, "/login")
}
