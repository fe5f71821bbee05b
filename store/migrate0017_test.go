package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// migratedTo opens a new SQLite store with the migrations up to id applied,
// and the migrator to go on with.
func migratedTo(t *testing.T, id string) (*Store, *gormigrate.Gormigrate) {
	t.Helper()
	s, err := Open(context.Background(), Options{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "kamflow.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	opts := *gormigrate.DefaultOptions
	opts.TableName = "schema_migrations"
	m := gormigrate.New(s.db, &opts, migrations())
	if err := m.MigrateTo(id); err != nil {
		t.Fatal(err)
	}
	return s, m
}

// TestMigrate0017FillsRowsWrittenBefore: handovers, workshops and
// enrolments recorded before 0017 get the columns their pages now read.
func TestMigrate0017FillsRowsWrittenBefore(t *testing.T) {
	ctx := context.Background()
	s, _ := migratedTo(t, "0016b_domain_fixes")
	// Rows as 0016b knew them: today's models (and SeedDemo) write later columns.
	for _, stmt := range []string{
		"INSERT INTO customers (name, created_at, updated_at) VALUES ('Alpenbau AG', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
		"INSERT INTO employees (name, email, hierarchy_level, kam_qualified, created_at, updated_at) VALUES ('Kim', 'kim@example.com', 'management', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
		"INSERT INTO employees (name, email, hierarchy_level, kam_qualified, created_at, updated_at) VALUES ('Dana', 'dana@example.com', 'management', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
		"INSERT INTO employees (name, email, hierarchy_level, kam_qualified, created_at, updated_at) VALUES ('Ines', 'ines@example.com', 'management', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
	} {
		if err := s.db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	custs, _, _ := s.ListCustomers(ctx, Page{})
	emps, _, _ := s.ListEmployees(ctx, Page{})
	// The programme row as 0016b knew it (today's model has later columns).
	p := Programme{ID: 1}
	if err := s.db.Exec("INSERT INTO programmes (id, name, lead_email, status, current_phase, start_date) VALUES (1, 'KAM', 'lead@example.com', 'starting', 'setup', ?)", time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.db.Exec("INSERT INTO key_accounts (programme_id, customer_id, confirmed_at, updated_at) VALUES (?, ?, ?, ?)", p.ID, custs[0].ID, time.Now(), time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	kas, _ := s.KeyAccounts(ctx, p.ID)
	now := time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO handovers (id, key_account_id, workflow_id, reason, outgoing_employee_id, covering_employee_id, incoming_employee_id, status, created_at, updated_at) VALUES (1, ?, 'h-1', 'left', ?, ?, ?, 'open', ?, ?)",
			[]any{kas[0].ID, emps[0].ID, emps[1].ID, emps[2].ID, now, now}},
		{"INSERT INTO handover_items (handover_id, item, done_at, done_by, skipped) VALUES (1, 'knowledge_transfer', ?, 'kamflow', true)", []any{now}},
		{"INSERT INTO handovers (id, key_account_id, workflow_id, reason, outgoing_employee_id, covering_employee_id, status, created_at, updated_at) VALUES (2, ?, 'h-2', 'role_change', ?, ?, 'open', ?, ?)",
			[]any{kas[0].ID, emps[0].ID, emps[1].ID, now, now}},
		// Ends on a Thursday: five working days later is the next Thursday.
		{"INSERT INTO workshops (id, key_account_id, workflow_id, year, status, starts_at, ends_at, created_at, updated_at) VALUES (1, ?, 'w-1', 2026, 'invited', ?, ?, ?, ?)",
			[]any{kas[0].ID, now.Add(-28 * time.Hour), now.AddDate(0, 0, 1), now, now}},
	} {
		if err := s.db.Exec(stmt.sql, stmt.args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := s.HandoverByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if left.OutgoingEmail != emps[0].Email || left.CoveringEmail != emps[1].Email || left.IncomingEmail != emps[2].Email ||
		left.LeadEmail != "lead@example.com" || left.OutgoingAvailable || left.StallAfterSeconds != 7*24*3600 {
		t.Errorf("handover of a KAM who left = %+v", left)
	}
	if changed, _ := s.HandoverByID(ctx, 2); !changed.OutgoingAvailable || changed.IncomingEmail != "" {
		t.Errorf("handover of a KAM who changed roles = %+v", changed)
	}
	w, err := s.WorkshopByID(ctx, 1)
	if err != nil || w.MinutesDue == nil || !w.MinutesDue.Equal(now.AddDate(0, 0, 8)) {
		t.Errorf("minutes due = %v, %v; want %v", w.MinutesDue, err, now.AddDate(0, 0, 8))
	}
}
