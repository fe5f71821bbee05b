package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestOutboxBacklog: sent messages do not count, messages past the last
// attempt count as given up, and the oldest waiting one is the oldest
// that is still being tried.
func TestOutboxBacklog(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		empty, err := s.OutboxBacklog(ctx)
		if err != nil || empty.Waiting != 0 || empty.GivenUp != 0 || !empty.Oldest.IsZero() {
			t.Fatalf("empty outbox = %+v, %v", empty, err)
		}
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "first", Recipients: []string{"sent@example.com", "failing@example.com"}, Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "second", Recipients: []string{"waiting@example.com", "later@example.com"}, Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
		rows, _, err := s.SearchOutbox(ctx, "", "", store.Page{Size: 10})
		if err != nil || len(rows) != 4 {
			t.Fatalf("outbox = %v, %v", rows, err)
		}
		byRecipient := map[string]store.Notification{}
		for _, n := range rows {
			byRecipient[n.Recipient] = n
		}
		now := time.Now()
		if err := s.MarkNotificationSent(ctx, byRecipient["sent@example.com"].ID, now); err != nil {
			t.Fatal(err)
		}
		for range store.MaxDeliveryAttempts {
			if err := s.MarkNotificationFailed(ctx, byRecipient["failing@example.com"].ID, errors.New("mailbox full"), now); err != nil {
				t.Fatal(err)
			}
		}
		b, err := s.OutboxBacklog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b.Waiting != 2 || b.GivenUp != 1 {
			t.Errorf("backlog = %+v, want 2 waiting and 1 given up", b)
		}
		if want := byRecipient["waiting@example.com"].CreatedAt; !b.Oldest.Equal(want) {
			t.Errorf("oldest waiting = %v, want %v (the first message still tried)", b.Oldest, want)
		}
	})
}
