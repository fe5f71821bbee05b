package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/activities"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/workflows"
)

// TestJourFixePictureOnlyShowsReadableAccounts: each participant's picture
// covers only the accounts the access policy lets her read — a colleague
// asked about another KAM's account through a relationship does not get
// that account's risks — and a retried send mails nobody twice.
func TestJourFixePictureOnlyShowsReadableAccounts(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		employee := func(local string) uint {
			u, err := s.UserByEmail(ctx, local+"@"+store.DemoDomain)
			if err != nil || u.EmployeeID == nil {
				t.Fatalf("%s: %v", local, err)
			}
			return *u.EmployeeID
		}
		kam, kam2 := employee("kam"), employee("kam2")
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		p := newProgramme(t, s)
		now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID, custs[1].ID}, now); err != nil {
			t.Fatal(err)
		}
		for i, e := range []uint{kam, kam2} {
			if err := s.AssignKeyAccount(ctx, p.ID, custs[i].ID, e, nil); err != nil {
				t.Fatal(err)
			}
		}
		// kam2 also knows someone at kam's customer, so she is asked about it.
		cust, _ := s.Customer(ctx, custs[0].ID)
		if _, err := s.SaveRelationship(ctx, store.Relationship{ContactID: cust.Contacts[0].ID, EmployeeID: kam2, Quality: 3}); err != nil {
			t.Fatal(err)
		}
		j := &store.JourFixe{WorkflowID: "jourfixe-1-x", ProgrammeID: p.ID, MeetingAt: now}
		people, kas, err := s.PrepareJourFixe(ctx, j)
		if err != nil || len(kas) != 2 {
			t.Fatalf("prepare = %+v, %d accounts, %v", people, len(kas), err)
		}
		account := map[uint]uint{} // customer -> key account
		for _, ka := range kas {
			account[ka.CustomerID] = ka.ID
		}
		for _, in := range []store.JourFixeInput{
			{KeyAccountID: account[custs[0].ID], EmployeeID: kam, Satisfaction: 2, Risks: "CONFIDENTIAL: customer will terminate"},
			{KeyAccountID: account[custs[1].ID], EmployeeID: kam2, Satisfaction: 4, Needs: "faster invoices"},
		} {
			in.JourFixeID = j.ID
			if err := s.SaveJourFixeInput(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		in := workflows.JourFixePictureInput{WorkflowID: j.WorkflowID, JourFixeID: j.ID, ProgrammeID: p.ID, Day: "2026-07-01"}
		for _, pp := range people {
			in.Participants = append(in.Participants, workflows.JourFixeParticipant{EmployeeID: pp.EmployeeID, Email: pp.Email, Accounts: pp.Accounts})
		}
		a := &activities.Activities{Store: s}
		for i := 0; i < 2; i++ { // a retried activity mails nobody twice
			if err := a.SendJourFixePicture(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		body := func(local string) []string {
			list, err := s.Notifications(ctx, local+"@"+store.DemoDomain, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range list {
				if strings.Contains(n.IdempotencyKey, "/picture/") {
					out = append(out, n.Body)
					// By key too: the day and the same picture, for the reader's language.
					if key, args, ok := n.Text(); !ok || key != workflows.NoticeJourFixePicture || len(args) != 2 || args[0] != in.Day || args[1] != n.Body {
						t.Errorf("picture by key = %q %q (%v)", key, args, ok)
					}
				}
			}
			return out
		}
		mine := body("kam")
		if len(mine) != 1 || !strings.Contains(mine[0], "CONFIDENTIAL") || strings.Contains(mine[0], "faster invoices") {
			t.Errorf("kam's picture = %q; want her account only", mine)
		}
		theirs := body("kam2")
		if len(theirs) != 1 || strings.Contains(theirs[0], "CONFIDENTIAL") || !strings.Contains(theirs[0], "faster invoices") {
			t.Errorf("kam2's picture = %q; want her own account, not the one she was only asked about", theirs)
		}
	})
}
