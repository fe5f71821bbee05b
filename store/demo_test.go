package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestSeedDemoOnlyIntoADatabaseWithoutUsers: the demo company never joins
// real accounts, whatever the database is called.
func TestSeedDemoOnlyIntoADatabaseWithoutUsers(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.CreateUser(ctx, store.NewUser{Email: "ops@example.com", Name: "Ops", Password: "a long enough secret", Roles: []store.Role{store.RoleAdmin}}); err != nil {
			t.Fatal(err)
		}
		seeded, err := s.SeedDemo(ctx)
		if err != nil || seeded {
			t.Fatalf("seed beside a real user = %v, %v; want nothing seeded", seeded, err)
		}
		for _, l := range store.DemoLogins() {
			if _, err := s.UserByEmail(ctx, l.Email); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("demo user %s = %v, want none", l.Email, err)
			}
		}
	})
}

func TestIsDemoEmail(t *testing.T) {
	for email, want := range map[string]bool{
		"admin@" + store.DemoDomain:           true,
		" Lead@DEMO.kamflow.test ":            true,
		"admin@example.com":                   false,
		"admin@" + store.DemoDomain + ".evil": false,
		"admin@not" + store.DemoDomain:        false,
	} {
		if got := store.IsDemoEmail(email); got != want {
			t.Errorf("IsDemoEmail(%q) = %v, want %v", email, got, want)
		}
	}
}

// TestPasswordHashesAreCounted: the gauge the sign-in bound is checked
// against sees every argon2 computation, and only while it runs.
func TestPasswordHashesAreCounted(t *testing.T) {
	hash, err := store.HashPassword("a long enough secret")
	if err != nil {
		t.Fatal(err)
	}
	store.ResetPasswordHashPeak()
	before := store.PasswordHashes().Total
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := store.CheckPassword(hash, "a long enough secret"); !ok || err != nil {
				t.Errorf("check = %v, %v", ok, err)
			}
		}()
	}
	wg.Wait()
	n := store.PasswordHashes()
	if n.Running != 0 || n.Peak < 1 || n.Peak > 3 || n.Total-before != 3 {
		t.Errorf("after 3 checks: %+v (total before %d)", n, before)
	}
}
