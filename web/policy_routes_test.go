package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/devserver"
	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/web"
)

// persona is one user of the route test, with the relations she holds to
// the fixture's first programme and its things (the second programme's
// people hold none: they are "other programme", "other account").
type persona struct {
	name     string
	roles    []store.Role
	employee bool
	// holds maps a target kind (web.RoutePolicy) to the relations held
	// to the first programme's target of that kind.
	holds map[string][]policy.Relation

	user          *store.User
	token         string // API
	session, csrf string // pages
}

// policyWorld is a store with two programmes, each with a key account,
// and on the first: an action, a workshop with an action, a review with a
// measure, a jour fixe and an enrolment.
type policyWorld struct {
	ids      map[string]string // path parameter values by target kind or name
	personas []*persona
}

func buildPolicyWorld(t *testing.T, s *store.Store) *policyWorld {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	account := []string{"account", "account-action", "workshop", "workshop-action", "action", "measure"}
	programme := append([]string{"programme", "review", "review-measure", "jourfixe"}, account...)
	rel := func(r policy.Relation, kinds ...string) map[string][]policy.Relation {
		m := map[string][]policy.Relation{}
		for _, k := range kinds {
			m[k] = append(m[k], r)
		}
		return m
	}
	merge := func(ms ...map[string][]policy.Relation) map[string][]policy.Relation {
		out := map[string][]policy.Relation{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = append(out[k], v...)
			}
		}
		return out
	}
	w := &policyWorld{ids: map[string]string{}}
	w.personas = []*persona{
		{name: "lead1", roles: []store.Role{store.RoleLead}, holds: rel(policy.ProgrammeLead, programme...)},
		{name: "lead2", roles: []store.Role{store.RoleLead}},
		{name: "committee1", roles: []store.Role{store.RoleCommittee}, holds: rel(policy.ProgrammeCommittee, programme...)},
		{name: "committee2", roles: []store.Role{store.RoleCommittee}},
		{name: "hr", roles: []store.Role{store.RoleHR}, employee: true},
		{name: "controller", roles: []store.Role{store.RoleController}},
		{name: "kam1", roles: []store.Role{store.RoleKAM}, employee: true, holds: rel(policy.AccountKeeper, account...)},
		{name: "deputy1", roles: []store.Role{store.RoleKAM}, employee: true, holds: merge(rel(policy.AccountKeeper, account...), rel(policy.Participant, "jourfixe"))},
		{name: "covering1", roles: []store.Role{store.RoleKAM}, employee: true,
			holds: merge(rel(policy.AccountKeeper, account...), rel(policy.AccountResponsible, account...), rel(policy.Participant, "jourfixe"))},
		{name: "kam2", roles: []store.Role{store.RoleKAM}, employee: true, holds: rel(policy.Recipient, "notification")},
		{name: "owner1", roles: []store.Role{store.RoleKAM}, employee: true,
			holds: merge(rel(policy.Owner, "account-action", "workshop-action", "action", "measure", "review-measure"), rel(policy.MeasureOwner, "review"), rel(policy.Self, "enrolment", "employee"))},
		{name: "admin", roles: []store.Role{store.RoleAdmin}},
	}
	emp := map[string]uint{}
	byName := map[string]*persona{}
	for _, p := range w.personas {
		byName[p.name] = p
		in := store.NewUser{Email: p.name + "@policy.test", Name: p.name, Password: "correct horse battery", Roles: p.roles}
		if p.employee {
			e := &store.Employee{Name: p.name, Email: p.name + "@policy.test", HierarchyLevel: store.LevelManagement, KAMQualified: true}
			must(s.CreateEmployee(ctx, e))
			emp[p.name], in.EmployeeID = e.ID, &e.ID
		}
		u, err := s.CreateUser(ctx, in)
		must(err)
		p.user = u
		p.token, err = s.CreateAPIToken(ctx, u.ID, "policy test")
		must(err)
		p.session, p.csrf, err = s.CreateSession(ctx, u.ID, now)
		must(err)
	}
	var progs [2]uint
	var kas [2]*store.KeyAccount
	for i, n := range []string{"1", "2"} {
		p, err := s.CreateProgramme(ctx, "Programme "+n, "lead"+n+"@policy.test", now)
		must(err)
		must(s.PlanProgramme(ctx, p.ID, []string{"committee" + n + "@policy.test"}, nil))
		c := &store.Customer{Name: "Customer " + n}
		must(s.CreateCustomer(ctx, c))
		must(s.ConfirmKeyAccounts(ctx, p.ID, []uint{c.ID}, now))
		var deputy *uint
		if i == 0 {
			d := emp["deputy1"]
			deputy = &d
		}
		must(s.AssignKeyAccount(ctx, p.ID, c.ID, emp["kam"+n], deputy))
		list, err := s.KeyAccounts(ctx, p.ID)
		must(err)
		progs[i], kas[i] = p.ID, &list[0]
		if i == 0 {
			w.ids["customerID"] = uitoa(c.ID)
		}
	}
	ka := kas[0]
	_, err := s.StartHandover(ctx, store.Handover{KeyAccountID: ka.ID, WorkflowID: "handover-policy-test", Reason: "role_change",
		OutgoingEmployeeID: emp["kam1"], CoveringEmployeeID: emp["covering1"], OutgoingEmail: "kam1@policy.test", CoveringEmail: "covering1@policy.test",
		LeadEmail: "lead1@policy.test", StartedBy: "lead1@policy.test"}, []string{"knowledge_transfer"})
	must(err)
	ws := &store.Workshop{KeyAccountID: ka.ID, WorkflowID: "workshop-policy-test", Year: now.Year(), Status: "planning"}
	must(s.CreateWorkshop(ctx, ws))
	plan := &store.AccountPlan{KeyAccountID: ka.ID, Strategy: "Grow with the customer"}
	must(s.SavePlanDraft(ctx, plan))
	actionIDs, err := s.AddActions(ctx, []store.Action{
		{IdemKey: "policy-plan-action", KeyAccountID: ka.ID, Source: "plan", SourceID: plan.ID, Title: "Plan action", OwnerEmail: "owner1@policy.test", Due: now.Add(240 * time.Hour)},
		{IdemKey: "policy-workshop-action", KeyAccountID: ka.ID, Source: "workshop", SourceID: ws.ID, Title: "Workshop action", OwnerEmail: "owner1@policy.test", Due: now.Add(240 * time.Hour)},
	})
	must(err)
	r, err := s.GatherReview(ctx, store.KPIInput{ProgrammeID: progs[0], WorkflowID: "review-policy-test", ControllerEmail: "controller@policy.test", KeyAccounts: []uint{ka.CustomerID}, Now: now})
	must(err)
	mid, err := s.AddMeasure(ctx, store.Measure{ReviewID: r.ID, IdemKey: "policy-measure", CustomerID: &ka.CustomerID, Title: "Measure", OwnerEmail: "owner1@policy.test", Due: now.Add(240 * time.Hour)})
	must(err)
	jf := &store.JourFixe{WorkflowID: "jourfixe-policy-test", ProgrammeID: progs[0], MeetingAt: now.Add(48 * time.Hour)}
	_, _, err = s.PrepareJourFixe(ctx, jf)
	must(err)
	course := &store.Course{Title: "KAM basics"}
	must(s.SaveCourse(ctx, course))
	ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(720 * time.Hour), EndsAt: now.Add(744 * time.Hour), Capacity: 5}
	must(s.SaveSession(ctx, ts))
	en, err := s.Enrol(ctx, ts.ID, emp["owner1"], nil, "hr@policy.test", now)
	must(err)
	must(s.EnqueueNotification(ctx, store.NewNotification{Key: "policy-notification", Recipients: []string{"kam2@policy.test"},
		Subject: "A message", Body: "For kam2", Link: "/my-work"}))
	inbox, err := s.Notifications(ctx, "kam2@policy.test", store.Page{Number: 1, Size: 1})
	must(err)
	note := inbox[0]

	for k, v := range map[string]uint{
		"programme": progs[0], "account": ka.ID, "account-action": ka.ID, "workshop": ws.ID, "workshop-action": ws.ID,
		"action": actionIDs[0], "measure": mid, "review": r.ID, "review-measure": r.ID, "jourfixe": jf.ID,
		"enrolment": en.ID, "employee": emp["owner1"], "measureID": mid, "notification": note.ID,
	} {
		w.ids[k] = uitoa(v)
	}
	// The workshop's action: an update to a plan workflow that never ran
	// waits out its timeout; the workshop's answers at once.
	w.ids["actionID@account-action"] = uitoa(actionIDs[1])
	w.ids["actionID@workshop-action"] = uitoa(actionIDs[1])
	return w
}

