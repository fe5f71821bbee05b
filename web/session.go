package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/kamflow/kamflow/store"
)

const (
	sessionCookie   = "kamflow_session"
	loginCSRFCookie = "kamflow_login_csrf"
	csrfField       = "csrf"
	ctxUser         = "user"
	ctxCSRF         = "csrf"
)

// loadSession puts the signed-in user (if any) and the CSRF token expected
// from this browser's forms into the request context.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			sess, u, err := s.opts.Store.SessionUser(c.Request().Context(), ck.Value, s.opts.Now())
			switch {
			case err == nil:
				c.Set(ctxUser, u)
				c.Set(ctxCSRF, sess.CSRFToken)
			case errors.Is(err, store.ErrNotFound):
				s.clearCookie(c, sessionCookie)
			default:
				return serverError(err)
			}
		}
		if c.Get(ctxCSRF) == nil {
			// Signed out: a per-browser token in its own cookie protects the login form.
			token := ""
			if ck, err := c.Cookie(loginCSRFCookie); err == nil && len(ck.Value) == 64 {
				token = ck.Value
			} else {
				token = newToken()
				s.setCookie(c, loginCSRFCookie, token, 0)
			}
			c.Set(ctxCSRF, token)
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

// loginLimiter slows down password guessing: each client IP may fail five
// times in a row, then once per ten seconds. Successful sign-ins cost
// nothing, so an office behind one address is not locked out.
type loginLimiter struct {
	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

func newLoginLimiter() *loginLimiter { return &loginLimiter{clients: map[string]*rate.Limiter{}} }

func (l *loginLimiter) limiter(ip string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.clients[ip]
	if !ok {
		if len(l.clients) > 10000 {
			// Forget everyone rather than grow without bound.
			l.clients = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Every(10*time.Second), 5)
		l.clients[ip] = lim
	}
	return lim
}

// blocked reports whether the IP has used up its failed attempts.
func (l *loginLimiter) blocked(ip string) bool { return l.limiter(ip).Tokens() < 1 }

// failed records a failed attempt.
func (l *loginLimiter) failed(ip string) { l.limiter(ip).Allow() }

func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(ctxUser).(*store.User)
	return u
}

func (s *Server) setCookie(c echo.Context, name, value string, maxAge time.Duration) {
	c.SetCookie(&http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.opts.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge / time.Second),
	})
}

func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
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
