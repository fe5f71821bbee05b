package mailer

import (
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

func TestHeadersCarryNoLineBreaksFromData(t *testing.T) {
	pid := uint(7)
	n := store.Notification{ID: 3, Recipient: "lead@example.com\r\nBcc: spy@evil.example", Subject: "Phase due\r\nBcc: spy@evil.example",
		Body: "Line one\nLine two", ProgrammeID: &pid, CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	msg := string(message("kamflow@example.com\nBcc: spy@evil.example", "https://kamflow.example.com", n))
	head, body, ok := strings.Cut(msg, "\r\n\r\n")
	if !ok {
		t.Fatalf("no header/body separator:\n%q", msg)
	}
	want := []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}
	lines := strings.Split(head, "\r\n")
	if len(lines) != len(want) {
		t.Fatalf("%d header lines, want %d:\n%s", len(lines), len(want), head)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, want[i]+": ") || strings.ContainsAny(l, "\r\n") {
			t.Errorf("header %d = %q; want %s on one line", i, l, want[i])
		}
	}
	if strings.Contains(body, "Bcc:") {
		t.Errorf("header text reached the body:\n%s", body)
	}
	if !strings.HasSuffix(body, "kamflow: https://kamflow.example.com/programmes/7\r\n") {
		t.Errorf("body does not end with the link under the base URL:\n%q", body)
	}
	n.Link = "/workshops/4"
	if _, body, _ := strings.Cut(string(message("kamflow@example.com", "https://kamflow.example.com/", n)), "\r\n\r\n"); !strings.HasSuffix(body, "kamflow: https://kamflow.example.com/workshops/4\r\n") {
		t.Errorf("a message about a page links to that page: %q", body)
	}
	n.Link = "//evil.example/x"
	if _, body, _ := strings.Cut(string(message("kamflow@example.com", "https://kamflow.example.com/", n)), "\r\n\r\n"); strings.Contains(body, "evil") {
		t.Errorf("a link off the site reached the mail: %q", body)
	}
	n.Link, n.ProgrammeID = "", nil
	if _, body, _ := strings.Cut(string(message("kamflow@example.com", "https://kamflow.example.com/", n)), "\r\n\r\n"); !strings.Contains(body, "https://kamflow.example.com/notifications\r\n") {
		t.Errorf("a message without a programme links to the notifications: %q", body)
	}
	if _, body, _ := strings.Cut(string(message("kamflow@example.com", "", n)), "\r\n\r\n"); strings.Contains(body, "kamflow:") {
		t.Errorf("no base URL, no link: %q", body)
	}
}
