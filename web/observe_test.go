package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/observe"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/web"
)

// jsonLogServer is a web server logging JSON at debug level into a buffer;
// requests are served in the test's goroutine, so every line a request
// writes is in the buffer when ServeHTTP returns.
type jsonLogServer struct {
	t       *testing.T
	handler http.Handler
	log     *bytes.Buffer
}

func newJSONLogServer(t *testing.T) *jsonLogServer {
	t.Helper()
	s := storetest.Open(t, "sqlite")
	if _, err := s.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	srv, err := web.New(web.Options{Store: s, Logger: observe.NewLogger(&buf, true, slog.LevelDebug), TaskQueue: "kamflow", DemoLogins: store.DemoLogins()})
	if err != nil {
		t.Fatal(err)
	}
	return &jsonLogServer{t: t, handler: srv.Handler(), log: &buf}
}

// serve runs req and returns the answer and the log lines it wrote.
func (j *jsonLogServer) serve(req *http.Request) (*httptest.ResponseRecorder, []map[string]any) {
	j.t.Helper()
	j.log.Reset()
	rec := httptest.NewRecorder()
	j.handler.ServeHTTP(rec, req)
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(j.log.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			j.t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		lines = append(lines, rec)
	}
	return rec, lines
}

// TestRequestIDOnEveryLogLine: with JSON logs every line a request writes
// carries its request_id, which the answer's X-Request-ID repeats; a
// proxy's well-formed ID is kept, anything else replaced.
func TestRequestIDOnEveryLogLine(t *testing.T) {
	j := newJSONLogServer(t)
	page, _ := j.serve(httptest.NewRequest(http.MethodGet, "/login", nil))
	csrf := csrfOf(t, page.Body.String())

	failedSignIn := func(incomingID string) (*httptest.ResponseRecorder, []map[string]any) {
		form := url.Values{"csrf": {csrf}, "email": {"lead@" + store.DemoDomain}, "password": {"wrong"}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, ck := range page.Result().Cookies() {
			req.AddCookie(ck)
		}
		if incomingID != "" {
			req.Header.Set("X-Request-ID", incomingID)
		}
		return j.serve(req)
	}
	seen := map[string]bool{}
	for _, tc := range []struct{ incoming, want string }{
		{"", ""},
		{"proxy-7f3a.01:b_2", "proxy-7f3a.01:b_2"},
		{"forged\" id=\"x", ""},
		{strings.Repeat("a", 129), ""},
	} {
		rec, lines := failedSignIn(tc.incoming)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password = %d", rec.Code)
		}
		id := rec.Header().Get("X-Request-ID")
		if id == "" || tc.want != "" && id != tc.want || tc.want == "" && id == tc.incoming {
			t.Errorf("incoming %q: X-Request-ID = %q, want %q (or a new one)", tc.incoming, id, tc.want)
		}
		if seen[id] {
			t.Errorf("request ID %q given twice", id)
		}
		seen[id] = true
		messages := map[string]map[string]any{}
		for _, l := range lines {
			if l["request_id"] != id {
				t.Errorf("log line without the request's ID %q: %v", id, l)
			}
			messages[l["msg"].(string)] = l
		}
		refused, done := messages["sign-in refused"], messages["request"]
		if refused == nil || refused["reason"] != observe.LoginBadCredentials || done == nil || done["route"] != "/login" || done["status"] != float64(401) {
			t.Errorf("lines of a refused sign-in = %v, want the refusal with its reason and the request", lines)
		}
	}
}
