package store

import (
	"context"

	"github.com/go-gormigrate/gormigrate/v2"
)

// RollbackMigrationForTest undoes the migration id on a migrated store, as
// Migrate would run it on s's driver, so a test in store_test can check a
// migration on SQLite and MySQL alike (storetest opens both).
func RollbackMigrationForTest(s *Store, id string) error {
	opts := *gormigrate.DefaultOptions
	opts.TableName = "schema_migrations"
	opts.UseTransaction = s.driver == "sqlite"
	for _, m := range migrations() {
		if m.ID == id {
			return gormigrate.New(s.db, &opts, migrations()).RollbackMigration(m)
		}
	}
	return gormigrate.ErrMigrationIDDoesNotExist
}

// FTSMatchForTest is the FTS5 query a SQLite search of kind ("customer",
// "contact") sends for q.
func FTSMatchForTest(s *Store, kind, q string) (string, error) {
	return s.ftsMatch(context.Background(), kind, q)
}
