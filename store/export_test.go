package store

import "github.com/go-gormigrate/gormigrate/v2"

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
