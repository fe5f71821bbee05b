package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		before, err := s.AppliedMigrations(ctx)
		if err != nil || len(before) == 0 {
			t.Fatalf("applied migrations = %v, %v", before, err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		after, _ := s.AppliedMigrations(ctx)
		if len(after) != len(before) {
			t.Fatalf("second migrate changed migrations: %v -> %v", before, after)
		}
		for _, table := range []string{"customers", "contacts", "employees", "users", "user_roles", "sessions", "programmes", "programme_phases", "programme_events", "notifications", "customer_scores", "key_accounts", "api_tokens"} {
			if !s.DB().Migrator().HasTable(table) {
				t.Errorf("table %s missing", table)
			}
		}
	})
}

func TestSeedDemoOnceAndComplete(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seeded, err := s.SeedDemo(ctx)
		if err != nil || !seeded {
			t.Fatalf("first seed = %v, %v", seeded, err)
		}
		seeded, err = s.SeedDemo(ctx)
		if err != nil || seeded {
			t.Fatalf("second seed = %v, %v; want false, nil", seeded, err)
		}
		for _, l := range store.DemoLogins() {
			u, err := s.Authenticate(ctx, l.Email, store.DemoPassword)
			if err != nil {
				t.Fatalf("demo login %s: %v", l.Email, err)
			}
			for _, r := range l.Roles {
				if !u.HasRole(r) {
					t.Errorf("%s lacks role %s", l.Email, r)
				}
			}
		}
		customers, total, err := s.ListCustomers(ctx, store.Page{Size: 2})
		if err != nil || total < 5 || len(customers) != 2 {
			t.Fatalf("customers page = %d of %d, %v", len(customers), total, err)
		}
		c, err := s.Customer(ctx, customers[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		levels := map[store.HierarchyLevel]bool{}
		for _, ct := range c.Contacts {
			levels[ct.HierarchyLevel] = true
		}
		if len(levels) < 2 {
			t.Errorf("customer %s has contacts on %d levels, want several", c.Name, len(levels))
		}
	})
}

func TestAuthenticateRejectsWrongPasswordAndUnknownUser(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.CreateUser(ctx, store.NewUser{Email: "A@Example.com", Name: "A", Password: "right", Roles: []store.Role{store.RoleHR}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "a@example.com", "right"); err != nil {
			t.Fatalf("right password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "a@example.com", "wrong"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("wrong password err = %v, want ErrNotFound", err)
		}
		if _, err := s.Authenticate(ctx, "nobody@example.com", "right"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown user err = %v, want ErrNotFound", err)
		}
		if _, err := s.CreateUser(ctx, store.NewUser{Email: "a@example.com", Name: "A2", Password: "x"}); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("duplicate email err = %v, want ErrDuplicate", err)
		}
		if _, err := s.CreateUser(ctx, store.NewUser{Email: "b@example.com", Name: "B", Password: "x", Roles: []store.Role{"boss"}}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad role err = %v, want ErrInvalid", err)
		}
	})
}

func TestSessionsExpireAndSignOut(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.NewUser{Email: "s@example.com", Name: "S", Password: "pw", Roles: []store.Role{store.RoleKAM}})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		token, csrf, err := s.CreateSession(ctx, u.ID, now)
		if err != nil || token == "" || csrf == "" {
			t.Fatalf("create session: %q %q %v", token, csrf, err)
		}
		sess, got, err := s.SessionUser(ctx, token, now.Add(time.Minute))
		if err != nil || got.ID != u.ID || sess.CSRFToken != csrf || !got.HasRole(store.RoleKAM) {
			t.Fatalf("session user = %+v, %v", got, err)
		}
		if _, _, err := s.SessionUser(ctx, token, now.Add(store.SessionTTL+time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session err = %v", err)
		}
		if err := s.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, token, now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted session err = %v", err)
		}
	})
}

// TestSessionUserCountsUnreadNotifications: the header's badge is read
// with the session, counting only the user's own messages not yet read.
func TestSessionUserCountsUnreadNotifications(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.NewUser{Email: "Reader@Example.com", Name: "R", Password: "pw", Roles: []store.Role{store.RoleKAM}})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		token, _, err := s.CreateSession(ctx, u.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		unread := func() int64 {
			t.Helper()
			sess, _, err := s.SessionUser(ctx, token, now)
			if err != nil {
				t.Fatal(err)
			}
			return sess.UnreadNotifications
		}
		if n := unread(); n != 0 {
			t.Fatalf("unread before any message = %d, want 0", n)
		}
		for i, to := range [][]string{{"READER@example.com", "other@example.com"}, {"reader@example.com"}, {"other@example.com"}} {
			err := s.EnqueueNotification(ctx, store.NewNotification{Key: fmt.Sprintf("n%d", i), Recipients: to, Subject: "s", Body: "b"})
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := unread(); n != 2 {
			t.Fatalf("unread = %d, want 2 (the reader's two, not the other's)", n)
		}
		if err := s.MarkNotificationsRead(ctx, u.Email, 0, now); err != nil {
			t.Fatal(err)
		}
		if n := unread(); n != 0 {
			t.Fatalf("unread after marking all read = %d, want 0", n)
		}
	})
}

