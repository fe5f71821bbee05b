package web

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/observe"
)

// maxRequestIDLen bounds an incoming X-Request-ID kept as the request's ID.
const maxRequestIDLen = 128

// observeRequests runs before routing, around everything else: it gives
// the request its ID (a proxy's well-formed X-Request-ID, else a new one),
// answers with it, puts a logger carrying it in the request's context, and
// counts the answer by route pattern, method and status.
func (s *Server) observeRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !wellFormedRequestID(id) {
			id = rand.Text()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		log := s.log.With("request_id", id)
		req := c.Request()
		c.SetRequest(req.WithContext(observe.WithLogger(req.Context(), log)))
		if err := next(c); err != nil {
			// Answer the error here, so its status is the one counted.
			c.Error(err)
		}
		took := time.Since(start)
		route, status := c.Path(), c.Response().Status
		s.opts.Metrics.ObserveHTTP(route, req.Method, status, took)
		log.Debug("request", "method", req.Method, "route", route, "status", status, "duration_ms", float64(took.Microseconds())/1000)
		return nil
	}
}

// wellFormedRequestID accepts what proxies and clients commonly send
// (UUIDs, hex, base32/64url tokens) and nothing that could forge a log line
// or a header.
func wellFormedRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == ':':
		default:
			return false
		}
	}
	return true
}

// logFor is the logger of the request ctx belongs to, carrying its
// request_id; outside a request it is the server's.
func (s *Server) logFor(ctx context.Context) *slog.Logger { return observe.Logger(ctx, s.log) }

// loginFailed counts and logs a refused sign-in; reason is an observe.Login*
// constant. The e-mail address typed is not logged: it may be a password
// typed into the wrong field.
func (s *Server) loginFailed(c echo.Context, reason, address string) {
	s.opts.Metrics.LoginFailed(reason)
	s.logFor(c.Request().Context()).Info("sign-in refused", "reason", reason, "client", address)
}
