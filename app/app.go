// Package app wires kamflow's processes together: the embedded `dev`
// default, the production `worker` and `web`, and `migrate`.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/kamflow/kamflow/activities"
	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/devserver"
	"github.com/kamflow/kamflow/mailer"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/tclient"
	"github.com/kamflow/kamflow/web"
	"github.com/kamflow/kamflow/worker"
	"github.com/kamflow/kamflow/workflows"
)

// Dev is the embedded default running in this process.
type Dev struct {
	URL string
	// MetricsURL is where /metrics answers; empty without KAMFLOW_METRICS_ADDR.
	MetricsURL string
	Seeded     bool
	// DemoLogins are the demo accounts this database has (none when dev
	// did not create it); only they are shown and may sign in.
	DemoLogins []store.DemoLogin
	Store      *store.Store
	Client     client.Client
	temporal   *devserver.Server
	worker     sdkworker.Worker
	httpServer *http.Server
	httpDone   chan error
	stopMailer func()
	metrics    *metricsServer
	log        *slog.Logger
}

// ErrPortInUse is returned when an address kamflow needs is taken.
var ErrPortInUse = errors.New("address already in use")

// StartDev starts Temporal, the database, the worker and the web server and
// returns once all of them answer.
func StartDev(ctx context.Context, cfg *config.Config, log *slog.Logger) (_ *Dev, err error) {
	d := &Dev{log: log}
	defer func() {
		if err != nil {
			d.Stop(context.Background())
		}
	}()
	// Claim the web address first: a taken port fails before anything starts.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("web address %s: %w", cfg.HTTPAddr, ErrPortInUse)
	}
	// One registry for all dev runs: web, worker and their Temporal client.
	if d.metrics, err = startMetrics(cfg, log); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if d.metrics != nil {
		d.MetricsURL = d.metrics.url
	}
	if d.temporal, err = StartEmbeddedTemporal(ctx, cfg, "127.0.0.1"); err != nil {
		_ = ln.Close()
		return nil, err
	}
	// The demo company goes only into a database dev creates now (its
	// SQLite file is new, or holds no schema yet): never into one that has
	// served before, whatever happened to its demo accounts.
	_, statErr := os.Stat(cfg.DB.Path)
	created := errors.Is(statErr, fs.ErrNotExist)
	if d.Store, err = OpenStore(ctx, cfg.DB); err != nil {
		_ = ln.Close()
		return nil, err
	}
	created = created || !d.Store.HasSchema()
	if err = d.Store.Migrate(ctx); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if created {
		if d.Seeded, err = d.Store.SeedDemo(ctx); err != nil {
			_ = ln.Close()
			return nil, err
		}
	}
	if err = d.metrics.watchStore(d.Store); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if d.DemoLogins = store.DemoLogins(); !d.Seeded {
		if _, err := d.Store.UserByEmail(ctx, d.DemoLogins[0].Email); err != nil {
			d.DemoLogins = nil
		}
	}
	tcfg := cfg.Temporal
	tcfg.Address = d.temporal.HostPort()
	if d.Client, err = tclient.Dial(ctx, tcfg, log, d.metrics.registry().TemporalHandler()); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if d.worker, err = StartWorker(cfg, d.Client, d.Store); err != nil {
		_ = ln.Close()
		return nil, err
	}
	d.URL = "http://" + ln.Addr().String()
	baseURL := cfg.BaseURL
	if cfg.BaseURLDerived {
		// The listener knows the port when --http asked for any (:0).
		baseURL = d.URL
	}
	d.stopMailer = startMailer(cfg, baseURL, d.Store, log)
	srv, err := web.New(web.Options{
		Store: d.Store, Temporal: d.Client, Logger: log, TaskQueue: cfg.Temporal.TaskQueue,
		SecureCookies: cfg.SecureCookies, DemoLogins: d.DemoLogins,
		BaseURL: baseURL, LoopbackHostsOnly: true, CSRFSecret: cfg.CSRFSecret,
		TrustedProxies: cfg.SignIn.TrustedProxies, SignInConcurrency: cfg.SignIn.Concurrency,
		Zone: cfg.Zone, Metrics: d.metrics.registry(), OIDC: oidcOptions(cfg), NoLocalPasswords: !cfg.SignIn.LocalPasswords,
	})
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	d.serveHTTP(ln, srv.Handler())
	return d, nil
}

// HTTP server timeouts: a client gets this long to send a request's
// headers, and the whole request; an answer may take WriteTimeout
// (a page waits at most about half a minute for a workflow); an idle
// keep-alive connection is closed after IdleTimeout. A slow or stalled
// upload so holds a connection for seconds, not minutes.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 90 * time.Second
	IdleTimeout       = 2 * time.Minute
)