func uitoa(v uint) string { return strconv.FormatUint(uint64(v), 10) }

var pathParam = regexp.MustCompile(`:[A-Za-z]+|\*`)

// concretePath fills a route's parameters: the first programme's things
// for routes with a target, an unknown ID for the rest.
func (w *policyWorld) concretePath(path, kind string) string {
	return pathParam.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case ":id":
			if v, ok := w.ids[kind]; ok && kind != "" {
				return v
			}
			return "999999"
		case ":actionID":
			if v, ok := w.ids["actionID@"+kind]; ok {
				return v
			}
			return "999999"
		case ":measureID", ":customerID":
			return w.ids[p[1:]]
		case ":employeeID":
			return w.ids["employee"]
		case ":phase":
			return "setup"
		case ":item":
			return "knowledge_transfer"
		case ":period":
			return "2025"
		case ":file":
			return "nothing.ics"
		}
		return "x"
	})
}

// TestRoutePolicy asks every route the router has, as every persona, and
// checks the answer is 403 exactly when the policy's table says no for her
// roles and relations; a route without a policy entry fails. Requests
// carry no valid body, so an allowed one stops at validation (or at a
// workflow that does not run): nothing changes who may do what.
func TestRoutePolicy(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		// A Temporal of its own per database: the allowed requests start
		// workflows whose IDs the next database's fixture would reuse.
		ts, err := devserver.Start(context.Background(), devserver.Options{Namespace: "default", LogLevel: devserver.LogOff})
		if err != nil {
			t.Fatal(err)
		}
		defer ts.Stop()
		tc, err := client.Dial(client.Options{HostPort: ts.HostPort(), Namespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		defer tc.Close()
		w := buildPolicyWorld(t, s)
		srv, err := web.New(web.Options{Store: s, Temporal: tc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TaskQueue: "policy-test"})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

		routes := srv.Routes()
		sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
		checked := 0
		for _, rt := range routes {
			if strings.HasPrefix(rt.Method, "echo_") {
				continue // Echo's own not-found entries
			}
			act, kind, ok := web.RoutePolicy(rt.Method, rt.Path)
			if !ok {
				t.Errorf("%s %s has no policy entry", rt.Method, rt.Path)
				continue
			}
			rule, ok := policy.RuleOf(act)
			if !ok {
				t.Errorf("%s %s: action %q has no rule", rt.Method, rt.Path, act)
				continue
			}
			if rule.Public {
				continue // sign-in and static files: nothing to refuse
			}
			path := w.concretePath(rt.Path, kind)
			api := strings.HasPrefix(rt.Path, "/api/")
			for _, p := range w.personas {
				held := map[policy.Relation]bool{}
				for _, r := range p.holds[kind] {
					held[r] = true
				}
				want := rule.Allows(true, p.roles, held)
				var req *http.Request
				if api {
					var body io.Reader
					if rt.Method != http.MethodGet {
						body = strings.NewReader("{")
					}
					req, _ = http.NewRequest(rt.Method, hs.URL+path, body)
					req.Header.Set("Authorization", "Bearer "+p.token)
					req.Header.Set("Content-Type", "application/json")
				} else {
					var body io.Reader
					if rt.Method != http.MethodGet {
						body = strings.NewReader(url.Values{"csrf": {p.csrf}, "language": {"xx"}}.Encode())
					}
					req, _ = http.NewRequest(rt.Method, hs.URL+path, body)
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.AddCookie(&http.Cookie{Name: "kamflow_session", Value: p.session})
				}
				resp, err := hc.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got := resp.StatusCode != http.StatusForbidden
				signedOut := resp.StatusCode == http.StatusUnauthorized || resp.Header.Get("Location") == "/login"
				if got != want || resp.StatusCode >= 500 || signedOut {
					t.Errorf("%s %s (%s on %s) as %s = %d, policy says allowed=%v: %.200s", rt.Method, path, act, kind, p.name, resp.StatusCode, want, b)
				}
				checked++
			}
		}
		if checked < 100 {
			t.Fatalf("only %d requests checked", checked)
		}
	})
}

