package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/web"
)

// idTokens are the ID tokens kept with kamflow's sessions.
func (w *oidcWorld) idTokens() []string {
	w.t.Helper()
	var out []string
	if err := w.store.DB().Table("sessions").Where("id_token IS NOT NULL").Pluck("id_token", &out).Error; err != nil {
		w.t.Fatal(err)
	}
	return out
}

// endSessionEndpoint is the provider's end_session_endpoint (discovery).
func (w *oidcWorld) endSessionEndpoint() string {
	w.t.Helper()
	resp, err := http.Get(w.idp.URL + "/.well-known/openid-configuration")
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.EndSession == "" {
		w.t.Fatalf("discovery: end_session_endpoint %q, %v", doc.EndSession, err)
	}
	return doc.EndSession
}

// signOut posts the sign-out form of b's start page; the answer is
// kamflow's, redirects not followed.
func signOut(t *testing.T, base string, b *http.Client) *http.Response {
	t.Helper()
	csrf := csrfOf(t, fetch(t, b, http.MethodGet, base+"/", nil).body)
	stay := *b
	stay.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := stay.PostForm(base+"/logout", url.Values{"csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestCompanySignOutEndsTheProvidersSignIn: on a shared PC, "Sign out"
// after a company sign-in sends the browser to the provider's
// end_session_endpoint with the session's ID token, kamflow's client ID
// and /login to come back to; the provider ends its own sign-in and sends
// the browser back to kamflow's sign-in page, which says so. The next
// "Sign in with …" asks who it is again instead of signing the same
// person straight back in.
func TestCompanySignOutEndsTheProvidersSignIn(t *testing.T) {
	w := newOIDCWorld(t, nil)
	w.idp.rememberSignIns()
	b := w.signsIn(personInes, store.RoleLead)
	kept := w.idTokens()
	if len(kept) != 1 || strings.Count(kept[0], ".") != 2 {
		t.Fatalf("ID tokens kept with sessions: %q", kept)
	}

	// The page's sign-out form may lead on to the provider (CSP
	// form-action; browsers check the redirect a form post takes).
	if csp := fetch(t, b, http.MethodGet, w.URL+"/", nil).header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+w.idp.URL+";") {
		t.Errorf("CSP of a signed-in page: %s", csp)
	}
	resp := signOut(t, w.URL, b)
	target, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("sign-out = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := target.Query()
	endpoint := *target
	endpoint.RawQuery = ""
	if endpoint.String() != w.endSessionEndpoint() || q.Get("id_token_hint") != kept[0] || q.Get("client_id") != testClientID ||
		q.Get("post_logout_redirect_uri") != w.URL+"/login" || q.Has("state") {
		t.Errorf("sign-out goes to %s", target)
	}
	// Signed out of kamflow before the provider is even asked.
	if got := w.idTokens(); len(got) != 0 {
		t.Errorf("ID tokens kept after sign-out: %d", len(got))
	}
	if p := fetch(t, w.browser(false), http.MethodGet, w.URL+"/", nil); p.url.Path != "/login" {
		t.Errorf("/ with no cookie = %s", p.url)
	}

	// The provider accepts the request, ends its sign-in and sends the
	// browser back to the sign-in page.
	back := fetch(t, b, http.MethodGet, target.String(), nil)
	if back.status != http.StatusOK || back.url.String() != w.URL+"/login" || !strings.Contains(back.body, "You are signed out.") || strings.Contains(back.body, "Sign out") {
		t.Fatalf("back from the provider = %d %s:\n%s", back.status, back.url, back.body)
	}
	if ended := w.idp.endedSessions(); !slices.Equal(ended, []string{"ines " + testClientID}) {
		t.Errorf("provider ended %q", ended)
	}
	// The note is said once.
	if p := fetch(t, b, http.MethodGet, w.URL+"/login", nil); strings.Contains(p.body, "You are signed out.") {
		t.Error("the sign-in page says signed out again")
	}
	if p := fetch(t, b, http.MethodGet, w.URL+"/", nil); p.url.Path != "/login" {
		t.Errorf("after sign-out / = %s", p.url)
	}
	// "Sign in with Test IdP" asks who it is again.
	again := fetch(t, b, http.MethodGet, w.URL+"/login/oidc", nil)
	if again.status != http.StatusOK || !strings.HasPrefix(again.url.String(), w.idp.URL+"/login") || !strings.Contains(again.body, "Continue as") {
		t.Fatalf("next company sign-in = %d %s:\n%s", again.status, again.url, again.body)
	}
}

// TestCompanySignOutWithoutEndSession: a provider that offers no
// end_session_endpoint keeps its own sign-in; kamflow signs out as it
// always did — and the provider then signs the same person straight back
// in, which is why kamflow uses the endpoint where there is one.
func TestCompanySignOutWithoutEndSession(t *testing.T) {
	w := newOIDCWorld(t, nil)
	w.idp.rememberSignIns()
	w.idp.offerNoEndSession()
	b := w.signsIn(personInes, store.RoleLead)
	resp := signOut(t, w.URL, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("sign-out = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := w.idTokens(); len(got) != 0 {
		t.Errorf("ID tokens kept after sign-out: %d", len(got))
	}
	if p := fetch(t, b, http.MethodGet, w.URL+"/login", nil); !strings.Contains(p.body, "You are signed out.") {
		t.Errorf("sign-in page after sign-out:\n%s", p.body)
	}
	if ended := w.idp.endedSessions(); len(ended) != 0 {
		t.Errorf("provider ended %q", ended)
	}
	if home := fetch(t, b, http.MethodGet, w.URL+"/login/oidc", nil); home.url.String() != w.URL+"/" || !strings.Contains(home.body, personInes.Name) {
		t.Errorf("company sign-in with the provider's sign-in kept = %d %s", home.status, home.url)
	}
}

// TestPasswordSignOutStaysLocal: a password user's sign-out goes to the
// sign-in page as before, with company sign-in configured and offering
// end_session.
func TestPasswordSignOutStaysLocal(t *testing.T) {
	w := newOIDCWorld(t, nil)
	w.addUser(personOtto, store.RoleHR)
	b := w.browser(false)
	if got := signInFrom(t, w.URL, b, loginToken(t, w.URL, b), "", personOtto.Email, "a long passphrase 42"); got.code != http.StatusOK || !strings.Contains(got.body, "Sign out") {
		t.Fatalf("password sign-in = %d", got.code)
	}
	if got := w.idTokens(); len(got) != 0 {
		t.Errorf("a password session keeps ID tokens: %d", len(got))
	}
	resp := signOut(t, w.URL, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("sign-out = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	p := fetch(t, b, http.MethodGet, w.URL+"/", nil)
	if p.url.Path != "/login" || !strings.Contains(p.body, "You are signed out.") {
		t.Errorf("after sign-out / = %s:\n%s", p.url, p.body)
	}
	if ended := w.idp.endedSessions(); len(ended) != 0 {
		t.Errorf("provider ended %q", ended)
	}
	// In German.
	req, _ := http.NewRequest(http.MethodGet, w.URL+"/login", nil)
	req.Header.Set("Accept-Language", "de")
	req.AddCookie(&http.Cookie{Name: "kamflow_signed_out", Value: "1"})
	de, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer de.Body.Close()
	var body strings.Builder
	_, _ = io.Copy(&body, de.Body)
	if !strings.Contains(body.String(), "Sie sind abgemeldet.") {
		t.Errorf("German sign-in page after sign-out:\n%s", body.String())
	}
}

// TestCompanySignOutWhenTheProviderIsDown: kamflow has not read the
// provider's discovery document and cannot now; the sign-out stands all
// the same and ends on the sign-in page.
func TestCompanySignOutWhenTheProviderIsDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	w := newOIDCWorld(t, func(o *web.Options) { o.OIDC.Issuer = down.URL })
	ctx := context.Background()
	w.addUser(personInes, store.RoleKAM)
	u, err := w.store.UserByEmail(ctx, personInes.Email)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := w.store.CreateCompanySession(ctx, u.ID, "header.payload.signature", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b := w.browser(false)
	base, _ := url.Parse(w.URL)
	b.Jar.SetCookies(base, []*http.Cookie{{Name: "kamflow_session", Value: token, Path: "/"}})
	resp := signOut(t, w.URL, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("sign-out with the provider down = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := w.idTokens(); len(got) != 0 {
		t.Errorf("ID tokens kept after sign-out: %d", len(got))
	}
	if p := fetch(t, b, http.MethodGet, w.URL+"/", nil); p.url.Path != "/login" || !strings.Contains(p.body, "You are signed out.") {
		t.Errorf("after sign-out / = %s", p.url)
	}
}

// TestCompanySignOutWithoutBaseURL: without KAMFLOW_BASE_URL kamflow does
// not know its address, so it asks the provider for no way back; the
// provider still ends its sign-in and shows its own signed-out page.
func TestCompanySignOutWithoutBaseURL(t *testing.T) {
	w := newOIDCWorld(t, func(o *web.Options) { o.OIDC.PostLogoutRedirectURL = "" })
	b := w.signsIn(personInes, store.RoleLead)
	kept := w.idTokens()
	resp := signOut(t, w.URL, b)
	target, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || len(kept) != 1 {
		t.Fatalf("sign-out = %d %q (%d tokens kept)", resp.StatusCode, resp.Header.Get("Location"), len(kept))
	}
	if q := target.Query(); q.Get("id_token_hint") != kept[0] || q.Get("client_id") != testClientID || q.Has("post_logout_redirect_uri") {
		t.Errorf("sign-out goes to %s", target)
	}
	p := fetch(t, b, http.MethodGet, target.String(), nil)
	if p.status != http.StatusOK || p.url.String() != w.idp.URL+"/signed-out" {
		t.Errorf("provider's answer = %d %s", p.status, p.url)
	}
	if ended := w.idp.endedSessions(); !slices.Equal(ended, []string{"ines " + testClientID}) {
		t.Errorf("provider ended %q", ended)
	}
	if got := w.idTokens(); len(got) != 0 {
		t.Errorf("ID tokens kept after sign-out: %d", len(got))
	}
}
