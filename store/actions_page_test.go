package store_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestActionsPageReadsAsGormDid: on both drivers every page of a key
// account's actions, read in two index-ordered parts and scanned by hand,
// holds the rows, field by field, that gorm's one sorted read of the same
// page gives, including pages where the open actions end and the done
// ones begin, and nothing past the last page.
func TestActionsPageReadsAsGormDid(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		ka := actionsAccount(t, s, now)
		objective := uint(7)
		var actions []store.Action
		for i := range 11 {
			a := store.Action{IdemKey: fmt.Sprintf("w/%d", i), KeyAccountID: ka, Source: "workshop", SourceID: 3,
				Title: fmt.Sprintf("Schritt %d", i), OwnerEmail: "kam@example.com",
				// Two share a due date: the id orders them.
				Due: now.Add(time.Duration((i*5)%11-4) * 24 * time.Hour).Truncate(time.Second)}
			if i%3 == 0 {
				a.ObjectiveID = &objective
			}
			actions = append(actions, a)
		}
		actions[10].Due = actions[9].Due
		ids, err := s.AddActions(ctx, actions)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{1, 4, 5, 8, 10} {
			if err := s.CompleteAction(ctx, ids[i], "kam@example.com", now.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		for _, size := range []int{3, 4, 6, 11} {
			for n := 1; n <= 11/size+2; n++ {
				page, err := s.ActionsPage(ctx, ka, now, store.Page{Number: n, Size: size})
				if err != nil {
					t.Fatal(err)
				}
				var want []store.Action
				if err := s.DB().Where("key_account_id = ?", ka).Order("done_at IS NOT NULL, due, id").
					Offset((n - 1) * size).Limit(size).Find(&want).Error; err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					want = nil
				}
				if !reflect.DeepEqual(page.Rows, want) {
					t.Fatalf("size %d page %d:\n got %+v\nwant %+v", size, n, page.Rows, want)
				}
				if page.Total != 11 || page.Open != 6 {
					t.Fatalf("size %d page %d counts %d all, %d open; want 11, 6", size, n, page.Total, page.Open)
				}
			}
		}
		far, err := s.ActionsPage(ctx, ka, now, store.Page{Number: 1 << 60, Size: 200})
		if err != nil || len(far.Rows) != 0 || far.Total != 11 {
			t.Fatalf("a page far past the last = %d rows, %d in all, %v", len(far.Rows), far.Total, err)
		}
	})
}

// TestActionsPageReadsItsPartsFromTheirIndexes: on SQLite the open actions
// come by due date from idx_actions_account_open and the done ones from
// idx_actions_account_due (0047), neither sorted.
func TestActionsPageReadsItsPartsFromTheirIndexes(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx := t.Context()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	ka := actionsAccount(t, s, now)
	ids, err := s.AddActions(ctx, []store.Action{
		{IdemKey: "p/a", KeyAccountID: ka, Source: "plan", SourceID: 1, Title: "a", OwnerEmail: "k@example.com", Due: now},
		{IdemKey: "p/b", KeyAccountID: ka, Source: "plan", SourceID: 1, Title: "b", OwnerEmail: "k@example.com", Due: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteAction(ctx, ids[0], "k@example.com", now); err != nil {
		t.Fatal(err)
	}
	seen := recordRowReads(t, s)
	if _, err := s.ActionsPage(ctx, ka, now, store.Page{Number: 1, Size: 25}); err != nil {
		t.Fatal(err)
	}
	text := sqlitePlan(t, s, lastRead(t, *seen, "UNION ALL"))
	for _, want := range []string{
		"SEARCH actions USING INDEX idx_actions_account_open (key_account_id=? AND done_at=?)",
		"SEARCH actions USING INDEX idx_actions_account_due (key_account_id=?)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("actions page's plan:\n%s\nwant %q", text, want)
		}
	}
	if strings.Contains(text, "TEMP B-TREE") {
		t.Errorf("actions page's plan sorts:\n%s", text)
	}
}

// actionsAccount is a key account of a new programme, for its actions.
func actionsAccount(t *testing.T, s *store.Store, now time.Time) uint {
	t.Helper()
	ctx := t.Context()
	c := store.Customer{Name: "Seiten AG"}
	if err := s.CreateCustomer(ctx, &c); err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateProgramme(ctx, "KAM", "lead@example.com", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{c.ID}, now); err != nil {
		t.Fatal(err)
	}
	kas, err := s.KeyAccounts(ctx, p.ID)
	if err != nil || len(kas) != 1 {
		t.Fatalf("key accounts: %v %v", kas, err)
	}
	return kas[0].ID
}
