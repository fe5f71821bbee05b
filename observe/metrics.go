// Package observe holds what an operator watches kamflow by: the Prometheus
// metrics every process serves on KAMFLOW_METRICS_ADDR, and the logger that
// carries a request's ID. It does no I/O of its own but at scrape time, and
// imports none of kamflow's packages, so web, app and worker can all use it.
package observe

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	otelprometheus "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// Login failure reasons, the values of kamflow_login_failures_total's
// reason label.
const (
	// LoginBadCredentials: the e-mail address or the password was wrong
	// (or the account may not sign in here).
	LoginBadCredentials = "bad_credentials"
	// LoginIncomplete: the e-mail address or the password was left empty.
	LoginIncomplete = "incomplete"
	// LoginLimited: the account or the client address had failed too often.
	LoginLimited = "limited"
	// LoginBusy: too many password checks were running at once.
	LoginBusy = "busy"
	// LoginPasswordsOff: a password was sent while local passwords are off.
	LoginPasswordsOff = "passwords_off"
	// LoginCompanyRefused: a company sign-in (OIDC) came back refused or
	// not acceptable (cancelled, stale, unverified or unknown e-mail).
	LoginCompanyRefused = "company_refused"
)

// loginReasons are pre-set to zero so an alert on the rate works from the
// first scrape, before any failure.
var loginReasons = []string{LoginBadCredentials, LoginIncomplete, LoginLimited, LoginBusy, LoginPasswordsOff, LoginCompanyRefused}

// durationBuckets (seconds) reach past the half minute a page may wait for
// a workflow; the same buckets serve the Temporal SDK's latencies.
var durationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// scrapeTimeout bounds a collector's database query, so a database outage
// slows a scrape by seconds, not the scraper's whole timeout.
const scrapeTimeout = 5 * time.Second

// Metrics is one process's registry: kamflow's own families, the Temporal
// SDK's, the Go runtime's and the process's. A nil *Metrics is metrics
// switched off; its methods then do nothing.
type Metrics struct {
	registry      *prometheus.Registry
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	loginFailures *prometheus.CounterVec
	meterProvider *sdkmetric.MeterProvider
	temporal      client.MetricsHandler
	log           *slog.Logger
}

// New builds a registry of its own (never Prometheus' global default, which
// libraries may write to) with the Go and process collectors; log receives
// the errors of the Temporal SDK's meter and of failed collectors.
func New(log *slog.Logger) (*Metrics, error) {
	if log == nil {
		log = slog.Default()
	}
	reg := prometheus.NewRegistry()
	m := &Metrics{registry: reg, log: log}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kamflow_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kamflow_http_request_duration_seconds",
		Help:    "Time from a request's arrival to its answer, by route pattern, method and status.",
		Buckets: durationBuckets,
	}, []string{"route", "method", "status"})
	m.loginFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kamflow_login_failures_total",
		Help: "Refused sign-ins on the login form, by reason: bad_credentials, incomplete, limited (too many failures), busy (too many password checks at once).",
	}, []string{"reason"})
	for _, r := range loginReasons {
		m.loginFailures.WithLabelValues(r)
	}
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.loginFailures,
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	if err := m.startTemporal(); err != nil {
		return nil, err
	}
	return m, nil
}

// startTemporal routes the Temporal SDK's metrics through OpenTelemetry
// into this registry, under the SDK's own temporal_* names.
func (m *Metrics) startTemporal() error {
	exporter, err := otelprometheus.New(
		otelprometheus.WithRegisterer(m.registry),
		otelprometheus.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes),
		otelprometheus.WithoutTargetInfo(),
		otelprometheus.WithoutScopeInfo(),
	)
	if err != nil {
		return err
	}
	// The SDK records latencies in seconds; OpenTelemetry's default
	// buckets are made for milliseconds.
	secondsView := sdkmetric.NewView(
		sdkmetric.Instrument{Name: "temporal_*", Kind: sdkmetric.InstrumentKindHistogram},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: durationBuckets}},
	)
	m.meterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithView(secondsView))
	m.temporal = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter: m.meterProvider.Meter("temporal-sdk-go"),
		// The SDK's counters only grow: exported as Prometheus counters (_total).
		UseMonotonicCounters: true,
		// The default panics; a metric that cannot be made is no reason to stop.
		OnError: func(err error) { m.log.Warn("temporal metrics", "err", err) },
	})
	return nil
}

