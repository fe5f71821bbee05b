package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/devserver"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/web"
)

type fixture struct {
	t      *testing.T
	store  *store.Store
	server *httptest.Server
	http   *http.Client
}

func newFixture(t *testing.T, tc client.Client) *fixture {
	t.Helper()
	s := storetest.Open(t, "sqlite")
	if _, err := s.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{
		Store: s, Temporal: tc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		TaskQueue: "kamflow", DemoLogins: store.DemoLogins(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &fixture{t: t, store: s, server: ts, http: hc}
}

func (f *fixture) get(path string) (int, string) {
	f.t.Helper()
	resp, err := f.http.Get(f.server.URL + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (f *fixture) post(path string, form url.Values) (int, string, http.Header) {
	f.t.Helper()
	resp, err := f.http.PostForm(f.server.URL+path, form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%s", page)
	}
	return m[1]
}

func (f *fixture) login(email, password string) (int, string) {
	f.t.Helper()
	_, page := f.get("/login")
	code, body, _ := f.post("/login", url.Values{"csrf": {csrfOf(f.t, page)}, "email": {email}, "password": {password}})
	return code, body
}

func TestLoginPageShowsFormAndDemoLogins(t *testing.T) {
	f := newFixture(t, nil)
	code, page := f.get("/login")
	if code != http.StatusOK || !strings.Contains(page, `name="password"`) || !strings.Contains(page, "committee2@"+store.DemoDomain) {
		t.Fatalf("GET /login = %d:\n%s", code, page)
	}
	resp, err := http.Get(f.server.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
}

func TestLoginAndLogout(t *testing.T) {
	f := newFixture(t, nil)
	if code, _ := f.get("/"); code != http.StatusSeeOther {
		t.Fatalf("GET / signed out = %d, want redirect to login", code)
	}
	// Without the form's CSRF token nothing happens.
	if code, body, _ := f.post("/login", url.Values{"email": {"lead@" + store.DemoDomain}, "password": {"demo"}}); code != http.StatusForbidden {
		t.Fatalf("login without CSRF = %d %s", code, body)
	}
	code, body := f.login("lead@"+store.DemoDomain, "wrong")
	if code != http.StatusUnauthorized || !strings.Contains(body, "E-mail address or password is wrong.") {
		t.Fatalf("wrong password = %d", code)
	}
	code, body = f.login("nobody@example.com", "demo")
	if code != http.StatusUnauthorized || !strings.Contains(body, "E-mail address or password is wrong.") {
		t.Fatalf("unknown user = %d (must look like a wrong password)", code)
	}
	if code, _ := f.login("", ""); code != http.StatusUnprocessableEntity {
		t.Fatalf("empty form = %d, want 422", code)
	}
	if code, _ := f.login("lead@"+store.DemoDomain, store.DemoPassword); code != http.StatusSeeOther {
		t.Fatalf("login = %d, want 303", code)
	}
	code, home := f.get("/")
	if code != http.StatusOK || !strings.Contains(home, "Lena Lehmann") || !strings.Contains(home, "No KAM programme yet") {
		t.Fatalf("home = %d:\n%s", code, home)
	}
	if code, _, _ := f.post("/logout", url.Values{}); code != http.StatusForbidden {
		t.Fatalf("logout without CSRF = %d", code)
	}
	if code, _, _ := f.post("/logout", url.Values{"csrf": {csrfOf(t, home)}}); code != http.StatusSeeOther {
		t.Fatalf("logout = %d", code)
	}
	if code, _ := f.get("/"); code != http.StatusSeeOther {
		t.Fatalf("after logout GET / = %d, want redirect", code)
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	f := newFixture(t, nil)
	last := 0
	for i := 0; i < 7; i++ {
		last, _ = f.login("lead@"+store.DemoDomain, "guess")
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("7th failed attempt = %d, want 429", last)
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	p, err := f.store.CreateProgramme(ctx, `<script>alert(1)</script>`, "lead@"+store.DemoDomain, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// A projected event makes it visible in lists.
	err = f.store.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
		Programme: store.Programme{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: "active", CurrentPhase: "setup", StartDate: p.StartDate},
		Event:     store.ProgrammeEvent{ProgrammeID: p.ID, Seq: 1, Kind: "created", At: time.Now().UTC()},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.login("lead@"+store.DemoDomain, store.DemoPassword)
	_, home := f.get("/")
	if strings.Contains(home, "<script>alert(1)</script>") || !strings.Contains(home, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("programme name not escaped:\n%s", home)
	}
}

func TestHealthReportsDatabaseAndTemporal(t *testing.T) {
	ctx := context.Background()
	ts, err := devserver.Start(ctx, devserver.Options{Namespace: "default", LogLevel: devserver.LogOff})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Stop()
	c, err := client.Dial(client.Options{HostPort: ts.HostPort(), Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f := newFixture(t, c)
	code, body := f.get("/healthz")
	var h map[string]string
	if err := json.Unmarshal([]byte(body), &h); err != nil || code != http.StatusOK || h["db"] != "ok" || h["temporal"] != "ok" {
		t.Fatalf("healthz = %d %s", code, body)
	}
	_ = f.store.Close()
	code, body = f.get("/healthz")
	if err := json.Unmarshal([]byte(body), &h); err != nil || code != http.StatusServiceUnavailable || h["db"] != "unavailable" || h["temporal"] != "ok" {
		t.Fatalf("healthz with the database closed = %d %s", code, body)
	}
}

func TestAdminIssuesAndRevokesAPITokens(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	f.login("lead@"+store.DemoDomain, store.DemoPassword)
	if code, _ := f.get("/admin"); code != http.StatusForbidden {
		t.Fatalf("lead on /admin = %d, want 403", code)
	}
	a := newFixtureClient(t, f)
	a.login("admin@"+store.DemoDomain, store.DemoPassword)
	code, page := a.get("/admin")
	if code != http.StatusOK || !strings.Contains(page, "kam3@"+store.DemoDomain) {
		t.Fatalf("admin page = %d", code)
	}
	if c, body, _ := a.post("/admin/tokens", url.Values{"csrf": {csrfOf(t, page)}, "email": {"nobody@example.com"}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "there is no user") {
		t.Errorf("token for unknown user = %d", c)
	}
	c, body, _ := a.post("/admin/tokens", url.Values{"csrf": {csrfOf(t, page)}, "email": {"hr@" + store.DemoDomain}, "name": {"<i>import</i>"}})
	m := regexp.MustCompile(`<code>(kf_[0-9a-f]+)</code>`).FindStringSubmatch(body)
	if c != http.StatusCreated || m == nil || strings.Contains(body, "<i>import</i>") {
		t.Fatalf("issue token = %d:\n%s", c, body)
	}
	u, err := f.store.APITokenUser(ctx, m[1], time.Now())
	if err != nil || u.Email != "hr@"+store.DemoDomain {
		t.Fatalf("issued token resolves to %v, %v", u, err)
	}
	tokens, _ := f.store.ListAPITokens(ctx)
	if c, _, _ := a.post(fmt.Sprintf("/admin/tokens/%d/revoke", tokens[0].ID), url.Values{"csrf": {csrfOf(t, body)}}); c != http.StatusSeeOther {
		t.Fatalf("revoke = %d", c)
	}
	if _, err := f.store.APITokenUser(ctx, m[1], time.Now()); err == nil {
		t.Error("revoked token still works")
	}
}

// newFixtureClient is a second browser on the same server.
func newFixtureClient(t *testing.T, f *fixture) *fixture {
	jar, _ := cookiejar.New(nil)
	return &fixture{t: t, store: f.store, server: f.server, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func TestCustomerReferenceData(t *testing.T) {
	f := newFixture(t, nil)
	f.login("kam@"+store.DemoDomain, store.DemoPassword)
	if code, _ := f.get("/customers"); code != http.StatusForbidden {
		t.Fatalf("kam on /customers = %d", code)
	}
	a := newFixtureClient(t, f)
	a.login("admin@"+store.DemoDomain, store.DemoPassword)
	code, page := a.get("/customers?q=AG")
	if code != 200 || !strings.Contains(page, "Alpenbau AG") || strings.Contains(page, "Stadtwerke") {
		t.Fatalf("search = %d:\n%s", code, page)
	}
	// Six demo customers fit on one page; page 2 says so.
	if code, page = a.get("/customers?page=2"); code != 200 || !strings.Contains(page, "This page is empty") {
		t.Errorf("page 2 = %d", code)
	}
	if code, _ = a.get("/customers?page=x"); code != http.StatusUnprocessableEntity {
		t.Errorf("bad page = %d", code)
	}
	_, form := a.get("/customers/new")
	csrf := csrfOf(t, form)
	c, body, _ := a.post("/customers", url.Values{"csrf": {csrf}, "name": {""}, "country": {"Switzerland"}, "revenue": {"-5"}, "margin": {"x"}, "potential": {"huge"}})
	for _, want := range []string{"Enter the company name", "two-letter country code", "whole, non-negative number", "margin in percent", "low, medium or high"} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %q", want)
		}
	}
	if c != http.StatusUnprocessableEntity {
		t.Errorf("invalid form = %d", c)
	}
	before, _, _ := f.store.ListCustomers(context.Background(), store.Page{Size: 100})
	if c, _, _ := a.post("/customers", url.Values{"csrf": {csrf}, "name": {`<script>x</script> Neu AG`}, "country": {"CH"}, "revenue": {"1000"}, "margin": {"12.5"}, "potential": {"high"}}); c != http.StatusSeeOther {
		t.Fatalf("create = %d", c)
	}
	if c, body, _ := a.post("/customers", url.Values{"csrf": {csrf}, "name": {"Alpenbau AG"}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "exists") {
		t.Errorf("duplicate = %d", c)
	}
	after, _, _ := f.store.ListCustomers(context.Background(), store.Page{Size: 100})
	if len(after) != len(before)+1 {
		t.Fatalf("customers %d -> %d", len(before), len(after))
	}
	_, page = a.get("/customers?q=neu")
	if strings.Contains(page, "<script>x</script>") || !strings.Contains(page, "&lt;script&gt;x&lt;/script&gt; Neu AG") {
		t.Errorf("name not escaped:\n%s", page)
	}
	m := regexp.MustCompile(`action="/customers/(\d+)/archive"`).FindStringSubmatch(page)
	if c, _, _ := a.post("/customers/"+m[1]+"/archive", url.Values{"csrf": {csrfOf(t, page)}}); c != http.StatusSeeOther {
		t.Fatalf("archive = %d", c)
	}
	if _, page = a.get("/customers?q=neu"); !strings.Contains(page, "No customer matches") {
		t.Error("archived customer still listed")
	}
}

func TestCustomerCSVImportPreviewAndModes(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/customers/import")
	csrf := csrfOf(t, page)
	csvText := "name,industry,country,revenue,margin,potential\n" +
		"Neu Logistik AG,Logistics,CH,1200000,14.5,high\n" +
		"Alpenbau AG,Construction,CH,1,1,low\n" +
		",Nothing,Germany,-1,x,huge\n" +
		"Neu Logistik AG,Logistics,CH,1,1,low\n"
	var body strings.Builder
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrf)
	_ = mw.WriteField("action", "preview")
	fw, _ := mw.CreateFormFile("file", "customers.csv")
	_, _ = fw.Write([]byte(csvText))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.server.URL+"/customers/import", strings.NewReader(body.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := f.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	preview := string(raw)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(preview, "1 valid row(s), 3 with errors") {
		t.Fatalf("preview = %d:\n%s", resp.StatusCode, preview)
	}
	for _, want := range []string{"a customer with this name exists", "same as line 2", "two-letter country code", "Enter the company name"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	count := func() int {
		list, _, _ := f.store.ListCustomers(context.Background(), store.Page{Size: 100})
		return len(list)
	}
	before := count()
	if c, b, _ := f.post("/customers/import", url.Values{"csrf": {csrf}, "csv": {csvText}, "action": {"import_all"}}); c != http.StatusUnprocessableEntity || !strings.Contains(b, "Nothing was imported") {
		t.Errorf("import all with errors = %d", c)
	}
	if count() != before {
		t.Fatal("a file with errors was half imported")
	}
	if c, b, _ := f.post("/customers/import", url.Values{"csrf": {csrf}, "csv": {csvText}, "action": {"import_valid"}}); c != http.StatusOK || !strings.Contains(b, "1 customer(s) imported") {
		t.Errorf("import valid = %d:\n%s", c, b)
	}
	if count() != before+1 {
		t.Fatalf("customers %d, want %d", count(), before+1)
	}
	if c, b, _ := f.post("/customers/import", url.Values{"csrf": {csrf}, "csv": {"industry\nx\n"}, "action": {"preview"}}); c != http.StatusUnprocessableEntity || !strings.Contains(b, `no column &#34;name&#34;`) {
		t.Errorf("csv without name column = %d:\n%s", c, b)
	}
	code, exported := f.get("/customers.csv")
	rows, err := csv.NewReader(strings.NewReader(exported)).ReadAll()
	if code != 200 || err != nil || rows[0][0] != "name" || len(rows) != before+2 {
		t.Errorf("export = %d rows, %v", len(rows), err)
	}
}
