package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/observe"
	"github.com/kamflow/kamflow/store"
)

// metricsServer serves one process's registry at /metrics on the metrics
// address, nothing else. A nil *metricsServer is metrics switched off.
type metricsServer struct {
	metrics *observe.Metrics
	url     string
	srv     *http.Server
	done    chan error
	log     *slog.Logger
}

// startMetrics claims cfg.MetricsAddr and serves the registry there; with
// no address it returns nil: no registry, no listener.
func startMetrics(cfg *config.Config, log *slog.Logger) (*metricsServer, error) {
	if cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("KAMFLOW_METRICS_ADDR %s: %w", cfg.MetricsAddr, ErrPortInUse)
	}
	m, err := observe.New(log)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	ms := &metricsServer{metrics: m, url: "http://" + ln.Addr().String() + "/metrics", log: log,
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout, WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout},
		done: make(chan error, 1)}
	go func() { ms.done <- ms.srv.Serve(ln) }()
	log.Info("metrics started", "addr", ms.url)
	return ms, nil
}

// registry is the metrics the process records into; nil when off.
func (ms *metricsServer) registry() *observe.Metrics {
	if ms == nil {
		return nil
	}
	return ms.metrics
}

// watchStore adds the database pool and the outbox, read at every scrape.
func (ms *metricsServer) watchStore(s *store.Store) error {
	if ms == nil {
		return nil
	}
	db, err := s.DB().DB()
	if err != nil {
		return fmt.Errorf("metrics: database pool: %w", err)
	}
	if err := ms.metrics.WatchDatabase(db, "kamflow"); err != nil {
		return fmt.Errorf("metrics: database pool: %w", err)
	}
	return ms.metrics.WatchOutbox(func(ctx context.Context) (observe.Outbox, error) {
		b, err := s.OutboxBacklog(ctx)
		return observe.Outbox{Waiting: b.Waiting, Oldest: b.Oldest, GivenUp: b.GivenUp}, err
	})
}

// stop ends the listener, then the Temporal SDK's meter; call it once the
// Temporal client is closed.
func (ms *metricsServer) stop() {
	if ms == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ms.srv.Shutdown(ctx); err != nil {
		ms.log.Warn("metrics shutdown", "err", err)
	}
	<-ms.done
	if err := ms.metrics.Close(ctx); err != nil {
		ms.log.Warn("metrics shutdown", "err", err)
	}
}
