package config_test

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/config"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDevDefaults(t *testing.T) {
	c, err := config.Load(config.ModeDev, nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.Temporal.Address != "127.0.0.1:7233" || c.Temporal.Namespace != "default" {
		t.Errorf("addresses = %s, %s, %s", c.HTTPAddr, c.Temporal.Address, c.Temporal.Namespace)
	}
	if c.DB.Driver != config.DriverSQLite || c.DB.Path != "data/kamflow.db" || c.DataDir != "data" {
		t.Errorf("db = %+v, data dir %s", c.DB, c.DataDir)
	}
	if c.SecureCookies || c.LogLevel != slog.LevelInfo || c.SMTP.Enabled() {
		t.Errorf("secure=%v level=%v smtp=%v", c.SecureCookies, c.LogLevel, c.SMTP.Enabled())
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	env := envOf(map[string]string{"KAMFLOW_HTTP_ADDR": "127.0.0.1:9000", "KAMFLOW_DATA_DIR": "/tmp/x"})
	c, err := config.Load(config.ModeDev, []string{"--http", "localhost:9100", "--temporal-port", "7300"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "localhost:9100" || c.Temporal.DevPort != 7300 || c.Temporal.Address != "127.0.0.1:7300" || c.DataDir != "/tmp/x" {
		t.Errorf("config = %+v", c)
	}
}

func TestProductionUsesMySQL(t *testing.T) {
	env := envOf(map[string]string{
		"KAMFLOW_DB_HOST": "db:3306", "KAMFLOW_DB_USER": "kf", "KAMFLOW_DB_PASSWORD": "s3cret!", "KAMFLOW_DB_NAME": "kamflow",
		"KAMFLOW_TEMPORAL_ADDRESS": "temporal:7233",
	})
	c, err := config.Load(config.ModeWorker, nil, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	dsn := c.DB.MySQLDSN()
	for _, want := range []string{"kf:s3cret!@tcp(db:3306)/kamflow", "parseTime=true", "charset=utf8mb4", "loc=UTC"} {
		if !strings.Contains(dsn, want) {
			t.Errorf("dsn %q lacks %q", dsn, want)
		}
	}
	if d := c.DB.Describe(); strings.Contains(d, "s3cret") {
		t.Errorf("Describe leaks the password: %s", d)
	}
	if !c.SecureCookies || c.Temporal.Address != "temporal:7233" {
		t.Errorf("secure=%v temporal=%s", c.SecureCookies, c.Temporal.Address)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	cases := []struct {
		mode config.Mode
		env  map[string]string
		args []string
		want string
	}{
		{config.ModeDev, map[string]string{"KAMFLOW_HTTP_ADDR": "8080"}, nil, `KAMFLOW_HTTP_ADDR: "8080" is not host:port`},
		{config.ModeDev, nil, []string{"--temporal-port", "0"}, `--temporal-port: "0" is not a port`},
		{config.ModeDev, nil, []string{"--http", "0.0.0.0:8080"}, "--http:"},
		{config.ModeWeb, map[string]string{"KAMFLOW_DB_DRIVER": "postgres"}, nil, "KAMFLOW_DB_DRIVER:"},
		{config.ModeWeb, map[string]string{"KAMFLOW_LOG_LEVEL": "loud"}, nil, "KAMFLOW_LOG_LEVEL:"},
		{config.ModeWeb, map[string]string{"KAMFLOW_SECURE_COOKIES": "maybe"}, nil, "KAMFLOW_SECURE_COOKIES:"},
		{config.ModeWorker, map[string]string{"KAMFLOW_TEMPORAL_TLS_CERT": "/does/not/exist.pem"}, nil, "KAMFLOW_TEMPORAL_TLS_CERT: cannot read"},
		{config.ModeWorker, map[string]string{"KAMFLOW_SMTP_FROM": "nobody"}, nil, "KAMFLOW_SMTP_FROM:"},
		{config.ModeWorker, map[string]string{"KAMFLOW_DB_NAME": "a/b"}, nil, "KAMFLOW_DB_NAME:"},
		{config.ModeMigrate, nil, []string{"extra"}, "arguments:"},
		{config.ModeWorker, nil, []string{"--http", "x"}, "arguments:"},
	}
	for _, tc := range cases {
		_, err := config.Load(tc.mode, tc.args, envOf(tc.env), io.Discard)
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Errorf("%v %v: err = %v, want *config.Error", tc.env, tc.args, err)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, tc.want) || strings.Contains(msg, "\n") {
			t.Errorf("%v %v: err = %q, want one line starting %q", tc.env, tc.args, msg, tc.want)
		}
	}
}

func TestHelpIsNotAnError(t *testing.T) {
	var out strings.Builder
	_, err := config.Load(config.ModeDev, []string{"-h"}, envOf(nil), &out)
	if !errors.Is(err, config.ErrHelp) || !strings.Contains(out.String(), "-temporal-port") {
		t.Fatalf("err = %v, usage = %q", err, out.String())
	}
}

func TestVariablesDocumentEverySetting(t *testing.T) {
	vars := config.Variables(config.ModeWeb)
	seen := map[string]bool{}
	for _, v := range vars {
		if !strings.HasPrefix(v[0], "KAMFLOW_") || v[2] == "" {
			t.Errorf("variable %v is not documented", v)
		}
		seen[v[0]] = true
	}
	for _, want := range []string{"KAMFLOW_DB_PASSWORD", "KAMFLOW_TEMPORAL_API_KEY", "KAMFLOW_SMTP_HOST", "KAMFLOW_HTTP_ADDR"} {
		if !seen[want] {
			t.Errorf("%s missing", want)
		}
	}
}

func TestWorkerCacheSize(t *testing.T) {
	c, err := config.Load(config.ModeWorker, nil, envOf(map[string]string{"KAMFLOW_DB_USER": "kamflow"}), io.Discard)
	if err != nil || c.Temporal.WorkerCacheSize != 1000 {
		t.Fatalf("default cache = %v, %v", c, err)
	}
	_, err = config.Load(config.ModeWorker, nil, envOf(map[string]string{"KAMFLOW_WORKER_CACHE_SIZE": "lots"}), io.Discard)
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Setting != "KAMFLOW_WORKER_CACHE_SIZE" {
		t.Fatalf("bad cache size = %v", err)
	}
}

func TestWorkerPollers(t *testing.T) {
	c, err := config.Load(config.ModeWorker, nil, envOf(map[string]string{"KAMFLOW_DB_USER": "kamflow"}), io.Discard)
	if err != nil || c.Temporal.WorkerPollers != 8 {
		t.Fatalf("default pollers = %v, %v", c, err)
	}
	for _, bad := range []string{"1", "101", "many", ""} {
		_, err = config.Load(config.ModeWorker, nil, envOf(map[string]string{"KAMFLOW_DB_USER": "kamflow", "KAMFLOW_WORKER_POLLERS": bad}), io.Discard)
		var ce *config.Error
		if bad == "" {
			if err != nil {
				t.Errorf("empty pollers (default) = %v", err)
			}
			continue
		}
		if !errors.As(err, &ce) || ce.Setting != "KAMFLOW_WORKER_POLLERS" || !strings.Contains(err.Error(), "2 to 100") {
			t.Errorf("pollers %q = %v", bad, err)
		}
	}
	c, err = config.Load(config.ModeWorker, nil, envOf(map[string]string{"KAMFLOW_DB_USER": "kamflow", "KAMFLOW_WORKER_POLLERS": "16"}), io.Discard)
	if err != nil || c.Temporal.WorkerPollers != 16 {
		t.Fatalf("pollers 16 = %v, %v", c, err)
	}
}

func TestTemporalRetention(t *testing.T) {
	c, err := config.Load(config.ModeDev, nil, envOf(nil), io.Discard)
	if err != nil || c.Temporal.Retention != 30*24*time.Hour {
		t.Fatalf("default retention = %v, %v; want 30 days", c.Temporal.Retention, err)
	}
	for v, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "48h": 48 * time.Hour, "24h": 24 * time.Hour} {
		c, err := config.Load(config.ModeDev, nil, envOf(map[string]string{"KAMFLOW_TEMPORAL_RETENTION": v}), io.Discard)
		if err != nil || c.Temporal.Retention != want {
			t.Errorf("retention %q = %v, %v; want %v", v, c.Temporal.Retention, err, want)
		}
	}
	for _, bad := range []string{"12h", "0d", "-3d", "thirty", "3651d", "1.5d"} {
		_, err := config.Load(config.ModeDev, nil, envOf(map[string]string{"KAMFLOW_TEMPORAL_RETENTION": bad}), io.Discard)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Setting != "KAMFLOW_TEMPORAL_RETENTION" || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "KAMFLOW_TEMPORAL_RETENTION") {
			t.Errorf("retention %q = %v, want one line naming KAMFLOW_TEMPORAL_RETENTION", bad, err)
		}
	}
}

// TestDataFlagInEveryCommand: every command that may open the embedded
// default's SQLite files takes --data like kamflow dev; outside dev it
// selects SQLite unless the driver is set, and refuses MySQL.
func TestDataFlagInEveryCommand(t *testing.T) {
	for _, mode := range []config.Mode{config.ModeDev, config.ModeToken, config.ModeUser, config.ModeMigrate, config.ModeWorker, config.ModeWeb} {
		c, err := config.Load(mode, []string{"--data", "/srv/kamflow"}, envOf(nil), io.Discard)
		if err != nil {
			t.Errorf("%s --data: %v", mode, err)
			continue
		}
		if c.DataDir != "/srv/kamflow" || c.DB.Driver != config.DriverSQLite || c.DB.Path != "/srv/kamflow/kamflow.db" {
			t.Errorf("%s --data: data dir %q, db %+v", mode, c.DataDir, c.DB)
		}
	}
	_, err := config.Load(config.ModeMigrate, []string{"--data", "/srv/kamflow"}, envOf(map[string]string{"KAMFLOW_DB_DRIVER": "mysql"}), io.Discard)
	if err == nil || !strings.HasPrefix(err.Error(), "--data:") {
		t.Errorf("migrate --data with mysql = %v, want a refusal naming --data", err)
	}
	c, err := config.Load(config.ModeMigrate, nil, envOf(map[string]string{"KAMFLOW_DB_USER": "kamflow"}), io.Discard)
	if err != nil || c.DB.Driver != config.DriverMySQL {
		t.Errorf("migrate without --data = %+v, %v; want mysql", c, err)
	}
}

// TestDevUsesOnlyItsOwnSQLite: kamflow dev seeds demo users with a known
// password, so it refuses MySQL and a database file outside its data
// directory, with one line naming the setting.
func TestDevUsesOnlyItsOwnSQLite(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		env     map[string]string
		setting string
	}{
		{map[string]string{"KAMFLOW_DB_DRIVER": "mysql"}, "KAMFLOW_DB_DRIVER"},
		{map[string]string{"KAMFLOW_DB_PATH": "/srv/prod/kamflow.db"}, "KAMFLOW_DB_PATH"},
		{map[string]string{"KAMFLOW_DB_PATH": filepath.Join(dir, "..", "prod.db")}, "KAMFLOW_DB_PATH"},
		{map[string]string{"KAMFLOW_DB_PATH": dir}, "KAMFLOW_DB_PATH"},
	}
	for _, tc := range cases {
		_, err := config.Load(config.ModeDev, []string{"--data", dir}, envOf(tc.env), io.Discard)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Setting != tc.setting || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "--data") {
			t.Errorf("dev with %v = %v, want one line naming %s", tc.env, err, tc.setting)
		}
	}
	// A link inside the data directory that leads outside it is outside.
	outside := filepath.Join(t.TempDir(), "prod.db")
	if err := os.WriteFile(outside, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link.db")); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(config.ModeDev, []string{"--data", dir}, envOf(map[string]string{"KAMFLOW_DB_PATH": filepath.Join(dir, "link.db")}), io.Discard); err == nil || !strings.HasPrefix(err.Error(), "KAMFLOW_DB_PATH:") {
		t.Errorf("dev on a link leading outside = %v", err)
	}
	// Its own files are fine, spelled either way.
	for _, path := range []string{"", filepath.Join(dir, "kamflow.db"), filepath.Join(dir, "sub", "other.db")} {
		c, err := config.Load(config.ModeDev, []string{"--data", dir}, envOf(map[string]string{"KAMFLOW_DB_PATH": path, "KAMFLOW_DB_DRIVER": "sqlite"}), io.Discard)
		if err != nil || c.DB.Driver != config.DriverSQLite {
			t.Errorf("dev with KAMFLOW_DB_PATH=%q = %v", path, err)
		}
	}
	// Production commands may open any database.
	if _, err := config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_DB_DRIVER": "sqlite", "KAMFLOW_DB_PATH": "/srv/prod/kamflow.db"}), io.Discard); err != nil {
		t.Errorf("web on a SQLite file elsewhere = %v", err)
	}
}

