package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/kamflow/kamflow/app"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = app.Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestMigrateCommandOnEmptyMySQL runs `kamflow migrate` twice on an empty
// MySQL database: the first creates the schema, the second changes nothing.
func TestMigrateCommandOnEmptyMySQL(t *testing.T) {
	cfg, err := gomysql.ParseDSN(storetest.MySQLDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KAMFLOW_DB_HOST", cfg.Addr)
	t.Setenv("KAMFLOW_DB_USER", cfg.User)
	t.Setenv("KAMFLOW_DB_PASSWORD", cfg.Passwd)
	t.Setenv("KAMFLOW_DB_NAME", cfg.DBName)

	code, out, errOut := run("migrate")
	if code != 0 || !strings.Contains(out, "0001_reference_core") {
		t.Fatalf("first migrate = %d, %q, %q", code, out, errOut)
	}
	code, out2, errOut := run("migrate")
	if code != 0 || out2 != out {
		t.Fatalf("second migrate = %d, %q (first %q), %q", code, out2, out, errOut)
	}
	cfg.ParseTime = true
	s, err := store.Open(context.Background(), store.Options{Driver: "mysql", DSN: cfg.FormatDSN()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckMigrated(context.Background()); err != nil {
		t.Fatalf("schema after migrate: %v", err)
	}
}

func TestProductionProcessesRefuseAnUnmigratedDatabase(t *testing.T) {
	cfg, err := gomysql.ParseDSN(storetest.MySQLDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KAMFLOW_DB_HOST", cfg.Addr)
	t.Setenv("KAMFLOW_DB_USER", cfg.User)
	t.Setenv("KAMFLOW_DB_PASSWORD", cfg.Passwd)
	t.Setenv("KAMFLOW_DB_NAME", cfg.DBName)
	code, _, errOut := run("worker")
	if code != 1 || !strings.Contains(errOut, "kamflow migrate") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("worker on empty db = %d, %q; want one line asking for kamflow migrate", code, errOut)
	}
}

func TestBadConfigFailsWithOneLine(t *testing.T) {
	t.Setenv("KAMFLOW_HTTP_ADDR", "nonsense")
	code, _, errOut := run("web")
	if code != 1 || errOut != "kamflow web: KAMFLOW_HTTP_ADDR: \"nonsense\" is not host:port\n" {
		t.Fatalf("web = %d, %q", code, errOut)
	}
	t.Setenv("KAMFLOW_HTTP_ADDR", "")
	code, _, errOut = run("dev", "--temporal-port", "abc")
	if code != 1 || !strings.HasPrefix(errOut, "kamflow dev: --temporal-port:") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("dev = %d, %q", code, errOut)
	}
	code, _, errOut = run("frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command = %d, %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run("version")
	if code != 0 || !strings.HasPrefix(out, "kamflow ") {
		t.Fatalf("version = %d, %q", code, out)
	}
}
