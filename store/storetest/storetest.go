// Package storetest opens migrated stores for tests: always on SQLite, and on
// MySQL when KAMFLOW_TEST_MYSQL_DSN is set (each test gets its own database).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/kamflow/kamflow/store"
)

// MySQLDSNEnv names the server DSN (no database needed) for MySQL tests.
const MySQLDSNEnv = "KAMFLOW_TEST_MYSQL_DSN"

// RequireMySQLEnv, when set, turns a missing MySQL DSN into a failure (CI).
const RequireMySQLEnv = "KAMFLOW_TEST_REQUIRE_MYSQL"

// Drivers lists the drivers tests run on.
var drivers = []string{"sqlite", "mysql"}

// ForEachDriver runs fn as a subtest per driver with a fresh, migrated store.
func ForEachDriver(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range drivers {
		t.Run(d, func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated store for driver, closed when the test ends.
func Open(t testing.TB, driver string) *store.Store {
	t.Helper()
	ctx := context.Background()
	var opts store.Options
	switch driver {
	case "sqlite":
		opts = store.Options{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "kamflow.db")}
	case "mysql":
		opts = store.Options{Driver: "mysql", DSN: mysqlDatabase(t)}
	default:
		t.Fatalf("unknown driver %q", driver)
	}
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open %s store: %v", driver, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s store: %v", driver, err)
	}
	return s
}

// MySQLDatabase creates an empty database for one test and returns its DSN.
func MySQLDatabase(t testing.TB) string { t.Helper(); return mysqlDatabase(t) }

func mysqlDatabase(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(MySQLDSNEnv)
	if dsn == "" {
		if os.Getenv(RequireMySQLEnv) != "" {
			t.Fatalf("%s is not set but %s requires the MySQL tests", MySQLDSNEnv, RequireMySQLEnv)
		}
		t.Skipf("MySQL tests skipped: set %s (e.g. root@tcp(127.0.0.1:3306)/?parseTime=true&loc=UTC&charset=utf8mb4)", MySQLDSNEnv)
	}
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("%s: %v", MySQLDSNEnv, err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("connect mysql: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "kamflow_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("mysql", cfg.FormatDSN())
		if err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + name)
			_ = a.Close()
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}