func TestTrustedProxiesAndSignInConcurrency(t *testing.T) {
	c, err := config.Load(config.ModeWeb, nil, envOf(nil), io.Discard)
	if err != nil || len(c.SignIn.TrustedProxies) != 0 || c.SignIn.Concurrency != 4 {
		t.Fatalf("defaults = %+v, %v", c.SignIn, err)
	}
	c, err = config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.7 ,fd00::/8", "KAMFLOW_SIGNIN_CONCURRENCY": "2"}), io.Discard)
	if err != nil || len(c.SignIn.TrustedProxies) != 3 || c.SignIn.Concurrency != 2 {
		t.Fatalf("proxies = %+v, %v", c.SignIn, err)
	}
	got := []string{c.SignIn.TrustedProxies[0].String(), c.SignIn.TrustedProxies[1].String(), c.SignIn.TrustedProxies[2].String()}
	if strings.Join(got, " ") != "10.0.0.0/8 192.168.1.7/32 fd00::/8" {
		t.Errorf("proxies = %v", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0.0/8;10.1.0.0/16", "300.1.1.1"} {
		_, err := config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_TRUSTED_PROXIES": bad}), io.Discard)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Setting != "KAMFLOW_TRUSTED_PROXIES" || strings.Contains(err.Error(), "\n") {
			t.Errorf("proxies %q = %v, want one line naming KAMFLOW_TRUSTED_PROXIES", bad, err)
		}
	}
	for _, bad := range []string{"0", "65", "many"} {
		if _, err := config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_SIGNIN_CONCURRENCY": bad}), io.Discard); err == nil || !strings.HasPrefix(err.Error(), "KAMFLOW_SIGNIN_CONCURRENCY:") {
			t.Errorf("concurrency %q = %v", bad, err)
		}
	}
}

