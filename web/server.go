// Package web serves kamflow's admin UI and JSON API on Echo.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// Options are the web server's dependencies and settings.
type Options struct {
	Store    *store.Store
	Temporal client.Client
	Logger   *slog.Logger
	// TaskQueue is where programme workflows are started.
	TaskQueue string
	// SecureCookies marks cookies Secure (behind TLS).
	SecureCookies bool
	// DemoLogins are shown on the login page (dev mode only).
	DemoLogins []store.DemoLogin
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server holds the application's dependencies for the handlers.
type Server struct {
	opts   Options
	echo   *echo.Echo
	pages  *pages
	log    *slog.Logger
	logins *loginLimiter
}

// New builds the server and its routes; templates are parsed here, once.
func New(opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, echo: echo.New(), pages: p, log: opts.Logger, logins: newLoginLimiter()}
	s.echo.HideBanner, s.echo.HidePort = true, true
	// The peer address, not client-supplied headers, identifies a client
	// for the sign-in limiter.
	s.echo.IPExtractor = echo.ExtractIPDirect()
	s.echo.HTTPErrorHandler = s.handleError
	s.routes()
	return s, nil
}

// Handler is the root HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic", "path", c.Path(), "err", err, "stack", string(stack))
		return err
	}}))
	e.Use(middleware.BodyLimit("2M"))
	e.Use(securityHeaders)
	e.GET("/healthz", s.health)
	e.GET("/static/*", echo.WrapHandler(staticHandler()))

	ui := e.Group("", s.loadSession, s.checkCSRF)
	ui.GET("/login", s.loginForm)
	ui.POST("/login", s.login)
	ui.POST("/logout", s.logout)
	ui.GET("/", s.home, s.requireLogin)
	ui.GET("/programmes/new", s.newProgrammeForm, s.requireLogin, requireRoleUI(store.RoleLead))
	ui.POST("/programmes", s.createProgrammeForm, s.requireLogin, requireRoleUI(store.RoleLead))
	ui.GET("/programmes/:id", s.programmePage, s.requireLogin)
	ui.GET("/key-accounts/:id", s.accountPage, s.requireLogin)
	ui.POST("/key-accounts/:id/actions/:actionID/done-form", s.accountActionDone, s.requireLogin)
	ui.POST("/workshops/:id/dates-form", s.workshopForm(workflows.UpdateProposeDates), s.requireLogin)
	ui.POST("/workshops/:id/minutes-form", s.workshopForm(workflows.UpdateRecordMinutes), s.requireLogin)
	ui.GET("/programmes/:id/selection", s.selectionPage, s.requireLogin)
	hr, controller := requireRoleUI(store.RoleHR), requireRoleUI(store.RoleController)
	ui.GET("/training", s.trainingPage, s.requireLogin, hr)
	ui.POST("/training/enrolments", s.trainingEnrol, s.requireLogin, hr)
	ui.POST("/training/courses", s.trainingCourseForm, s.requireLogin, hr)
	ui.POST("/training/sessions", s.trainingSessionForm, s.requireLogin, hr)
	ui.POST("/training/sessions/:id/cancel", s.trainingCancelSession, s.requireLogin, hr)
	ui.POST("/training/enrolments/:id/attendance", s.trainingAttendance, s.requireLogin, hr)
	ui.GET("/reviews", s.reviewsPage, s.requireLogin, controller)
	ui.POST("/reviews/programmes/:id", s.reviewNow, s.requireLogin, controller)
	ui.POST("/reviews/programmes/:id/cadence", s.reviewCadenceForm, s.requireLogin, controller)
	reviewReaders := requireRoleUI(store.RoleController, store.RoleLead, store.RoleCommittee)
	ui.GET("/reviews/:id", s.reviewPageView, s.requireLogin, reviewReaders)
	ui.GET("/reviews/:id/report.csv", s.apiReviewCSV, s.requireLogin, reviewReaders)
	ui.POST("/reviews/:id/findings-form", s.reviewForm(workflows.UpdateRecordFindings), s.requireLogin, controller)
	ui.POST("/reviews/:id/measures-form", s.reviewForm(workflows.UpdateAddMeasure), s.requireLogin, controller)
	ui.POST("/reviews/:id/measures/:measureID/done-form", s.reviewForm(workflows.UpdateCompleteMeasure), s.requireLogin, controller)
	ui.POST("/reviews/:id/sign-off-form", s.reviewForm(workflows.UpdateSignOff), s.requireLogin, controller)
	admin := requireRoleUI(store.RoleAdmin)
	reference := requireRoleUI(store.RoleAdmin, store.RoleLead)
	ui.GET("/customers", s.customersPage, s.requireLogin, reference)
	ui.GET("/customers/new", s.customerNew, s.requireLogin, reference)
	ui.GET("/customers/import", s.importForm(customerImport), s.requireLogin, reference)
	ui.POST("/customers/import", s.runImport(customerImport, s.checkCustomers), s.requireLogin, reference)
	ui.GET("/customers.csv", s.exportCustomers, s.requireLogin, reference)
	ui.POST("/customers", s.customerSave, s.requireLogin, reference)
	ui.GET("/customers/:id", s.customerEdit, s.requireLogin, reference)
	ui.POST("/customers/:id", s.customerSave, s.requireLogin, reference)
	ui.POST("/customers/:id/archive", s.customerArchive, s.requireLogin, admin)
	ui.GET("/contacts", s.contactsPage, s.requireLogin, reference)
	ui.GET("/contacts/new", s.contactNew, s.requireLogin, reference)
	ui.GET("/contacts/import", s.importForm(contactImport), s.requireLogin, reference)
	ui.POST("/contacts/import", s.runImport(contactImport, s.checkContacts), s.requireLogin, reference)
	ui.GET("/contacts.csv", s.exportContacts, s.requireLogin, reference)
	ui.POST("/contacts", s.contactSave, s.requireLogin, reference)
	ui.GET("/contacts/:id", s.contactEdit, s.requireLogin, reference)
	ui.POST("/contacts/:id", s.contactSave, s.requireLogin, reference)
	ui.POST("/contacts/:id/archive", s.contactArchive, s.requireLogin, reference)
	people, keepPeople := requireRoleUI(store.RoleAdmin, store.RoleLead, store.RoleHR), requireRoleUI(store.RoleAdmin, store.RoleHR)
	ui.GET("/employees", s.employeesPage, s.requireLogin, people)
	ui.GET("/employees/new", s.employeeNew, s.requireLogin, keepPeople)
	ui.POST("/employees", s.employeeSave, s.requireLogin, keepPeople)
	ui.GET("/employees/:id", s.employeeEdit, s.requireLogin, keepPeople)
	ui.POST("/employees/:id", s.employeeSave, s.requireLogin, keepPeople)
	ui.POST("/employees/:id/archive", s.employeeArchive, s.requireLogin, keepPeople)
	ui.GET("/admin/users", s.usersPage, s.requireLogin, admin)
	ui.GET("/admin/users/new", s.userNew, s.requireLogin, admin)
	ui.POST("/admin/users", s.userSave, s.requireLogin, admin)
	ui.GET("/admin/users/:id", s.userEdit, s.requireLogin, admin)
	ui.POST("/admin/users/:id", s.userSave, s.requireLogin, admin)
	ui.POST("/language", s.setLanguage, s.requireLogin)
	ui.GET("/notifications", s.notificationsPage, s.requireLogin)
	ui.POST("/notifications/calendar", s.calendarFeedForm, s.requireLogin)
	ui.POST("/notifications/calendar/revoke", s.calendarFeedRevoke, s.requireLogin)
	ui.GET("/admin", s.adminPage, s.requireLogin, admin)
	ui.POST("/admin/tokens", s.adminCreateToken, s.requireLogin, admin)
	ui.POST("/admin/tokens/:id/revoke", s.adminRevokeToken, s.requireLogin, admin)
	ui.POST("/programmes/:id/selection/:customerID/decision", s.selectionDecision, s.requireLogin, requireRoleUI(store.RoleLead))
	leadUI := requireRoleUI(store.RoleLead)
	ui.POST("/programmes/:id/pause-form", s.programmeManage(workflows.UpdatePause), s.requireLogin, leadUI)
	ui.POST("/programmes/:id/resume-form", s.programmeManage(workflows.UpdateResume), s.requireLogin, leadUI)
	ui.POST("/programmes/:id/replan-form", s.programmeManage(workflows.UpdateReplan), s.requireLogin, leadUI)
	ui.POST("/programmes/:id/cancel-form", s.programmeManage(workflows.UpdateCancel), s.requireLogin, requireRoleUI(store.RoleLead, store.RoleCommittee))
	ui.POST("/programmes/:id/phases/:phase/submit", s.programmeStep(workflows.UpdateSubmit), s.requireLogin, requireRoleUI(store.RoleLead))
	ui.POST("/programmes/:id/phases/:phase/approve", s.programmeStep(workflows.UpdateApprove), s.requireLogin, requireRoleUI(store.RoleCommittee))
	ui.POST("/programmes/:id/phases/:phase/reject", s.programmeStep(workflows.UpdateReject), s.requireLogin, requireRoleUI(store.RoleCommittee))

	api := e.Group("/api/v1")
	s.apiRoutes(api)
}

