package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestContactsSearchEditArchiveImport(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := store.Customer{Name: "Acme 100% AG"}
		other := store.Customer{Name: "Other GmbH"}
		for _, c := range []*store.Customer{&acme, &other} {
			if err := s.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		ceo := store.Contact{CustomerID: acme.ID, Name: "Anna Chef", HierarchyLevel: store.LevelBoard}
		if err := s.CreateContact(ctx, &ceo); err != nil {
			t.Fatal(err)
		}
		err := s.ImportContacts(ctx, []store.ContactImport{
			{Contact: store.Contact{CustomerID: acme.ID, Name: "Bert Buyer", JobTitle: "Head of purchasing", HierarchyLevel: store.LevelDepartmentHead}, ReportsTo: "anna chef"},
			{Contact: store.Contact{CustomerID: acme.ID, Name: "Cora Assist", HierarchyLevel: store.LevelAssistant}, ReportsTo: "Bert Buyer"},
		})
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		rows, total, err := s.SearchContacts(ctx, "acme 100%", store.Page{Number: 1, Size: 2})
		if err != nil || total != 3 || len(rows) != 2 || rows[0].CustomerName != "Acme 100% AG" {
			t.Fatalf("search = %+v, %d, %v", rows, total, err)
		}
		// "%" is matched literally, not as a wildcard.
		if _, n, _ := s.SearchContacts(ctx, "e%g", store.Page{}); n != 0 {
			t.Fatalf("a literal %% matched %d contacts", n)
		}
		bert, _, _ := s.SearchContacts(ctx, "purchasing", store.Page{})
		if len(bert) != 1 || bert[0].ReportsToID == nil || *bert[0].ReportsToID != ceo.ID {
			t.Fatalf("imported reports-to = %+v", bert)
		}

		// A failing row leaves nothing behind.
		err = s.ImportContacts(ctx, []store.ContactImport{
			{Contact: store.Contact{CustomerID: other.ID, Name: "Dora", HierarchyLevel: store.LevelSpecialist}},
			{Contact: store.Contact{CustomerID: other.ID, Name: "Emil", HierarchyLevel: store.LevelSpecialist}, ReportsTo: "Nobody"},
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("import with unknown boss = %v", err)
		}
		if _, n, _ := s.SearchContacts(ctx, "Other GmbH", store.Page{}); n != 0 {
			t.Fatalf("half an import applied: %d contacts", n)
		}

		c := bert[0].Contact
		c.JobTitle, c.Phone = "Chief buyer", "+41 44 000 00 00"
		if err := s.UpdateContact(ctx, &c); err != nil {
			t.Fatalf("update: %v", err)
		}
		self := c
		self.ReportsToID = &self.ID
		if err := s.UpdateContact(ctx, &self); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("self reports-to = %v", err)
		}
		dora := store.Contact{CustomerID: other.ID, Name: "Dora", HierarchyLevel: store.LevelSpecialist}
		if err := s.CreateContact(ctx, &dora); err != nil {
			t.Fatal(err)
		}
		cross := c
		cross.ReportsToID = &dora.ID
		if err := s.UpdateContact(ctx, &cross); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("reports-to at another customer = %v", err)
		}
		got, err := s.Contact(ctx, c.ID)
		if err != nil || got.JobTitle != "Chief buyer" || got.CustomerID != acme.ID {
			t.Fatalf("contact after update = %+v, %v", got, err)
		}

		if err := s.ArchiveContact(ctx, ceo.ID, time.Now()); err != nil {
			t.Fatalf("archive: %v", err)
		}
		if err := s.ArchiveContact(ctx, ceo.ID, time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("archive twice = %v", err)
		}
		got, _ = s.Contact(ctx, c.ID)
		if got.ReportsToID != nil {
			t.Fatalf("report of an archived contact still points at it: %v", *got.ReportsToID)
		}
		names, err := s.ContactNamesAt(ctx, []uint{acme.ID})
		if err != nil || names[store.ContactKey(acme.ID, "anna chef")] || !names[store.ContactKey(acme.ID, "BERT BUYER")] {
			t.Fatalf("contact names = %v, %v", names, err)
		}
		ids, err := s.CustomerIDsByName(ctx, []string{" other gmbh ", "missing"})
		if err != nil || len(ids) != 1 || ids["other gmbh"] != other.ID {
			t.Fatalf("customer ids = %v, %v", ids, err)
		}
	})
}

