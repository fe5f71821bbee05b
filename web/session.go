package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// Cookie names; over TLS they carry the __Host- prefix (see cookieName).
const (
	sessionCookie   = "kamflow_session"
	loginCSRFCookie = "kamflow_login_csrf"
	csrfField       = "csrf"
	ctxUser         = "user"
	ctxCSRF         = "csrf"
	// ctxUnread is the signed-in user's unread notifications, read with
	// her session.
	ctxUnread = "unread"
)

// loadSession puts the signed-in user (if any) and the CSRF token expected
// from this browser's forms into the request context.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := s.cookie(c, sessionCookie); err == nil && ck.Value != "" {
			sess, u, err := s.opts.Store.SessionUser(c.Request().Context(), ck.Value, s.opts.Now())
			switch {
			case err == nil && !s.signInAllowed(u):
				// A demo account's session (from dev) does not carry over.
				s.clearCookie(c, sessionCookie)
			case err == nil:
				c.Set(ctxUser, u)
				c.Set(ctxCSRF, sess.CSRFToken)
				c.Set(ctxUnread, sess.UnreadNotifications)
			case errors.Is(err, store.ErrNotFound):
				s.clearCookie(c, sessionCookie)
			default:
				return serverError(err)
			}
		}
		if c.Get(ctxCSRF) == nil {
			// Signed out: the login form's token is an HMAC of a random
			// pre-session id in its own cookie, keyed by the server's
			// secret. A cookie planted by someone else is useless without
			// the matching token, which only kamflow can compute.
			preSession := ""
			if ck, err := s.cookie(c, loginCSRFCookie); err == nil && len(ck.Value) == 64 {
				preSession = ck.Value
			} else {
				preSession = newToken()
				s.setCookie(c, loginCSRFCookie, preSession, 0)
			}
			c.Set(ctxCSRF, s.loginCSRFToken(preSession))
		}
		return next(c)
	}
}

// checkCSRF rejects state-changing form posts without the expected token.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		want, _ := c.Get(ctxCSRF).(string)
		got := c.FormValue(csrfField)
		if got == "" {
			got = c.Request().Header.Get("X-CSRF-Token")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return clientError(http.StatusForbidden, "The form has expired or did not come from kamflow. Reload the page and try again.")
		}
		return next(c)
	}
}

func (s *Server) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		return next(c)
	}
}

func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(ctxUser).(*store.User)
	return u
}

// loginCSRFToken binds the login form's token to the pre-session cookie.
func (s *Server) loginCSRFToken(preSession string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("kamflow login csrf\x00" + preSession))
	return hex.EncodeToString(m.Sum(nil))
}

// cookieName is name with the __Host- prefix when cookies are Secure: the
// browser then accepts the cookie only from this origin over TLS, without
// a Domain and for Path=/, so a sibling subdomain cannot plant or shadow it.
// Plain-HTTP dev keeps the bare name, which browsers accept there.
func (s *Server) cookieName(name string) string {
	if s.opts.SecureCookies {
		return "__Host-" + name
	}
	return name
}

// cookie reads the cookie set by setCookie under name.
func (s *Server) cookie(c echo.Context, name string) (*http.Cookie, error) {
	return c.Cookie(s.cookieName(name))
}

func (s *Server) setCookie(c echo.Context, name, value string, maxAge time.Duration) {
	c.SetCookie(&http.Cookie{
		Name: s.cookieName(name), Value: value, Path: "/", HttpOnly: true, Secure: s.opts.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge / time.Second),
	})
}

func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: s.cookieName(name), Value: "", Path: "/", HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return hex.EncodeToString(b)
}

// requireRoleUI answers a page request with 403 unless the user holds one
// of roles (admins pass).
func requireRoleUI(roles ...store.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return c.Redirect(http.StatusSeeOther, "/login")
			}
			if u.HasRole(store.RoleAdmin) {
				return next(c)
			}
			for _, r := range roles {
				if u.HasRole(r) {
					return next(c)
				}
			}
			return clientError(http.StatusForbidden, "Your roles do not allow this.")
		}
	}
}
