package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// apiClient calls the JSON API with the API tokens of the demo users.
type apiClient struct {
	t      *testing.T
	f      *fixture
	tokens map[string]string
	emp    map[string]uint
}

func newAPIClient(t *testing.T, f *fixture) *apiClient {
	t.Helper()
	a := &apiClient{t: t, f: f, tokens: map[string]string{}, emp: map[string]uint{}}
	ctx := context.Background()
	for _, l := range store.DemoLogins() {
		local := strings.TrimSuffix(l.Email, "@"+store.DemoDomain)
		u, err := f.store.UserByEmail(ctx, l.Email)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := f.store.CreateAPIToken(ctx, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[local] = tok
		if u.EmployeeID != nil {
			a.emp[local] = *u.EmployeeID
		}
	}
	return a
}

type listAnswer struct {
	Items []map[string]any `json:"items"`
	Total int              `json:"total"`
	Page  int              `json:"page"`
	Size  int              `json:"size"`
	Error struct {
		Fields map[string]string `json:"fields"`
	} `json:"error"`
}

func (a *apiClient) get(who, path string) (int, listAnswer) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.f.server.URL+"/api/v1"+path, nil)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out listAnswer
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("GET %s: %v: %s", path, err, raw)
	}
	return resp.StatusCode, out
}