// TemporalHandler is the client.Options.MetricsHandler for every Temporal
// client of this process (workers inherit their client's); nil when off.
func (m *Metrics) TemporalHandler() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return m.temporal
}

// ObserveHTTP counts one answered request. route is the router's pattern
// (such as /programmes/:id), never the raw path, and methods outside the
// standard ones count as "other", so the labels stay few whatever clients send.
func (m *Metrics) ObserveHTTP(route, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	if !knownMethods[method] {
		// Clients may send any word as a method: one label for all others.
		method = "other"
	}
	code := strconv.Itoa(status)
	m.httpRequests.WithLabelValues(route, method, code).Inc()
	m.httpDuration.WithLabelValues(route, method, code).Observe(took.Seconds())
}

var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// LoginFailed counts a refused sign-in; reason is one of the Login* constants.
func (m *Metrics) LoginFailed(reason string) {
	if m == nil {
		return
	}
	m.loginFailures.WithLabelValues(reason).Inc()
}

// WatchDatabase reports db's connection pool (open, in use, idle, waits and
// time waited) as the go_sql_* families, read at every scrape.
func (m *Metrics) WatchDatabase(db *sql.DB, name string) error {
	if m == nil {
		return nil
	}
	return m.registry.Register(collectors.NewDBStatsCollector(db, name))
}

// Outbox is the outbox's state as the store reports it.
type Outbox struct {
	// Waiting messages are not yet delivered and still being tried;
	// Oldest is when the oldest of them was queued.
	Waiting int64
	Oldest  time.Time
	// GivenUp messages failed every delivery attempt; they stay in the
	// outbox with their last error for an admin to see.
	GivenUp int64
}

// WatchOutbox reports the outbox's backlog, calling read at every scrape.
func (m *Metrics) WatchOutbox(read func(context.Context) (Outbox, error)) error {
	if m == nil {
		return nil
	}
	return m.registry.Register(&outboxCollector{read: read, now: time.Now})
}

var (
	outboxBacklogDesc = prometheus.NewDesc("kamflow_outbox_backlog",
		"Notifications in the outbox not yet delivered and still being tried.", nil, nil)
	outboxOldestDesc = prometheus.NewDesc("kamflow_outbox_oldest_undelivered_age_seconds",
		"Age of the oldest notification still waiting to be delivered; 0 when none waits.", nil, nil)
	outboxGivenUpDesc = prometheus.NewDesc("kamflow_outbox_given_up",
		"Notifications whose every delivery attempt failed; they stay in the outbox with their last error.", nil, nil)
)

type outboxCollector struct {
	read func(context.Context) (Outbox, error)
	now  func() time.Time
}

func (o *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxBacklogDesc
	ch <- outboxOldestDesc
	ch <- outboxGivenUpDesc
}

func (o *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	box, err := o.read(ctx)
	if err != nil {
		// Reported as a scrape error; the other families are still served.
		ch <- prometheus.NewInvalidMetric(outboxBacklogDesc, err)
		return
	}
	age := 0.0
	if box.Waiting > 0 && !box.Oldest.IsZero() {
		age = max(0, o.now().Sub(box.Oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(outboxBacklogDesc, prometheus.GaugeValue, float64(box.Waiting))
	ch <- prometheus.MustNewConstMetric(outboxOldestDesc, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(outboxGivenUpDesc, prometheus.GaugeValue, float64(box.GivenUp))
}

// Handler serves the registry in Prometheus' text format. A collector that
// fails is logged and left out; the rest of the scrape is still answered.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.registry,
	})
}

// Close flushes and stops the Temporal SDK's meter.
func (m *Metrics) Close(ctx context.Context) error {
	if m == nil || m.meterProvider == nil {
		return nil
	}
	err := m.meterProvider.Shutdown(ctx)
	if errors.Is(err, sdkmetric.ErrReaderShutdown) {
		return nil
	}
	return err
}
