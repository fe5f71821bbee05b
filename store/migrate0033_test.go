package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestMigrate0033KeepsSessionsAndRollsBack: on SQLite and MySQL, a session
// signed in before 0033 stays signed in and ends without an ID token; a
// company session keeps its token; the migration rolls back and applies
// again.
func TestMigrate0033KeepsSessionsAndRollsBack(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx, now := context.Background(), time.Now().UTC().Truncate(time.Second)
		u, err := s.CreateUser(ctx, store.NewUser{Email: "ines@example.com", Name: "Ines", Password: "a long passphrase 42", Roles: []store.Role{store.RoleKAM}})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.RollbackMigrationForTest(s, "0033_session_id_token"); err != nil {
			t.Fatalf("rollback 0033: %v", err)
		}
		if s.DB().Migrator().HasColumn("sessions", "id_token") {
			t.Fatal("id_token survived the rollback")
		}
		// A session as kamflow wrote it before 0033.
		if err := s.DB().Exec("INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, created_at) VALUES (?, ?, 'csrf-old', ?, ?)",
			hashOf("old-token"), u.ID, now.Add(time.Hour), now).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("0033 again: %v", err)
		}
		if !s.DB().Migrator().HasColumn("sessions", "id_token") {
			t.Fatal("id_token missing")
		}
		if _, who, err := s.SessionUser(ctx, "old-token", now); err != nil || who.ID != u.ID {
			t.Fatalf("older session after 0033 = %+v, %v", who, err)
		}
		company, _, err := s.CreateCompanySession(ctx, u.ID, "eyJ.a-long-id-token.sig", now)
		if err != nil {
			t.Fatal(err)
		}
		if tok, err := s.EndSession(ctx, "old-token", now); err != nil || tok != "" {
			t.Errorf("older session ended with id token %q, %v", tok, err)
		}
		if tok, err := s.EndSession(ctx, company, now); err != nil || tok != "eyJ.a-long-id-token.sig" {
			t.Errorf("company session ended with id token %q, %v", tok, err)
		}
	})
}

// hashOf is a session token as the sessions table keeps it.
func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