func TestEmployeesAndUsersEditing(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := store.Employee{Name: "Karl KAM", Email: "karl@example.test", Department: "Sales", HierarchyLevel: store.LevelSpecialist}
		if err := s.CreateEmployee(ctx, &e); err != nil {
			t.Fatal(err)
		}
		e.KAMQualified, e.JobTitle = true, "Key account manager"
		if err := s.UpdateEmployee(ctx, &e); err != nil {
			t.Fatalf("update employee: %v", err)
		}
		if err := s.UpdateEmployee(ctx, &e); err != nil {
			t.Fatalf("unchanged update: %v", err)
		}
		missing := e
		missing.ID = 99999
		if err := s.UpdateEmployee(ctx, &missing); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing employee = %v", err)
		}
		list, n, err := s.SearchEmployees(ctx, "key account", store.Page{})
		if err != nil || n != 1 || !list[0].KAMQualified {
			t.Fatalf("employees = %+v, %d, %v", list, n, err)
		}

		u, err := s.CreateUser(ctx, store.NewUser{Email: "karl@example.test", Name: "Karl", Password: "old-secret", Roles: []store.Role{store.RoleKAM}})
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := s.CreateSession(ctx, u.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		err = s.UpdateUser(ctx, store.UserChange{ID: u.ID, Name: "Karl K.", Roles: []store.Role{store.RoleKAM, store.RoleHR, store.RoleKAM},
			Language: "de", EmployeeID: &e.ID, Password: "new-secret"})
		if err != nil {
			t.Fatalf("update user: %v", err)
		}
		if _, _, err := s.SessionUser(ctx, token, time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session survived a password change: %v", err)
		}
		got, err := s.Authenticate(ctx, "karl@example.test", "new-secret")
		if err != nil || got.Name != "Karl K." || got.Language != "de" || len(got.Roles) != 2 || !got.HasRole(store.RoleHR) || *got.EmployeeID != e.ID {
			t.Fatalf("user after update = %+v, %v", got, err)
		}
		if err := s.UpdateUser(ctx, store.UserChange{ID: u.ID, Name: "Karl", Language: "fr"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("unknown language = %v", err)
		}
		if err := s.UpdateUser(ctx, store.UserChange{ID: u.ID, Name: "Karl", Disabled: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "karl@example.test", "new-secret"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("disabled user signed in: %v", err)
		}
		users, n, err := s.SearchUsers(ctx, "KARL@", store.Page{})
		if err != nil || n != 1 || len(users[0].Roles) != 0 {
			t.Fatalf("users = %+v, %d, %v", users, n, err)
		}
		if err := s.ArchiveEmployee(ctx, e.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := s.SearchEmployees(ctx, "", store.Page{}); n != 0 {
			t.Fatalf("archived employee listed")
		}
	})
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	_, err := store.Open(context.Background(), store.Options{Driver: "mysql", DSN: "root@tcp(127.0.0.1:1)/kamflow?parseTime=true&loc=UTC&charset=utf8mb4&timeout=2s"})
	if err == nil || !store.Unavailable(err) {
		t.Fatalf("open on a closed port = %v; want an unavailable error", err)
	}
	for _, e := range []error{nil, store.ErrNotFound, store.ErrDuplicate, errors.New("Error 1064: syntax")} {
		if store.Unavailable(e) {
			t.Errorf("Unavailable(%v) = true", e)
		}
	}
}

func TestScorePageOrdersByCriteriaMetAndPages(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		prog, err := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var ids []uint
		for _, n := range []string{"Alpha AG", "Beta AG", "Gamma AG", "Delta GmbH"} {
			c := store.Customer{Name: n}
			if err := s.CreateCustomer(ctx, &c); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		score := func(customer uint, met ...string) {
			var in []store.ScoreInput
			for _, k := range []string{"fit", "growth", "revenue"} {
				m := false
				for _, x := range met {
					m = m || x == k
				}
				in = append(in, store.ScoreInput{CriterionKey: k, Met: m})
			}
			if err := s.SetScores(ctx, prog.ID, customer, "lead@example.com", in); err != nil {
				t.Fatal(err)
			}
		}
		// The criteria count as the programme's workflow sets them.
		seq := 0
		setCriteria := func(keys ...string) {
			t.Helper()
			seq++
			var list []store.ProgrammeCriterion
			for _, k := range keys {
				list = append(list, store.ProgrammeCriterion{CriterionKey: k, Name: k})
			}
			err := s.ApplyProgrammeEvent(ctx, store.ProgrammeSnapshot{
				Programme: store.Programme{ID: prog.ID, Name: "KAM", LeadEmail: "lead@example.com", Status: "active", CurrentPhase: "criteria", StartDate: prog.StartDate, FocusLimit: 10},
				Event:     store.ProgrammeEvent{ProgrammeID: prog.ID, Seq: seq, Kind: "criteria_set", Actor: "lead@example.com", At: time.Now()},
				Criteria:  list, CriteriaSet: true,
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		score(ids[2], "fit", "growth", "revenue")
		score(ids[1], "fit")
		setCriteria("fit", "growth", "revenue")
		page, total, err := s.ScorePage(ctx, prog.ID, "", store.Page{Number: 1, Size: 2})
		if err != nil || total != 4 || len(page) != 2 || page[0].CustomerName != "Gamma AG" || strings.Join(page[0].Met, ",") != "fit,growth,revenue" || page[1].CustomerName != "Beta AG" {
			t.Fatalf("page 1 = %+v, %d, %v", page, total, err)
		}
		page, _, _ = s.ScorePage(ctx, prog.ID, "", store.Page{Number: 2, Size: 2})
		if len(page) != 2 || page[0].CustomerName != "Alpha AG" || len(page[0].Met) != 0 {
			t.Fatalf("page 2 = %+v", page)
		}
		page, total, _ = s.ScorePage(ctx, prog.ID, "gmbh", store.Page{})
		if total != 1 || page[0].CustomerName != "Delta GmbH" {
			t.Fatalf("search = %+v", page)
		}
		setCriteria()
		if page, _, _ = s.ScorePage(ctx, prog.ID, "", store.Page{}); len(page) != 4 || len(page[0].Met) != 0 || page[0].CustomerName != "Alpha AG" {
			t.Fatalf("without criteria = %+v", page)
		}
		// Ties go by name, also by a name changed since the scores.
		setCriteria("fit")
		names := func() string {
			page, _, err := s.ScorePage(ctx, prog.ID, "", store.Page{Size: 2})
			if err != nil {
				t.Fatal(err)
			}
			return page[0].CustomerName + "," + page[1].CustomerName
		}
		if got := names(); got != "Beta AG,Gamma AG" {
			t.Fatalf("meeting fit = %s", got)
		}
		gamma := store.Customer{ID: ids[2], Name: "Aston AG"}
		if err := s.UpdateCustomer(ctx, &gamma); err != nil {
			t.Fatal(err)
		}
		if got := names(); got != "Aston AG,Beta AG" {
			t.Fatalf("after the rename = %s", got)
		}
		gamma.Name = "Gamma AG"
		if err := s.UpdateCustomer(ctx, &gamma); err != nil {
			t.Fatal(err)
		}
		// Every page size walks the same order, across the boundary between
		// customers meeting criteria and the rest; archived ones are left out.
		epsilon := store.Customer{Name: "Epsilon AG"}
		if err := s.CreateCustomer(ctx, &epsilon); err != nil {
			t.Fatal(err)
		}
		score(epsilon.ID, "fit", "growth")
		if err := s.ArchiveCustomer(ctx, epsilon.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		score(ids[3]) // scored, but meets nothing
		orders := map[string][]string{
			"fit,growth,revenue": {"Gamma AG", "Beta AG", "Alpha AG", "Delta GmbH"},
			"growth":             {"Gamma AG", "Alpha AG", "Beta AG", "Delta GmbH"},
		}
		for keys, want := range orders {
			setCriteria(strings.Split(keys, ",")...)
			for size := 1; size <= 4; size++ {
				var got []string
				for n := 1; n <= 5; n++ {
					page, total, err := s.ScorePage(ctx, prog.ID, "", store.Page{Number: n, Size: size})
					if err != nil || total != 4 {
						t.Fatalf("criteria %s, size %d, page %d: total %d, %v", keys, size, n, total, err)
					}
					for _, c := range page {
						got = append(got, c.CustomerName)
					}
				}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("criteria %s, pages of %d = %v, want %v", keys, size, got, want)
				}
			}
		}
	})
}

// TestSearchFollowsEdits checks that search finds contacts and customers
// by what they are called now: after renames of the contact and of its
// customer, archiving and deleting (on SQLite through the trigram indexes).
func TestSearchFollowsEdits(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cu := store.Customer{Name: "Zentral Logistik AG", Industry: "Transport"}
		if err := s.CreateCustomer(ctx, &cu); err != nil {
			t.Fatal(err)
		}
		c := store.Contact{CustomerID: cu.ID, Name: "Jürgen Müller", JobTitle: "Leiter Einkauf", Email: "j.mueller@zentral.example", HierarchyLevel: store.LevelDepartmentHead}
		other := store.Contact{CustomerID: cu.ID, Name: "Petra Roth", HierarchyLevel: store.LevelSpecialist}
		for _, x := range []*store.Contact{&c, &other} {
			if err := s.CreateContact(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		names := func(q string) []string {
			t.Helper()
			rows, total, err := s.SearchContacts(ctx, q, store.Page{})
			if err != nil || int(total) != len(rows) {
				t.Fatalf("search %q = %d rows, total %d, %v", q, len(rows), total, err)
			}
			var out []string
			for _, r := range rows {
				out = append(out, r.Name)
			}
			return out
		}
		want := func(q string, expected ...string) {
			t.Helper()
			if got := names(q); strings.Join(got, ",") != strings.Join(expected, ",") {
				t.Errorf("search %q = %v, want %v", q, got, expected)
			}
		}
		want("müller", "Jürgen Müller")
		want("MÜLLER", "Jürgen Müller")
		want("einkauf", "Jürgen Müller")
		want("mueller@zentral", "Jürgen Müller")
		want("zentral logistik", "Jürgen Müller", "Petra Roth")
		want("Mü", "Jürgen Müller") // shorter than a trigram: read without the index
		want("nobody here")
		customers := func(q string, expected ...string) {
			t.Helper()
			rows, total, err := s.SearchCustomers(ctx, q, store.Page{})
			var got []string
			for _, r := range rows {
				got = append(got, r.Name)
			}
			if err != nil || int(total) != len(rows) || strings.Join(got, ",") != strings.Join(expected, ",") {
				t.Errorf("customer search %q = %v (total %d, %v), want %v", q, got, total, err, expected)
			}
		}
		customers("ZENTRAL log", "Zentral Logistik AG")
		customers("transport", "Zentral Logistik AG")
		customers("AG", "Zentral Logistik AG") // shorter than a trigram

		c.Name, c.JobTitle = "Jürgen Maier", "Head of purchasing"
		if err := s.UpdateContact(ctx, &c); err != nil {
			t.Fatal(err)
		}
		want("müller")
		want("einkauf")
		want("jürgen mai", "Jürgen Maier")
		want("purchasing", "Jürgen Maier")

		cu.Name = "Nord Spedition AG"
		if err := s.UpdateCustomer(ctx, &cu); err != nil {
			t.Fatal(err)
		}
		want("zentral logistik")
		want("nord spedition", "Jürgen Maier", "Petra Roth")
		customers("zentral")
		customers("nord sped", "Nord Spedition AG")

		if err := s.ArchiveContact(ctx, other.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		want("nord spedition", "Jürgen Maier")
		if err := s.DB().WithContext(ctx).Delete(&store.Contact{}, c.ID).Error; err != nil {
			t.Fatal(err)
		}
		want("nord spedition")
		if s.Driver() == "sqlite" {
			var indexed int64
			if err := s.DB().Raw("SELECT count(*) FROM contact_search WHERE search_text LIKE '%nord spedition%'").Scan(&indexed).Error; err != nil || indexed != 1 {
				t.Errorf("index rows for the customer = %d, %v; want only the archived contact's", indexed, err)
			}
		}
	})
}
