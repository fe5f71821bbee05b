package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// Archived customers, contacts and employees are listed apart and come
// back whole; restoring what is not archived is ErrNotFound.
func TestArchivedListsAndRestore(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now()
		cu := &store.Customer{Name: "Rückkehr AG", Industry: "Energy"}
		if err := s.CreateCustomer(ctx, cu); err != nil {
			t.Fatal(err)
		}
		co := &store.Contact{CustomerID: cu.ID, Name: "Rita Rück", HierarchyLevel: store.LevelManagement}
		if err := s.CreateContact(ctx, co); err != nil {
			t.Fatal(err)
		}
		e := &store.Employee{Name: "Emil Zurück", Email: "emil.zurueck@example.com", HierarchyLevel: store.LevelSpecialist}
		if err := s.CreateEmployee(ctx, e); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestoreCustomer(ctx, cu.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("restore an active customer: %v", err)
		}
		if err := s.ArchiveCustomer(ctx, cu.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := s.ArchiveContact(ctx, co.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := s.ArchiveEmployee(ctx, e.ID, now); err != nil {
			t.Fatal(err)
		}
		if got, n, err := s.SearchArchivedCustomers(ctx, "rückkehr", store.Page{}); err != nil || n != 1 || got[0].ID != cu.ID {
			t.Fatalf("archived customers = %v %d %v", got, n, err)
		}
		if got, _, _ := s.SearchCustomers(ctx, "rückkehr", store.Page{}); len(got) != 0 {
			t.Fatalf("active customers list the archived one: %v", got)
		}
		if got, n, err := s.SearchArchivedContacts(ctx, "rita", store.Page{}); err != nil || n != 1 || got[0].CustomerName != "Rückkehr AG" {
			t.Fatalf("archived contacts = %v %d %v", got, n, err)
		}
		if got, n, err := s.SearchArchivedEmployees(ctx, "emil", store.Page{}); err != nil || n != 1 || got[0].ID != e.ID {
			t.Fatalf("archived employees = %v %d %v", got, n, err)
		}
		back, err := s.RestoreCustomer(ctx, cu.ID)
		if err != nil || back.ArchivedAt != nil || back.Name != "Rückkehr AG" {
			t.Fatalf("restored customer = %+v, %v", back, err)
		}
		if _, err := s.RestoreContact(ctx, co.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestoreEmployee(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.SearchContacts(ctx, "rita", store.Page{}); len(got) != 1 {
			t.Errorf("restored contact not listed: %v", got)
		}
		if got, _, _ := s.SearchEmployees(ctx, "emil", store.Page{}); len(got) != 1 {
			t.Errorf("restored employee not listed: %v", got)
		}
		if got, n, _ := s.SearchArchivedCustomers(ctx, "", store.Page{}); n != 0 {
			t.Errorf("archived customers after restoring = %v", got)
		}
	})
}
