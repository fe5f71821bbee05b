package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/app"
	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/store"
)

// TestDemoStaysInDev: a database `kamflow dev` created and seeded, served
// by `kamflow web` with the production configuration, refuses the demo
// admin and lets in the admin `kamflow user create` made; and dev started on
// a database it did not create seeds nothing into it.
func TestDemoStaysInDev(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, v := range []string{"KAMFLOW_DB_DRIVER", "KAMFLOW_DB_PATH", "KAMFLOW_DATA_DIR"} {
		t.Setenv(v, "")
	}
	devDir := t.TempDir()
	cfg := devConfig(t, devDir)
	d := startDev(t, cfg)
	defer d.Stop(context.Background())
	if !d.Seeded {
		t.Fatal("dev did not seed the database it created")
	}
	if code, _, errOut := runWithInput("correct horse battery staple", "user", "create", "--data", devDir, "--email", "ops@example.com", "--name", "Ops", "--role", "admin"); code != 0 {
		t.Fatalf("user create = %d, %q", code, errOut)
	}
	// In dev the demo admin signs in.
	if code := signInOver(t, d.URL, "admin@"+store.DemoDomain, store.DemoPassword); code != http.StatusSeeOther {
		t.Fatalf("demo admin in dev = %d, want 303", code)
	}

	env := map[string]string{
		"KAMFLOW_DB_DRIVER": "sqlite", "KAMFLOW_DB_PATH": cfg.DB.Path,
		"KAMFLOW_TEMPORAL_ADDRESS": cfg.Temporal.Address,
		"KAMFLOW_HTTP_ADDR":        "127.0.0.1:" + strconv.Itoa(freePort(t, 1)),
	}
	webCfg, err := config.Load(config.ModeWeb, nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !webCfg.SecureCookies {
		t.Fatal("production config without secure cookies")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.RunWeb(ctx, webCfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("kamflow web: %v", err)
		}
	}()
	webURL := "http://" + webCfg.HTTPAddr
	waitHealthy(t, webURL)
	if code := signInOver(t, webURL, "admin@"+store.DemoDomain, store.DemoPassword); code != http.StatusUnauthorized {
		t.Errorf("kamflow web on dev's database: demo admin = %d, want 401", code)
	}
	if code := signInOver(t, webURL, "ops@example.com", "correct horse battery staple"); code != http.StatusSeeOther {
		t.Errorf("kamflow web: the admin user create made = %d, want 303", code)
	}

	// Dev on a database it did not create: migrated and given a user by the
	// production commands, it stays without demo accounts.
	ownDir := t.TempDir()
	if code, _, errOut := run("migrate", "--data", ownDir); code != 0 {
		t.Fatalf("migrate = %d, %q", code, errOut)
	}
	d2 := startDev(t, devConfig(t, ownDir))
	defer d2.Stop(context.Background())
	if d2.Seeded {
		t.Error("dev seeded a database it did not create")
	}
	if _, err := d2.Store.UserByEmail(context.Background(), "admin@"+store.DemoDomain); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("demo admin in a database dev did not create: %v", err)
	}
	if page := getOK(t, d2.URL+"/login"); strings.Contains(page, store.DemoDomain) {
		t.Error("the login page lists demo logins the database does not have")
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not become healthy", base)
}

var loginCSRF = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// signInOver posts the sign-in form and returns the status; cookies are
// carried by hand, as Secure cookies would be over TLS.
func signInOver(t *testing.T, base, email, password string) int {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginCSRF.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on %s/login", base)
	}
	form := url.Values{"csrf": {string(m[1])}, "email": {email}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range resp.Cookies() {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
