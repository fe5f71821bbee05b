package web

import (
	"net/http"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/kamflow/kamflow/observe"
	"github.com/kamflow/kamflow/store"
)

const (
	// oidcCallbackPath receives the provider's answer (config.OIDCCallbackPath).
	oidcCallbackPath = "/login/oidc/callback"
	// oidcCookie binds a company sign-in to the browser that began it.
	oidcCookie = "kamflow_oidc"
)

// oidcStart sends the browser to the company's identity provider with a
// fresh state, nonce and PKCE challenge; what the callback must check is
// kept in the database, bound to this browser by a cookie of its own.
func (s *Server) oidcStart(c echo.Context) error {
	if s.oidc == nil {
		return clientError(http.StatusNotFound, "Company sign-in is not set up here.")
	}
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	ctx := c.Request().Context()
	p, _, err := s.oidc.discover(ctx)
	if err != nil {
		s.logFor(ctx).Warn("company sign-in: provider unreachable", "err", err)
		return s.oidcRefused(c, http.StatusServiceUnavailable, "Company sign-in cannot reach the identity provider right now. Try again in a minute.")
	}
	state, nonce, browser, verifier := newToken(), newToken(), newToken(), oauth2.GenerateVerifier()
	if err := s.opts.Store.BeginOIDCLogin(ctx, state, browser, nonce, verifier, s.opts.Now()); err != nil {
		return serverError(err)
	}
	s.setCookie(c, oidcCookie, browser, store.OIDCLoginTTL)
	return c.Redirect(http.StatusSeeOther, s.oidc.oauth2Config(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
}

// oidcRefused shows the sign-in page with msg (an English text of the
// German table) and counts the refusal.
func (s *Server) oidcRefused(c echo.Context, status int, msg string) error {
	s.loginFailed(c, observe.LoginCompanyRefused, addressKey(c.RealIP()))
	p := s.loginData("")
	p.Error = msg
	return s.render(c, status, "login.html", p)
}
