package mailer_test

import (
	"bufio"
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
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// smtpSink is a minimal SMTP server on loopback that records messages and
// refuses recipients at refuse.example.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
}

func newSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 sink ready")
	var data strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			if strings.Contains(cmd, "REFUSE.EXAMPLE") {
				say("550 no such user")
			} else {
				say("250 ok")
			}
		case cmd == "DATA":
			say("354 go ahead")
			data.Reset()
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, data.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpSink) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

func TestDispatcherDeliversOnceAndRetriesFailures(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sink := newSink(t)
		host, port, _ := net.SplitHostPort(sink.ln.Addr().String())
		p, _ := strconv.Atoi(port)
		if err := s.EnqueueNotification(ctx, "k1", []string{"lead@example.com", "ceo@example.com"}, "Phase strategy überfällig", "Line one\nLine two", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueNotification(ctx, "k2", []string{"gone@refuse.example"}, "x", "y", nil); err != nil {
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
		if counts[0]+counts[1] != 2 || len(sink.messages()) != 2 {
			t.Fatalf("sent %v, sink got %d messages; want 2 in all", counts, len(sink.messages()))
		}
		m := sink.messages()[0]
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
