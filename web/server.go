// Package web serves kamflow's admin UI and JSON API on Echo.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/observe"
	"github.com/kamflow/kamflow/policy"
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
	// DemoLogins are shown on the login page (dev mode only). Only with
	// them may the demo accounts (store.DemoDomain) sign in: without them,
	// in production, demo accounts are refused by password, session, API
	// token and calendar feed alike.
	DemoLogins []store.DemoLogin
	// BaseURL is where users reach kamflow (no trailing slash); links in
	// feeds and answers start with it, never with the request's Host.
	// Empty means http://localhost.
	BaseURL string
	// LoopbackHostsOnly answers only requests addressed to localhost,
	// 127.0.0.1 or [::1] (dev mode): a web page on another name that
	// resolves to this machine (DNS rebinding) gets 421.
	LoopbackHostsOnly bool
	// CSRFSecret keys the login form's CSRF token; empty means a random
	// secret for this process.
	CSRFSecret string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client address for the sign-in limits; none: the peer address.
	TrustedProxies []*net.IPNet
	// SignInConcurrency bounds the password hashes (64 MiB each) running
	// at once; 0 means DefaultSignInConcurrency.
	SignInConcurrency int
	// Zone is the time zone date-times are shown and entered in for users
	// who chose none (KAMFLOW_TIME_ZONE); nil means UTC.
	Zone *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Metrics counts requests and refused sign-ins; nil: no metrics.
	Metrics *observe.Metrics
	// OIDC is company sign-in; nil: none.
	OIDC *OIDCOptions
	// NoLocalPasswords hides the password form and refuses password
	// sign-in (company sign-in must be configured).
	NoLocalPasswords bool
}

// Server holds the application's dependencies for the handlers.
type Server struct {
	opts   Options
	echo   *echo.Echo
	pages  *pages
	log    *slog.Logger
	signIn *signInGuard
	idem   *idempotency
	// csrfKey keys the login form's CSRF token (see loginCSRFToken).
	csrfKey []byte
	policy  *policy.Policy
	// routed holds "METHOD /path" of every route the server registered;
	// anything else reaching authorize is Echo's own 404 or 405.
	routed map[string]bool
	// oidc is company sign-in; nil when not configured.
	oidc *oidcClient
}

// New builds the server and its routes; templates are parsed here, once.
func New(opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "http://localhost"
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	s := &Server{opts: opts, echo: echo.New(), pages: p, log: opts.Logger, signIn: newSignInGuard(opts.SignInConcurrency),
		idem: &idempotency{wait: idempotencyWait}, policy: &policy.Policy{Store: opts.Store}}
	s.oidc = newOIDCClient(opts.OIDC)
	if opts.NoLocalPasswords && s.oidc == nil {
		return nil, errors.New("web: local passwords are off but company sign-in is not configured")
	}
	s.csrfKey = []byte(opts.CSRFSecret)
	if len(s.csrfKey) == 0 {
		s.csrfKey = []byte(newToken())
	}
	s.echo.HideBanner, s.echo.HidePort = true, true
	// The peer address, or a trusted proxy's X-Forwarded-For, identifies
	// a client for the sign-in limits; other client-supplied headers never.
	s.echo.IPExtractor = clientIPExtractor(opts.TrustedProxies)
	s.echo.HTTPErrorHandler = s.handleError
	s.routes()
	s.routed = make(map[string]bool)
	for _, r := range s.echo.Routes() {
		s.routed[r.Method+" "+r.Path] = true
	}
	return s, nil
}

