package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/store"
)

var unreadBadge = regexp.MustCompile(`<span class="badge unread-count"[^>]*>(\d+)</span>`)

// badge is the header's unread count on page, "" when none is shown.
func badge(page string) string {
	if m := unreadBadge.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// TestNotificationsLeadToTheirPageAndCountUnread: the header counts the
// reader's unread messages; "Open" marks one read and goes to its page,
// "Mark read" and "Mark all as read" count down; nobody else can open or
// mark another's message, and a link off the site is never followed.
func TestNotificationsLeadToTheirPageAndCountUnread(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	kam := "kam@" + store.DemoDomain
	for _, n := range []store.NewNotification{
		{Key: "gate", Recipients: []string{kam}, Subject: "Workshop dates proposed", Body: "Three dates went to the customer.\nConfirm one.", Link: "/workshops/1"},
		{Key: "action", Recipients: []string{kam}, Subject: "Action due", Body: "x", Link: "/my-work"},
		{Key: "elsewhere", Recipients: []string{kam}, Subject: "Crafted", Body: "x", Link: "//evil.example/phish"},
		{Key: "lead", Recipients: []string{"lead@" + store.DemoDomain}, Subject: "Gate submitted", Body: "x", Link: "/programmes/1"},
	} {
		if err := f.store.EnqueueNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]uint{}
	all, err := f.store.Notifications(ctx, "", store.Page{Number: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range all {
		ids[n.IdempotencyKey] = n.ID
	}

	f.login(kam, store.DemoPassword)
	_, page := f.get("/my-work")
	if got := badge(page); got != "3" {
		t.Fatalf("unread badge on a page = %q, want 3", got)
	}
	_, page = f.get("/notifications")
	if !strings.Contains(page, "Three dates went to the customer.\nConfirm one.") || !strings.Contains(page, `action="/notifications/`+uitoa(ids["gate"])+`/open"`) {
		t.Fatalf("the list shows no body or no Open:\n%s", page)
	}
	csrf := csrfOf(t, page)
	code, _, h := f.post("/notifications/"+uitoa(ids["gate"])+"/open", url.Values{"csrf": {csrf}})
	if loc := h.Get("Location"); code != http.StatusSeeOther || loc != "/workshops/1" {
		t.Fatalf("open = %d → %q, want 303 → /workshops/1", code, loc)
	}
	// Opened twice: still read once, still leads there.
	if code, _, h = f.post("/notifications/"+uitoa(ids["gate"])+"/open", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther || h.Get("Location") != "/workshops/1" {
		t.Fatalf("open again = %d → %q", code, h.Get("Location"))
	}
	if code, _, h = f.post("/notifications/"+uitoa(ids["elsewhere"])+"/open", url.Values{"csrf": {csrf}}); h.Get("Location") != "/notifications" {
		t.Errorf("a link off the site = %d → %q, want /notifications", code, h.Get("Location"))
	}
	if _, page = f.get("/my-work"); badge(page) != "1" {
		t.Fatalf("unread badge after opening two = %q, want 1", badge(page))
	}
	if code, _, _ = f.post("/notifications/"+uitoa(ids["lead"])+"/read", url.Values{"csrf": {csrf}}); code != http.StatusForbidden {
		t.Errorf("the KAM marks the lead's message read = %d, want 403", code)
	}
	if code, _, _ = f.post("/notifications/"+uitoa(ids["lead"])+"/open", url.Values{"csrf": {csrf}}); code != http.StatusForbidden {
		t.Errorf("the KAM opens the lead's message = %d, want 403", code)
	}
	if code, _, h = f.post("/notifications/read", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther || h.Get("Location") != "/notifications?done=all-read" {
		t.Fatalf("mark all read = %d → %q", code, h.Get("Location"))
	}
	_, page = f.get(h.Get("Location"))
	if badge(page) != "" || !strings.Contains(page, "All your messages are marked read.") {
		t.Errorf("after marking all read the badge is %q; notice shown: %v", badge(page), strings.Contains(page, "All your messages are marked read."))
	}
	if n, err := f.store.NotificationByID(ctx, ids["lead"]); err != nil || n.ReadAt != nil {
		t.Errorf("the lead's message after the KAM marked all hers read = %+v, %v; want it unread", n, err)
	}
}
