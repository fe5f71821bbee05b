// Package mailer delivers the notification outbox by SMTP. Workflows only
// ever write to the outbox (idempotently); this loop sends what is there,
// so a retried activity never mails twice and a mail outage loses nothing.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/notice"
	"github.com/kamflow/kamflow/store"
)

// Dispatcher sends outbox messages through an SMTP server.
type Dispatcher struct {
	Store    *store.Store
	SMTP     config.SMTP
	Log      *slog.Logger
	Interval time.Duration    // between polls; default 10 s
	Now      func() time.Time // default time.Now
	// BaseURL (KAMFLOW_BASE_URL) starts the link under every message;
	// empty leaves the link out.
	BaseURL string
	// Zone (KAMFLOW_TIME_ZONE) writes the date-times of a message to a
	// recipient who chose no zone of her own; nil: UTC.
	Zone *time.Location
}

// Run polls the outbox until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	interval := d.Interval
	if interval <= 0 {
		interval = 10 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			d.Log.Warn("outbox delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverDue sends every claimable message once and reports how many went out.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	now := d.now()
	batch, err := d.Store.ClaimNotifications(ctx, now, 2*time.Minute, 50)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, n := range batch {
		n.Subject, n.Body = d.inRecipientsLanguage(ctx, n)
		if err := d.send(n); err != nil {
			// Back off exponentially: 1, 2, 4 ... minutes.
			retry := d.now().Add(time.Minute << min(n.Attempts, 10))
			d.Log.Warn("notification not delivered", "id", n.ID, "recipient", n.Recipient, "attempt", n.Attempts+1, "err", err)
			if mErr := d.Store.MarkNotificationFailed(ctx, n.ID, err, retry); mErr != nil {
				return sent, mErr
			}
			continue
		}
		if err := d.Store.MarkNotificationSent(ctx, n.ID, d.now()); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// inRecipientsLanguage is the message's subject and body in its
// recipient's language and zone (her settings; English and Zone without
// them). kamflow keeps no company-wide language: English is the default.
func (d *Dispatcher) inRecipientsLanguage(ctx context.Context, n store.Notification) (subject, body string) {
	language, zone := notice.English, d.Zone
	u, err := d.Store.UserByEmail(ctx, strings.ToLower(n.Recipient))
	switch {
	case err == nil:
		if u.Language != "" {
			language = u.Language
		}
		if u.TimeZone != "" {
			if loc, err := time.LoadLocation(u.TimeZone); err == nil {
				zone = loc
			}
		}
	case !errors.Is(err, store.ErrNotFound):
		// The message goes out in English rather than not at all.
		d.Log.Warn("notification recipient's language", "id", n.ID, "err", err)
	}
	return notice.Notification(language, zone, n)
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// send delivers one message, with STARTTLS when the server offers it and
// authentication when a user is configured.
func (d *Dispatcher) send(n store.Notification) error {
	addr := net.JoinHostPort(d.SMTP.Host, strconv.Itoa(d.SMTP.Port))
	conn, err := net.DialTimeout("tcp", addr, 15*time.Second)
	if err != nil {
		return fmt.Errorf("connect %s: %w", addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	c, err := smtp.NewClient(conn, d.SMTP.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: d.SMTP.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if d.SMTP.User != "" {
		if err := c.Auth(smtp.PlainAuth("", d.SMTP.User, d.SMTP.Password, d.SMTP.Host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(d.SMTP.From); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(n.Recipient); err != nil {
		return fmt.Errorf("rcpt to %s: %w", n.Recipient, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(message(d.SMTP.From, d.BaseURL, n)); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end message: %w", err)
	}
	return c.Quit()
}

// message renders an RFC 5322 message; the Message-ID derives from the
// outbox row so a re-sent message is recognisable as the same one. Header
// values never carry a line break from the data (see headerValue); the
// body ends with a link into kamflow under baseURL.
func message(from, baseURL string, n store.Notification) []byte {
	var b strings.Builder
	header := func(k, v string) { b.WriteString(k + ": " + headerValue(v) + "\r\n") }
	header("From", from)
	header("To", n.Recipient)
	header("Subject", mime.QEncoding.Encode("utf-8", n.Subject))
	header("Date", n.CreatedAt.UTC().Format(time.RFC1123Z))
	header("Message-ID", fmt.Sprintf("<kamflow-%d@%s>", n.ID, domainOf(from)))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	body := n.Body
	if link := messageLink(baseURL, n); link != "" {
		body = strings.TrimRight(body, "\r\n") + "\n\n-- \nkamflow: " + link
	}
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String())
}

// messageLink is the page a message is about: the one it names, else its
// programme, else the recipient's notifications.
func messageLink(baseURL string, n store.Notification) string {
	if baseURL == "" {
		return ""
	}
	baseURL = strings.TrimRight(baseURL, "/")
	if strings.HasPrefix(n.Link, "/") && !strings.HasPrefix(n.Link, "//") {
		return baseURL + n.Link
	}
	if n.ProgrammeID != nil {
		return fmt.Sprintf("%s/programmes/%d", baseURL, *n.ProgrammeID)
	}
	return baseURL + "/notifications"
}

// headerValue keeps a header on its line: control characters (CR and LF
// above all, which would start a header or the body of the data's
// choosing) become spaces. Subjects are Q-encoded before, addresses are
// checked by the SMTP client; this holds for every header regardless.
func headerValue(v string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, v)
}

func domainOf(addr string) string {
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		return strings.Trim(addr[i+1:], "> ")
	}
	return "kamflow"
}
