package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/web"
)

// newSecureFixture serves over TLS with secure cookies, as in production.
func newSecureFixture(t *testing.T, opts web.Options) *fixture {
	t.Helper()
	s := storetest.Open(t, "sqlite")
	if _, err := s.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	opts.Store, opts.Logger, opts.TaskQueue = s, slog.New(slog.NewTextHandler(io.Discard, nil)), "kamflow"
	// The fixture signs in with the seeded demo accounts, which only a
	// server told of them (dev) admits.
	opts.DemoLogins = store.DemoLogins()
	srv, err := web.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var ts *httptest.Server
	if opts.SecureCookies {
		ts = httptest.NewTLSServer(srv.Handler())
	} else {
		ts = httptest.NewServer(srv.Handler())
	}
	t.Cleanup(ts.Close)
	hc := ts.Client()
	hc.Jar, _ = cookiejar.New(nil)
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &fixture{t: t, store: s, server: ts, http: hc}
}

func (f *fixture) send(req *http.Request) (*http.Response, string) {
	f.t.Helper()
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (f *fixture) head(path string) http.Header {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.server.URL+path, nil)
	resp, _ := f.send(req)
	return resp.Header
}

func TestSecureCookiesUseHostPrefixAndHSTS(t *testing.T) {
	f := newSecureFixture(t, web.Options{SecureCookies: true})
	req, _ := http.NewRequest(http.MethodGet, f.server.URL+"/login", nil)
	resp, _ := f.send(req)
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("HSTS = %q", hsts)
	}
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, "login_csrf") {
			csrf = c
		}
	}
	if csrf == nil || csrf.Name != "__Host-kamflow_login_csrf" || !csrf.Secure || csrf.Path != "/" || csrf.Domain != "" || !csrf.HttpOnly {
		t.Fatalf("login CSRF cookie = %+v", csrf)
	}
	if code, _ := f.login("lead@"+store.DemoDomain, store.DemoPassword); code != http.StatusSeeOther {
		t.Fatalf("sign-in over TLS = %d", code)
	}
	u, _ := url.Parse(f.server.URL)
	names := []string{}
	for _, c := range f.http.Jar.Cookies(u) {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "__Host-kamflow_session" {
		t.Errorf("cookies after sign-in = %v; want only __Host-kamflow_session", names)
	}
	if code, home := f.get("/"); code != http.StatusOK || !strings.Contains(home, "Lena Lehmann") {
		t.Errorf("home with the prefixed session cookie = %d", code)
	}

	// Plain HTTP (dev) keeps bare names, which browsers accept there, and no HSTS.
	dev := newSecureFixture(t, web.Options{})
	req, _ = http.NewRequest(http.MethodGet, dev.server.URL+"/login", nil)
	resp, _ = dev.send(req)
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS on plain HTTP")
	}
	if cs := resp.Cookies(); len(cs) != 1 || cs[0].Name != "kamflow_login_csrf" {
		t.Errorf("dev cookies = %v", cs)
	}
}

func TestSignedInAnswersAreNotStored(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	for _, path := range []string{"/", "/customers", "/customers.csv", "/admin", "/notifications"} {
		if cc := f.head(path).Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s Cache-Control = %q; want no-store", path, cc)
		}
	}
	u, _ := f.store.UserByEmail(context.Background(), "admin@"+store.DemoDomain)
	token, err := f.store.CreateAPIToken(context.Background(), u.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, f.server.URL+"/api/v1/key-accounts/1/plan", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, _ := f.send(req); resp.StatusCode >= 500 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("API answer %d Cache-Control = %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if cc := f.head("/static/kamflow.css").Get("Cache-Control"); cc == "no-store" {
		t.Error("static assets need not be refetched every time")
	}
}

func TestStaticHasNoDirectoryListings(t *testing.T) {
	f := newFixture(t, nil)
	for _, path := range []string{"/static/", "/static/vendor/", "/static/vendor"} {
		if code, body := f.get(path); code != http.StatusNotFound || strings.Contains(body, "htmx") {
			t.Errorf("GET %s = %d %q; want 404 without a listing", path, code, body)
		}
	}
	if code, _ := f.get("/static/vendor/htmx-2.0.11.min.js"); code != http.StatusOK {
		t.Errorf("a static file = %d", code)
	}
}

var loginCSRFCookieRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestLoginCSRFTokenIsBoundToTheServer(t *testing.T) {
	f := newFixture(t, nil)
	_, page := f.get("/login")
	token := csrfOf(t, page)
	u, _ := url.Parse(f.server.URL)
	var cookie string
	for _, c := range f.http.Jar.Cookies(u) {
		if c.Name == "kamflow_login_csrf" {
			cookie = c.Value
		}
	}
	if !loginCSRFCookieRe.MatchString(cookie) || cookie == token {
		t.Fatalf("the form token must not be the cookie itself: cookie %q token %q", cookie, token)
	}
	// A cookie someone planted, with the same value as the form field (the
	// double-submit pattern), is not accepted.
	planted := strings.Repeat("ab", 32)
	form := url.Values{"csrf": {planted}, "email": {"lead@" + store.DemoDomain}, "password": {store.DemoPassword}}
	req, _ := http.NewRequest(http.MethodPost, f.server.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "kamflow_login_csrf", Value: planted})
	if resp, _ := (&fixture{t: t, http: &http.Client{CheckRedirect: f.http.CheckRedirect}}).send(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("planted double-submit cookie = %d; want 403", resp.StatusCode)
	}
	// Another server (another secret) does not accept this server's pair.
	other := newFixture(t, nil)
	other.http.Jar.SetCookies(mustURL(other.server.URL), []*http.Cookie{{Name: "kamflow_login_csrf", Value: cookie}})
	if code, _, _ := other.post("/login", url.Values{"csrf": {token}, "email": {"lead@" + store.DemoDomain}, "password": {store.DemoPassword}}); code != http.StatusForbidden {
		t.Errorf("token from another secret = %d; want 403", code)
	}
	if code, _, _ := f.post("/login", url.Values{"csrf": {token}, "email": {"lead@" + store.DemoDomain}, "password": {store.DemoPassword}}); code != http.StatusSeeOther {
		t.Errorf("the right pair = %d; want 303", code)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestDevServerAnswersOnlyLoopbackNames(t *testing.T) {
	f := newSecureFixture(t, web.Options{LoopbackHostsOnly: true})
	for host, want := range map[string]int{
		"localhost": http.StatusOK, "localhost:8080": http.StatusOK, "127.0.0.1:8080": http.StatusOK, "[::1]:8080": http.StatusOK, "LOCALHOST": http.StatusOK,
		"evil.example": http.StatusMisdirectedRequest, "evil.example:8080": http.StatusMisdirectedRequest,
		"127.0.0.1.evil.example": http.StatusMisdirectedRequest, "localhost.evil.example:8080": http.StatusMisdirectedRequest,
	} {
		req, _ := http.NewRequest(http.MethodGet, f.server.URL+"/login", nil)
		req.Host = host
		if resp, _ := f.send(req); resp.StatusCode != want {
			t.Errorf("Host %s = %d; want %d", host, resp.StatusCode, want)
		}
	}
}

func TestCalendarLinksUseTheBaseURL(t *testing.T) {
	f := newSecureFixture(t, web.Options{BaseURL: "https://kamflow.example.com"})
	ctx := context.Background()
	u, _ := f.store.UserByEmail(ctx, "lead@"+store.DemoDomain)
	token, err := f.store.CreateAPIToken(ctx, u.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, f.server.URL+"/api/v1/me/calendar-token", nil)
	req.Host = "evil.example"
	req.Header.Set("Authorization", "Bearer "+token)
	resp, body := f.send(req)
	var got struct{ URL, Path string }
	_ = json.Unmarshal([]byte(body), &got)
	if resp.StatusCode != http.StatusCreated || got.URL != "https://kamflow.example.com"+got.Path || !strings.HasPrefix(got.Path, "/calendar/") {
		t.Fatalf("calendar token = %d %s", resp.StatusCode, body)
	}
	// The page shows the same link, not one built from the request's Host.
	if code, _ := f.login("lead@"+store.DemoDomain, store.DemoPassword); code != http.StatusSeeOther {
		t.Fatalf("sign-in = %d", code)
	}
	_, page := f.get("/notifications")
	form := url.Values{"csrf": {csrfOf(t, page)}}
	req, _ = http.NewRequest(http.MethodPost, f.server.URL+"/notifications/calendar", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, page = f.send(req)
	if !strings.Contains(page, "https://kamflow.example.com/calendar/") || strings.Contains(page, mustURL(f.server.URL).Host+"/calendar/") {
		t.Errorf("notifications page after a new feed link does not show the base URL:\n%s", page)
	}
}

// unfold undoes RFC 5545 line folding.
func unfold(ics string) string { return strings.ReplaceAll(ics, "\r\n ", "") }

func TestCalendarFeedIsRFC5545(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	u, _ := f.store.UserByEmail(ctx, "lead@"+store.DemoDomain)
	// A name stored before input was checked: a CR would end the line.
	name := "Lena\rATTENDEE:mailto:spy@evil.example\r\nX-INJECTED:1 " + strings.Repeat("Lehmann-Schön ", 8)
	if err := f.store.UpdateUser(ctx, store.UserChange{ID: u.ID, Name: name, Roles: []store.Role{store.RoleLead}}); err != nil {
		t.Fatal(err)
	}
	secret, err := f.store.NewCalendarToken(ctx, u.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	code, feed := f.get("/calendar/" + secret + ".ics")
	if code != http.StatusOK {
		t.Fatalf("feed = %d", code)
	}
	if !strings.HasSuffix(feed, "END:VCALENDAR\r\n") {
		t.Errorf("feed does not end with CRLF: %q", feed[max(0, len(feed)-30):])
	}
	folded := false
	for i, line := range strings.Split(strings.TrimSuffix(feed, "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if strings.HasPrefix(line, " ") {
			folded = true
		}
		if strings.HasPrefix(line, "ATTENDEE") || strings.HasPrefix(line, "X-INJECTED") {
			t.Errorf("line %d was injected: %q", i+1, line)
		}
	}
	if !folded {
		t.Error("the long name was not folded")
	}
	if !strings.Contains(unfold(feed), "X-WR-CALNAME:kamflow: LenaATTENDEE:mailto:spy@evil.example\\nX-INJECTED:1 Lehmann-Schön") {
		t.Errorf("unfolded name:\n%s", unfold(feed))
	}
}

func TestControlCharactersAreRefusedWithTheField(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	_, form := f.get("/customers/new")
	csrf := csrfOf(t, form)
	code, body, _ := f.post("/customers", url.Values{"csrf": {csrf}, "name": {"Basel\rATTENDEE:mailto:x@evil.example AG"}, "country": {"CH"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "name") || !strings.Contains(body, "one line") {
		t.Errorf("CR in a name = %d:\n%s", code, body)
	}
	if list, _, _ := f.store.ListCustomers(context.Background(), store.Page{Size: 200}); strings.Contains(customerNames(list), "ATTENDEE") {
		t.Error("the customer was saved")
	}
	// Multi-line fields keep their line breaks as browsers send them.
	if code, _, _ := f.post("/customers", url.Values{"csrf": {csrf}, "name": {"Zeilen AG"}, "notes": {"one\r\ntwo\n\tthree"}}); code != http.StatusSeeOther {
		t.Errorf("notes with CRLF = %d", code)
	}
	if code, body, _ := f.post("/customers", url.Values{"csrf": {csrf}, "name": {"Bell AG"}, "notes": {"ring\x07"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "notes") {
		t.Errorf("BEL in notes = %d", code)
	}

	// JSON: the field is named by its path.
	ctx := context.Background()
	hr, _ := f.store.UserByEmail(ctx, "hr@"+store.DemoDomain)
	token, _ := f.store.CreateAPIToken(ctx, hr.ID, "t")
	for body, field := range map[string]string{
		`{"title":"Verhandeln\rATTENDEE:x","duration_days":1}`:              "title",
		`{"title":"Verhandeln\nFortsetzung","duration_days":1}`:             "title",
		`{"title":"Verhandeln","duration_days":1,"description":"a\u0000b"}`: "description",
	} {
		req, _ := http.NewRequest(http.MethodPost, f.server.URL+"/api/v1/courses", bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, answer := f.send(req)
		var e struct {
			Error struct{ Fields map[string]string } `json:"error"`
		}
		_ = json.Unmarshal([]byte(answer), &e)
		if resp.StatusCode != http.StatusUnprocessableEntity || e.Error.Fields[field] == "" {
			t.Errorf("POST /courses %s = %d %s; want 422 naming %s", body, resp.StatusCode, answer, field)
		}
	}
}

func customerNames(list []store.Customer) string {
	var b strings.Builder
	for _, c := range list {
		b.WriteString(c.Name + "|")
	}
	return b.String()
}

func TestNaNAndInfinityAreRefused(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	_, form := f.get("/customers/new")
	csrf := csrfOf(t, form)
	for _, v := range []string{"NaN", "nan", "Inf", "-Infinity", "+inf"} {
		code, body, _ := f.post("/customers", url.Values{"csrf": {csrf}, "name": {"Margin " + v + " AG"}, "margin": {v}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter the margin in percent") {
			t.Errorf("margin %s = %d", v, code)
		}
	}
	f2 := newFixture(t, nil)
	f2.login("hr@"+store.DemoDomain, store.DemoPassword)
	_, page := f2.get("/training")
	code, body, _ := f2.post("/training/courses", url.Values{"csrf": {csrfOf(t, page)}, "title": {"Endless"}, "duration_days": {"NaN"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "duration") {
		t.Errorf("duration NaN = %d", code)
	}
}

func TestAdminIssuesExpiringTokens(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/admin")
	if !strings.Contains(page, `name="expires_in_days"`) {
		t.Fatal("the token form has no expiry field")
	}
	if code, _, _ := f.post("/admin/tokens", url.Values{"csrf": {csrfOf(t, page)}, "email": {"hr@" + store.DemoDomain}, "expires_in_days": {"0"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("0 days = %d; want 422", code)
	}
	code, body, _ := f.post("/admin/tokens", url.Values{"csrf": {csrfOf(t, page)}, "email": {"hr@" + store.DemoDomain}, "name": {"quarterly"}, "expires_in_days": {"90"}})
	if code != http.StatusCreated {
		t.Fatalf("expiring token = %d", code)
	}
	token := regexp.MustCompile(`kf_[0-9a-f]{64}`).FindString(body)
	now := time.Now()
	if _, err := f.store.APITokenUser(context.Background(), token, now.AddDate(0, 0, 89)); err != nil {
		t.Errorf("token on day 89: %v", err)
	}
	if _, err := f.store.APITokenUser(context.Background(), token, now.AddDate(0, 0, 91)); err == nil {
		t.Error("token still valid on day 91")
	}
}

func TestUserFormAppliesThePasswordPolicy(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	_, form := f.get("/admin/users/new")
	csrf := csrfOf(t, form)
	for pw, want := range map[string]string{
		"aaaaaaaaaa":          "at least 12 characters",
		"aaaaaaaaaaaa":        "too simple",
		"qwerty123456":        "most common",
		"ines.graf-secret-pw": "e-mail address",
	} {
		code, body, _ := f.post("/admin/users", url.Values{"csrf": {csrf}, "email": {"ines.graf@example.com"}, "name": {"Ines"}, "password": {pw}, "roles": {"kam"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("password %q = %d; want 422 saying %q", pw, code, want)
		}
	}
	if code, _, _ := f.post("/admin/users", url.Values{"csrf": {csrf}, "email": {"ines.graf@example.com"}, "name": {"Ines"}, "password": {"Kestrel orbit 4 lantern"}, "roles": {"kam"}}); code != http.StatusSeeOther {
		t.Errorf("a good password = %d", code)
	}
}
