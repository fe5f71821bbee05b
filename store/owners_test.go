package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestHandoverMovesOpenWork: a handover gives the outgoing KAM's open
// actions and measures of that account to the cover, then to the incoming
// KAM; done work, other people's work and other accounts' work stay;
// repeating a move changes nothing; a manual reassignment is not undone.
func TestHandoverMovesOpenWork(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		emps, err := s.KAMCandidates(ctx)
		if err != nil || len(emps) < 3 {
			t.Fatalf("employees = %d, %v", len(emps), err)
		}
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		other, _ := s.CreateProgramme(ctx, "Other", "lead@example.com", time.Now())
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID, custs[1].ID}, now); err != nil {
			t.Fatal(err)
		}
		kas, _ := s.KeyAccounts(ctx, p.ID)
		ka, ka2 := kas[0], kas[1]
		if ka.CustomerID != custs[0].ID {
			ka, ka2 = ka2, ka
		}
		const out, cover, incoming, someone = "out@example.com", "cover@example.com", "in@example.com", "someone@example.com"
		due := now.AddDate(0, 1, 0)
		ids, err := s.AddActions(ctx, []store.Action{
			{IdemKey: "w/0", KeyAccountID: ka.ID, Source: "workshop", SourceID: 7, Title: "open", OwnerEmail: "OUT@example.com", Due: due},
			{IdemKey: "w/1", KeyAccountID: ka.ID, Source: "plan", SourceID: 3, Title: "closed", OwnerEmail: out, Due: due},
			{IdemKey: "w/2", KeyAccountID: ka.ID, Source: "plan", SourceID: 3, Title: "someone's", OwnerEmail: someone, Due: due},
			{IdemKey: "w/3", KeyAccountID: ka2.ID, Source: "plan", SourceID: 4, Title: "other account", OwnerEmail: out, Due: due},
			{IdemKey: "w/4", KeyAccountID: ka.ID, Source: "plan", SourceID: 3, Title: "open plan action", OwnerEmail: out, Due: due},
		})
		if err != nil {
			t.Fatal(err)
		}
		open, closed, someones, otherAccount, openPlan := ids[0], ids[1], ids[2], ids[3], ids[4]
		if err := s.CompleteAction(ctx, closed, out, now); err != nil {
			t.Fatal(err)
		}
		r, err := s.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: "review-a", ControllerEmail: "c@example.com", KeyAccounts: []uint{custs[0].ID}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		rOther, err := s.GatherReview(ctx, store.KPIInput{ProgrammeID: other.ID, WorkflowID: "review-b", ControllerEmail: "c@example.com", KeyAccounts: []uint{custs[0].ID}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		c0 := custs[0].ID
		measure := func(review uint, key, owner string) uint {
			id, err := s.AddMeasure(ctx, store.Measure{ReviewID: review, IdemKey: key, CustomerID: &c0, Title: key, OwnerEmail: owner, Due: due})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		mOpen, mDone, mOtherProgramme := measure(r.ID, "m-open", out), measure(r.ID, "m-done", out), measure(rOther.ID, "m-other", out)
		if err := s.CompleteMeasure(ctx, mDone, out, now); err != nil {
			t.Fatal(err)
		}
		h, err := s.StartHandover(ctx, store.Handover{KeyAccountID: ka.ID, WorkflowID: "handover-x", Reason: "left", OutgoingEmployeeID: emps[0].ID, CoveringEmployeeID: emps[1].ID}, []string{"actions_moved"})
		if err != nil {
			t.Fatal(err)
		}

		owner := func(id uint) string {
			a, err := s.ActionByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return a.OwnerEmail
		}
		measureOwner := func(id uint) string {
			m, err := s.MeasureByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return m.OwnerEmail
		}
		move := func(to, by string) []store.MovedItem {
			moved, err := s.MoveAccountWork(ctx, store.MoveWork{HandoverID: h.ID, KeyAccountID: ka.ID, FromEmail: out, ToEmail: to, By: by, At: now})
			if err != nil {
				t.Fatal(err)
			}
			return moved
		}
		// The KAM left: the cover takes her open work at once.
		moved := move(cover, "kamflow")
		if len(moved) != 3 || owner(open) != cover || owner(openPlan) != cover || measureOwner(mOpen) != cover {
			t.Fatalf("moved to the cover = %+v", moved)
		}
		if owner(closed) != out || owner(someones) != someone || owner(otherAccount) != out || measureOwner(mDone) != out || measureOwner(mOtherProgramme) != out {
			t.Fatal("work that is done, someone else's or of another account moved")
		}
		// Someone gives one action to a colleague by hand: the handover leaves it.
		if _, err := s.SetActionOwner(ctx, openPlan, someone, "lead@example.com", now); err != nil {
			t.Fatal(err)
		}
		// The incoming KAM gets what the cover holds for this handover.
		moved = move(incoming, "cover@example.com")
		if len(moved) != 2 || owner(open) != incoming || measureOwner(mOpen) != incoming || owner(openPlan) != someone {
			t.Fatalf("moved to the incoming KAM = %+v; plan action with %s", moved, owner(openPlan))
		}
		for _, m := range moved {
			if m.OwnerEmail != incoming || (m.Kind == store.WorkAction && (m.Source != "workshop" || m.SourceID != 7)) || (m.Kind == store.WorkMeasure && m.SourceID != r.ID) {
				t.Errorf("moved item = %+v", m)
			}
		}
		changes, err := s.OwnerChangesOfHandover(ctx, h.ID)
		if err != nil || len(changes) != 5 {
			t.Fatalf("changes = %+v, %v", changes, err)
		}
		if c := changes[len(changes)-1]; c.ToEmail != incoming || c.FromEmail != cover || c.ChangedBy != "cover@example.com" || c.ChangedAt.IsZero() {
			t.Errorf("last change = %+v", c)
		}
		// Repeating the move (a retried activity) changes nothing and still names the moved work.
		again := move(incoming, "cover@example.com")
		if len(again) != 2 {
			t.Errorf("repeated move = %+v", again)
		}
		if changes, _ := s.OwnerChangesOfHandover(ctx, h.ID); len(changes) != 5 {
			t.Errorf("a repeated move recorded %d changes, want 5", len(changes))
		}
		if list, _ := s.OpenActionsOwnedBy(ctx, incoming); len(list) != 1 {
			t.Errorf("incoming KAM's open actions = %d, want 1", len(list))
		}
		if list, _ := s.OpenMeasuresOwnedBy(ctx, incoming); len(list) != 1 {
			t.Errorf("incoming KAM's open measures = %d, want 1", len(list))
		}
		if list, _ := s.OpenMeasuresOfKeyAccount(ctx, &ka); len(list) != 1 || list[0].ID != mOpen {
			t.Errorf("open measures of the account = %+v", list)
		}
	})
}