// Handler is the root HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) routes() {
	e := s.echo
	// First of all: even a request refused before routing has its ID and is counted.
	e.Pre(s.observeRequests)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.logFor(c.Request().Context()).Error("panic", "path", c.Path(), "err", err, "stack", string(stack))
		return err
	}}))
	if s.opts.LoopbackHostsOnly {
		e.Pre(loopbackHostsOnly)
	}
	e.Use(middleware.BodyLimit("2M"))
	e.Use(s.securityHeaders)
	e.GET("/healthz", s.health)
	e.GET("/static/*", echo.WrapHandler(staticHandler()))

	// Every page and form asks the one policy (authorize.go) once the
	// session is known.
	ui := e.Group("", s.loadSession, s.checkCSRF, s.checkFormText, s.idempotent(keyFromForm), s.authorize)
	ui.GET("/login", s.loginForm)
	ui.POST("/login", s.login)
	ui.POST("/logout", s.logout)
	ui.GET("/login/oidc", s.oidcStart)
	ui.GET(oidcCallbackPath, s.oidcCallback)
	ui.GET("/", s.home)
	ui.GET("/my-work", s.myWorkPage)
	ui.GET("/key-accounts", s.keyAccountsList)
	ui.GET("/programmes/new", s.newProgrammeForm)
	ui.POST("/programmes", s.createProgrammeForm)
	ui.GET("/programmes/:id", s.programmePage)
	ui.GET("/key-accounts/:id", s.accountPage)
	ui.POST("/key-accounts/:id/actions/:actionID/done-form", s.accountActionDone)
	ui.POST("/key-accounts/:id/actions/:actionID/owner-form", s.accountActionOwner)
	ui.GET("/key-accounts/:id/plan", s.planEditorPage)
	ui.POST("/key-accounts/:id/plan-form", s.planForm)
	ui.POST("/key-accounts/:id/plan/submit-form", s.planSubmitForm)
	ui.POST("/key-accounts/:id/plan/decision-form", s.planDecisionForm)
	ui.POST("/key-accounts/:id/handover-form", s.handoverStartForm)
	ui.POST("/key-accounts/:id/handover/incoming-form", s.handoverIncomingForm)
	ui.POST("/key-accounts/:id/handover/items/:item/tick-form", s.handoverTickForm)
	ui.POST("/programmes/:id/jour-fixe-schedule-form", s.jourFixeScheduleForm)
	ui.POST("/programmes/:id/jour-fixe-schedule/stop-form", s.jourFixeStopForm)
	ui.POST("/programmes/:id/jour-fixes-form", s.jourFixeStartForm)
	ui.GET("/jour-fixes/:id", s.jourFixePage)
	ui.POST("/jour-fixes/:id/input-form", s.jourFixeInputForm)
	ui.GET("/key-accounts/:id/relationship-form", s.relationshipFormFragment)
	ui.POST("/key-accounts/:id/relationships-form", s.relationshipForm)
	ui.POST("/key-accounts/:id/workshops-form", s.startWorkshopForm)
	ui.GET("/workshops/:id", s.workshopPageView)
	ui.POST("/workshops/:id/dates-form", s.workshopDatesForm)
	ui.POST("/workshops/:id/participants-form", s.workshopParticipantsForm)
	ui.POST("/workshops/:id/minutes-form", s.workshopMinutesForm)
	ui.GET("/programmes/:id/selection", s.selectionPage)
	ui.GET("/training", s.trainingPage)
	ui.POST("/training/enrolments", s.trainingEnrol)
	ui.POST("/training/courses", s.trainingCourseForm)
	ui.POST("/training/sessions", s.trainingSessionForm)
	ui.POST("/training/sessions/:id/cancel", s.trainingCancelSession)
	ui.POST("/training/enrolments/:id/attendance", s.trainingAttendance)
	ui.POST("/training/records", s.trainingRecordForm)
	ui.GET("/training/sessions/:id", s.trainingSessionPage)
	ui.POST("/training/sessions/:id/enrolments-form", s.trainingSessionEnrol)
	ui.POST("/training/enrolments/:id/cancel-form", s.trainingUnenrol)
	ui.POST("/training/enrolments/:id/move-form", s.trainingMove)
	ui.POST("/training/programmes/:id/kams/:employeeID/complete-form", s.trainingConfirmComplete)
	ui.GET("/reviews", s.reviewsPage)
	ui.POST("/reviews/programmes/:id", s.reviewNow)
	ui.POST("/reviews/programmes/:id/cadence", s.reviewCadenceForm)
	ui.GET("/reviews/:id", s.reviewPageView)
	ui.GET("/reviews/:id/report.csv", s.apiReviewCSV)
	ui.POST("/reviews/:id/findings-form", s.reviewForm(workflows.UpdateRecordFindings))
	ui.POST("/reviews/:id/measures-form", s.reviewForm(workflows.UpdateAddMeasure))
	ui.POST("/reviews/:id/measures/:measureID/done-form", s.reviewForm(workflows.UpdateCompleteMeasure))
	ui.POST("/reviews/:id/sign-off-form", s.reviewForm(workflows.UpdateSignOff))
	ui.GET("/customers", s.customersPage)
	ui.GET("/customers/new", s.customerNew)
	ui.GET("/customers/import", s.importForm(customerImport))
	ui.GET("/customers/import/template.csv", s.importTemplate(customerImport))
	ui.POST("/customers/import", s.runImport(customerImport, s.checkCustomers))
	ui.GET("/customers.csv", s.exportCustomers)
	ui.POST("/customers", s.customerSave)
	ui.GET("/customers/:id", s.customerOverview)
	ui.GET("/customers/:id/edit", s.customerEdit)
	ui.POST("/customers/:id", s.customerSave)
	ui.POST("/customers/:id/archive", s.customerArchive)
	ui.POST("/customers/:id/restore", s.restoreArchived("customer"))
	ui.GET("/contacts", s.contactsPage)
	ui.GET("/contacts/new", s.contactNew)
	ui.GET("/contacts/import", s.importForm(contactImport))
	ui.GET("/contacts/import/template.csv", s.importTemplate(contactImport))
	ui.POST("/contacts/import", s.runImport(contactImport, s.checkContacts))
	ui.GET("/contacts.csv", s.exportContacts)
	ui.POST("/contacts", s.contactSave)
	ui.GET("/contacts/:id", s.contactEdit)
	ui.POST("/contacts/:id", s.contactSave)
	ui.POST("/contacts/:id/archive", s.contactArchive)
	ui.POST("/contacts/:id/restore", s.restoreArchived("contact"))
	ui.GET("/employee-options", s.employeeOptions)
	ui.GET("/employees", s.employeesPage)
	ui.GET("/employees/new", s.employeeNew)
	ui.POST("/employees", s.employeeSave)
	ui.GET("/employees/:id", s.employeeEdit)
	ui.POST("/employees/:id", s.employeeSave)
	ui.POST("/employees/:id/archive", s.employeeArchive)
	ui.POST("/employees/:id/restore", s.restoreArchived("employee"))
	ui.GET("/admin/users", s.usersPage)
	ui.GET("/admin/users/new", s.userNew)
	ui.POST("/admin/users", s.userSave)
	ui.GET("/admin/users/:id", s.userEdit)
	ui.POST("/admin/users/:id", s.userSave)
	ui.POST("/language", s.setLanguage)
	ui.GET("/settings", s.settingsView)
	ui.POST("/settings", s.settingsSave)
	ui.GET("/notifications", s.notificationsPage)
	ui.POST("/notifications/calendar", s.calendarFeedForm)
	ui.POST("/notifications/calendar/revoke", s.calendarFeedRevoke)
	ui.POST("/notifications/read", s.notificationsMarkAllRead)
	ui.POST("/notifications/:id/open", s.notificationOpen)
	ui.POST("/notifications/:id/read", s.notificationMarkRead)
	ui.GET("/admin", s.adminPage)
	ui.POST("/admin/tokens", s.adminCreateToken)
	ui.POST("/admin/tokens/:id/revoke", s.adminRevokeToken)
	ui.POST("/programmes/:id/selection/:customerID/decision", s.selectionDecision)
	ui.POST("/programmes/:id/selection/criteria-form", s.selectionCriteriaForm)
	ui.GET("/programmes/:id/selection/scores/:customerID", s.selectionScoreFormFragment)
	ui.POST("/programmes/:id/selection/scores/:customerID", s.selectionScoreForm)
	ui.GET("/programmes/:id/selection/scores/import", s.scoreImportForm)
	ui.GET("/programmes/:id/selection/scores/import/template.csv", s.scoreImportTemplate)
	ui.POST("/programmes/:id/selection/scores/import", s.scoreImport)
	ui.POST("/programmes/:id/selection/compute-form", s.selectionCompute)
	ui.POST("/programmes/:id/selection/assignments/:customerID", s.selectionAssign)
	ui.POST("/programmes/:id/pause-form", s.programmeManage(workflows.UpdatePause))
	ui.POST("/programmes/:id/resume-form", s.programmeManage(workflows.UpdateResume))
	ui.POST("/programmes/:id/replan-form", s.programmeManage(workflows.UpdateReplan))
	ui.POST("/programmes/:id/cancel-form", s.programmeManage(workflows.UpdateCancel))
	ui.POST("/programmes/:id/phases/:phase/submit", s.programmeStep(workflows.UpdateSubmit))
	ui.POST("/programmes/:id/phases/:phase/approve", s.programmeStep(workflows.UpdateApprove))
	ui.POST("/programmes/:id/phases/:phase/reject", s.programmeStep(workflows.UpdateReject))
	ui.POST("/programmes/:id/rollout/conflicts-form", s.rolloutStep(workflows.UpdateLogConflict))
	ui.POST("/programmes/:id/rollout/conflicts/:conflictID/resolve-form", s.rolloutStep(workflows.UpdateResolveConflict))
	ui.POST("/programmes/:id/rollout/briefings-form", s.rolloutStep(workflows.UpdateRecordStaffInformed))

	api := e.Group("/api/v1")
	s.apiRoutes(api)
}

