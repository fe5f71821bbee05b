// Package app wires kamflow's processes together: the embedded `dev`
// default, the production `worker` and `web`, and `migrate`.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
	URL        string
	Seeded     bool
	Store      *store.Store
	Client     client.Client
	temporal   *devserver.Server
	worker     sdkworker.Worker
	httpServer *http.Server
	httpDone   chan error
	stopMailer func()
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
	d.temporal, err = devserver.Start(ctx, devserver.Options{
		DatabaseFile:     filepath.Join(cfg.DataDir, "temporal.db"),
		IP:               "127.0.0.1",
		Port:             cfg.Temporal.DevPort,
		Namespace:        cfg.Temporal.Namespace,
		SearchAttributes: workflows.SearchAttributes(),
		// The server's own log is noise for a newcomer; debug shows its warnings.
		LogLevel: devTemporalLogLevel(cfg.LogLevel),
	})
	if err != nil {
		_ = ln.Close()
		if errors.Is(err, devserver.ErrPortInUse) {
			return nil, fmt.Errorf("embedded Temporal needs ports %d-%d: %w (choose others with --temporal-port)", cfg.Temporal.DevPort, cfg.Temporal.DevPort+devserver.PortsUsed-1, err)
		}
		return nil, fmt.Errorf("start embedded temporal: %w", err)
	}
	if d.Store, err = openStore(ctx, cfg.DB); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if err = d.Store.Migrate(ctx); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if d.Seeded, err = d.Store.SeedDemo(ctx); err != nil {
		_ = ln.Close()
		return nil, err
	}
	tcfg := cfg.Temporal
	tcfg.Address = d.temporal.HostPort()
	if d.Client, err = tclient.Dial(ctx, tcfg, log); err != nil {
		_ = ln.Close()
		return nil, err
	}
	sdkworker.SetStickyWorkflowCacheSize(cfg.Temporal.WorkerCacheSize)
	d.worker = worker.New(d.Client, cfg.Temporal.TaskQueue, cfg.Temporal.WorkerPollers, &activities.Activities{Store: d.Store})
	if err = d.worker.Start(); err != nil {
		d.worker = nil
		_ = ln.Close()
		return nil, fmt.Errorf("start worker: %w", err)
	}
	d.stopMailer = startMailer(cfg, d.Store, log)
	srv, err := web.New(web.Options{
		Store: d.Store, Temporal: d.Client, Logger: log, TaskQueue: cfg.Temporal.TaskQueue,
		SecureCookies: cfg.SecureCookies, DemoLogins: store.DemoLogins(),
	})
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	d.serveHTTP(ln, srv.Handler())
	d.URL = "http://" + ln.Addr().String()
	return d, nil
}

func (d *Dev) serveHTTP(ln net.Listener, h http.Handler) {
	d.httpServer = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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

func openStore(ctx context.Context, db config.Database) (*store.Store, error) {
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
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	return s.AppliedMigrations(ctx)
}

// RunWorker polls the task queue until ctx ends.
func RunWorker(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	s, c, closeAll, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	// The SDK's cache is per process; set it before the worker exists.
	sdkworker.SetStickyWorkflowCacheSize(cfg.Temporal.WorkerCacheSize)
	w := worker.New(c, cfg.Temporal.TaskQueue, cfg.Temporal.WorkerPollers, &activities.Activities{Store: s})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	stopMailer := startMailer(cfg, s, log)
	log.Info("worker started", "temporal", cfg.Temporal.Address, "namespace", cfg.Temporal.Namespace, "task_queue", cfg.Temporal.TaskQueue, "db", cfg.DB.Describe())
	<-ctx.Done()
	stopMailer()
	w.Stop()
	return nil
}

// startMailer delivers the outbox by SMTP when configured; without SMTP the
// notifications stay in the outbox, where the UI shows them.
func startMailer(cfg *config.Config, s *store.Store, log *slog.Logger) (stop func()) {
	if !cfg.SMTP.Enabled() {
		log.Info("notifications: outbox only (set KAMFLOW_SMTP_HOST to send e-mail)")
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d := &mailer.Dispatcher{Store: s, SMTP: cfg.SMTP, Log: log}
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
	s, c, closeAll, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	srv, err := web.New(web.Options{Store: s, Temporal: c, Logger: log, TaskQueue: cfg.Temporal.TaskQueue, SecureCookies: cfg.SecureCookies})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("web address %s: %w", cfg.HTTPAddr, ErrPortInUse)
	}
	httpServer := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
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
// production processes need both.
func connect(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, client.Client, func(), error) {
	s, err := openMigratedStore(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := tclient.Dial(ctx, cfg.Temporal, log)
	if err != nil {
		_ = s.Close()
		return nil, nil, nil, err
	}
	return s, c, func() { c.Close(); _ = s.Close() }, nil
}

func openMigratedStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	s, err := openStore(ctx, cfg.DB)
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
