package config_test

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

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
