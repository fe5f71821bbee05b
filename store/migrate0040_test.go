package store_test

import (
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestMigrate0040IndexesRecordedEnrolments: on SQLite and MySQL the
// enrolments are indexed by when their outcome was recorded (HR's desk
// reads the newest first); a rollback drops the index and Migrate makes
// it again.
func TestMigrate0040IndexesRecordedEnrolments(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		const index = "idx_enrolments_status_at"
		if !s.DB().Migrator().HasIndex("enrolments", index) {
			t.Fatalf("%s missing after Migrate", index)
		}
		if err := store.RollbackMigrationForTest(s, "0040_recorded_enrolments_index"); err != nil {
			t.Fatalf("rollback 0040: %v", err)
		}
		if s.DB().Migrator().HasIndex("enrolments", index) {
			t.Fatalf("%s survived the rollback", index)
		}
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("0040 again: %v", err)
		}
		if !s.DB().Migrator().HasIndex("enrolments", index) {
			t.Fatalf("%s missing after migrating again", index)
		}
	})
}
