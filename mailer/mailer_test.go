package mailer_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/mailer"
	"github.com/kamflow/kamflow/mailer/smtptest"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestDispatcherDeliversOnceAndRetriesFailures(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sink := smtptest.New(t)
		host, port, _ := net.SplitHostPort(sink.Addr())
		p, _ := strconv.Atoi(port)
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "k1", Recipients: []string{"lead@example.com", "ceo@example.com"}, Subject: "Phase strategy überfällig", Body: "Line one\nLine two"}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "k2", Recipients: []string{"gone@refuse.example"}, Subject: "x", Body: "y"}); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		newD := func() *mailer.Dispatcher {
			return &mailer.Dispatcher{Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
				SMTP: config.SMTP{Host: host, Port: p, From: "kamflow@example.com"}}
		}
		// Two dispatchers (two worker processes) at once send each message once.
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				n, err := newD().DeliverDue(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}(i)
		}
		wg.Wait()
		if counts[0]+counts[1] != 2 || len(sink.Messages()) != 2 {
			t.Fatalf("sent %v, sink got %d messages; want 2 in all", counts, len(sink.Messages()))
		}
		m := sink.Messages()[0]
		if !strings.Contains(m, "Subject: =?utf-8?q?Phase_strategy_=C3=BCberf=C3=A4llig?=") || !strings.Contains(m, "Line one\r\nLine two") {
			t.Errorf("message = %q", m)
		}
		// Nothing more to send now; the refused one waits for its retry time.
		if n, err := newD().DeliverDue(ctx); n != 0 || err != nil {
			t.Fatalf("second pass sent %d, %v", n, err)
		}
		all, _ := s.Notifications(ctx, "gone@refuse.example", store.Page{})
		if len(all) != 1 || all[0].SentAt != nil || all[0].Attempts != 1 || !strings.Contains(all[0].LastError, "550") {
			t.Fatalf("refused message = %+v", all)
		}
		now = now.Add(2 * time.Minute)
		if n, _ := newD().DeliverDue(ctx); n != 0 {
			t.Fatal("a refused message was counted as sent")
		}
		all, _ = s.Notifications(ctx, "gone@refuse.example", store.Page{})
		if all[0].Attempts != 2 {
			t.Errorf("attempts after retry = %d, want 2", all[0].Attempts)
		}
	})
}
