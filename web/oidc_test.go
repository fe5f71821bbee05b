package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/web"
)

// oidcWorld is kamflow with company sign-in against a test provider.
type oidcWorld struct {
	t     *testing.T
	idp   *testIdentityProvider
	store *store.Store
	URL   string
}

var (
	personInes  = opPerson{Subject: "ines", Email: "ines@example.com", Name: "Ines Imhof", Verified: true, Groups: []string{"kam-leads", "staff"}}
	personOtto  = opPerson{Subject: "otto", Email: "otto@example.com", Name: "Otto Ostermann", Verified: true, Groups: []string{"kam-hr"}}
	personUlla  = opPerson{Subject: "ulla", Email: "ulla@example.com", Name: "Ulla Unger", Verified: false, Groups: []string{"kam-leads"}}
	personStray = opPerson{Subject: "stray", Email: "stray@example.com", Name: "Stray", Verified: true, Groups: []string{"staff"}}
	personDemo  = opPerson{Subject: "demo", Email: "lead@" + store.DemoDomain, Name: "Demo Lead", Verified: true, Groups: []string{"kam-leads"}}
)

// newOIDCWorld starts the provider and kamflow; edit may change the web
// options (role map, local passwords).
func newOIDCWorld(t *testing.T, edit func(*web.Options)) *oidcWorld {
	t.Helper()
	idp := newTestIdentityProvider(t, personInes, personOtto, personUlla, personStray, personDemo)
	s := storetest.Open(t, "sqlite")
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	opts := web.Options{
		Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TaskQueue: "kamflow", BaseURL: base,
		OIDC: &web.OIDCOptions{Issuer: idp.URL, ClientID: testClientID, ClientSecret: testClientSecret,
			RedirectURL: base + "/login/oidc/callback", PostLogoutRedirectURL: base + "/login", Name: "Test IdP",
			RoleMap: map[string][]store.Role{"kam-leads": {store.RoleLead}, "kam-hr": {store.RoleHR}}},
	}
	if edit != nil {
		edit(&opts)
	}
	idp.allowRedirect(opts.OIDC.RedirectURL)
	idp.allowPostLogoutRedirect(base + "/login")
	srv, err := web.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &oidcWorld{t: t, idp: idp, store: s, URL: base}
}

// browser is a cookie jar that follows redirects; stopAt, when set, stops
// before a request to kamflow's callback so a test can look at it.
func (w *oidcWorld) browser(stopAtCallback bool) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if stopAtCallback && req.URL.Path == "/login/oidc/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

var authRequestIDRe = regexp.MustCompile(`name="id" value="([^"]+)"`)

type page struct {
	status int
	url    *url.URL
	body   string
	header http.Header
}

func fetch(t *testing.T, b *http.Client, method, target string, form url.Values) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Request.URL, string(raw), resp.Header}
}

// signInAt goes from kamflow's login page through the provider's login
// page, choosing subject ("" declines). With a browser that stops at the
// callback, the answer is the provider's redirect to it.
func (w *oidcWorld) signInAt(b *http.Client, subject string) page {
	w.t.Helper()
	login := fetch(w.t, b, http.MethodGet, w.URL+"/login", nil)
	if !strings.Contains(login.body, `href="/login/oidc"`) {
		w.t.Fatalf("login page has no company sign-in:\n%s", login.body)
	}
	idpPage := fetch(w.t, b, http.MethodGet, w.URL+"/login/oidc", nil)
	m := authRequestIDRe.FindStringSubmatch(idpPage.body)
	if idpPage.status != http.StatusOK || !strings.HasPrefix(idpPage.url.String(), w.idp.URL+"/login") || m == nil {
		w.t.Fatalf("provider's login page = %d %s:\n%s", idpPage.status, idpPage.url, idpPage.body)
	}
	return fetch(w.t, b, http.MethodPost, w.idp.URL+"/login", url.Values{"id": {m[1]}, "subject": {subject}})
}

func (w *oidcWorld) roles(email string) []store.Role {
	w.t.Helper()
	u, err := w.store.UserByEmail(context.Background(), email)
	if err != nil {
		w.t.Fatalf("user %s: %v", email, err)
	}
	var out []store.Role
	for _, r := range u.Roles {
		out = append(out, r.Role)
	}
	slices.Sort(out)
	return out
}

// addUser is a kamflow user an admin created, with a password and role.
func (w *oidcWorld) addUser(p opPerson, role store.Role) {
	w.t.Helper()
	if _, err := w.store.CreateUser(context.Background(), store.NewUser{Email: p.Email, Name: p.Name, Password: "a long passphrase 42", Roles: []store.Role{role}}); err != nil {
		w.t.Fatal(err)
	}
}

