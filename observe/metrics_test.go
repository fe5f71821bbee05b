package observe_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/observe"
)

func scrapeText(t *testing.T, m *observe.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape = %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// TestLabelsStayBounded: whatever clients send, the HTTP labels take few
// values: unrouted requests share one route, odd methods one method.
func TestLabelsStayBounded(t *testing.T) {
	m, err := observe.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"BREW", "PROPFIND", "X-" + strings.Repeat("A", 50)} {
		m.ObserveHTTP("", method, http.StatusMethodNotAllowed, time.Millisecond)
	}
	m.ObserveHTTP("/programmes/:id", http.MethodGet, http.StatusOK, 20*time.Millisecond)
	out := scrapeText(t, m)
	for _, want := range []string{
		`kamflow_http_requests_total{method="other",route="unmatched",status="405"} 3`,
		`kamflow_http_requests_total{method="GET",route="/programmes/:id",status="200"} 1`,
		`kamflow_http_request_duration_seconds_bucket{method="GET",route="/programmes/:id",status="200",le="0.025"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(out, "BREW") || strings.Contains(out, "PROPFIND") {
		t.Error("a client's method became a label value")
	}
}

// TestOutboxFailureKeepsTheRestOfTheScrape: a database that cannot answer
// leaves the outbox out of the scrape, and the rest is still served.
func TestOutboxFailureKeepsTheRestOfTheScrape(t *testing.T) {
	m, err := observe.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	down := true
	queued := time.Now().Add(-90 * time.Second)
	err = m.WatchOutbox(func(context.Context) (observe.Outbox, error) {
		if down {
			return observe.Outbox{}, errors.New("database unavailable")
		}
		return observe.Outbox{Waiting: 3, Oldest: queued, GivenUp: 1}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m.LoginFailed(observe.LoginLimited)
	out := scrapeText(t, m)
	if strings.Contains(out, "kamflow_outbox_backlog ") || !strings.Contains(out, `kamflow_login_failures_total{reason="limited"} 1`) {
		t.Errorf("scrape with the database down:\n%s", out)
	}
	down = false
	out = scrapeText(t, m)
	for _, want := range []string{"kamflow_outbox_backlog 3\n", "kamflow_outbox_given_up 1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	_, rest, _ := strings.Cut(out, "\nkamflow_outbox_oldest_undelivered_age_seconds ")
	line, _, _ := strings.Cut(rest, "\n")
	if age, err := strconv.ParseFloat(line, 64); err != nil || age < 90 || age > 120 {
		t.Errorf("oldest undelivered age = %q, want about 90 s", line)
	}
}
