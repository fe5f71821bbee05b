package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/devserver"
	"github.com/kamflow/kamflow/store"
)

// TestEveryRoleOnEveryPage checks each page and form against the role →
// permission map: a role without access gets 403, one with access does not
// (forms are sent with harmless invalid input, so nothing changes). Routes
// that a relation may open (an owner's measure) answer 404 for unknown IDs
// to every role; TestRoutePolicy checks them by relation.
func TestEveryRoleOnEveryPage(t *testing.T) {
	ts, err := devserver.Start(context.Background(), devserver.Options{Namespace: "default", LogLevel: devserver.LogOff})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Stop()
	c, err := client.Dial(client.Options{HostPort: ts.HostPort(), Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	base := newFixture(t, c)

	all := []string{"lead", "committee", "hr", "controller", "kam", "admin"}
	routes := []struct {
		method, path string
		form         url.Values
		allowed      []string
	}{
		{"GET", "/", nil, all},
		{"GET", "/programmes/new", nil, []string{"lead", "admin"}},
		{"POST", "/programmes", url.Values{"name": {""}}, []string{"lead", "admin"}},
		{"GET", "/training", nil, []string{"hr", "admin"}},
		{"POST", "/training/enrolments", url.Values{}, []string{"hr", "admin"}},
		{"GET", "/reviews", nil, []string{"controller", "admin"}},
		{"POST", "/reviews/programmes/999999", url.Values{}, []string{"controller", "admin"}},
		{"GET", "/customers", nil, []string{"lead", "admin"}},
		{"GET", "/customers/new", nil, []string{"lead", "admin"}},
		{"POST", "/customers", url.Values{"name": {""}}, []string{"lead", "admin"}},
		{"GET", "/customers/import", nil, []string{"lead", "admin"}},
		{"GET", "/customers.csv", nil, []string{"lead", "admin"}},
		{"POST", "/customers/999999/archive", url.Values{}, []string{"admin"}},
		{"POST", "/customers/999999/restore", url.Values{}, []string{"admin"}}, // who may archive may restore
		{"GET", "/reviews/999999", nil, all},                                   // measure owners read reviews: 404 for an unknown one
		{"GET", "/reviews/999999/report.csv", nil, all},
		{"POST", "/reviews/999999/findings-form", url.Values{}, []string{"controller", "admin"}},
		{"POST", "/reviews/999999/measures-form", url.Values{}, []string{"controller", "admin"}},
		{"POST", "/reviews/999999/measures/1/done-form", url.Values{}, all}, // and mark their measures done
		{"POST", "/reviews/999999/sign-off-form", url.Values{}, []string{"controller", "admin"}},
		{"POST", "/programmes/999999/pause-form", url.Values{}, []string{"lead", "admin"}},
		{"POST", "/programmes/999999/resume-form", url.Values{}, []string{"lead", "admin"}},
		{"POST", "/programmes/999999/replan-form", url.Values{}, []string{"lead", "admin"}},
		{"POST", "/programmes/999999/cancel-form", url.Values{}, []string{"lead", "committee", "admin"}},
		{"POST", "/training/courses", url.Values{"title": {""}}, []string{"hr", "admin"}},
		{"POST", "/training/sessions", url.Values{}, []string{"hr", "admin"}},
		{"POST", "/training/sessions/999999/cancel", url.Values{}, []string{"hr", "admin"}},
		{"GET", "/notifications", nil, all},
		{"POST", "/reviews/programmes/999999/cadence", url.Values{"cadence": {"yearly"}, "start_date": {"2027-01-01"}}, []string{"controller", "admin"}},
		{"POST", "/key-accounts/999999/actions/1/done-form", url.Values{}, all},
		{"POST", "/key-accounts/999999/actions/1/owner-form", url.Values{}, all},
		{"GET", "/contacts", nil, []string{"lead", "admin"}},
		{"GET", "/contacts/new?customer=999999", nil, []string{"lead", "admin"}},
		{"POST", "/contacts", url.Values{"customer": {"999999"}}, []string{"lead", "admin"}},
		{"GET", "/contacts/import", nil, []string{"lead", "admin"}},
		{"POST", "/contacts/import", url.Values{"csv": {"name\n"}}, []string{"lead", "admin"}},
		{"GET", "/contacts.csv", nil, []string{"lead", "admin"}},
		{"GET", "/contacts/999999", nil, []string{"lead", "admin"}},
		{"POST", "/contacts/999999", url.Values{}, []string{"lead", "admin"}},
		{"POST", "/contacts/999999/archive", url.Values{}, []string{"lead", "admin"}},
		{"POST", "/contacts/999999/restore", url.Values{}, []string{"lead", "admin"}}, // who may archive may restore
		{"GET", "/employees", nil, []string{"lead", "hr", "admin"}},
		{"GET", "/employees/new", nil, []string{"hr", "admin"}},
		{"POST", "/employees", url.Values{"name": {""}}, []string{"hr", "admin"}},
		{"GET", "/employees/999999", nil, []string{"hr", "admin"}},
		{"POST", "/employees/999999/archive", url.Values{}, []string{"hr", "admin"}},
		{"POST", "/employees/999999/restore", url.Values{}, []string{"hr", "admin"}}, // who may archive may restore
		{"GET", "/admin/users", nil, []string{"admin"}},
		{"GET", "/admin/users/new", nil, []string{"admin"}},
		{"POST", "/admin/users", url.Values{"email": {""}}, []string{"admin"}},
		{"GET", "/admin/users/999999", nil, []string{"admin"}},
		{"POST", "/admin/users/999999", url.Values{}, []string{"admin"}},
		{"POST", "/language", url.Values{"language": {"xx"}}, all},
		{"GET", "/settings", nil, all},
		{"POST", "/settings", url.Values{"time_zone": {"Mars/Olympus"}}, all},
		{"GET", "/admin", nil, []string{"admin"}},
		{"POST", "/admin/tokens", url.Values{"email": {"nobody@example.com"}}, []string{"admin"}},
		{"POST", "/programmes/999999/phases/setup/submit", url.Values{}, []string{"lead", "admin"}},
		{"POST", "/programmes/999999/phases/setup/approve", url.Values{}, []string{"committee", "admin"}},
		{"POST", "/programmes/999999/selection/1/decision", url.Values{}, []string{"lead", "admin"}},
	}
	for _, role := range all {
		f := newFixtureClient(t, base)
		if code, _ := f.login(role+"@"+store.DemoDomain, store.DemoPassword); code != http.StatusSeeOther {
			t.Fatalf("login %s = %d", role, code)
		}
		_, home := f.get("/")
		csrf := csrfOf(t, home)
		for _, r := range routes {
			allowed := false
			for _, a := range r.allowed {
				allowed = allowed || a == role
			}
			var code int
			if r.method == "GET" {
				code, _ = f.get(r.path)
			} else {
				form := url.Values{"csrf": {csrf}}
				for k, v := range r.form {
					form[k] = v
				}
				code, _, _ = f.post(r.path, form)
			}
			switch {
			case allowed && (code == http.StatusForbidden || code >= 500):
				t.Errorf("%s %s %s = %d, want access", role, r.method, r.path, code)
			case !allowed && code != http.StatusForbidden:
				t.Errorf("%s %s %s = %d, want 403", role, r.method, r.path, code)
			}
		}
	}
}
