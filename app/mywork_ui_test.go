package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestMyWorkKeyAccountsAndCustomerOverview: a KAM owning a review measure
// about an account she does not keep finds it in My work (and on the start
// page), opens the review, and marks it done right there; the key-accounts
// list shows each role the accounts she may read, filtered; the customer
// page is an overview of its key accounts with editing apart, and the
// lead sees neither "Archive" nor a "Submit phase" form for training.
func TestMyWorkKeyAccountsAndCustomerOverview(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	id, _ := e.programmeInTraining(t)
	p := fmt.Sprintf("/programmes/%d", id)
	mine, other := e.accountOf(t, id, "kam"), e.accountOf(t, id, "kam3")
	names, err := e.dev.Store.CustomerNames(ctx, []uint{mine.CustomerID, other.CustomerID})
	if err != nil {
		t.Fatal(err)
	}

	// The training phase completes by itself: no "Submit phase" form.
	lead := signIn(t, e.dev.URL, "lead")
	if _, page := lead.get(p); strings.Contains(page, p+"/phases/training/submit") || !strings.Contains(page, "completes by itself") {
		t.Errorf("training phase offers a submit form or lacks the note:\n%s", page)
	}

	// A review with a measure for kam about kam3's account.
	e.ok(t, 202, "controller", "POST", p+"/reviews", nil)
	var reviewID int
	waitFor(t, "the on-demand review", func() bool {
		items := e.ok(t, 200, "lead", "GET", p+"/reviews", nil).body["items"].([]any)
		if len(items) == 1 {
			reviewID = int(items[0].(map[string]any)["id"].(float64))
		}
		return reviewID != 0
	})
	r := fmt.Sprintf("/reviews/%d", reviewID)
	var mid int
	waitFor(t, "the review takes the measure", func() bool {
		res := e.call(t, "controller", "POST", r+"/measures", map[string]any{"customer_id": other.CustomerID, "title": "Call their purchasing head",
			"owner_email": "kam@" + store.DemoDomain, "due": time.Now().AddDate(0, 0, 10).Format("2006-01-02")})
		if res.code == 200 {
			mid = int(res.body["measures"].([]any)[0].(map[string]any)["id"].(float64))
		}
		return res.code == 200
	})
	done := fmt.Sprintf("%s/measures/%d/done-form", r, mid)

	kam := signIn(t, e.dev.URL, "kam")
	_, home := kam.get("/")
	if !strings.Contains(home, `href="/my-work"`) || !strings.Contains(home, "Call their purchasing head") {
		t.Errorf("start page lacks My work with the measure:\n%s", home)
	}
	code, work := kam.get("/my-work")
	if code != 200 || !strings.Contains(work, "Call their purchasing head") || !strings.Contains(work, `action="`+done+`"`) ||
		!strings.Contains(work, fmt.Sprintf(`href="%s#measure-%d"`, r, mid)) {
		t.Fatalf("my work = %d:\n%s", code, work)
	}
	if _, other := signIn(t, e.dev.URL, "kam2").get("/my-work"); strings.Contains(other, "Call their purchasing head") {
		t.Error("kam2 sees kam's measure")
	}
	// She opens what she needs: the review, with her measure.
	if code, page := kam.get(r); code != 200 || !strings.Contains(page, "Call their purchasing head") || !strings.Contains(page, `href="/my-work"`) {
		t.Errorf("review for the measure owner = %d:\n%s", code, page)
	}
	code, _ = kam.post(done, url.Values{"csrf": {kam.csrf}, "from": {"my-work"}})
	if code != 303 {
		t.Fatalf("mark done from my work = %d", code)
	}
	m, err := e.dev.Store.MeasureByID(ctx, uint(mid))
	if err != nil || m.DoneAt == nil || m.DoneBy != "kam@"+store.DemoDomain {
		t.Fatalf("measure after done = %+v, %v", m, err)
	}
	if _, work = kam.get("/my-work"); strings.Contains(work, "Call their purchasing head") {
		t.Error("the done measure is still in My work")
	}
	// Again (a double click): it is done, nothing changes, a clear answer.
	if code, body := kam.post(done, url.Values{"csrf": {kam.csrf}, "from": {"my-work"}}); code >= 500 {
		t.Errorf("second mark done = %d: %s", code, body)
	}

	// The key-accounts list, per role and filtered.
	for who, want := range map[string][]bool{"lead": {true, true}, "committee": {true, true}, "controller": {true, true},
		"kam": {true, false}, "kam3": {false, true}, "kam2": {true, true}, "hr": {false, false}} {
		b := signIn(t, e.dev.URL, who)
		code, page := b.get("/key-accounts")
		if code != 200 {
			t.Fatalf("/key-accounts as %s = %d", who, code)
		}
		for i, ka := range []store.KeyAccount{mine, other} {
			if got := strings.Contains(page, fmt.Sprintf(`href="/key-accounts/%d"`, ka.ID)); got != want[i] {
				t.Errorf("/key-accounts as %s lists %s = %v, want %v", who, names[ka.CustomerID], got, want[i])
			}
		}
		// Every demo user has an employee record: the scope may hold accounts.
		if !strings.Contains(page, `href="/key-accounts" class="navlink"`) {
			t.Errorf("no nav link to key accounts for %s", who)
		}
	}
	_, page := lead.get(fmt.Sprintf("/key-accounts?programme_id=%d&kam_employee_id=%d", id, e.emp["kam3"]))
	if !strings.Contains(page, fmt.Sprintf(`href="/key-accounts/%d"`, other.ID)) || strings.Contains(page, fmt.Sprintf(`href="/key-accounts/%d"`, mine.ID)) {
		t.Errorf("filter by KAM:\n%s", page)
	}
	if _, page = lead.get("/key-accounts?status=unassigned"); strings.Contains(page, fmt.Sprintf(`href="/key-accounts/%d"`, mine.ID)) {
		t.Error("an assigned account is listed as unassigned")
	}
	if _, page = lead.get("/key-accounts?status=active&programme_id=" + fmt.Sprint(id)); !strings.Contains(page, fmt.Sprintf(`href="/key-accounts/%d"`, mine.ID)) {
		t.Error("an assigned account is not listed as active")
	}
	if code, page = lead.get("/key-accounts?status=gone"); code != 422 || !strings.Contains(page, "status") {
		t.Errorf("bad status = %d", code)
	}

	// The customer page: the overview, editing apart, no "Archive" for the lead.
	cp := fmt.Sprintf("/customers/%d", mine.CustomerID)
	code, page = lead.get(cp)
	kamEmp, err := e.dev.Store.Employee(ctx, e.emp["kam"])
	if err != nil {
		t.Fatal(err)
	}
	if code != 200 || !strings.Contains(page, fmt.Sprintf(`href="/key-accounts/%d"`, mine.ID)) || !strings.Contains(page, kamEmp.Name) ||
		!strings.Contains(page, `href="`+cp+`/edit"`) || !strings.Contains(page, "Open actions") || strings.Contains(page, `name="name"`) {
		t.Errorf("customer overview = %d:\n%s", code, page)
	}
	if strings.Contains(page, cp+"/archive") {
		t.Error("the lead sees Archive, which the policy refuses her")
	}
	if _, list := lead.get("/customers"); strings.Contains(list, "/archive") {
		t.Error("the customer list shows the lead Archive")
	}
	if _, list := signIn(t, e.dev.URL, "admin").get("/customers"); !strings.Contains(list, cp+"/archive") {
		t.Error("the admin lost Archive")
	}
	if code, page = lead.get(cp + "/edit"); code != 200 || !strings.Contains(page, `name="name"`) {
		t.Errorf("edit form = %d", code)
	}
	if code, _ = lead.post(cp, url.Values{"csrf": {lead.csrf}, "name": {names[mine.CustomerID]}, "country": {"CH"}}); code != 303 {
		t.Errorf("save customer = %d", code)
	}
}
