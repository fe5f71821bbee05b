package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestIdempotencyKeyClaimCompleteAndReplay(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u1, err := s.CreateUser(ctx, store.NewUser{Email: "one@example.test", Name: "One", Password: "x"})
		if err != nil {
			t.Fatal(err)
		}
		u2, err := s.CreateUser(ctx, store.NewUser{Email: "two@example.test", Name: "Two", Password: "x"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		expired, stale := now.Add(-24*time.Hour), now.Add(-2*time.Minute)
		req := store.IdempotencyRequest{UserID: u1.ID, KeyHash: "aa", Method: "POST", Path: "/api/v1/programmes", BodyHash: "b1"}

		// Five at once: exactly one claims the key.
		var wg sync.WaitGroup
		var mu sync.Mutex
		claims, others := 0, 0
		var claimID uint
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				row, claimed, err := s.ClaimIdempotencyKey(ctx, req, now, expired, stale)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("claim: %v", err)
				case claimed:
					claims++
					claimID = row.ID
				default:
					if !row.Pending() || !row.Matches(req) {
						t.Errorf("concurrent claim saw %+v", row)
					}
					others++
				}
			}()
		}
		wg.Wait()
		if claims != 1 || others != 4 {
			t.Fatalf("claims = %d, others = %d; want 1 and 4", claims, others)
		}
		if err := s.CompleteIdempotencyKey(ctx, claimID, 201, `{"Location":"/x"}`, []byte(`{"id":7}`), now); err != nil {
			t.Fatal(err)
		}
		row, claimed, err := s.ClaimIdempotencyKey(ctx, req, now.Add(time.Hour), expired, stale)
		if err != nil || claimed || row.Status != 201 || string(row.Body) != `{"id":7}` || row.Header != `{"Location":"/x"}` {
			t.Fatalf("repeat = %+v, %v, %v; want the stored answer", row, claimed, err)
		}
		// Completing again changes nothing.
		if err := s.CompleteIdempotencyKey(ctx, claimID, 500, "", nil, now); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.IdempotencyKeyOf(ctx, u1.ID, "aa"); got.Status != 201 {
			t.Fatalf("status after a second complete = %d", got.Status)
		}
		// Another user's same key is another key.
		other := req
		other.UserID = u2.ID
		if _, claimed, err := s.ClaimIdempotencyKey(ctx, other, now, expired, stale); err != nil || !claimed {
			t.Fatalf("other user's claim = %v, %v", claimed, err)
		}
		// Past its lifetime the key is forgotten and claimed afresh.
		later := now.Add(25 * time.Hour)
		if row, claimed, err := s.ClaimIdempotencyKey(ctx, req, later, later.Add(-24*time.Hour), later.Add(-2*time.Minute)); err != nil || !claimed || row.Status != 0 {
			t.Fatalf("claim after expiry = %+v, %v, %v", row, claimed, err)
		}
	})
}

func TestIdempotencyKeyReleaseStaleAndCleanup(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.NewUser{Email: "one@example.test", Name: "One", Password: "x"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		expired, stale := now.Add(-24*time.Hour), now.Add(-2*time.Minute)
		req := store.IdempotencyRequest{UserID: u.ID, KeyHash: "k1", Method: "POST", Path: "/p", BodyHash: "b"}
		row, claimed, err := s.ClaimIdempotencyKey(ctx, req, now, expired, stale)
		if err != nil || !claimed {
			t.Fatalf("claim = %v, %v", claimed, err)
		}
		// A released claim (the request failed) lets a retry run.
		if err := s.ReleaseIdempotencyKey(ctx, row.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IdempotencyKeyOf(ctx, u.ID, "k1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("released key still there: %v", err)
		}
		if _, claimed, err = s.ClaimIdempotencyKey(ctx, req, now, expired, stale); err != nil || !claimed {
			t.Fatalf("claim after release = %v, %v", claimed, err)
		}
		// A claim of the same request that never answered is taken over once stale;
		// a different request with the key is not.
		differs := req
		differs.BodyHash = "other"
		t3 := now.Add(3 * time.Minute)
		if row, claimed, err := s.ClaimIdempotencyKey(ctx, differs, t3, t3.Add(-24*time.Hour), t3.Add(-2*time.Minute)); err != nil || claimed || row.Matches(differs) {
			t.Fatalf("different request's claim = %+v, %v, %v", row, claimed, err)
		}
		if _, claimed, err := s.ClaimIdempotencyKey(ctx, req, now.Add(time.Minute), expired, stale); err != nil || claimed {
			t.Fatalf("fresh claim taken over: %v, %v", claimed, err)
		}
		if row, claimed, err := s.ClaimIdempotencyKey(ctx, req, t3, t3.Add(-24*time.Hour), t3.Add(-2*time.Minute)); err != nil || !claimed || !row.CreatedAt.Equal(t3) {
			t.Fatalf("stale claim = %+v, %v, %v; want taken over", row, claimed, err)
		}
		// Cleanup removes what is older than the cut-off only.
		old := store.IdempotencyRequest{UserID: u.ID, KeyHash: "old", Method: "POST", Path: "/p", BodyHash: "b"}
		if _, _, err := s.ClaimIdempotencyKey(ctx, old, now.Add(-48*time.Hour), now.Add(-72*time.Hour), now.Add(-49*time.Hour)); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteExpiredIdempotencyKeys(ctx, expired, 100)
		if err != nil || n != 1 {
			t.Fatalf("cleanup = %d, %v; want 1", n, err)
		}
		if _, err := s.IdempotencyKeyOf(ctx, u.ID, "k1"); err != nil {
			t.Fatalf("cleanup removed a live key: %v", err)
		}
	})
}