// securityHeaders sets a strict CSP: no inline script, no third parties.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		return next(c)
	}
}

// httpError is an error with a status and a message safe to show users.
type httpError struct {
	status int
	msg    string
	cause  error
}

func (e *httpError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e *httpError) Unwrap() error { return e.cause }

// clientError answers 4xx with msg.
func clientError(status int, msg string) error { return &httpError{status: status, msg: msg} }

// serverError answers 500 with a generic message and logs the cause.
func serverError(cause error) error {
	return &httpError{status: http.StatusInternalServerError, msg: "internal error", cause: cause}
}

// databaseUnavailable is what users read while the database is down.
const databaseUnavailable = "The database cannot be reached right now; kamflow keeps retrying. Try again in a minute — nothing you saved is lost."

func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if store.Unavailable(err) {
		// An outage is not the user's fault and passes: say so, and when to retry.
		c.Response().Header().Set("Retry-After", "30")
		err = &apiError{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: databaseUnavailable, cause: err}
	}
	status, msg := http.StatusInternalServerError, "internal error"
	var he *httpError
	var ee *echo.HTTPError
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		status, msg = ae.Status, ae.Message
	case errors.As(err, &he):
		status, msg = he.status, he.msg
	case errors.As(err, &ee):
		status, msg = ee.Code, http.StatusText(ee.Code)
		if m, ok := ee.Message.(string); ok {
			msg = m
		}
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if wantsJSON(c) {
		s.writeAPIError(c, err)
		return
	}
	_ = s.render(c, status, "error.html", map[string]any{"Status": status, "Message": msg})
}

func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/calendar/") || p == "/healthz"
}

// health reports whether the database and Temporal answer.
func (s *Server) health(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	status, code := map[string]string{"status": "ok", "db": "ok", "temporal": "ok"}, http.StatusOK
	if err := s.opts.Store.Ping(ctx); err != nil {
		status["db"], status["status"], code = "unavailable", "degraded", http.StatusServiceUnavailable
		s.log.Warn("health: database", "err", err)
	}
	if _, err := s.opts.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		status["temporal"], status["status"], code = "unavailable", "degraded", http.StatusServiceUnavailable
		s.log.Warn("health: temporal", "err", err)
	}
	return c.JSON(code, status)
}
