package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/app"
	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/store"
)

// sample is one line of Prometheus' text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// scrape fetches url and parses its samples.
func scrape(t *testing.T, url string) []sample {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape %s = %d %s:\n%s", url, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var out []sample
	for _, line := range strings.Split(string(body), "\n") {
		m := sampleLine.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		s := sample{name: m[1], labels: map[string]string{}, value: v}
		for _, p := range labelPair.FindAllStringSubmatch(m[2], -1) {
			s.labels[p[1]] = p[2]
		}
		out = append(out, s)
	}
	return out
}

// find returns the samples named name whose labels include want.
func find(samples []sample, name string, want map[string]string) []sample {
	var out []sample
	for _, s := range samples {
		if s.name != name {
			continue
		}
		match := true
		for k, v := range want {
			match = match && s.labels[k] == v
		}
		if match {
			out = append(out, s)
		}
	}
	return out
}

func sum(samples []sample) float64 {
	total := 0.0
	for _, s := range samples {
		total += s.value
	}
	return total
}

// TestMetricsEndpoint runs kamflow dev with KAMFLOW_METRICS_ADDR, serves a
// page, a refused sign-in and API calls that move a workflow, then scrapes
// /metrics over HTTP and finds every family: HTTP requests by route
// pattern, the Temporal SDK's worker and client metrics, the database
// pool, the outbox and the refused sign-ins.
func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	metricsAddr := "127.0.0.1:" + strconv.Itoa(freePort(t, 1))
	e := newAPIEnvWith(t, func(cfg *config.Config) { cfg.MetricsAddr = metricsAddr })
	if want := "http://" + metricsAddr + "/metrics"; e.dev.MetricsURL != want {
		t.Fatalf("MetricsURL = %q, want %q", e.dev.MetricsURL, want)
	}

	// A page, a refused sign-in, and a programme moved one step by API.
	if code, _ := signIn(t, e.dev.URL, "kam").get("/my-work"); code != http.StatusOK {
		t.Fatalf("GET /my-work = %d", code)
	}
	if code := signInOver(t, e.dev.URL, "lead@"+store.DemoDomain, "not the password"); code != http.StatusUnauthorized {
		t.Fatalf("sign-in with a wrong password = %d, want 401", code)
	}
	r := e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "Metrics AG", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": time.Now().UTC().Format("2006-01-02")})
	id := uint(r.body["id"].(float64))
	e.ok(t, 200, "lead", "POST", fmt.Sprintf("/programmes/%d/phases/setup/submit", id), map[string]string{"result": "team set up"})
	e.ok(t, 200, "lead", "POST", fmt.Sprintf("/programmes/%d/phases/strategy/submit", id), map[string]string{"result": "strategy"})
	e.ok(t, 200, "kam", "GET", fmt.Sprintf("/programmes/%d", id), nil)
	e.refused(t, 0, 404, "", "lead", "GET", "/programmes/99999", nil)
	// The committee's notice about the strategy waiting for approval is queued by an activity.
	waitFor(t, "a notification in the outbox", func() bool {
		b, err := e.dev.Store.OutboxBacklog(context.Background())
		return err == nil && b.Waiting > 0
	})

	samples := scrape(t, e.dev.MetricsURL)
	must := func(name string, labels map[string]string) []sample {
		t.Helper()
		got := find(samples, name, labels)
		if len(got) == 0 {
			t.Errorf("no %s%v in /metrics", name, labels)
		}
		return got
	}

	// HTTP: by route pattern, method and status; never the raw path.
	must("kamflow_http_requests_total", map[string]string{"route": "/my-work", "method": "GET", "status": "200"})
	must("kamflow_http_requests_total", map[string]string{"route": "/login", "method": "POST", "status": "401"})
	must("kamflow_http_requests_total", map[string]string{"route": "/api/v1/programmes", "method": "POST", "status": "201"})
	must("kamflow_http_requests_total", map[string]string{"route": "/api/v1/programmes/:id/phases/:phase/submit", "method": "POST", "status": "200"})
	if got := sum(must("kamflow_http_requests_total", map[string]string{"route": "/api/v1/programmes/:id", "method": "GET", "status": "404"})); got != 1 {
		t.Errorf("404s on /api/v1/programmes/:id = %v, want 1", got)
	}
	must("kamflow_http_request_duration_seconds_bucket", map[string]string{"route": "/my-work", "method": "GET", "status": "200", "le": "+Inf"})
	numericSegment := regexp.MustCompile(`/[0-9]+(/|$)`)
	for _, s := range find(samples, "kamflow_http_requests_total", nil) {
		if numericSegment.MatchString(s.labels["route"]) {
			t.Errorf("route label with a raw path: %v", s.labels)
		}
	}

	// Refused sign-ins by reason; the reasons not seen are there at 0.
	if got := sum(must("kamflow_login_failures_total", map[string]string{"reason": "bad_credentials"})); got != 1 {
		t.Errorf("bad_credentials failures = %v, want 1", got)
	}
	if got := sum(must("kamflow_login_failures_total", map[string]string{"reason": "limited"})); got != 0 {
		t.Errorf("limited failures = %v, want 0", got)
	}

	// The Temporal SDK's client requests, polls and task latencies.
	must("temporal_request_total", map[string]string{"namespace": "default"})
	must("temporal_long_request_total", nil)
	must("temporal_workflow_task_schedule_to_start_latency_seconds_bucket", map[string]string{"task_queue": "kamflow"})
	if got := sum(must("temporal_workflow_task_execution_latency_seconds_count", map[string]string{"workflow_type": "Programme"})); got < 1 {
		t.Errorf("programme workflow tasks = %v, want some", got)
	}
	must("temporal_activity_execution_latency_seconds_count", map[string]string{"activity_type": "Notify"})
	must("temporal_worker_task_slots_available", nil)

	// The database pool.
	for _, name := range []string{"go_sql_open_connections", "go_sql_in_use_connections", "go_sql_idle_connections", "go_sql_max_open_connections", "go_sql_wait_count_total", "go_sql_wait_duration_seconds_total"} {
		must(name, map[string]string{"db_name": "kamflow"})
	}
	if got := sum(must("go_sql_open_connections", map[string]string{"db_name": "kamflow"})); got < 1 {
		t.Errorf("open connections = %v, want at least one", got)
	}

	// The outbox: dev sends no mail, so the queued notices wait.
	backlog := sum(must("kamflow_outbox_backlog", nil))
	age := sum(must("kamflow_outbox_oldest_undelivered_age_seconds", nil))
	must("kamflow_outbox_given_up", nil)
	if backlog < 1 || age <= 0 || age > 600 {
		t.Errorf("outbox backlog %v, oldest %v s; want some, queued within the test", backlog, age)
	}

	// The Go runtime and the process.
	must("go_goroutines", nil)
	must("process_resident_memory_bytes", nil)

	// Metrics have their own address: the web serves none, the metrics
	// address nothing else.
	for _, url := range []string{e.dev.URL + "/metrics", strings.TrimSuffix(e.dev.MetricsURL, "/metrics") + "/"} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("GET %s = 200, want only /metrics on the metrics address", url)
		}
	}
}