// TestSetOwnerOfOneActionOrMeasure: open work changes owner once and is
// recorded; done work and unknown IDs are refused.
func TestSetOwnerOfOneActionOrMeasure(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID}, now); err != nil {
			t.Fatal(err)
		}
		kas, _ := s.KeyAccounts(ctx, p.ID)
		ids, err := s.AddActions(ctx, []store.Action{
			{IdemKey: "a/0", KeyAccountID: kas[0].ID, Source: "plan", SourceID: 1, Title: "A", OwnerEmail: "a@example.com", Due: now},
			{IdemKey: "a/1", KeyAccountID: kas[0].ID, Source: "plan", SourceID: 1, Title: "B", OwnerEmail: "a@example.com", Due: now},
		})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.SetActionOwner(ctx, ids[0], " B@example.com ", "lead@example.com", now)
		if err != nil || a.OwnerEmail != "b@example.com" {
			t.Fatalf("set owner = %+v, %v", a, err)
		}
		if _, err := s.SetActionOwner(ctx, ids[0], "b@example.com", "lead@example.com", now); err != nil {
			t.Fatalf("same owner again = %v", err)
		}
		if err := s.CompleteAction(ctx, ids[1], "a@example.com", now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetActionOwner(ctx, ids[1], "b@example.com", "lead@example.com", now); !errors.Is(err, store.ErrDone) {
			t.Errorf("owner of a done action = %v, want ErrDone", err)
		}
		if _, err := s.SetActionOwner(ctx, 99999, "b@example.com", "lead@example.com", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("owner of an unknown action = %v, want ErrNotFound", err)
		}
		r, err := s.GatherReview(ctx, store.KPIInput{ProgrammeID: p.ID, WorkflowID: "review-a", ControllerEmail: "c@example.com", KeyAccounts: []uint{custs[0].ID}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		cid := custs[0].ID
		mid, _ := s.AddMeasure(ctx, store.Measure{ReviewID: r.ID, IdemKey: "m", CustomerID: &cid, Title: "M", OwnerEmail: "a@example.com", Due: now})
		m, err := s.SetMeasureOwner(ctx, mid, "b@example.com", "lead@example.com", now)
		if err != nil || m.OwnerEmail != "b@example.com" {
			t.Fatalf("set measure owner = %+v, %v", m, err)
		}
		if ka, err := s.MeasureKeyAccount(ctx, m); err != nil || ka.ID != kas[0].ID {
			t.Errorf("key account of the measure = %+v, %v", ka, err)
		}
		if err := s.CompleteMeasure(ctx, mid, "b@example.com", now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetMeasureOwner(ctx, mid, "a@example.com", "lead@example.com", now); !errors.Is(err, store.ErrDone) {
			t.Errorf("owner of a done measure = %v, want ErrDone", err)
		}
	})
}
