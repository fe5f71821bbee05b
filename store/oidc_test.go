package store_test

import (
	"context"
	"errors"
	"strings"
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

func TestCompanySessionKeepsIDTokenUntilItEnds(t *testing.T) {
	storetest.ForEachDriver(t, testCompanySessionKeepsIDTokenUntilItEnds)
}

func testCompanySessionKeepsIDTokenUntilItEnds(t *testing.T, s *store.Store) {
	ctx, now := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	u, err := s.CreateUser(ctx, store.NewUser{Email: "ines@example.com", Name: "Ines", Password: "a long passphrase 42", Roles: []store.Role{store.RoleKAM}})
	if err != nil {
		t.Fatal(err)
	}
	idToken := strings.Repeat("x", 6000) // Entra ID's tokens with many groups are long
	company, _, err := s.CreateCompanySession(ctx, u.ID, idToken, now)
	if err != nil {
		t.Fatal(err)
	}
	password, _, err := s.CreateSession(ctx, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCompanySession(ctx, u.ID, "", now); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("company session without a token = %v, want ErrInvalid", err)
	}
	if _, who, err := s.SessionUser(ctx, company, now); err != nil || who.ID != u.ID {
		t.Fatalf("company session = %+v, %v", who, err)
	}
	// A password session ends without a token; a company session hands
	// its token back once, and is gone with it.
	if tok, err := s.EndSession(ctx, password, now); err != nil || tok != "" {
		t.Errorf("password session ended with %q, %v", tok, err)
	}
	if tok, err := s.EndSession(ctx, company, now); err != nil || tok != idToken {
		t.Errorf("company session ended with a token of %d characters, %v", len(tok), err)
	}
	if _, _, err := s.SessionUser(ctx, company, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ended session = %v, want ErrNotFound", err)
	}
	if tok, err := s.EndSession(ctx, company, now); err != nil || tok != "" {
		t.Errorf("ended twice: %q, %v", tok, err)
	}
	// An expired session gives no token, and the next sign-in drops
	// expired sessions with the tokens they kept.
	stale, _, err := s.CreateCompanySession(ctx, u.ID, "stale-token", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCompanySession(ctx, u.ID, "forgotten-token", now); err != nil {
		t.Fatal(err)
	}
	later := now.Add(store.SessionTTL + time.Minute)
	if tok, err := s.EndSession(ctx, stale, later); err != nil || tok != "" {
		t.Errorf("expired session ended with %q, %v", tok, err)
	}
	if _, _, err := s.CreateSession(ctx, u.ID, later); err != nil {
		t.Fatal(err)
	}
	var kept int64
	if err := s.DB().Table("sessions").Where("id_token IS NOT NULL OR expires_at <= ?", later).Count(&kept).Error; err != nil || kept != 0 {
		t.Errorf("expired sessions kept: %d, %v", kept, err)
	}
}
