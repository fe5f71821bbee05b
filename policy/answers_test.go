package policy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestRememberingAsksTheStoreOnce: under a context made by Remembering a
// relation to a target is read once, so an answer survives the row it
// came from; a fresh context, another programme or another user asks the
// store again, and a failed question is not remembered.
func TestRememberingAsksTheStoreOnce(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	p, err := st.CreateProgramme(ctx, "Answers", "lead@example.com", now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateProgramme(ctx, "Other", "lead@example.com", now)
	if err != nil {
		t.Fatal(err)
	}
	leadRole := []store.UserRole{{Role: store.RoleLead}}
	lead := &store.User{Email: "Lead@Example.com", Roles: leadRole}
	stranger := &store.User{Email: "someone@example.com", Roles: leadRole}
	pol := &policy.Policy{Store: st}
	may := func(ctx context.Context, u *store.User, programme uint) (bool, error) {
		return pol.May(ctx, u, policy.ActJourFixeSchedule, policy.Target{ProgrammeID: programme})
	}

	page := policy.Remembering(ctx)
	if ok, err := may(page, lead, p.ID); err != nil || !ok {
		t.Fatalf("the lead of her programme: %v, %v; want true", ok, err)
	}
	if ok, err := may(page, stranger, p.ID); err != nil || ok {
		t.Fatalf("another lead: %v, %v; want false", ok, err)
	}
	if err := st.DeleteProgramme(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := may(page, lead, p.ID); err != nil || !ok {
		t.Errorf("asked again in the same context: %v, %v; want the remembered true", ok, err)
	}
	if ok, err := may(page, stranger, p.ID); err != nil || ok {
		t.Errorf("another user asked again: %v, %v; want the remembered false", ok, err)
	}
	if _, err := may(ctx, lead, p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a context that does not remember: %v; want the store's not found", err)
	}
	if _, err := may(policy.Remembering(ctx), lead, p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another remembering context: %v; want the store's not found", err)
	}
	if policy.Remembering(page) != page {
		t.Error("Remembering a remembering context should keep its answers")
	}

	// A failure is asked again, not remembered.
	gone := other.ID + 100
	if _, err := may(page, lead, gone); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a programme that is not there: %v; want not found", err)
	}
	if _, err := may(page, lead, gone); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("asked again after a failure: %v; want not found again", err)
	}
	if ok, err := may(page, lead, other.ID); err != nil || !ok {
		t.Errorf("her other programme: %v, %v; want true", ok, err)
	}
}

// TestAKnownLeadIsNotReadAgain: a target that carries its programme's lead
// (the route read it to find the programme) is judged on it, without a
// read; without it the store is asked.
func TestAKnownLeadIsNotReadAgain(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	ctx := context.Background()
	pol := &policy.Policy{Store: st}
	leadRole := []store.UserRole{{Role: store.RoleLead}}
	lead := &store.User{Email: "Lead@Example.com", Roles: leadRole}
	stranger := &store.User{Email: "someone@example.com", Roles: leadRole}
	const gone = 4242 // no such programme: a read would fail
	known := policy.Target{ProgrammeID: gone, LeadEmail: "lead@example.com"}
	if ok, err := pol.May(ctx, lead, policy.ActJourFixeSchedule, known); err != nil || !ok {
		t.Errorf("the lead, known: %v, %v; want true without a read", ok, err)
	}
	if ok, err := pol.May(ctx, stranger, policy.ActJourFixeSchedule, known); err != nil || ok {
		t.Errorf("another lead, lead known: %v, %v; want false", ok, err)
	}
	if _, err := pol.May(ctx, lead, policy.ActJourFixeSchedule, policy.Target{ProgrammeID: gone}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("lead not known: %v; want the store's not found", err)
	}
}
