package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestContactMatrixGapsAndHandoverCompletion(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		cust, err := s.Customer(ctx, custs[0].ID) // Alpenbau: five levels
		if err != nil {
			t.Fatal(err)
		}
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		byLevel := map[store.HierarchyLevel]store.Employee{}
		for _, e := range emps {
			byLevel[e.HierarchyLevel] = e
		}
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{cust.ID}, now); err != nil {
			t.Fatal(err)
		}
		kam, deputy, incoming := byLevel[store.LevelBoard], byLevel[store.LevelManagement], byLevel[store.LevelDepartmentHead]
		if err := s.AssignKeyAccount(ctx, p.ID, cust.ID, kam.ID, &deputy.ID); err != nil {
			t.Fatal(err)
		}
		kas, _ := s.KeyAccounts(ctx, p.ID)
		ka := kas[0]
		var board, specialist store.Contact
		for _, c := range cust.Contacts {
			switch c.HierarchyLevel {
			case store.LevelBoard:
				board = c
			case store.LevelSpecialist:
				specialist = c
			}
		}
		old := now.AddDate(0, -6, 0)
		if _, err := s.SaveRelationship(ctx, store.Relationship{ContactID: board.ID, EmployeeID: kam.ID, Quality: 5, LastContactAt: &now}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveRelationship(ctx, store.Relationship{ContactID: specialist.ID, EmployeeID: kam.ID, Quality: 3, LastContactAt: &old}); err != nil {
			t.Fatal(err)
		}
		// Saving again updates, it does not duplicate.
		if _, err := s.SaveRelationship(ctx, store.Relationship{ContactID: board.ID, EmployeeID: kam.ID, Quality: 4, LastContactAt: &now}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveRelationship(ctx, store.Relationship{ContactID: board.ID, EmployeeID: kam.ID, Quality: 0}); err == nil {
			t.Error("quality 0 accepted")
		}
		m, err := s.ContactMatrix(ctx, ka.ID, now, 90*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !m.BowTie || m.KAM.ID != kam.ID || m.Deputy.ID != deputy.ID {
			t.Errorf("bow tie %v, kam %v, deputy %v", m.BowTie, m.KAM, m.Deputy)
		}
		row := func(l store.HierarchyLevel) store.MatrixRow {
			for _, r := range m.Rows {
				if r.Level == l {
					return r
				}
			}
			t.Fatalf("no row %s", l)
			return store.MatrixRow{}
		}
		if r := row(store.LevelBoard); r.NoCounterpart || r.Contacts[0].Untouched || r.Contacts[0].Counterparts[0].LevelMismatch || r.Contacts[0].Counterparts[0].Quality != 4 {
			t.Errorf("board row = %+v", r)
		}
		if r := row(store.LevelSpecialist); !r.Contacts[0].Untouched || !r.Contacts[0].Counterparts[0].LevelMismatch {
			t.Errorf("specialist row = %+v", r)
		}
		if r := row(store.LevelManagement); !r.NoCounterpart {
			t.Errorf("management row has people and no counterpart, but no gap: %+v", r)
		}

		h, err := s.StartHandover(ctx, store.Handover{KeyAccountID: ka.ID, WorkflowID: "handover-x", Reason: "left", OutgoingEmployeeID: kam.ID, CoveringEmployeeID: deputy.ID}, []string{"a", "b"})
		if err != nil {
			t.Fatal(err)
		}
		if again, err := s.StartHandover(ctx, store.Handover{KeyAccountID: ka.ID, WorkflowID: "handover-x", Reason: "left", OutgoingEmployeeID: kam.ID, CoveringEmployeeID: deputy.ID}, []string{"a", "b"}); err != nil || again.ID != h.ID {
			t.Fatalf("repeated start = %+v, %v", again, err)
		}
		k, _ := s.KeyAccountByID(ctx, ka.ID)
		if *k.Responsible() != deputy.ID {
			t.Fatalf("responsible during handover = %d, want the deputy", *k.Responsible())
		}
		if err := s.CompleteHandover(ctx, h.ID, now); err == nil {
			t.Fatal("completed without an incoming KAM")
		}
		if err := s.SetHandoverIncoming(ctx, h.ID, incoming.ID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := s.CompleteHandover(ctx, h.ID, now); err != nil {
				t.Fatal(err)
			}
		}
		k, _ = s.KeyAccountByID(ctx, ka.ID)
		if *k.Responsible() != incoming.ID || k.CoveringEmployeeID != nil || *k.DeputyEmployeeID != deputy.ID {
			t.Errorf("after handover = %+v", k)
		}
		if rels, _ := s.RelationshipsOf(ctx, kam.ID, cust.ID); len(rels) != 0 {
			t.Errorf("outgoing KAM keeps %d relationships", len(rels))
		}
	})
}

