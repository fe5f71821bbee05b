package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestMigrate0037NamesKeyAccounts: on SQLite and MySQL, key accounts
// confirmed before 0037 get their customers' names; accounts confirmed
// after it carry theirs from the start, and a customer's new name follows
// to its accounts, so the list sorts by the name shown.
func TestMigrate0037NamesKeyAccounts(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx, now := context.Background(), time.Now().UTC().Truncate(time.Second)
		var custs []store.Customer
		for _, name := range []string{"Zeller Bau AG", "Mühlen Werke GmbH", "Alpen Logistik AG"} {
			c := store.Customer{Name: name}
			if err := s.CreateCustomer(ctx, &c); err != nil {
				t.Fatal(err)
			}
			custs = append(custs, c)
		}
		p, err := s.CreateProgramme(ctx, "KAM", "lead@example.com", now)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.RollbackMigrationForTest(s, "0037_key_account_customer_name"); err != nil {
			t.Fatalf("rollback 0037: %v", err)
		}
		if s.DB().Migrator().HasColumn("key_accounts", "customer_name") {
			t.Fatal("customer_name survived the rollback")
		}
		// Two accounts as kamflow wrote them before 0037.
		for _, c := range custs[:2] {
			if err := s.DB().Exec("INSERT INTO key_accounts (programme_id, customer_id, confirmed_at, updated_at) VALUES (?, ?, ?, ?)", p.ID, c.ID, now, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("0037 again: %v", err)
		}
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[2].ID}, now); err != nil {
			t.Fatal(err)
		}
		names := func() []string {
			t.Helper()
			rows, total, err := s.ListKeyAccounts(ctx, store.KeyAccountFilter{ProgrammeID: p.ID}, store.Page{})
			if err != nil || total != 3 {
				t.Fatalf("list = %d accounts, %v; want 3", total, err)
			}
			var out []string
			for _, r := range rows {
				out = append(out, r.CustomerName)
			}
			return out
		}
		if got := names(); len(got) != 3 || got[0] != "Alpen Logistik AG" || got[1] != "Mühlen Werke GmbH" || got[2] != "Zeller Bau AG" {
			t.Fatalf("accounts after 0037 = %q; want all three named, by name", got)
		}
		renamed := custs[0]
		renamed.Name = "Berg Bau AG"
		if err := s.UpdateCustomer(ctx, &renamed); err != nil {
			t.Fatal(err)
		}
		if got := names(); got[0] != "Alpen Logistik AG" || got[1] != "Berg Bau AG" || got[2] != "Mühlen Werke GmbH" {
			t.Fatalf("accounts after the rename = %q; want Berg Bau AG in its place", got)
		}
		// An account for no customer is refused by name, not written blank.
		err = s.DB().Create(&store.KeyAccount{ProgrammeID: p.ID, CustomerID: 99999, ConfirmedAt: now}).Error
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("account of an unknown customer: %v, want ErrInvalid", err)
		}
	})
}