// TestMetricsAddrAndLogFormat: metrics are off and logs text unless set;
// a bad value is one line naming the variable.
func TestMetricsAddrAndLogFormat(t *testing.T) {
	c, err := config.Load(config.ModeWeb, nil, envOf(nil), io.Discard)
	if err != nil || c.MetricsAddr != "" || c.LogFormat != config.LogText {
		t.Fatalf("defaults: metrics %q, log format %q, %v", c.MetricsAddr, c.LogFormat, err)
	}
	for _, mode := range []config.Mode{config.ModeDev, config.ModeWorker, config.ModeWeb} {
		c, err := config.Load(mode, nil, envOf(map[string]string{"KAMFLOW_METRICS_ADDR": " :9090 ", "KAMFLOW_LOG_FORMAT": "json"}), io.Discard)
		if err != nil || c.MetricsAddr != ":9090" || c.LogFormat != config.LogJSON {
			t.Errorf("%s: metrics %q, log format %q, %v", mode, c.MetricsAddr, c.LogFormat, err)
		}
	}
	cases := []struct {
		mode    config.Mode
		env     map[string]string
		setting string
		reason  string
	}{
		{config.ModeWeb, map[string]string{"KAMFLOW_METRICS_ADDR": "9090"}, "KAMFLOW_METRICS_ADDR", "is not host:port"},
		{config.ModeWorker, map[string]string{"KAMFLOW_METRICS_ADDR": "metrics:http"}, "KAMFLOW_METRICS_ADDR", "is not a port"},
		{config.ModeWorker, map[string]string{"KAMFLOW_METRICS_ADDR": "0.0.0.0:70000"}, "KAMFLOW_METRICS_ADDR", "is not a port"},
		{config.ModeWeb, map[string]string{"KAMFLOW_METRICS_ADDR": "127.0.0.1:8080"}, "KAMFLOW_METRICS_ADDR", "is the web address too"},
		{config.ModeDev, map[string]string{"KAMFLOW_LOG_FORMAT": "logfmt"}, "KAMFLOW_LOG_FORMAT", "is not a log format (use text or json)"},
	}
	for _, tc := range cases {
		_, err := config.Load(tc.mode, nil, envOf(tc.env), io.Discard)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Setting != tc.setting || !strings.Contains(err.Error(), tc.reason) || !strings.HasPrefix(err.Error(), tc.setting+":") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %v = %v, want one line naming %s: ...%s", tc.mode, tc.env, err, tc.setting, tc.reason)
		}
	}
	// The worker serves no web pages: the web's default address is free for its metrics.
	if c, err := config.Load(config.ModeWorker, nil, envOf(map[string]string{"KAMFLOW_METRICS_ADDR": "127.0.0.1:8080"}), io.Discard); err != nil || c.MetricsAddr != "127.0.0.1:8080" {
		t.Errorf("worker metrics on 8080 = %v", err)
	}
}

