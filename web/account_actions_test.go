package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

var actionTitleRe = regexp.MustCompile(`<td>Action (\d\d)</td>`)

// TestAccountPagesItsActions: an account that gathered 30 actions over the
// years shows them 25 to a page, open ones first by due date and done ones
// last; the heading counts every open and overdue action, not only the
// page's; the pager leads to the rest and back to the actions section.
func TestAccountPagesItsActions(t *testing.T) {
	f := newFixture(t, nil)
	ctx, now := context.Background(), time.Now().UTC()
	kam, err := f.store.UserByEmail(ctx, "kam@"+store.DemoDomain)
	if err != nil || kam.EmployeeID == nil {
		t.Fatalf("demo KAM: %v", err)
	}
	p, err := f.store.CreateProgramme(ctx, "Actions", "lead@"+store.DemoDomain, now)
	if err != nil {
		t.Fatal(err)
	}
	cu := &store.Customer{Name: "Aktionen AG"}
	if err := f.store.CreateCustomer(ctx, cu); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ConfirmKeyAccounts(ctx, p.ID, []uint{cu.ID}, now); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AssignKeyAccount(ctx, p.ID, cu.ID, *kam.EmployeeID, nil); err != nil {
		t.Fatal(err)
	}
	list, err := f.store.KeyAccounts(ctx, p.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("key accounts: %v %v", list, err)
	}
	ka := list[0]
	// Actions 00–11 overdue, 12–21 due later, 22–29 done (due earliest of
	// all, so that only "done last" puts them on page 2).
	var actions []store.Action
	for i := range 30 {
		due := now.Add(time.Duration(i-12) * 24 * time.Hour)
		if i >= 12 {
			due = now.Add(time.Duration(i-11) * 24 * time.Hour)
		}
		if i >= 22 {
			due = now.Add(-time.Duration(400+i) * 24 * time.Hour)
		}
		actions = append(actions, store.Action{IdemKey: fmt.Sprintf("paging-%d", i), KeyAccountID: ka.ID, Source: "plan", SourceID: 1,
			Title: fmt.Sprintf("Action %02d", i), OwnerEmail: "kam@" + store.DemoDomain, Due: due})
	}
	ids, err := f.store.AddActions(ctx, actions)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[22:] {
		if err := f.store.CompleteAction(ctx, id, "kam@"+store.DemoDomain, now); err != nil {
			t.Fatal(err)
		}
	}

	f.login("lead@"+store.DemoDomain, store.DemoPassword)
	titles := func(page string) []string {
		var out []string
		for _, m := range actionTitleRe.FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	path := fmt.Sprintf("/key-accounts/%d", ka.ID)
	code, first := f.get(path)
	if code != http.StatusOK {
		t.Fatalf("account page = %d", code)
	}
	got := titles(first)
	if len(got) != 25 || got[0] != "00" || got[21] != "21" || got[22] != "29" {
		t.Fatalf("page 1 lists %v, want 00…21 open by due date, then the latest done", got)
	}
	for _, want := range []string{"22 open", "12 overdue", "30 in all", "page 1 of 2", `href="` + path + `?page=2#actions" rel="next"`} {
		if !strings.Contains(first, want) {
			t.Errorf("page 1 lacks %q", want)
		}
	}
	code, second := f.get(path + "?page=2")
	if code != http.StatusOK {
		t.Fatalf("page 2 = %d", code)
	}
	if got := titles(second); strings.Join(got, ",") != "26,25,24,23,22" {
		t.Errorf("page 2 lists %v, want the remaining done actions", got)
	}
	if !strings.Contains(second, "12 overdue") || !strings.Contains(second, `href="`+path+`?page=1#actions" rel="prev"`) {
		t.Error("page 2 lost the overdue count or the way back")
	}
	if code, body := f.get(path + "?page=0"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "page") {
		t.Errorf("page 0 = %d, want 422 naming the page", code)
	}
}