func TestContactValidation(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &store.Customer{Name: "A"}
		b := &store.Customer{Name: "B"}
		if err := s.CreateCustomer(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateCustomer(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateCustomer(ctx, &store.Customer{Name: " A "}); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("duplicate customer err = %v", err)
		}
		boss := &store.Contact{CustomerID: a.ID, Name: "Boss", HierarchyLevel: store.LevelBoard}
		if err := s.CreateContact(ctx, boss); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateContact(ctx, &store.Contact{CustomerID: b.ID, Name: "X", HierarchyLevel: store.LevelSpecialist, ReportsToID: &boss.ID}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("cross-customer reports-to err = %v", err)
		}
		if err := s.CreateContact(ctx, &store.Contact{CustomerID: a.ID, Name: "Y", HierarchyLevel: "janitor"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad level err = %v", err)
		}
	})
}

// TestCustomerPagesFollowEachOther: the customer list's and a search's
// pages, read by id and then joined to their rows, follow each other by
// name without a gap or a repeat, on both databases; archived customers
// are only in the archived list.
func TestCustomerPagesFollowEachOther(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var all []string
		for i := 12; i >= 1; i-- {
			c := store.Customer{Name: fmt.Sprintf("Kunde %02d AG", i), Industry: "Maschinenbau"}
			if err := s.CreateCustomer(ctx, &c); err != nil {
				t.Fatal(err)
			}
			if i == 7 {
				if err := s.ArchiveCustomer(ctx, c.ID, time.Now()); err != nil {
					t.Fatal(err)
				}
				continue
			}
			all = append([]string{c.Name}, all...)
		}
		// pages reads every page by number, and again each after the last
		// name of the page before (Page.After): both must agree.
		pages := func(search func(context.Context, string, store.Page) ([]store.Customer, int64, error), q string, size int) ([]string, int64) {
			t.Helper()
			var got, keyed []string
			var total int64
			after := ""
			for n := 1; ; n++ {
				rows, tot, err := search(ctx, q, store.Page{Number: n, Size: size})
				if err != nil {
					t.Fatal(err)
				}
				next, _, err := search(ctx, q, store.Page{Number: n, Size: size, After: after})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range next {
					keyed = append(keyed, r.Name)
					after = r.PageKey()
				}
				if len(rows) == 0 {
					if strings.Join(keyed, ",") != strings.Join(got, ",") {
						t.Errorf("%q pages after the last name = %v, by number %v", q, keyed, got)
					}
					return got, total
				}
				total = tot
				for _, r := range rows {
					got = append(got, r.Name)
				}
			}
		}
		if got, total := pages(s.SearchCustomers, "", 5); strings.Join(got, ",") != strings.Join(all, ",") || total != 11 {
			t.Errorf("pages of 5 = %v (total %d), want %v (11)", got, total, all)
		}
		if got, total := pages(s.SearchCustomers, "kunde 1", 2); strings.Join(got, ",") != "Kunde 10 AG,Kunde 11 AG,Kunde 12 AG" || total != 3 {
			t.Errorf("search pages of 2 = %v (total %d), want Kunde 10–12 (3)", got, total)
		}
		if got, total := pages(s.SearchCustomers, "maschinenbau", 4); len(got) != 11 || total != 11 || got[0] != "Kunde 01 AG" || got[10] != "Kunde 12 AG" {
			t.Errorf("industry search pages of 4 = %v (total %d), want all 11 active by name", got, total)
		}
		if got, total := pages(s.SearchArchivedCustomers, "", 5); strings.Join(got, ",") != "Kunde 07 AG" || total != 1 {
			t.Errorf("archived pages = %v (total %d), want Kunde 07 AG", got, total)
		}
	})
}