// TestListKeyAccountsFiltersNamesAndWorkedOnBy lists key accounts with
// their people's names and status, filtered by programme, customer and
// KAM, and by who works on them (KAM, deputy, covering, incoming KAM).
func TestListKeyAccountsFiltersNamesAndWorkedOnBy(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		kam, deputy, covering, incoming, outsider := emps[0], emps[1], emps[2], emps[3], emps[4]
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		p1, _ := s.CreateProgramme(ctx, "KAM 1", "lead@example.com", now)
		p2, _ := s.CreateProgramme(ctx, "KAM 2", "lead@example.com", now)
		if err := s.ConfirmKeyAccounts(ctx, p1.ID, []uint{custs[0].ID, custs[1].ID, custs[2].ID}, now); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmKeyAccounts(ctx, p2.ID, []uint{custs[0].ID}, now); err != nil {
			t.Fatal(err)
		}
		for _, c := range []uint{custs[0].ID, custs[1].ID} {
			if err := s.AssignKeyAccount(ctx, p1.ID, c, kam.ID, &deputy.ID); err != nil {
				t.Fatal(err)
			}
		}
		kas, _ := s.KeyAccounts(ctx, p1.ID)
		byCustomer := map[uint]store.KeyAccount{}
		for _, ka := range kas {
			byCustomer[ka.CustomerID] = ka
		}
		handed := byCustomer[custs[1].ID]
		h, err := s.StartHandover(ctx, store.Handover{KeyAccountID: handed.ID, WorkflowID: "handover-test", Reason: "left", OutgoingEmployeeID: kam.ID, CoveringEmployeeID: covering.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetHandoverIncoming(ctx, h.ID, incoming.ID); err != nil {
			t.Fatal(err)
		}

		rows, total, err := s.ListKeyAccounts(ctx, store.KeyAccountFilter{ProgrammeID: p1.ID}, store.Page{})
		if err != nil || total != 3 || len(rows) != 3 {
			t.Fatalf("programme 1 = %d rows of %d, %v", len(rows), total, err)
		}
		status := map[uint]string{}
		for i, r := range rows {
			status[r.CustomerID] = r.Status()
			if r.CustomerName == "" || (i > 0 && rows[i-1].CustomerName > r.CustomerName) {
				t.Errorf("row %d: customer name %q out of order", i, r.CustomerName)
			}
			if r.ID == handed.ID && (r.KAMName != kam.Name || r.DeputyName != deputy.Name || r.CoveringName != covering.Name) {
				t.Errorf("handed-over account names = %q %q %q", r.KAMName, r.DeputyName, r.CoveringName)
			}
		}
		if status[custs[0].ID] != store.KeyAccountActive || status[custs[1].ID] != store.KeyAccountHandover || status[custs[2].ID] != store.KeyAccountUnassigned {
			t.Errorf("statuses = %v", status)
		}
		// A programme's accounts with their names, by customer, in one list.
		named, err := s.KeyAccountRowsOf(ctx, p1.ID)
		if err != nil || len(named) != 3 {
			t.Fatalf("key account rows of programme 1 = %d, %v; want 3", len(named), err)
		}
		for i, r := range named {
			if i > 0 && named[i-1].CustomerID > r.CustomerID {
				t.Errorf("rows of programme 1 not by customer: %d after %d", r.CustomerID, named[i-1].CustomerID)
			}
			if r.CustomerName == "" || r.Status() != status[r.CustomerID] {
				t.Errorf("row of customer %d = %q %s; want its name and %s", r.CustomerID, r.CustomerName, r.Status(), status[r.CustomerID])
			}
			if r.ID == handed.ID && (r.KAMName != kam.Name || r.DeputyName != deputy.Name) {
				t.Errorf("handed-over account's people = %q %q", r.KAMName, r.DeputyName)
			}
		}
		// Scanned by hand, field by field as gorm reflected them.
		var want []store.KeyAccountRow
		err = s.DB().Table("key_accounts AS ka").
			Select("ka.*, k.name AS kam_name, d.name AS deputy_name, cv.name AS covering_name, "+
				"EXISTS (SELECT 1 FROM handovers h WHERE h.key_account_id = ka.id AND h.status = 'open') AS handover_open").
			Joins("LEFT JOIN employees k ON k.id = ka.kam_employee_id").
			Joins("LEFT JOIN employees d ON d.id = ka.deputy_employee_id").
			Joins("LEFT JOIN employees cv ON cv.id = ka.covering_employee_id").
			Where("ka.programme_id = ?", p1.ID).Order("ka.customer_id").Scan(&want).Error
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(named, want) {
			t.Errorf("key account rows scanned by hand:\n%+v\nwant gorm's:\n%+v", named, want)
		}
		if rows, total, _ := s.ListKeyAccounts(ctx, store.KeyAccountFilter{CustomerID: custs[0].ID}, store.Page{}); total != 2 || len(rows) != 2 {
			t.Errorf("customer filter = %d of %d", len(rows), total)
		}
		if rows, total, _ := s.ListKeyAccounts(ctx, store.KeyAccountFilter{KAMEmployeeID: kam.ID, CustomerID: custs[0].ID}, store.Page{}); total != 1 || rows[0].ProgrammeID != p1.ID {
			t.Errorf("KAM and customer filter = %+v of %d", rows, total)
		}
		// Pages follow each other without a gap or a repeat, by programme
		// and customer name.
		first, _, _ := s.ListKeyAccounts(ctx, store.KeyAccountFilter{}, store.Page{Number: 1, Size: 3})
		rows, total, _ = s.ListKeyAccounts(ctx, store.KeyAccountFilter{}, store.Page{Number: 2, Size: 3})
		if total != 4 || len(first) != 3 || len(rows) != 1 {
			t.Fatalf("pages of size 3 = %d and %d rows of %d", len(first), len(rows), total)
		}
		// A page that is full is counted; one past the end too.
		for _, pg := range []store.Page{{Number: 1, Size: 3}, {Number: 1, Size: 4}, {Number: 1, Size: 5}, {Number: 3, Size: 3}} {
			if got, n, err := s.ListKeyAccounts(ctx, store.KeyAccountFilter{}, pg); err != nil || n != 4 || len(got) != min(max(4-(pg.Number-1)*pg.Size, 0), pg.Size) {
				t.Errorf("page %+v = %d rows of %d, %v; want the count 4", pg, len(got), n, err)
			}
		}
		all := append(first, rows...)
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			if a.ProgrammeID > b.ProgrammeID || (a.ProgrammeID == b.ProgrammeID && a.CustomerName > b.CustomerName) {
				t.Errorf("row %d (%d %q) before row %d (%d %q)", i-1, a.ProgrammeID, a.CustomerName, i, b.ProgrammeID, b.CustomerName)
			}
		}
		if all[3].ProgrammeID != p2.ID || all[3].CustomerID != custs[0].ID || all[3].CustomerName == "" {
			t.Errorf("page 2 = %+v; want programme 2's account with its name", all[3])
		}
		for _, tc := range []struct {
			who  store.Employee
			want int64
		}{{kam, 2}, {deputy, 2}, {covering, 1}, {incoming, 1}, {outsider, 0}} {
			_, total, err := s.ListKeyAccounts(ctx, store.KeyAccountFilter{WorkedOnBy: &tc.who.ID}, store.Page{})
			if err != nil || total != tc.want {
				t.Errorf("accounts %s works on = %d, %v; want %d", tc.who.Name, total, err, tc.want)
			}
			works, err := s.WorksOnKeyAccount(ctx, handed.ID, tc.who.ID)
			if err != nil || works != (tc.who.ID != outsider.ID) {
				t.Errorf("%s works on the handed-over account = %v, %v", tc.who.Name, works, err)
			}
		}
	})
}

func TestFindEmployeesWithArchived(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		all, total, err := s.FindEmployees(ctx, "", false, store.Page{})
		if err != nil || total == 0 {
			t.Fatal(total, err)
		}
		if err := s.ArchiveEmployee(ctx, all[0].ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, active, _ := s.FindEmployees(ctx, "", false, store.Page{}); active != total-1 {
			t.Errorf("active employees = %d, want %d", active, total-1)
		}
		has := func(list []store.Employee) *store.Employee {
			for i := range list {
				if list[i].ID == all[0].ID {
					return &list[i]
				}
			}
			return nil
		}
		if list, _, _ := s.FindEmployees(ctx, all[0].Email, false, store.Page{}); has(list) != nil {
			t.Errorf("archived employee listed without withArchived")
		}
		if list, _, _ := s.FindEmployees(ctx, all[0].Email, true, store.Page{}); has(list) == nil || has(list).ArchivedAt == nil {
			t.Errorf("with archived = %+v", list)
		}
	})
}