// TestProductionProcessesServeMetrics: kamflow web and kamflow worker each
// serve their own registry on KAMFLOW_METRICS_ADDR: the web its requests,
// the worker its polls, both their Temporal client, pool and outbox.
func TestProductionProcessesServeMetrics(t *testing.T) {
	t.Parallel()
	cfg := devConfig(t, t.TempDir())
	d := startDev(t, cfg)
	defer d.Stop(context.Background())

	start := func(mode config.Mode, run func(context.Context, *config.Config, *slog.Logger) error) string {
		t.Helper()
		env := map[string]string{
			"KAMFLOW_DB_DRIVER": "sqlite", "KAMFLOW_DB_PATH": cfg.DB.Path,
			"KAMFLOW_TEMPORAL_ADDRESS": cfg.Temporal.Address,
			// Apart from dev's worker, so that dev's tasks stay with it.
			"KAMFLOW_TEMPORAL_TASK_QUEUE": "metrics-" + string(mode),
			"KAMFLOW_HTTP_ADDR":           "127.0.0.1:" + strconv.Itoa(freePort(t, 1)),
			"KAMFLOW_METRICS_ADDR":        "127.0.0.1:" + strconv.Itoa(freePort(t, 1)),
		}
		pcfg, err := config.Load(mode, nil, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- run(ctx, pcfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("kamflow %s: %v", mode, err)
			}
		})
		if mode == config.ModeWeb {
			waitHealthy(t, "http://"+pcfg.HTTPAddr)
			getOK(t, "http://"+pcfg.HTTPAddr+"/login")
		}
		return "http://" + pcfg.MetricsAddr + "/metrics"
	}
	webMetrics := start(config.ModeWeb, app.RunWeb)
	workerMetrics := start(config.ModeWorker, app.RunWorker)

	var web, worker []sample
	waitFor(t, "both processes' metrics", func() bool {
		web, worker = scrape(t, webMetrics), scrape(t, workerMetrics)
		// A poller is counted as started before its first long poll is
		// sent, so wait for both rather than scrape between them.
		return len(find(worker, "temporal_num_pollers", map[string]string{"task_queue": "metrics-worker"})) > 0 &&
			len(find(worker, "temporal_long_request_total", nil)) > 0
	})
	for name, labels := range map[string]map[string]string{
		"kamflow_http_requests_total": {"route": "/login", "method": "GET", "status": "200"},
		// The web's Temporal client at dial; its calls follow user actions.
		"temporal_request_total":        {"operation": "GetSystemInfo"},
		"go_sql_open_connections":       {"db_name": "kamflow"},
		"kamflow_outbox_backlog":        nil,
		"kamflow_login_failures_total":  {"reason": "bad_credentials"},
		"process_resident_memory_bytes": nil,
	} {
		if len(find(web, name, labels)) == 0 {
			t.Errorf("kamflow web's /metrics lacks %s%v", name, labels)
		}
	}
	for name, labels := range map[string]map[string]string{
		"temporal_long_request_total":                   nil,
		"temporal_worker_task_slots_available":          {"task_queue": "metrics-worker"},
		"go_sql_open_connections":                       {"db_name": "kamflow"},
		"kamflow_outbox_oldest_undelivered_age_seconds": nil,
	} {
		if len(find(worker, name, labels)) == 0 {
			t.Errorf("kamflow worker's /metrics lacks %s%v", name, labels)
		}
	}
	if got := find(worker, "kamflow_http_requests_total", nil); len(got) != 0 {
		t.Errorf("the worker counts HTTP requests it never served: %v", got)
	}
}