// newHTTPServer is the http.Server every kamflow process serves with.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout, WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout}
}

func (d *Dev) serveHTTP(ln net.Listener, h http.Handler) {
	d.httpServer = newHTTPServer(h)
	d.httpDone = make(chan error, 1)
	go func() { d.httpDone <- d.httpServer.Serve(ln) }()
}

// Stop shuts down in reverse order: no new requests, in-flight activities
// finish (or are retried on the next start), then Temporal and the database.
func (d *Dev) Stop(ctx context.Context) {
	if d.httpServer != nil {
		shutdownCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := d.httpServer.Shutdown(shutdownCtx); err != nil {
			d.log.Warn("web shutdown", "err", err)
		}
		cancel()
		<-d.httpDone
	}
	if d.stopMailer != nil {
		d.stopMailer()
	}
	if d.worker != nil {
		d.worker.Stop()
	}
	if d.Client != nil {
		d.Client.Close()
	}
	d.metrics.stop()
	if d.temporal != nil {
		if err := d.temporal.Stop(); err != nil {
			d.log.Warn("temporal shutdown", "err", err)
		}
	}
	if d.Store != nil {
		if err := d.Store.Close(); err != nil {
			d.log.Warn("database close", "err", err)
		}
	}
}

// OpenStore connects to db (SQLite or MySQL) without migrating; errors
// name the database.
func OpenStore(ctx context.Context, db config.Database) (*store.Store, error) {
	opts := store.Options{Driver: db.Driver, Path: db.Path}
	if db.Driver == config.DriverMySQL {
		opts.DSN = db.MySQLDSN()
	}
	s, err := store.Open(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("database (%s): %w", db.Describe(), err)
	}
	return s, nil
}

// Migrate applies pending migrations and returns the applied IDs.
func Migrate(ctx context.Context, cfg *config.Config) ([]string, error) {
	s, err := OpenStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	return s.AppliedMigrations(ctx)
}

// Reindex rebuilds the database's derived search index and criteria met
// (store.Reindex) on a migrated database.
func Reindex(ctx context.Context, cfg *config.Config) (store.ReindexCounts, error) {
	s, err := OpenStore(ctx, cfg.DB)
	if err != nil {
		return store.ReindexCounts{}, err
	}
	defer s.Close()
	return s.Reindex(ctx)
}

// RunTemporal serves the embedded Temporal server alone until ctx ends:
// one Temporal for several `kamflow worker` and `kamflow web` processes on
// one host, its state in DATA_DIR/temporal.db (SQLite). Production runs
// Temporal's own images (docker-compose.yml).
func RunTemporal(ctx context.Context, cfg *config.Config, log *slog.Logger, stdout io.Writer) error {
	srv, err := StartEmbeddedTemporal(ctx, cfg, cfg.Temporal.ListenIP)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "kamflow temporal: serving namespace %s at %s (state in %s)\n", cfg.Temporal.Namespace, srv.HostPort(), filepath.Join(cfg.DataDir, "temporal.db"))
	log.Info("temporal started", "address", srv.HostPort(), "namespace", cfg.Temporal.Namespace)
	<-ctx.Done()
	return srv.Stop()
}

// StartEmbeddedTemporal starts the embedded server of `kamflow dev` and
// `kamflow temporal` on ip, its state in DATA_DIR/temporal.db, its
// frontend at cfg.Temporal.DevPort, with kamflow's namespace, search
// attributes and retention.
func StartEmbeddedTemporal(ctx context.Context, cfg *config.Config, ip string) (*devserver.Server, error) {
	srv, err := devserver.Start(ctx, devserver.Options{
		DatabaseFile:     filepath.Join(cfg.DataDir, "temporal.db"),
		IP:               ip,
		Port:             cfg.Temporal.DevPort,
		Namespace:        cfg.Temporal.Namespace,
		SearchAttributes: workflows.SearchAttributes(),
		Retention:        cfg.Temporal.Retention,
		// The server's own log is noise for a newcomer; debug shows its warnings.
		LogLevel: devTemporalLogLevel(cfg.LogLevel),
	})
	if err == nil {
		return srv, nil
	}
	if errors.Is(err, devserver.ErrPortInUse) {
		return nil, fmt.Errorf("embedded Temporal needs ports %d-%d: %w (choose others with --temporal-port)", cfg.Temporal.DevPort, cfg.Temporal.DevPort+devserver.PortsUsed-1, err)
	}
	return nil, fmt.Errorf("start embedded temporal: %w", err)
}