// TestCustomerNumbersKept: the customer lists' totals are kept as
// customers are created (one by one and in batches, active or archived),
// archived and restored, on both databases; rows loaded with SQL are
// counted by Reindex.
func TestCustomerNumbersKept(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		totals := func(wantActive, wantArchived int64) {
			t.Helper()
			_, active, err := s.SearchCustomers(ctx, "", store.Page{Size: 2})
			if err != nil {
				t.Fatal(err)
			}
			_, archived, err := s.SearchArchivedCustomers(ctx, "", store.Page{Size: 2})
			if err != nil {
				t.Fatal(err)
			}
			var rowsActive, rowsArchived int64
			s.DB().Table("customers").Where("archived_at IS NULL").Count(&rowsActive)
			s.DB().Table("customers").Where("archived_at IS NOT NULL").Count(&rowsArchived)
			if active != wantActive || archived != wantArchived {
				t.Errorf("totals = %d active, %d archived; want %d, %d (rows: %d, %d)", active, archived, wantActive, wantArchived, rowsActive, rowsArchived)
			}
		}
		totals(0, 0)
		var first store.Customer
		for i := range 3 {
			c := store.Customer{Name: fmt.Sprintf("Einzeln %d AG", i)}
			if err := s.CreateCustomer(ctx, &c); err != nil {
				t.Fatal(err)
			}
			first = c
		}
		totals(3, 0)
		gone := time.Now().UTC()
		batch := []store.Customer{{Name: "Stapel 1 AG"}, {Name: "Stapel 2 AG"}, {Name: "Stapel 3 AG", ArchivedAt: &gone}}
		if err := s.DB().CreateInBatches(&batch, 2).Error; err != nil {
			t.Fatal(err)
		}
		totals(5, 1)
		if err := s.ArchiveCustomer(ctx, first.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		totals(4, 2)
		if err := s.ArchiveCustomer(ctx, first.ID, time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("archive twice: %v, want ErrNotFound", err)
		}
		totals(4, 2)
		if _, err := s.RestoreCustomer(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestoreCustomer(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("restore twice: %v, want ErrNotFound", err)
		}
		totals(5, 1)
		// A bulk load with SQL is not seen until Reindex counts it.
		if err := s.DB().Exec("INSERT INTO customers (name, created_at, updated_at) VALUES ('Geladen AG', ?, ?)", gone, gone).Error; err != nil {
			t.Fatal(err)
		}
		totals(5, 1)
		if _, err := s.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
		totals(6, 1)
	})
}

// TestKeyAccountNumberKept: the key-accounts list's number is kept as
// accounts are confirmed (again: written once), in batches and on both
// databases; a filtered list still counts its rows; accounts loaded with
// SQL are counted by Reindex, and those written before migration 0043 by
// it.
func TestKeyAccountNumberKept(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx, now := context.Background(), time.Now().UTC().Truncate(time.Second)
		total := func(want int64, f store.KeyAccountFilter) {
			t.Helper()
			_, n, err := s.ListKeyAccounts(ctx, f, store.Page{Size: 2})
			if err != nil {
				t.Fatal(err)
			}
			var rows int64
			s.DB().Table("key_accounts").Count(&rows)
			if n != want {
				t.Errorf("key accounts listed with %+v = %d; want %d (rows: %d)", f, n, want, rows)
			}
		}
		var custs []uint
		for i := range 7 {
			c := store.Customer{Name: fmt.Sprintf("Konto %d AG", i)}
			if err := s.CreateCustomer(ctx, &c); err != nil {
				t.Fatal(err)
			}
			custs = append(custs, c.ID)
		}
		p, err := s.CreateProgramme(ctx, "KAM", "lead@example.com", now)
		if err != nil {
			t.Fatal(err)
		}
		total(0, store.KeyAccountFilter{})
		if err := s.ConfirmKeyAccounts(ctx, p.ID, custs[:3], now); err != nil {
			t.Fatal(err)
		}
		total(3, store.KeyAccountFilter{})
		// Confirmed again with one more: the three are skipped, one written.
		if err := s.ConfirmKeyAccounts(ctx, p.ID, custs[:4], now); err != nil {
			t.Fatal(err)
		}
		total(4, store.KeyAccountFilter{})
		batch := []store.KeyAccount{{ProgrammeID: p.ID, CustomerID: custs[4], ConfirmedAt: now}, {ProgrammeID: p.ID, CustomerID: custs[5], ConfirmedAt: now}}
		if err := s.DB().CreateInBatches(&batch, 1).Error; err != nil {
			t.Fatal(err)
		}
		total(6, store.KeyAccountFilter{})
		total(1, store.KeyAccountFilter{CustomerID: custs[0]})
		if err := s.DB().Exec("INSERT INTO key_accounts (programme_id, customer_id, customer_name, confirmed_at, updated_at) VALUES (?, ?, 'Konto 6 AG', ?, ?)", p.ID, custs[6], now, now).Error; err != nil {
			t.Fatal(err)
		}
		total(6, store.KeyAccountFilter{})
		if _, err := s.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
		total(7, store.KeyAccountFilter{})
		if err := store.RollbackMigrationForTest(s, "0043_key_account_count"); err != nil {
			t.Fatalf("rollback 0043: %v", err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("0043 again: %v", err)
		}
		total(7, store.KeyAccountFilter{})
	})
}
