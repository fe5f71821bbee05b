package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// cliOnMySQL points the CLI's configuration at a fresh MySQL database of
// the test and returns that database's connection settings.
func cliOnMySQL(t *testing.T) *gomysql.Config {
	t.Helper()
	cfg, err := gomysql.ParseDSN(storetest.MySQLDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KAMFLOW_DB_HOST", cfg.Addr)
	t.Setenv("KAMFLOW_DB_USER", cfg.User)
	t.Setenv("KAMFLOW_DB_PASSWORD", cfg.Passwd)
	t.Setenv("KAMFLOW_DB_NAME", cfg.DBName)
	return cfg
}

// TestMigrateCommandOnEmptyMySQL runs `kamflow migrate` twice on an empty
// MySQL database: the first creates the schema, the second changes nothing.
func TestMigrateCommandOnEmptyMySQL(t *testing.T) {
	cfg := cliOnMySQL(t)

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
	cliOnMySQL(t)
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

// TestDataFlagForTokenAndMigrate: `kamflow migrate --data DIR` and
// `kamflow token create --data DIR` work on DIR's SQLite database, like
// `kamflow dev --data DIR`, and leave ./data alone.
func TestDataFlagForTokenAndMigrate(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, v := range []string{"KAMFLOW_DB_DRIVER", "KAMFLOW_DB_PATH", "KAMFLOW_DATA_DIR"} {
		t.Setenv(v, "")
	}
	dir := filepath.Join(t.TempDir(), "kamflow-data")
	code, out, errOut := run("migrate", "--data", dir)
	if code != 0 || !strings.Contains(out, "sqlite "+filepath.Join(dir, "kamflow.db")) || !strings.Contains(out, "0001_reference_core") {
		t.Fatalf("migrate --data = %d, %q, %q", code, out, errOut)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: "sqlite", Path: filepath.Join(dir, "kamflow.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateUser(ctx, store.NewUser{Email: "ops@example.com", Name: "Ops", Password: "a long enough secret", Roles: []store.Role{store.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run("token", "create", "--data", dir, "--email", "ops@example.com", "--name", "ci")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "kf_") {
		t.Fatalf("token create --data = %d, %q, %q", code, out, errOut)
	}
	if u, err := s.APITokenUser(ctx, token, time.Now()); err != nil || u.Email != "ops@example.com" {
		t.Fatalf("issued token resolves to %v, %v", u, err)
	}
	// The flags mix in any order; a missing e-mail is named.
	if code, _, errOut := run("token", "create", "--email", "nobody@example.com", "--data", dir); code != 1 || !strings.Contains(errOut, "--email: no user") {
		t.Errorf("token for an unknown user = %d, %q", code, errOut)
	}
	if code, _, errOut := run("token", "create", "--data", dir); code != 1 || !strings.Contains(errOut, "--email: required") {
		t.Errorf("token without --email = %d, %q", code, errOut)
	}
	if _, err := os.Stat("data"); !os.IsNotExist(err) {
		t.Errorf("./data was touched: %v", err)
	}
}

func runWithInput(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = app.Run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestUserCreateMakesTheFirstAdmin: `kamflow user create` is how the first
// admin comes to exist; the password comes from stdin and meets the policy,
// and every mistake is one line naming the setting, with nothing created.
func TestUserCreateMakesTheFirstAdmin(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, v := range []string{"KAMFLOW_DB_DRIVER", "KAMFLOW_DB_PATH", "KAMFLOW_DATA_DIR"} {
		t.Setenv(v, "")
	}
	dir := filepath.Join(t.TempDir(), "kamflow-data")
	if code, _, errOut := run("migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate = %d, %q", code, errOut)
	}
	create := []string{"user", "create", "--data", dir, "--email", "Ops@Example.com", "--name", "Olga Ops", "--role", "admin", "--role", "hr"}
	code, out, errOut := runWithInput("correct horse battery staple\n", create...)
	if code != 0 || !strings.Contains(out, "created user ops@example.com (hr, admin)") || errOut != "" {
		t.Fatalf("user create = %d, %q, %q", code, out, errOut)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: "sqlite", Path: filepath.Join(dir, "kamflow.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.Authenticate(ctx, "ops@example.com", "correct horse battery staple")
	if err != nil || !u.HasRole(store.RoleAdmin) || !u.HasRole(store.RoleHR) || u.Name != "Olga Ops" {
		t.Fatalf("created user = %+v, %v", u, err)
	}
	// Without a trailing line end, as printf sends it.
	if code, _, errOut := runWithInput("another long secret", "user", "create", "--data", dir, "--email", "kim@example.com", "--name", "Kim", "--role", "kam"); code != 0 {
		t.Fatalf("user create from printf = %d, %q", code, errOut)
	}
	if _, err := s.Authenticate(ctx, "kim@example.com", "another long secret"); err != nil {
		t.Errorf("printf password: %v", err)
	}

	bad := []struct {
		stdin string
		args  []string
		want  string
	}{
		{"correct horse battery staple", create, `--email: a user "Ops@Example.com" exists`},
		{"correct horse battery staple", []string{"user", "create", "--data", dir, "--email", "new@example.com", "--name", "New"}, "--role: required"},
		{"correct horse battery staple", []string{"user", "create", "--data", dir, "--email", "new@example.com", "--name", "New", "--role", "boss"}, `"boss" is not a role`},
		{"correct horse battery staple", []string{"user", "create", "--data", dir, "--email", "new@example.com", "--role", "admin"}, "--name: required"},
		{"correct horse battery staple", []string{"user", "create", "--data", dir, "--name", "New", "--role", "admin"}, "--email: required"},
		{"correct horse battery staple", []string{"user", "create", "--data", dir, "--email", "admin@" + store.DemoDomain, "--name", "New", "--role", "admin"}, "--email: " + store.DemoDomain + " is kept for kamflow dev"},
		{"short", []string{"user", "create", "--data", dir, "--email", "new@example.com", "--name", "New", "--role", "admin"}, "password (stdin): must have 12 to 200 characters"},
		{"", []string{"user", "create", "--data", dir, "--email", "new@example.com", "--name", "New", "--role", "admin"}, "password (stdin): required"},
		{"two\nlines of password", []string{"user", "create", "--data", dir, "--email", "new@example.com", "--name", "New", "--role", "admin"}, "password (stdin): one line only"},
		{"", []string{"user"}, "usage: kamflow user create"},
	}
	for _, b := range bad {
		code, out, errOut := runWithInput(b.stdin, b.args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "kamflow user: ") || !strings.Contains(errOut, b.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v with %q = %d, %q, %q; want one line with %q", b.args, b.stdin, code, out, errOut, b.want)
		}
	}
	if _, err := s.UserByEmail(ctx, "new@example.com"); err == nil {
		t.Error("a refused user create left a user behind")
	}
}

// TestDevRefusesAnyDatabaseButItsOwn: kamflow dev seeds demo accounts with
// a known password, so it will not open MySQL or a file outside --data.
func TestDevRefusesAnyDatabaseButItsOwn(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KAMFLOW_DB_DRIVER", "mysql")
	code, _, errOut := run("dev", "--data", dir)
	if code != 1 || !strings.HasPrefix(errOut, "kamflow dev: KAMFLOW_DB_DRIVER:") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("dev on mysql = %d, %q", code, errOut)
	}
	t.Setenv("KAMFLOW_DB_DRIVER", "")
	prod := filepath.Join(t.TempDir(), "prod.db")
	t.Setenv("KAMFLOW_DB_PATH", prod)
	code, _, errOut = run("dev", "--data", dir)
	if code != 1 || !strings.HasPrefix(errOut, "kamflow dev: KAMFLOW_DB_PATH:") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("dev on %s = %d, %q", prod, code, errOut)
	}
	if _, err := os.Stat(prod); !os.IsNotExist(err) {
		t.Errorf("dev touched %s: %v", prod, err)
	}
}