// RunWorker polls the task queue until ctx ends.
func RunWorker(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	ms, err := startMetrics(cfg, log)
	if err != nil {
		return err
	}
	defer ms.stop()
	s, c, closeAll, err := connect(ctx, cfg, log, ms)
	if err != nil {
		return err
	}
	defer closeAll()
	w, err := StartWorker(cfg, c, s)
	if err != nil {
		return err
	}
	stopMailer := startMailer(cfg, cfg.BaseURL, s, log)
	log.Info("worker started", "temporal", cfg.Temporal.Address, "namespace", cfg.Temporal.Namespace, "task_queue", cfg.Temporal.TaskQueue, "db", cfg.DB.Describe())
	<-ctx.Done()
	stopMailer()
	w.Stop()
	return nil
}

// StartWorker starts kamflow's worker on c's task queue with cfg's
// settings, its activities on s.
func StartWorker(cfg *config.Config, c client.Client, s *store.Store) (sdkworker.Worker, error) {
	// The SDK's cache is per process; set it before the worker exists.
	sdkworker.SetStickyWorkflowCacheSize(cfg.Temporal.WorkerCacheSize)
	w := worker.New(c, cfg.Temporal.TaskQueue, cfg.Temporal.WorkerPollers, &activities.Activities{Store: s})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return w, nil
}

// startMailer delivers the outbox by SMTP when configured; without SMTP the
// notifications stay in the outbox, where the UI shows them.
func startMailer(cfg *config.Config, baseURL string, s *store.Store, log *slog.Logger) (stop func()) {
	if !cfg.SMTP.Enabled() {
		log.Info("notifications: outbox only (set KAMFLOW_SMTP_HOST to send e-mail)")
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d := &mailer.Dispatcher{Store: s, SMTP: cfg.SMTP, Log: log, BaseURL: baseURL, Zone: cfg.Zone}
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	log.Info("notifications: sending by SMTP", "host", cfg.SMTP.Host, "port", cfg.SMTP.Port)
	return func() {
		cancel()
		<-done
	}
}

// RunWeb serves the UI and API until ctx ends.
func RunWeb(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	ms, err := startMetrics(cfg, log)
	if err != nil {
		return err
	}
	defer ms.stop()
	s, c, closeAll, err := connect(ctx, cfg, log, ms)
	if err != nil {
		return err
	}
	defer closeAll()
	srv, err := web.New(web.Options{Store: s, Temporal: c, Logger: log, TaskQueue: cfg.Temporal.TaskQueue, SecureCookies: cfg.SecureCookies,
		BaseURL: cfg.BaseURL, CSRFSecret: cfg.CSRFSecret,
		TrustedProxies: cfg.SignIn.TrustedProxies, SignInConcurrency: cfg.SignIn.Concurrency,
		Zone: cfg.Zone, Metrics: ms.registry(), OIDC: oidcOptions(cfg), NoLocalPasswords: !cfg.SignIn.LocalPasswords})
	if err != nil {
		return err
	}
	if cfg.BaseURLDerived {
		log.Warn("KAMFLOW_BASE_URL is not set; links in calendar feeds and mails use " + cfg.BaseURL)
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("web address %s: %w", cfg.HTTPAddr, ErrPortInUse)
	}
	httpServer := newHTTPServer(srv.Handler())
	done := make(chan error, 1)
	go func() { done <- httpServer.Serve(ln) }()
	log.Info("web started", "addr", "http://"+ln.Addr().String(), "db", cfg.DB.Describe())
	select {
	case err := <-done:
		return fmt.Errorf("web server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return httpServer.Shutdown(shutdownCtx)
}

// connect opens the migrated database and dials Temporal, as the
// production processes need both; ms (nil: off) watches both.
func connect(ctx context.Context, cfg *config.Config, log *slog.Logger, ms *metricsServer) (*store.Store, client.Client, func(), error) {
	s, err := openMigratedStore(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := ms.watchStore(s); err != nil {
		_ = s.Close()
		return nil, nil, nil, err
	}
	c, err := tclient.Dial(ctx, cfg.Temporal, log, ms.registry().TemporalHandler())
	if err != nil {
		_ = s.Close()
		return nil, nil, nil, err
	}
	return s, c, func() { c.Close(); _ = s.Close() }, nil
}

func openMigratedStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	s, err := OpenStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := s.CheckMigrated(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func devTemporalLogLevel(l slog.Level) string {
	if l <= slog.LevelDebug {
		return "warn"
	}
	return devserver.LogOff
}

// oidcOptions hands company sign-in's settings to the web server; nil
// when it is not configured.
func oidcOptions(cfg *config.Config) *web.OIDCOptions {
	if !cfg.OIDC.Enabled() {
		return nil
	}
	o := cfg.OIDC
	return &web.OIDCOptions{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
		PostLogoutRedirectURL: o.PostLogoutRedirectURL, GroupsClaim: o.GroupsClaim, RoleMap: o.RoleMap, Name: o.Name}
}
