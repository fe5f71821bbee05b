package store

import (
	"context"
	"testing"

	"github.com/go-gormigrate/gormigrate/v2"
)

// TestMigrate0031KeepsOlderNotificationsAndRollsBack: messages queued
// before 0031 read as their English (no text by key); new ones keep key
// and parameters; the migration rolls back and applies again.
func TestMigrate0031KeepsOlderNotificationsAndRollsBack(t *testing.T) {
	ctx := context.Background()
	s, m := migratedTo(t, "0030_oidc_sign_in")
	if err := s.db.Exec("INSERT INTO notifications (idempotency_key, recipient, subject, body, created_at, attempts) VALUES ('old', 'a@example.com', 'Old subject', 'Old body', CURRENT_TIMESTAMP, 0)").Error; err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(); err != nil {
		t.Fatal(err)
	}
	if err := s.EnqueueNotification(ctx, NewNotification{Key: "new", Recipients: []string{"a@example.com"}, Subject: "s", Body: "b", TextKey: "handover_completed", TextArgs: []string{"Acme", "new@example.com"}}); err != nil {
		t.Fatal(err)
	}
	list, err := s.Notifications(ctx, "a@example.com", Page{})
	if err != nil || len(list) != 2 {
		t.Fatalf("outbox = %+v, %v", list, err)
	}
	for _, n := range list {
		key, args, ok := n.Text()
		switch n.IdempotencyKey {
		case "old":
			if ok || n.Subject != "Old subject" {
				t.Errorf("older message reads as %q %q (%v), subject %q", key, args, ok, n.Subject)
			}
		case "new":
			if !ok || key != "handover_completed" || len(args) != 2 || args[1] != "new@example.com" || n.TextArgs != `["Acme","new@example.com"]` {
				t.Errorf("new message reads as %q %q (%v), stored %q", key, args, ok, n.TextArgs)
			}
		}
	}
	if err := m.RollbackMigration(&gormigrate.Migration{ID: "0031_notification_texts", Migrate: migrate0031, Rollback: rollback0031}); err != nil {
		t.Fatalf("rollback 0031: %v", err)
	}
	if s.db.Migrator().HasColumn("notifications", "text_key") {
		t.Error("text_key survived the rollback")
	}
	if err := m.Migrate(); err != nil {
		t.Fatalf("0031 again: %v", err)
	}
	if !s.db.Migrator().HasColumn("notifications", "text_args") {
		t.Error("text_args missing")
	}
}
