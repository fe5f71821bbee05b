package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestOIDCLoginIsSingleUseAndBound(t *testing.T) {
	storetest.ForEachDriver(t, testOIDCLoginIsSingleUseAndBound)
}

func testOIDCLoginIsSingleUseAndBound(t *testing.T, s *store.Store) {
	ctx, now := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err := s.BeginOIDCLogin(ctx, "state-1", "browser-1", "nonce-1", "verifier-1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeOIDCLogin(ctx, "state-1", "browser-2", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other browser = %v, want ErrNotFound", err)
	}
	// The other browser's attempt used the state up.
	if _, err := s.TakeOIDCLogin(ctx, "state-1", "browser-1", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after misuse = %v, want ErrNotFound", err)
	}
	if err := s.BeginOIDCLogin(ctx, "state-2", "browser-1", "nonce-2", "verifier-2", now); err != nil {
		t.Fatal(err)
	}
	l, err := s.TakeOIDCLogin(ctx, "state-2", "browser-1", now.Add(time.Minute))
	if err != nil || l.Nonce != "nonce-2" || l.Verifier != "verifier-2" {
		t.Fatalf("take = %+v, %v", l, err)
	}
	if _, err := s.TakeOIDCLogin(ctx, "state-2", "browser-1", now.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second take = %v, want ErrNotFound", err)
	}
	if err := s.BeginOIDCLogin(ctx, "state-3", "browser-1", "n", "v", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeOIDCLogin(ctx, "state-3", "browser-1", now.Add(store.OIDCLoginTTL)); !errors.Is(err, store.ErrExpired) {
		t.Fatalf("late take = %v, want ErrExpired", err)
	}
}

func TestSignInExternal(t *testing.T) {
	storetest.ForEachDriver(t, testSignInExternal)
}

func testSignInExternal(t *testing.T, s *store.Store) {
	ctx := context.Background()
	known, err := s.CreateUser(ctx, store.NewUser{Email: "ines@example.com", Name: "Ines", Password: "a long passphrase 42", Roles: []store.Role{store.RoleKAM}})
	if err != nil {
		t.Fatal(err)
	}
	// Without a role map the roles stay as the admin gave them; strangers are refused.
	u, err := s.SignInExternal(ctx, store.ExternalSignIn{Email: "Ines@Example.com", Roles: []store.Role{store.RoleLead}})
	if err != nil || u.ID != known.ID || !u.HasRole(store.RoleKAM) || u.HasRole(store.RoleLead) {
		t.Fatalf("known, unmanaged = %+v, %v", u, err)
	}
	if _, err := s.SignInExternal(ctx, store.ExternalSignIn{Email: "new@example.com"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stranger = %v, want ErrNotFound", err)
	}
	// With a role map the groups' roles replace hers, and a stranger with a role is created.
	u, err = s.SignInExternal(ctx, store.ExternalSignIn{Email: "ines@example.com", ManageRoles: true, Roles: []store.Role{store.RoleLead, store.RoleHR}})
	if err != nil || u.HasRole(store.RoleKAM) || !u.HasRole(store.RoleLead) || !u.HasRole(store.RoleHR) {
		t.Fatalf("known, managed = %+v, %v", u, err)
	}
	if _, err := s.SignInExternal(ctx, store.ExternalSignIn{Email: "nogroup@example.com", ManageRoles: true}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stranger without a mapped group = %v, want ErrNotFound", err)
	}
	u, err = s.SignInExternal(ctx, store.ExternalSignIn{Email: "otto@example.com", Name: "Otto", ManageRoles: true, Roles: []store.Role{store.RoleController}})
	if err != nil || u.Name != "Otto" || !u.HasRole(store.RoleController) || u.PasswordHash != "" {
		t.Fatalf("created = %+v, %v", u, err)
	}
	// Created without a password: no password signs her in.
	if _, err := s.Authenticate(ctx, "otto@example.com", ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("password sign-in of a company user = %v, want ErrNotFound", err)
	}
	if err := s.UpdateUser(ctx, store.UserChange{ID: known.ID, Name: "Ines", Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignInExternal(ctx, store.ExternalSignIn{Email: "ines@example.com", ManageRoles: true, Roles: []store.Role{store.RoleLead}}); !errors.Is(err, store.ErrDisabled) {
		t.Fatalf("disabled = %v, want ErrDisabled", err)
	}
}