func TestTimeZone(t *testing.T) {
	c, err := config.Load(config.ModeWeb, nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != "Europe/Berlin" || c.Zone == nil || c.Zone.String() != "Europe/Berlin" {
		t.Fatalf("default zone = %q %v, want Europe/Berlin", c.TimeZone, c.Zone)
	}
	c, err = config.Load(config.ModeDev, []string{"--time-zone", "America/New_York"}, envOf(map[string]string{"KAMFLOW_TIME_ZONE": "Asia/Tokyo"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Zone.String() != "America/New_York" {
		t.Fatalf("flag zone = %v, want America/New_York", c.Zone)
	}
	for _, bad := range []string{"Europe/Springfield", "Local", "CET+1", "../etc/passwd"} {
		_, err := config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_TIME_ZONE": bad}), io.Discard)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Setting != "KAMFLOW_TIME_ZONE" || !strings.Contains(err.Error(), "not an IANA time zone") {
			t.Errorf("KAMFLOW_TIME_ZONE=%q: err = %v, want a KAMFLOW_TIME_ZONE error", bad, err)
		}
	}
	_, err = config.Load(config.ModeWeb, []string{"--time-zone", "Mars/Olympus"}, envOf(nil), io.Discard)
	if err == nil || !strings.HasPrefix(err.Error(), "--time-zone: ") {
		t.Errorf("--time-zone Mars/Olympus: err = %v, want it named", err)
	}
}
