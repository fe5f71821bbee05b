package store

import (
	"context"
	"testing"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// TestMigrate0027KeepsOlderEventsAndRollsBack: events written before 0027
// keep their English comment with an empty key; the migration rolls back
// and applies again.
func TestMigrate0027KeepsOlderEventsAndRollsBack(t *testing.T) {
	ctx := context.Background()
	s, m := migratedTo(t, "0023_rollout_record")
	now := time.Now()
	if err := s.db.Exec("INSERT INTO programmes (id, name, lead_email, status, current_phase, start_date) VALUES (1, 'KAM', 'lead@example.com', 'active', 'setup', ?)", now).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.db.Exec("INSERT INTO programme_events (programme_id, seq, kind, comment, at) VALUES (1, 1, 'kam_assigned', 'customer 3: KAM 7, deputy 0', ?)", now).Error; err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(); err != nil {
		t.Fatal(err)
	}
	evs, err := s.ProgrammeEvents(ctx, 1)
	if err != nil || len(evs) != 1 || evs[0].Comment != "customer 3: KAM 7, deputy 0" || evs[0].CommentKey != "" || evs[0].CommentArgs != "" {
		t.Fatalf("older event after 0027 = %+v, %v", evs, err)
	}
	if err := s.db.Create(&ProgrammeEvent{ProgrammeID: 1, Seq: 2, Kind: "kam_assigned", Comment: "customer 3: KAM 7, deputy 0", CommentKey: "assigned", CommentArgs: `["3","7","0"]`, At: now}).Error; err != nil {
		t.Fatal(err)
	}
	if err := m.RollbackMigration(&gormigrate.Migration{ID: "0027_texts_by_key", Migrate: migrate0027, Rollback: rollback0027}); err != nil {
		t.Fatalf("rollback 0027: %v", err)
	}
	if s.db.Migrator().HasColumn("programme_events", "comment_key") {
		t.Error("comment_key survived the rollback")
	}
	if err := m.Migrate(); err != nil {
		t.Fatalf("0027 again: %v", err)
	}
	if !s.db.Migrator().HasColumn("programme_events", "comment_args") {
		t.Error("comment_args missing")
	}
}