// securityHeaders sets a strict CSP (no inline script, no third parties),
// HSTS when kamflow is served over TLS (secure cookies), and keeps every
// answer but the static assets out of caches: pages, exports and API
// answers carry personal data, and the calendar feed sets its own.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		formAction := "'self'"
		if s.oidc != nil {
			// Sign-out's form leads on to the provider's end_session.
			formAction = strings.Join(append([]string{formAction}, s.oidc.formActionOrigins()...), " ")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if s.opts.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// loopbackHostsOnly refuses requests whose Host is not a loopback name.
func loopbackHostsOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		host := c.Request().Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
		switch strings.ToLower(host) {
		case "localhost", "127.0.0.1", "::1":
			return next(c)
		}
		return c.String(http.StatusMisdirectedRequest, "kamflow dev answers only to localhost, 127.0.0.1 and [::1]\n")
	}
}

// link is the absolute URL of path (which starts with /) under BaseURL.
func (s *Server) link(path string) string { return s.opts.BaseURL + path }

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
	} else if ae := (*apiError)(nil); errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "30")
	}
	if wantsJSON(c) {
		s.writeAPIError(c, err)
		return
	}
	ae := asAPIError(err)
	if ae.Status >= 500 {
		s.logFor(c.Request().Context()).Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	// A page shows a refusal's reasons, never the API's "the request has
	// invalid fields".
	_ = s.render(c, ae.Status, "error.html", map[string]any{"Status": ae.Status, "Message": ae.text()})
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
		s.logFor(ctx).Warn("health: database", "err", err)
	}
	if _, err := s.opts.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		status["temporal"], status["status"], code = "unavailable", "degraded", http.StatusServiceUnavailable
		s.logFor(ctx).Warn("health: temporal", "err", err)
	}
	return c.JSON(code, status)
}