// signsIn expects p's company sign-in in a new browser to land on the
// start page with her name and her kamflow roles to be roles.
func (w *oidcWorld) signsIn(p opPerson, roles ...store.Role) *http.Client {
	w.t.Helper()
	b := w.browser(false)
	home := w.signInAt(b, p.Subject)
	if home.status != http.StatusOK || home.url.String() != w.URL+"/" || !strings.Contains(home.body, p.Name) || !strings.Contains(home.body, "Sign out") {
		w.t.Fatalf("%s's company sign-in = %d %s:\n%s", p.Subject, home.status, home.url, home.body)
	}
	if got := w.roles(p.Email); !slices.Equal(got, roles) {
		w.t.Errorf("%s's roles = %v, want %v", p.Subject, got, roles)
	}
	return b
}

// refused expects p's company sign-in to end on the login page with msg.
func (w *oidcWorld) refused(p opPerson, status int, msg string) {
	w.t.Helper()
	b := w.browser(false)
	got := w.signInAt(b, p.Subject)
	if got.status != status || got.url.Path != "/login/oidc/callback" || !strings.Contains(got.body, msg) || strings.Contains(got.body, "Sign out") {
		w.t.Errorf("%s = %d %s, want %d %q:\n%s", p.Subject, got.status, got.url, status, msg, got.body)
	}
}

func TestCompanySignInGivesRolesFromGroups(t *testing.T) {
	w := newOIDCWorld(t, nil)
	ctx := context.Background()
	w.addUser(personInes, store.RoleKAM)
	// The groups' roles replace the role the admin had given.
	b := w.signsIn(personInes, store.RoleLead)
	// A lead may create programmes: the page is hers now.
	if p := fetch(t, b, http.MethodGet, w.URL+"/programmes/new", nil); p.status != http.StatusOK {
		t.Errorf("lead's new programme page = %d", p.status)
	}
	// Someone kamflow does not know, in a mapped group, is created;
	// someone in no mapped group is not.
	w.signsIn(personOtto, store.RoleHR)
	w.refused(personStray, http.StatusForbidden, "No kamflow account belongs to your e-mail address.")
	// Demo accounts exist only in dev: a provider cannot make one.
	w.refused(personDemo, http.StatusForbidden, "No kamflow account belongs to your e-mail address.")
	if _, err := w.store.UserByEmail(ctx, personDemo.Email); err == nil {
		t.Error("a demo account was created outside dev")
	}
	// A disabled user is refused.
	u, _ := w.store.UserByEmail(ctx, "otto@example.com")
	if err := w.store.UpdateUser(ctx, store.UserChange{ID: u.ID, Name: u.Name, Roles: []store.Role{store.RoleHR}, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	w.refused(personOtto, http.StatusForbidden, "Your kamflow account is disabled.")

	// Sign-out ends the kamflow session.
	csrf := csrfOf(t, fetch(t, b, http.MethodGet, w.URL+"/", nil).body)
	if p := fetch(t, b, http.MethodPost, w.URL+"/logout", url.Values{"csrf": {csrf}}); !strings.HasSuffix(p.url.Path, "/login") {
		t.Fatalf("logout ended at %s", p.url)
	}
	if p := fetch(t, b, http.MethodGet, w.URL+"/", nil); p.url.Path != "/login" {
		t.Errorf("after logout / = %s", p.url)
	}
}

func TestCompanySignInWithoutRoleMap(t *testing.T) {
	w := newOIDCWorld(t, func(o *web.Options) { o.OIDC.RoleMap = nil })
	w.addUser(personInes, store.RoleKAM)
	w.signsIn(personInes, store.RoleKAM)
	w.refused(personOtto, http.StatusForbidden, "No kamflow account belongs to your e-mail address.")
	if _, err := w.store.UserByEmail(context.Background(), "otto@example.com"); err == nil {
		t.Error("an unknown user was created without a role map")
	}
}

func TestCompanySignInRefusesBadState(t *testing.T) {
	w := newOIDCWorld(t, nil)
	b := w.browser(true)
	toCallback := w.signInAt(b, "ines")
	callback, err := url.Parse(toCallback.header.Get("Location"))
	if toCallback.status != http.StatusSeeOther && toCallback.status != http.StatusFound || err != nil || callback.Query().Get("code") == "" {
		t.Fatalf("provider's answer = %d %q", toCallback.status, toCallback.header.Get("Location"))
	}
	// A state kamflow never gave out.
	forged := *callback
	q := forged.Query()
	q.Set("state", "forged")
	forged.RawQuery = q.Encode()
	p := fetch(t, b, http.MethodGet, forged.String(), nil)
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "This sign-in is not valid any more") {
		t.Fatalf("forged state = %d:\n%s", p.status, p.body)
	}
	// The real answer in another browser (a stolen link) is refused too, and uses the state up.
	if p := fetch(t, w.browser(true), http.MethodGet, callback.String(), nil); p.status != http.StatusBadRequest {
		t.Fatalf("callback in another browser = %d", p.status)
	}
	if p := fetch(t, b, http.MethodGet, callback.String(), nil); p.status != http.StatusBadRequest || strings.Contains(p.body, "Sign out") {
		t.Fatalf("used state = %d", p.status)
	}

	// A fresh sign-in works once; replayed, its answer is refused.
	toCallback = w.signInAt(b, "ines")
	done := fetch(t, b, http.MethodGet, toCallback.header.Get("Location"), nil)
	if done.status != http.StatusOK || done.url.Path != "/" {
		t.Fatalf("fresh sign-in = %d %s", done.status, done.url)
	}
	if p := fetch(t, w.browser(false), http.MethodGet, toCallback.header.Get("Location"), nil); p.status != http.StatusBadRequest {
		t.Fatalf("replayed answer = %d", p.status)
	}

	// The person declines at the provider: a clear message, no 500.
	p = w.signInAt(w.browser(false), "")
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Sign-in was cancelled at the identity provider.") {
		t.Fatalf("declined = %d:\n%s", p.status, p.body)
	}
	// In German.
	req, _ := http.NewRequest(http.MethodGet, w.URL+"/login/oidc/callback?error=access_denied&state=x", nil)
	req.Header.Set("Accept-Language", "de")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), "Die Anmeldung wurde beim Identitätsanbieter abgebrochen.") || !strings.Contains(string(raw), "Anmelden mit Test IdP") {
		t.Errorf("German refusal = %d:\n%s", resp.StatusCode, raw)
	}
}

