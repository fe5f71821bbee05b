package store_test

import (
	"context"
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
