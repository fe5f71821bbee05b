package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestProgrammePageListsTheFirstKeyAccountsWithTheirCount: a programme with
// more key accounts than its page lists shows the first 20 by name, how
// many there are in all and the key-accounts list that pages through them;
// its jour-fixe forms still offer every key account, a chosen one kept.
func TestProgrammePageListsTheFirstKeyAccountsWithTheirCount(t *testing.T) {
	f := newFixture(t, nil)
	ctx, now := t.Context(), time.Now().UTC()
	lead := "lead@" + store.DemoDomain
	p, err := f.store.CreateProgramme(ctx, "Viele Accounts", lead, now)
	if err != nil {
		t.Fatal(err)
	}
	const many = 25
	for i := range many {
		c := &store.Customer{Name: fmt.Sprintf("Accountkunde %02d", i)}
		if err := f.store.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := f.store.ConfirmKeyAccounts(ctx, p.ID, []uint{c.ID}, now); err != nil {
			t.Fatal(err)
		}
	}
	f.login(lead, store.DemoPassword)
	code, page := f.get(fmt.Sprintf("/programmes/%d", p.ID))
	if code != http.StatusOK {
		t.Fatalf("programme page = %d:\n%s", code, page)
	}
	section := between(t, page, `<section class="card" id="key-accounts">`, `</section>`)
	if n := strings.Count(section, `<a href="/key-accounts/`); n != 20 || !strings.Contains(section, "Accountkunde 00") || strings.Contains(section, "Accountkunde 20") ||
		!strings.Contains(section, fmt.Sprintf(`%d in all; the key-accounts list shows them. <a href="/key-accounts?programme_id=%d" id="key-accounts-more">`, many, p.ID)) {
		t.Fatalf("the programme's key accounts list %d accounts, want the first 20 and the count %d:\n%s", n, many, section)
	}
	jf := between(t, page, `<section class="card" id="jour-fixe">`, `</section>`)
	if n := strings.Count(jf, `<option value="`); n != 2*(many+1) || !strings.Contains(jf, "Accountkunde 24</option>") {
		t.Fatalf("the jour-fixe forms offer %d choices, want all %d key accounts and \"all\" in each of two:\n%s", n, many, jf)
	}
	kas, err := f.store.KeyAccounts(ctx, p.ID)
	if err != nil || len(kas) != many {
		t.Fatalf("key accounts = %d, %v", len(kas), err)
	}
	chosen := kas[many-1]
	code, page, _ = f.post(fmt.Sprintf("/programmes/%d/jour-fixe-schedule-form", p.ID),
		url.Values{"csrf": {csrfOf(t, page)}, "day_of_month": {"31"}, "key_account_id": {fmt.Sprint(chosen.ID)}})
	jf = between(t, page, `<section class="card" id="jour-fixe">`, `</section>`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(jf, fmt.Sprintf(`<option value="%d" selected>%s</option>`, chosen.ID, chosen.CustomerName)) {
		t.Fatalf("a refused schedule = %d without its key account kept:\n%s", code, jf)
	}
}

// between is the part of page from the first start to the end after it.
func between(t *testing.T, page, start, end string) string {
	t.Helper()
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatalf("no %s in the page:\n%s", start, page)
	}
	j := strings.Index(page[i:], end)
	if j < 0 {
		t.Fatalf("no %s after %s in the page", end, start)
	}
	return page[i : i+j]
}