func TestCompanySignInRefusesUnverifiedEmail(t *testing.T) {
	w := newOIDCWorld(t, nil)
	w.addUser(personUlla, store.RoleKAM)
	w.refused(personUlla, http.StatusForbidden, "has not verified your e-mail address")
	if got := w.roles(personUlla.Email); !slices.Equal(got, []store.Role{store.RoleKAM}) {
		t.Errorf("roles changed to %v by a refused sign-in", got)
	}
}

func TestLocalPasswordsOff(t *testing.T) {
	const secret = "a csrf secret of at least 32 characters"
	w := newOIDCWorld(t, func(o *web.Options) { o.NoLocalPasswords, o.CSRFSecret = true, secret })
	w.addUser(personInes, store.RoleKAM)
	b := w.browser(false)
	login := fetch(t, b, http.MethodGet, w.URL+"/login", nil)
	if strings.Contains(login.body, `name="password"`) || !strings.Contains(login.body, "Sign in with Test IdP") {
		t.Fatalf("login page with passwords off:\n%s", login.body)
	}
	// No form, so no token on the page: a client posting anyway computes
	// the token as kamflow does (see loginCSRFToken), to pass the CSRF check.
	u, _ := url.Parse(w.URL)
	var preSession string
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "kamflow_login_csrf" {
			preSession = c.Value
		}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("kamflow login csrf\x00" + preSession))
	p := fetch(t, b, http.MethodPost, w.URL+"/login", url.Values{"csrf": {hex.EncodeToString(mac.Sum(nil))}, "email": {"ines@example.com"}, "password": {"a long passphrase 42"}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "Sign-in with a password is turned off.") {
		t.Fatalf("password sign-in with passwords off = %d:\n%s", p.status, p.body)
	}
	if home := fetch(t, b, http.MethodGet, w.URL+"/", nil); home.url.Path != "/login" {
		t.Fatalf("signed in by password at %s", home.url)
	}
	if home := w.signInAt(b, "ines"); home.status != http.StatusOK || home.url.Path != "/" {
		t.Fatalf("company sign-in with passwords off = %d %s", home.status, home.url)
	}
	// Passwords off needs company sign-in.
	if _, err := web.New(web.Options{Store: w.store, NoLocalPasswords: true}); err == nil {
		t.Error("passwords off without company sign-in was accepted")
	}
}

func TestCompanySignInExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	w := newOIDCWorld(t, func(o *web.Options) {
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	b := w.browser(true)
	toCallback := w.signInAt(b, "ines")
	mu.Lock()
	now = now.Add(store.OIDCLoginTTL + time.Second)
	mu.Unlock()
	p := fetch(t, b, http.MethodGet, toCallback.header.Get("Location"), nil)
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "The sign-in took too long. Start again.") {
		t.Fatalf("late answer = %d:\n%s", p.status, p.body)
	}
}
