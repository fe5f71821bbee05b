package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/web"
)

// newSignInFixture is newFixture with the sign-in options set by opts.
func newSignInFixture(t *testing.T, seedDemo bool, opts func(*web.Options)) *fixture {
	t.Helper()
	s := storetest.Open(t, "sqlite")
	if seedDemo {
		if _, err := s.SeedDemo(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// The limits' clock stands still unless opts set one: however slowly
	// this machine runs a test, no address or account earns an attempt
	// back between its sign-ins, so the answers counted are the limits'.
	frozen := time.Now()
	o := web.Options{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TaskQueue: "kamflow", DemoLogins: store.DemoLogins(),
		Now: func() time.Time { return frozen }}
	if opts != nil {
		opts(&o)
	}
	srv, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &fixture{t: t, store: s, server: ts, http: newBrowser()}
}

func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func trustLoopback(o *web.Options) {
	_, n, _ := net.ParseCIDR("127.0.0.1/32")
	o.TrustedProxies = []*net.IPNet{n}
}

// signInAttempt is one sign-in's answer.
type signInAttempt struct {
	code       int
	retryAfter string
	body       string
}

// signInFrom posts the login form from browser b with X-Forwarded-For set
// to forwardedFor (if not empty); b must have fetched /login for its token.
func signInFrom(t *testing.T, base string, b *http.Client, csrf, forwardedFor, email, password string) signInAttempt {
	t.Helper()
	form := url.Values{"csrf": {csrf}, "email": {email}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Error(err)
		return signInAttempt{}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := b.Do(req)
	if err != nil {
		t.Error(err)
		return signInAttempt{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return signInAttempt{code: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: string(body)}
}

// loginToken opens the sign-in page in browser b and returns its CSRF token.
func loginToken(t *testing.T, base string, b *http.Client) string {
	t.Helper()
	resp, err := b.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return csrfOf(t, string(page))
}

// signInPatiently signs in as a person would: a 429 that is not a lockout
// ("being checked right now") is retried after its Retry-After.
func signInPatiently(t *testing.T, base, forwardedFor, email, password string) (signInAttempt, int) {
	t.Helper()
	b := newBrowser()
	csrf := loginToken(t, base, b)
	for try := 1; ; try++ {
		a := signInFrom(t, base, b, csrf, forwardedFor, email, password)
		if a.code != http.StatusTooManyRequests || !strings.Contains(a.body, "being checked") || try == 10 {
			return a, try
		}
		secs, _ := strconv.Atoi(a.retryAfter)
		time.Sleep(time.Duration(secs) * time.Second)
	}
}

// TestParallelWrongLoginsAreRefusedBeforeHashing: 40 wrong passwords at
// once from one client address get 429 after the limit without hashing,
// never more than the bound hash at once, and the right user signs in
// from another address meanwhile.
func TestParallelWrongLoginsAreRefusedBeforeHashing(t *testing.T) {
	const bound = 2
	f := newSignInFixture(t, true, func(o *web.Options) {
		trustLoopback(o)
		o.SignInConcurrency = bound
	})
	attacker := newBrowser()
	csrf := loginToken(t, f.server.URL, attacker)
	store.ResetPasswordHashPeak()
	before := store.PasswordHashes().Total

	const n = 40
	answers := make([]signInAttempt, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = signInFrom(t, f.server.URL, attacker, csrf, "203.0.113.7", "lead@"+store.DemoDomain, fmt.Sprintf("guess %d", i))
		}()
	}
	right, tries := signInPatiently(t, f.server.URL, "198.51.100.9", "kam@"+store.DemoDomain, store.DemoPassword)
	wg.Wait()
	hashes := store.PasswordHashes()

	if right.code != http.StatusSeeOther {
		t.Errorf("the right user from another address = %d after %d tries, want 303:\n%s", right.code, tries, right.body)
	}
	wrong, limited := 0, 0
	for _, a := range answers {
		switch a.code {
		case http.StatusUnauthorized:
			wrong++
		case http.StatusTooManyRequests:
			limited++
			if secs, err := strconv.Atoi(a.retryAfter); err != nil || secs < 1 {
				t.Errorf("429 with Retry-After %q", a.retryAfter)
			}
		default:
			t.Errorf("wrong password answered %d", a.code)
		}
	}
	if wrong > 5 || wrong+limited != n || limited < n-5 {
		t.Errorf("%d wrong passwords at once: %d × 401, %d × 429; want at most 5 × 401, the rest 429", n, wrong, limited)
	}
	if hashes.Peak > bound {
		t.Errorf("%d password hashes ran at once, bound %d", hashes.Peak, bound)
	}
	// Refused attempts hash nothing: the five the address may fail and the
	// right user's sign-ins.
	if got := hashes.Total - before; got > int64(5+tries) || got < 1 {
		t.Errorf("%d password hashes for %d attempts; want at most %d", got, n, 5+tries)
	}
	// The address stays limited, whatever the account. Attempts the hash
	// bound refused (busy, 429) gave theirs back, so first spend what the
	// burst left, sequentially; then another account is refused too.
	for range 6 {
		if signInFrom(t, f.server.URL, attacker, csrf, "203.0.113.7", "lead@"+store.DemoDomain, "guess again").code == http.StatusTooManyRequests {
			break
		}
	}
	if a := signInFrom(t, f.server.URL, attacker, csrf, "203.0.113.7", "hr@"+store.DemoDomain, "guess"); a.code != http.StatusTooManyRequests {
		t.Errorf("the limited address on another account = %d, want 429", a.code)
	}
}

// TestHashBoundAnswers429: guesses from many addresses at many accounts
// pass the limits; no more hashes than the bound run at once, and those
// that find no free hash in time get 429 with Retry-After.
func TestHashBoundAnswers429(t *testing.T) {
	f := newSignInFixture(t, true, func(o *web.Options) { trustLoopback(o); o.SignInConcurrency = 1 })
	attacker := newBrowser()
	csrf := loginToken(t, f.server.URL, attacker)
	store.ResetPasswordHashPeak()
	// Enough guesses that one hash at a time cannot serve them all within
	// the 2 s a sign-in waits, on a fast machine too: 30 took 1.7 s on one.
	const n = 100
	answers := make([]signInAttempt, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = signInFrom(t, f.server.URL, attacker, csrf, fmt.Sprintf("203.0.113.%d", i+1), fmt.Sprintf("nobody%d@example.com", i), "guess")
		}()
	}
	wg.Wait()
	if peak := store.PasswordHashes().Peak; peak != 1 {
		t.Errorf("%d password hashes ran at once, bound 1", peak)
	}
	busy := 0
	for _, a := range answers {
		switch {
		case a.code == http.StatusTooManyRequests && strings.Contains(a.body, "being checked") && a.retryAfter == "1":
			busy++
		case a.code == http.StatusUnauthorized:
		default:
			t.Errorf("answer %d (Retry-After %q)", a.code, a.retryAfter)
		}
	}
	if busy == 0 {
		t.Errorf("%d sign-ins at once with one hash at a time: none waited too long for 429", n)
	}
	if a, _ := signInPatiently(t, f.server.URL, "198.51.100.9", "kam@"+store.DemoDomain, store.DemoPassword); a.code != http.StatusSeeOther {
		t.Errorf("the right user afterwards = %d", a.code)
	}
}

// TestLockoutOfOneAccountLocksOutNoOtherUser: guesses at one account from
// many addresses lock that account, not the addresses' other users nor
// anyone else.
func TestLockoutOfOneAccountLocksOutNoOtherUser(t *testing.T) {
	f := newSignInFixture(t, true, trustLoopback)
	b := newBrowser()
	csrf := loginToken(t, f.server.URL, b)
	var codes []int
	for i := 1; i <= 12; i++ {
		codes = append(codes, signInFrom(t, f.server.URL, b, csrf, fmt.Sprintf("203.0.113.%d", i), "lead@"+store.DemoDomain, "guess").code)
	}
	want := []int{401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429, 429}
	if fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Errorf("12 guesses at one account from 12 addresses = %v, want %v", codes, want)
	}
	if a := signInFrom(t, f.server.URL, b, csrf, "198.51.100.1", "lead@"+store.DemoDomain, store.DemoPassword); a.code != http.StatusTooManyRequests {
		t.Errorf("the locked account = %d, want 429", a.code)
	}
	// Another user, from an address that guessed and from a fresh one.
	for _, from := range []string{"203.0.113.3", "198.51.100.2"} {
		other := newBrowser()
		if a := signInFrom(t, f.server.URL, other, loginToken(t, f.server.URL, other), from, "kam@"+store.DemoDomain, store.DemoPassword); a.code != http.StatusSeeOther {
			t.Errorf("another user from %s = %d, want 303", from, a.code)
		}
	}
}

// TestForwardedAddressOnlyFromTrustedProxies: X-Forwarded-For names the
// client only when the peer is a trusted proxy, and then only its nearest
// untrusted entry: a client cannot spread its guesses over made-up addresses.
func TestForwardedAddressOnlyFromTrustedProxies(t *testing.T) {
	guesses := func(f *fixture, forwarded func(i int) string) []int {
		b := newBrowser()
		csrf := loginToken(t, f.server.URL, b)
		var codes []int
		for i := 1; i <= 7; i++ {
			codes = append(codes, signInFrom(t, f.server.URL, b, csrf, forwarded(i), "lead@"+store.DemoDomain, "guess").code)
		}
		return codes
	}
	limited := fmt.Sprint([]int{401, 401, 401, 401, 401, 429, 429})
	free := fmt.Sprint([]int{401, 401, 401, 401, 401, 401, 401})
	spread := func(i int) string { return fmt.Sprintf("203.0.113.%d", i) }

	if got := fmt.Sprint(guesses(newSignInFixture(t, true, nil), spread)); got != limited {
		t.Errorf("no trusted proxy, made-up forwarded addresses = %v, want %v", got, limited)
	}
	otherProxy := func(o *web.Options) {
		_, n, _ := net.ParseCIDR("10.0.0.0/8")
		o.TrustedProxies = []*net.IPNet{n}
	}
	if got := fmt.Sprint(guesses(newSignInFixture(t, true, otherProxy), spread)); got != limited {
		t.Errorf("peer not among the trusted proxies = %v, want %v", got, limited)
	}
	if got := fmt.Sprint(guesses(newSignInFixture(t, true, trustLoopback), spread)); got != free {
		t.Errorf("behind the trusted proxy, seven clients = %v, want %v", got, free)
	}
	// The client's own X-Forwarded-For entries come first; the proxy appends
	// the address it saw, which is the one counted.
	spoofed := func(i int) string { return fmt.Sprintf("198.51.100.%d, 203.0.113.77", i) }
	if got := fmt.Sprint(guesses(newSignInFixture(t, true, trustLoopback), spoofed)); got != limited {
		t.Errorf("behind the trusted proxy, one client making up entries = %v, want %v", got, limited)
	}
}

// TestDemoAccountsAreRefusedOutsideDev: a database the dev mode seeded,
// served without dev's demo logins, lets no demo account in by password,
// session, API token or calendar feed, and hashes nothing for them.
func TestDemoAccountsAreRefusedOutsideDev(t *testing.T) {
	f := newSignInFixture(t, true, func(o *web.Options) { o.DemoLogins = nil })
	ctx := context.Background()
	admin, err := f.store.UserByEmail(ctx, "admin@"+store.DemoDomain)
	if err != nil {
		t.Fatal(err)
	}
	before := store.PasswordHashes().Total
	code, body := f.login("admin@"+store.DemoDomain, store.DemoPassword)
	if code != http.StatusUnauthorized || !strings.Contains(body, "E-mail address or password is wrong.") {
		t.Errorf("demo admin signs in outside dev: %d", code)
	}
	if strings.Contains(body, store.DemoDomain+"</code>") {
		t.Error("the login page lists demo logins outside dev")
	}
	if n := store.PasswordHashes().Total - before; n != 0 {
		t.Errorf("%d password hashes for a demo account outside dev", n)
	}
	// A session from dev mode does not carry over.
	token, _, err := f.store.CreateSession(ctx, admin.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, f.server.URL+"/admin/users", nil)
	req.AddCookie(&http.Cookie{Name: "kamflow_session", Value: token})
	resp, err := newBrowser().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("demo session outside dev: GET /admin/users = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	apiToken, err := f.store.CreateAPIToken(ctx, admin.ID, "from dev")
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodGet, f.server.URL+"/api/v1/employees", nil)
	req.Header.Set("Authorization", "Bearer "+apiToken)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("demo API token outside dev = %d, want 401", resp.StatusCode)
	}
	feed, err := f.store.NewCalendarToken(ctx, admin.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if resp, err = http.Get(f.server.URL + "/calendar/" + feed + ".ics"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("demo calendar feed outside dev = %d, want 404", resp.StatusCode)
	}
	// A real account signs in.
	if _, err := f.store.CreateUser(ctx, store.NewUser{Email: "ops@example.com", Name: "Ops", Password: "a long enough secret", Roles: []store.Role{store.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	if code, _ := f.login("ops@example.com", "a long enough secret"); code != http.StatusSeeOther {
		t.Errorf("real admin = %d, want 303", code)
	}
}
