package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// oidcCallback finishes a company sign-in: the state must be one this
// browser began and not yet used, the code is redeemed with the PKCE
// verifier, the ID token's nonce must match, and the provider must have
// verified the e-mail address, which names the kamflow user. With a role
// map her roles follow her groups. Every refusal is a page, never a 500.
func (s *Server) oidcCallback(c echo.Context) error {
	if s.oidc == nil {
		return clientError(http.StatusNotFound, "Company sign-in is not set up here.")
	}
	ctx := c.Request().Context()
	log := s.logFor(ctx)
	browser := ""
	if ck, err := s.cookie(c, oidcCookie); err == nil {
		browser = ck.Value
	}
	s.clearCookie(c, oidcCookie)
	state := c.QueryParam("state")
	var login *store.OIDCLogin
	var takeErr error
	if state != "" && browser != "" {
		login, takeErr = s.opts.Store.TakeOIDCLogin(ctx, state, browser, s.opts.Now())
	} else {
		takeErr = store.ErrNotFound
	}
	if e := c.QueryParam("error"); e != "" {
		log.Info("company sign-in: provider refused", "error", e, "description", c.QueryParam("error_description"))
		if e == "access_denied" {
			return s.oidcRefused(c, http.StatusUnauthorized, "Sign-in was cancelled at the identity provider.")
		}
		return s.oidcRefused(c, http.StatusUnauthorized, "The identity provider did not sign you in. Try again, or ask your administrator.")
	}
	switch {
	case errors.Is(takeErr, store.ErrExpired):
		return s.oidcRefused(c, http.StatusBadRequest, "The sign-in took too long. Start again.")
	case errors.Is(takeErr, store.ErrNotFound):
		return s.oidcRefused(c, http.StatusBadRequest, "This sign-in is not valid any more: it was used already or begun in another browser. Start again.")
	case takeErr != nil:
		return serverError(takeErr)
	}
	id, err := s.oidc.identify(ctx, c.QueryParam("code"), login.Verifier, login.Nonce)
	if err != nil {
		log.Warn("company sign-in: answer not accepted", "err", err)
		return s.oidcRefused(c, http.StatusBadGateway, "The identity provider's answer could not be checked. Start again.")
	}
	if id.Email == "" || !id.EmailVerified {
		log.Info("company sign-in: e-mail not verified", "subject", id.Subject)
		return s.oidcRefused(c, http.StatusForbidden, "The identity provider has not verified your e-mail address, so kamflow cannot tell who you are.")
	}
	var u *store.User
	err = store.ErrNotFound
	if s.demoAccountsSignIn() || !store.IsDemoEmail(id.Email) {
		// Demo accounts exist only in dev: nobody becomes one elsewhere.
		u, err = s.opts.Store.SignInExternal(ctx, store.ExternalSignIn{
			Email: id.Email, Name: id.Name, ManageRoles: s.oidc.managesRoles(), Roles: s.oidc.roles(id.Groups),
		})
	}
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInvalid):
		log.Info("company sign-in: no account", "email", id.Email)
		return s.oidcRefused(c, http.StatusForbidden, "No kamflow account belongs to your e-mail address. Ask an administrator to create one.")
	case errors.Is(err, store.ErrDisabled):
		log.Info("company sign-in: account disabled", "email", id.Email)
		return s.oidcRefused(c, http.StatusForbidden, "Your kamflow account is disabled. Ask an administrator.")
	case err != nil:
		return serverError(err)
	}
	log.Info("company sign-in", "user", u.ID, "roles", len(u.Roles))
	return s.startSession(c, u, id.IDToken)
}
