package mailer_test

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/mailer"
	"github.com/kamflow/kamflow/mailer/smtptest"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/workflows"
)

// TestMailInTheRecipientsLanguage: one message by key goes to a German
// user (in her zone), an English user and an address without a user: each
// reads it in their language, with its link; a message kept only in
// English goes out as it was stored.
func TestMailInTheRecipientsLanguage(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		de, err := s.CreateUser(ctx, store.NewUser{Email: "Eva@Example.com", Name: "Eva", Password: "Quartz-Lantern-Harbour-42", Language: "de"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserSettings(ctx, de.ID, "de", "Europe/Berlin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, store.NewUser{Email: "sam@example.com", Name: "Sam", Password: "Quartz-Lantern-Harbour-42", Language: "en"}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "k1", Recipients: []string{"eva@example.com", "sam@example.com", "nobody@example.com"},
			Subject: "Reminder: Coaching on 2027-03-04", Body: `Reminder: "Coaching" starts on 2027-03-04 at 08:30 UTC (Room 3).`, Link: "/my-work",
			TextKey: workflows.NoticeTrainingReminder, TextArgs: []string{"Coaching", "2027-03-04T08:30:00Z", "Room 3"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "old", Recipients: []string{"eva@example.com"}, Subject: "Old English subject", Body: "Old English body"}); err != nil {
			t.Fatal(err)
		}
		sink := smtptest.New(t)
		host, port, _ := net.SplitHostPort(sink.Addr())
		p, _ := strconv.Atoi(port)
		d := &mailer.Dispatcher{Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC) },
			SMTP: config.SMTP{Host: host, Port: p, From: "kamflow@example.com"}, BaseURL: "https://kamflow.example"}
		if n, err := d.DeliverDue(ctx); n != 4 || err != nil {
			t.Fatalf("sent %d, %v; want 4", n, err)
		}
		got := map[string][]string{}
		for _, m := range sink.Messages() {
			to, subject, body := parse(t, m)
			got[to] = append(got[to], subject+"\n"+body)
		}
		want := map[string][]string{
			"eva@example.com": {"Erinnerung: Coaching am 04.03.2027\nErinnerung: „Coaching“ beginnt am 04.03.2027 um 09:30 CET (Room 3).\r\n\r\n-- \r\nkamflow: https://kamflow.example/my-work",
				"Old English subject\nOld English body"},
			"sam@example.com":    {"Reminder: Coaching on 4 Mar 2027\nReminder: “Coaching” starts on 4 Mar 2027 at 08:30 UTC (Room 3).\r\n\r\n-- \r\nkamflow: https://kamflow.example/my-work"},
			"nobody@example.com": {"Reminder: Coaching on 4 Mar 2027\nReminder: “Coaching” starts on 4 Mar 2027 at 08:30 UTC (Room 3).\r\n\r\n-- \r\nkamflow: https://kamflow.example/my-work"},
		}
		for to, msgs := range want {
			for _, w := range msgs {
				found := false
				for _, g := range got[to] {
					found = found || strings.HasPrefix(g, w)
				}
				if !found {
					t.Errorf("%s got %q, want %q", to, got[to], w)
				}
			}
		}
	})
}

// parse returns a message's recipient, decoded subject and body.
func parse(t *testing.T, m string) (to, subject, body string) {
	t.Helper()
	head, body, ok := strings.Cut(m, "\r\n\r\n")
	if !ok {
		t.Fatalf("no body in %q", m)
	}
	for _, line := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(line, "To: "); ok {
			to = v
		}
		if v, ok := strings.CutPrefix(line, "Subject: "); ok {
			dec, err := new(mime.WordDecoder).DecodeHeader(v)
			if err != nil {
				t.Fatalf("subject %q: %v", v, err)
			}
			if v != mime.QEncoding.Encode("utf-8", dec) {
				t.Errorf("subject header %q is not Q-encoded as before", v)
			}
			subject = dec
		}
	}
	return to, subject, body
}