// TestEveryRouteHasPolicy fails for a route the policy does not name.
func TestEveryRouteHasPolicy(t *testing.T) {
	srv, err := web.New(web.Options{Store: storetest.Open(t, "sqlite")})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range srv.Routes() {
		if strings.HasPrefix(rt.Method, "echo_") {
			continue
		}
		if _, _, ok := web.RoutePolicy(rt.Method, rt.Path); !ok {
			t.Errorf("%s %s has no entry in the policy's route table (web/authorize.go)", rt.Method, rt.Path)
		}
	}
}

// TestJourFixeSummaryOnlyReadableAccounts: the pooled summary, pictures and
// inputs of a jour fixe show each reader only the accounts she may read
// (issue 13: a KAM of another account and HR read every account's risks).
func TestJourFixeSummaryOnlyReadableAccounts(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		w := buildPolicyWorld(t, s)
		ctx := context.Background()
		jf, err := strconv.ParseUint(w.ids["jourfixe"], 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		ka, _ := strconv.ParseUint(w.ids["account"], 10, 32)
		var deputy *persona
		for _, p := range w.personas {
			if p.name == "deputy1" {
				deputy = p
			}
		}
		if err := s.SaveJourFixeInput(ctx, store.JourFixeInput{JourFixeID: uint(jf), KeyAccountID: uint(ka), EmployeeID: *deputy.user.EmployeeID,
			Satisfaction: 2, Risks: "CONFIDENTIAL: customer will terminate"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.PoolJourFixe(ctx, uint(jf)); err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(web.Options{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()
		for _, p := range w.personas {
			readsAccount := map[string]bool{"lead1": true, "lead2": true, "committee1": true, "committee2": true, "controller": true,
				"kam1": true, "deputy1": true, "covering1": true, "admin": true}[p.name]
			for _, path := range []string{"/api/v1/jour-fixes/" + w.ids["jourfixe"], "/api/v1/programmes/" + w.ids["programme"] + "/jour-fixes"} {
				req, _ := http.NewRequest(http.MethodGet, hs.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+p.token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s as %s = %d %s", path, p.name, resp.StatusCode, b)
				}
				if leaked := strings.Contains(string(b), "CONFIDENTIAL"); leaked != readsAccount {
					t.Errorf("GET %s as %s shows the account's risks = %v, want %v: %s", path, p.name, leaked, readsAccount, b)
				}
			}
		}
	})
}
