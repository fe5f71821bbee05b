package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

func TestTokenCreateExpires(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, v := range []string{"KAMFLOW_DB_DRIVER", "KAMFLOW_DB_PATH", "KAMFLOW_DATA_DIR"} {
		t.Setenv(v, "")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := run("migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate = %d %s", code, errOut)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: "sqlite", Path: filepath.Join(dir, "kamflow.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateUser(ctx, store.NewUser{Email: "ops@example.com", Name: "Ops", Roles: []store.Role{store.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run("token", "create", "--data", dir, "--email", "ops@example.com", "--expires", "90d")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "kf_") || !strings.Contains(errOut, "expires") {
		t.Fatalf("token create --expires 90d = %d, %q, %q", code, out, errOut)
	}
	now := time.Now()
	if _, err := s.APITokenUser(ctx, token, now.AddDate(0, 0, 89)); err != nil {
		t.Errorf("on day 89: %v", err)
	}
	if _, err := s.APITokenUser(ctx, token, now.AddDate(0, 0, 91)); err == nil {
		t.Error("still valid on day 91")
	}
	for _, bad := range []string{"0d", "-5d", "90h", "forever", "4000d"} {
		if code, _, errOut := run("token", "create", "--data", dir, "--email", "ops@example.com", "--expires", bad); code != 1 || !strings.HasPrefix(errOut, "kamflow token: --expires: ") {
			t.Errorf("--expires %s = %d, %q", bad, code, errOut)
		}
	}
}