func TestEmployeesListForEveryRole(t *testing.T) {
	f := newFixture(t, nil)
	a := newAPIClient(t, f)
	ctx := context.Background()
	active, total, err := f.store.SearchEmployees(ctx, "", store.Page{Size: 200})
	if err != nil || total < 3 {
		t.Fatal(total, err)
	}
	for who := range a.tokens {
		code, list := a.get(who, "/employees")
		if code != http.StatusOK || list.Total != int(total) || len(list.Items) != len(active) {
			t.Fatalf("%s: GET /employees = %d, %d of %d", who, code, len(list.Items), list.Total)
		}
	}
	if code, _ := a.get("", "/employees"); code != http.StatusUnauthorized {
		t.Errorf("without a token = %d", code)
	}
	want := active[0]
	_, list := a.get("kam", "/employees?q="+want.Email)
	if list.Total != 1 {
		t.Fatalf("search by e-mail = %+v", list)
	}
	got := list.Items[0]
	if uint(got["id"].(float64)) != want.ID || got["name"] != want.Name || got["email"] != want.Email || got["job_title"] != want.JobTitle ||
		got["hierarchy_level"] != string(want.HierarchyLevel) || got["kam_qualified"] != want.KAMQualified || got["archived"] != false {
		t.Errorf("employee = %v, want %+v", got, want)
	}
	if _, page := a.get("hr", "/employees?size=2&page=2"); len(page.Items) != 2 || page.Page != 2 || page.Size != 2 || page.Total != int(total) {
		t.Errorf("page 2 of size 2 = %+v", page)
	}
	if err := f.store.ArchiveEmployee(ctx, want.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, list := a.get("kam", "/employees?q="+want.Email); list.Total != 0 {
		t.Errorf("archived employee listed: %+v", list.Items)
	}
	if _, list := a.get("kam", "/employees?archived=true&q="+want.Email); list.Total != 1 || list.Items[0]["archived"] != true {
		t.Errorf("?archived=true = %+v", list.Items)
	}
	for q, field := range map[string]string{"archived=maybe": "archived", "size=0": "size", "q=" + strings.Repeat("x", 201): "q"} {
		if code, ans := a.get("kam", "/employees?"+q); code != http.StatusUnprocessableEntity || ans.Error.Fields[field] == "" {
			t.Errorf("?%.20s = %d %v, want 422 naming %s", q, code, ans.Error.Fields, field)
		}
	}
}

// TestKeyAccountsListFollowsTheAccessPolicy: the list shows a user exactly
// the key accounts the per-account routes let her open.
func TestKeyAccountsListFollowsTheAccessPolicy(t *testing.T) {
	f := newFixture(t, nil)
	a := newAPIClient(t, f)
	ctx := context.Background()
	custs, _, _ := f.store.ListCustomers(ctx, store.Page{})
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p1, _ := f.store.CreateProgramme(ctx, "KAM 1", "lead@"+store.DemoDomain, now)
	p2, _ := f.store.CreateProgramme(ctx, "KAM 2", "lead@"+store.DemoDomain, now)
	if err := f.store.ConfirmKeyAccounts(ctx, p1.ID, []uint{custs[0].ID, custs[1].ID, custs[2].ID}, now); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ConfirmKeyAccounts(ctx, p2.ID, []uint{custs[0].ID}, now); err != nil {
		t.Fatal(err)
	}
	kam2 := a.emp["kam2"]
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.store.AssignKeyAccount(ctx, p1.ID, custs[0].ID, a.emp["kam"], &kam2))
	must(f.store.AssignKeyAccount(ctx, p1.ID, custs[1].ID, a.emp["kam3"], nil))
	must(f.store.AssignKeyAccount(ctx, p2.ID, custs[0].ID, a.emp["kam3"], nil))

	code, all := a.get("controller", "/key-accounts")
	if code != http.StatusOK || all.Total != 4 {
		t.Fatalf("controller: %d, %+v", code, all)
	}
	want := map[string]int{"lead": 4, "committee": 4, "controller": 4, "admin": 4, "kam": 1, "kam2": 1, "kam3": 2, "hr": 0}
	for who, n := range want {
		code, list := a.get(who, "/key-accounts")
		if code != http.StatusOK || list.Total != n || len(list.Items) != n {
			t.Errorf("%s sees %d key accounts (%d), want %d", who, list.Total, code, n)
			continue
		}
		listed := map[uint]bool{}
		for _, it := range list.Items {
			listed[uint(it["id"].(float64))] = true
		}
		// One policy: what the list shows is what the account routes open.
		for _, it := range all.Items {
			id := uint(it["id"].(float64))
			code, _ := a.getRaw(who, fmt.Sprintf("/key-accounts/%d/contact-matrix", id))
			if (code == http.StatusOK) != listed[id] {
				t.Errorf("%s: key account %d listed %v, contact matrix %d", who, id, listed[id], code)
			}
		}
	}
	_, mine := a.get("kam", "/key-accounts")
	ka := mine.Items[0]
	if ka["customer_name"] != custs[0].Name || uint(ka["programme_id"].(float64)) != p1.ID || uint(ka["kam_employee_id"].(float64)) != a.emp["kam"] ||
		ka["kam_name"] == "" || uint(ka["deputy_employee_id"].(float64)) != kam2 || ka["deputy_name"] == "" ||
		ka["covering_employee_id"] != nil || ka["covering_name"] != nil || ka["status"] != store.KeyAccountActive {
		t.Errorf("kam's key account = %v", ka)
	}
	for q, n := range map[string]int{
		fmt.Sprintf("programme_id=%d", p1.ID):                                   3,
		fmt.Sprintf("customer_id=%d", custs[0].ID):                              2,
		fmt.Sprintf("kam_employee_id=%d", a.emp["kam3"]):                        2,
		fmt.Sprintf("kam_employee_id=%d&programme_id=%d", a.emp["kam3"], p2.ID): 1,
		fmt.Sprintf("programme_id=%d&size=1&page=3", p1.ID):                     3,
	} {
		if _, list := a.get("lead", "/key-accounts?"+q); list.Total != n {
			t.Errorf("?%s = %d, want %d", q, list.Total, n)
		}
	}
	if _, list := a.get("lead", fmt.Sprintf("/key-accounts?programme_id=%d&customer_id=%d", p1.ID, custs[2].ID)); list.Total != 1 || list.Items[0]["status"] != store.KeyAccountUnassigned || list.Items[0]["kam_name"] != nil {
		t.Errorf("unassigned account = %+v", list.Items)
	}
	// kam's own filter cannot widen what she sees.
	if _, list := a.get("kam", fmt.Sprintf("/key-accounts?kam_employee_id=%d", a.emp["kam3"])); list.Total != 0 {
		t.Errorf("kam filtering on kam3 sees %d", list.Total)
	}
	for _, q := range []string{"programme_id=x", "customer_id=0", "kam_employee_id=-1"} {
		field := strings.Split(q, "=")[0]
		if code, ans := a.get("lead", "/key-accounts?"+q); code != http.StatusUnprocessableEntity || ans.Error.Fields[field] == "" {
			t.Errorf("?%s = %d %v", q, code, ans.Error.Fields)
		}
	}
}

func (a *apiClient) getRaw(who, path string) (int, string) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.f.server.URL+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// A method no route has on a known path is Echo's refusal, not the
// fail-closed "route has no policy" 500.
func TestWrongMethodIsNotAServerError(t *testing.T) {
	f := newFixture(t, nil)
	a := newAPIClient(t, f)
	for _, path := range []string{"/api/v1/courses", "/api/v1/jour-fixes/3", "/api/v1/key-accounts/1/handover", "/api/v1/nowhere"} {
		req, _ := http.NewRequest(http.MethodDelete, f.server.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+a.tokens["lead"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("DELETE %s = %d, want 404 or 405", path, resp.StatusCode)
		}
	}
}
