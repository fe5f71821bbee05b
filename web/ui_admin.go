package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type adminPage struct {
	Users    []store.User
	Total    int64
	Tokens   []store.TokenInfo
	NewToken string
	For      string
	Error    string
	Now      time.Time
}

func (s *Server) adminData(c echo.Context) (*adminPage, error) {
	ctx := c.Request().Context()
	users, total, err := s.opts.Store.ListUsers(ctx, store.Page{Number: 1, Size: store.MaxPageSize})
	if err != nil {
		return nil, serverError(err)
	}
	tokens, err := s.opts.Store.ListAPITokens(ctx)
	if err != nil {
		return nil, serverError(err)
	}
	return &adminPage{Users: users, Total: total, Tokens: tokens, Now: s.opts.Now()}, nil
}

// adminPage lists users with roles and the API tokens.
func (s *Server) adminPage(c echo.Context) error {
	p, err := s.adminData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin.html", p)
}

// adminCreateToken issues a token for a user and shows it once.
func (s *Server) adminCreateToken(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.TrimSpace(c.FormValue("email"))
	name := strings.TrimSpace(c.FormValue("name"))
	p, err := s.adminData(c)
	if err != nil {
		return err
	}
	if len(name) > 100 {
		p.Error = "Name: at most 100 characters."
		return s.render(c, http.StatusUnprocessableEntity, "admin.html", p)
	}
	expires, err := tokenExpiry(c.FormValue("expires_in_days"), s.opts.Now())
	if err != nil {
		p.Error = "Valid for days: a whole number from 1 to 3650, or empty for a token that does not expire."
		return s.render(c, http.StatusUnprocessableEntity, "admin.html", p)
	}
	u, err := s.opts.Store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		p.Error = "User: there is no user " + email + "."
		return s.render(c, http.StatusUnprocessableEntity, "admin.html", p)
	}
	if err != nil {
		return serverError(err)
	}
	token, err := s.opts.Store.CreateExpiringAPIToken(ctx, u.ID, name, expires)
	if err != nil {
		return serverError(err)
	}
	if p, err = s.adminData(c); err != nil {
		return err
	}
	p.NewToken, p.For = token, u.Email
	answerShowsSecret(c, "/admin")
	return s.render(c, http.StatusCreated, "admin.html", p)
}

func (s *Server) adminRevokeToken(c echo.Context) error {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such token.")
	}
	if err := s.opts.Store.RevokeAPIToken(c.Request().Context(), uint(id), s.opts.Now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return clientError(http.StatusNotFound, "There is no such token, or it is revoked already.")
		}
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin")
}

// tokenExpiry reads an optional number of days a new token is valid
// (expires_in_days); empty means the token does not expire.
func tokenExpiry(days string, now time.Time) (*time.Time, error) {
	days = strings.TrimSpace(days)
	if days == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(days)
	if err != nil || n < 1 {
		return nil, &store.InvalidError{Field: "expires_in_days", Reason: "must be a whole number of days from 1"}
	}
	return store.TokenExpiry(now, n)
}
