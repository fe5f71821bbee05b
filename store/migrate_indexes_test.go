package store_test

import (
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestMigrationsOfIndexesRollBack: on SQLite and MySQL, 0040 indexes the
// enrolments by when their outcome was recorded (HR's desk reads the
// newest first), 0041 the active employees in the pickers' orders, 0046
// the gates and plans by status, 0047 the actions by account and due date
// and 0048 the met scores by customer; a rollback drops them and Migrate
// makes them again.
func TestMigrationsOfIndexesRollBack(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		for _, m := range []struct {
			id, table string
			indexes   []string
		}{
			{"0040_recorded_enrolments_index", "enrolments", []string{"idx_enrolments_status_at"}},
			{"0041_employee_picker_indexes", "employees", []string{"idx_employees_active_kams_first", "idx_employees_active_by_name"}},
			{"0046_decisions_waiting_indexes", "programme_phases", []string{"idx_programme_phases_status_submitted"}},
			{"0046_decisions_waiting_indexes", "account_plans", []string{"idx_account_plans_status_submitted"}},
			{"0047_actions_by_account_and_due", "actions", []string{"idx_actions_account_due"}},
			{"0048_scores_met_by_customer", "customer_scores", []string{"idx_customer_scores_met_by_customer"}},
		} {
			has := func(when string, want bool) {
				t.Helper()
				for _, ix := range m.indexes {
					if got := s.DB().Migrator().HasIndex(m.table, ix); got != want {
						t.Fatalf("%s: index %s present %t %s, want %t", m.id, ix, got, when, want)
					}
				}
			}
			has("after Migrate", true)
			// Rolled back in order, the last one first.
			if m.id == "0040_recorded_enrolments_index" {
				if err := store.RollbackMigrationForTest(s, "0041_employee_picker_indexes"); err != nil {
					t.Fatalf("rollback 0041: %v", err)
				}
			}
			if err := store.RollbackMigrationForTest(s, m.id); err != nil {
				t.Fatalf("rollback %s: %v", m.id, err)
			}
			has("after its rollback", false)
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("%s again: %v", m.id, err)
			}
			has("after migrating again", true)
		}
	})
}
