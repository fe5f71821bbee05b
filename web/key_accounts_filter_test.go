package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestKeyAccountsKAMFilterFindsAnyKAM: a company with more KAMs than the
// filter lists. The key-accounts list offers 25 of the employees who are
// KAM of an account, says how many more, and its finder finds the others
// by name — only KAMs of accounts; a KAM chosen stays chosen and filters.
func TestKeyAccountsKAMFilterFindsAnyKAM(t *testing.T) {
	f := newFixture(t, nil)
	ctx, now := context.Background(), time.Now().UTC()
	p, err := f.store.CreateProgramme(ctx, "Filter", "lead@"+store.DemoDomain, now)
	if err != nil {
		t.Fatal(err)
	}
	var kams []*store.Employee
	for i := range 30 {
		e := &store.Employee{Name: fmt.Sprintf("Account KAM %02d", i), Email: fmt.Sprintf("akam%02d@example.com", i), HierarchyLevel: store.LevelManagement, KAMQualified: true}
		if err := f.store.CreateEmployee(ctx, e); err != nil {
			t.Fatal(err)
		}
		c := &store.Customer{Name: fmt.Sprintf("Filterkunde %02d", i)}
		if err := f.store.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := f.store.ConfirmKeyAccounts(ctx, p.ID, []uint{c.ID}, now); err != nil {
			t.Fatal(err)
		}
		if err := f.store.AssignKeyAccount(ctx, p.ID, c.ID, e.ID, nil); err != nil {
			t.Fatal(err)
		}
		kams = append(kams, e)
	}
	// KAM-qualified, but KAM of no account: not a filter choice.
	idle := &store.Employee{Name: "Zora Ohnekunde", Email: "zora@example.com", HierarchyLevel: store.LevelManagement, KAMQualified: true}
	if err := f.store.CreateEmployee(ctx, idle); err != nil {
		t.Fatal(err)
	}

	f.login("lead@"+store.DemoDomain, store.DemoPassword)
	code, page := f.get("/key-accounts")
	if code != http.StatusOK {
		t.Fatalf("key accounts = %d", code)
	}
	ids, _ := optionsIn(t, page, `<select name="kam_employee_id">`)
	if len(ids) != 25 || !strings.Contains(page, `<select name="kam_employee_id"><option value="">all</option>`) ||
		!strings.Contains(page, "5 more: type a name to find them") || strings.Contains(page, "Zora") {
		t.Fatalf("the KAM filter lists %d KAMs (want 25 after \"all\", 5 more, no Zora):\n%s", len(ids), page)
	}
	if !strings.Contains(page, `&#34;account_kams&#34;:&#34;1&#34;`) {
		t.Fatal("the finder does not ask for KAMs of accounts only")
	}
	last := fmt.Sprint(kams[29].ID)
	find := func(q url.Values) string {
		t.Helper()
		code, frag := f.get("/employee-options?" + q.Encode())
		if code != http.StatusOK {
			t.Fatalf("%v = %d", q, code)
		}
		return frag
	}
	frag := find(url.Values{"field": {"kam_employee_id"}, "blank": {"all"}, "account_kams": {"1"}, "find": {"KAM 29"}})
	if got, _ := optionsIn(t, frag, `<option value="">all</option>`); len(got) != 1 || got[0] != last {
		t.Errorf("finding \"KAM 29\" = %v, want only %s:\n%s", got, last, frag)
	}
	if frag := find(url.Values{"field": {"kam_employee_id"}, "account_kams": {"1"}, "find": {"zora"}}); strings.Contains(frag, "Zora") {
		t.Error("the finder offers a KAM of no account")
	}
	// Chosen, she is listed and selected, and the list shows her account.
	code, page = f.get("/key-accounts?kam_employee_id=" + last)
	if code != http.StatusOK {
		t.Fatalf("filtered = %d", code)
	}
	if _, selected := optionsIn(t, page, `<select name="kam_employee_id">`); !selected[last] {
		t.Errorf("the chosen KAM is not selected:\n%s", page)
	}
	if !strings.Contains(page, "Filterkunde 29") || strings.Contains(page, "Filterkunde 28") {
		t.Errorf("the filter shows other KAMs' accounts:\n%s", page)
	}
}
