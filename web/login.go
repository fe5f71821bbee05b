package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/observe"
	"github.com/kamflow/kamflow/store"
)

type loginPage struct {
	Email string
	Error string
	// Notice says the browser has just been signed out.
	Notice     string
	DemoLogins []store.DemoLogin
	DemoPass   string
	// Passwords shows the password form; Company the company sign-in
	// button, CompanyName the provider's name on it.
	Passwords   bool
	Company     bool
	CompanyName string
}

// signedOutCookie tells the sign-in page that this browser has just
// signed out — also when it comes back from the identity provider, whose
// return address is plain /login; signedOutFor allows for the provider's
// own sign-out page.
const (
	signedOutCookie = "kamflow_signed_out"
	signedOutFor    = 10 * time.Minute
)

func (s *Server) loginForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	p := s.loginData("")
	if ck, err := s.cookie(c, signedOutCookie); err == nil && ck.Value != "" {
		s.clearCookie(c, signedOutCookie)
		p.Notice = "You are signed out."
	}
	return s.render(c, http.StatusOK, "login.html", p)
}

func (s *Server) loginData(email string) loginPage {
	p := loginPage{Email: email, DemoLogins: s.opts.DemoLogins, Passwords: !s.opts.NoLocalPasswords, Company: s.oidc != nil}
	if s.oidc != nil {
		p.CompanyName = s.oidc.opts.Name
	}
	if len(p.DemoLogins) > 0 {
		p.DemoPass = store.DemoPassword
	}
	return p
}

// login checks the credentials and starts a fresh session; every failure
// gets the same message so it reveals nothing about which accounts exist.
// The attempt is counted against the account and the client address before
// the password is hashed, and only a few hashes run at once, so a flood of
// guesses is refused cheaply and memory stays bounded.
func (s *Server) login(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	if s.opts.NoLocalPasswords {
		s.loginFailed(c, observe.LoginPasswordsOff, addressKey(c.RealIP()))
		p := s.loginData("")
		p.Error = "Sign-in with a password is turned off. Use your company account."
		return s.render(c, http.StatusForbidden, "login.html", p)
	}
	password := c.FormValue("password")
	account, address := accountKey(email), addressKey(c.RealIP())
	if email == "" || password == "" {
		s.loginFailed(c, observe.LoginIncomplete, address)
		p := s.loginData(email)
		p.Error = "Enter your e-mail address and password."
		return s.render(c, http.StatusUnprocessableEntity, "login.html", p)
	}
	if wait, ok := s.signIn.attempt(account, address, s.opts.Now()); !ok {
		s.loginFailed(c, observe.LoginLimited, address)
		return s.loginRefused(c, email, wait, "Too many failed sign-ins. Wait a minute and try again.")
	}
	wrong := func() error {
		s.loginFailed(c, observe.LoginBadCredentials, address)
		p := s.loginData(email)
		p.Error = "E-mail address or password is wrong."
		return s.render(c, http.StatusUnauthorized, "login.html", p)
	}
	if !s.demoAccountsSignIn() && store.IsDemoEmail(email) {
		// Demo accounts have a published password; outside dev they do not exist.
		return wrong()
	}
	ctx := c.Request().Context()
	release, ok := s.signIn.hashSlot(ctx)
	if !ok {
		// Not the user's failure: the attempt is given back.
		s.signIn.succeeded(account, address, s.opts.Now())
		s.loginFailed(c, observe.LoginBusy, address)
		return s.loginRefused(c, email, time.Second, "Many sign-ins are being checked right now. Try again in a moment.")
	}
	u, err := s.opts.Store.Authenticate(ctx, email, password)
	release()
	if errors.Is(err, store.ErrNotFound) {
		return wrong()
	}
	if err != nil {
		s.signIn.succeeded(account, address, s.opts.Now())
		return serverError(err)
	}
	s.signIn.succeeded(account, address, s.opts.Now())
	return s.startSession(c, u, "")
}

// startSession signs u in on this browser and goes to the start page. A
// new session at every sign-in: an old cookie never becomes signed in.
// idToken is a company sign-in's ID token ("" for a password), kept for
// sign-out.
func (s *Server) startSession(c echo.Context, u *store.User, idToken string) error {
	ctx := c.Request().Context()
	if ck, err := s.cookie(c, sessionCookie); err == nil && ck.Value != "" {
		_ = s.opts.Store.DeleteSession(ctx, ck.Value)
	}
	var token string
	var err error
	if idToken != "" {
		token, _, err = s.opts.Store.CreateCompanySession(ctx, u.ID, idToken, s.opts.Now())
	} else {
		token, _, err = s.opts.Store.CreateSession(ctx, u.ID, s.opts.Now())
	}
	if err != nil {
		return serverError(err)
	}
	s.setCookie(c, sessionCookie, token, store.SessionTTL)
	s.clearCookie(c, loginCSRFCookie)
	s.clearCookie(c, signedOutCookie)
	return c.Redirect(http.StatusSeeOther, "/")
}

// loginRefused answers 429 on the sign-in page, saying when to try again.
func (s *Server) loginRefused(c echo.Context, email string, wait time.Duration, msg string) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	p := s.loginData(email)
	p.Error = msg
	return s.render(c, http.StatusTooManyRequests, "login.html", p)
}

// demoAccountsSignIn reports whether the demo accounts (store.DemoDomain)
// may sign in: only in dev mode, which shows them on the login page.
func (s *Server) demoAccountsSignIn() bool { return len(s.opts.DemoLogins) > 0 }

// signInAllowed reports whether u may act through a session, an API token
// or a calendar feed: demo accounts only in dev mode.
func (s *Server) signInAllowed(u *store.User) bool {
	return s.demoAccountsSignIn() || !store.IsDemoEmail(u.Email)
}

// endSessionWait bounds sign-out's wait for a provider whose discovery
// document kamflow has not fetched yet.
const endSessionWait = 3 * time.Second

// logout ends the kamflow session. A session from a company sign-in is
// then ended at the identity provider too, when it offers an
// end_session_endpoint, so the next "Sign in with …" asks who it is again;
// the provider sends the browser back to /login. A provider that cannot
// be reached does not keep anyone signed in here: the sign-out stands.
func (s *Server) logout(c echo.Context) error {
	ctx := c.Request().Context()
	idToken := ""
	if ck, err := s.cookie(c, sessionCookie); err == nil && ck.Value != "" {
		if idToken, err = s.opts.Store.EndSession(ctx, ck.Value, s.opts.Now()); err != nil {
			return serverError(err)
		}
	}
	s.clearCookie(c, sessionCookie)
	s.setCookie(c, signedOutCookie, "1", signedOutFor)
	if idToken != "" && s.oidc != nil {
		dctx, cancel := context.WithTimeout(ctx, endSessionWait)
		target, err := s.oidc.endSessionURL(dctx, idToken)
		cancel()
		switch {
		case err != nil:
			s.logFor(ctx).Warn("company sign-out: signed out of kamflow only", "err", err)
		case target != "":
			return c.Redirect(http.StatusSeeOther, target)
		}
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
