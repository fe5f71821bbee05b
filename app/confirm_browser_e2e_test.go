package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/store"
)

// TestBrowserConfirmCancelArchiveRestore: in Chromium, HR cancels a
// training session through its confirmation, which says how many people
// will be told; the admin archives a customer through its confirmation,
// finds it in the archived customers and restores it.
func TestBrowserConfirmCancelArchiveRestore(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	ctx := context.Background()
	st := e.dev.Store

	course := &store.Course{Title: "Negotiating with buying centres", DurationDays: 1}
	if err := st.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().AddDate(0, 0, 21).Truncate(time.Hour)
	ts := &store.TrainingSession{CourseID: course.ID, StartsAt: start, EndsAt: start.Add(8 * time.Hour), Place: "Zürich", Capacity: 1}
	if err := st.SaveSession(ctx, ts); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"kam", "kam2"} { // one enrolled, one waitlisted
		if _, err := st.Enrol(ctx, ts.ID, e.emp[who], nil, "hr@"+store.DemoDomain, time.Now()); err != nil {
			t.Fatal(err)
		}
	}

	hr := newBrowser(t, exe)
	hr.signIn(t, e.dev.URL, "hr")
	cancel := fmt.Sprintf(`form[action="/training/sessions/%d/cancel"]`, ts.ID)
	hr.run(t, "open the session's cancellation",
		chromedp.Navigate(e.dev.URL+"/training"),
		chromedp.WaitVisible(confirmSummary("", cancel), chromedp.ByQuery),
	)
	if hr.has(t, `details.confirm[open]`) {
		t.Fatal("a confirmation is open before anyone asked")
	}
	hr.confirmThrough(t, "cancel the session", cancel, fmt.Sprintf("cancel-session-%d", ts.ID),
		"Negotiating with buying centres", "2 people enrolled or waitlisted will be told the session is cancelled")
	var notice string
	hr.run(t, "read the notice", chromedp.Text(`p.notice`, &notice, chromedp.ByQuery))
	if !strings.Contains(notice, "Session cancelled; the enrolled people are told.") {
		t.Fatalf("notice = %q", notice)
	}
	if hr.has(t, fmt.Sprintf(`#cancel-session-%d`, ts.ID)) {
		t.Error("the cancelled session is still offered for cancelling")
	}
	if got, err := st.Session(ctx, ts.ID); err != nil || got.CancelledAt == nil {
		t.Fatalf("session after cancelling = %+v, %v", got, err)
	}
	hr.noConsoleErrors(t)

	found, _, err := st.SearchCustomers(ctx, "Alpenbau", store.Page{})
	if err != nil || len(found) != 1 {
		t.Fatalf("Alpenbau: %v %v", found, err)
	}
	cu := found[0]
	archive := fmt.Sprintf(`form[action="/customers/%d/archive"]`, cu.ID)
	admin := newBrowser(t, exe)
	admin.signIn(t, e.dev.URL, "admin")
	admin.run(t, "open the customers", chromedp.Navigate(e.dev.URL+"/customers"), chromedp.WaitVisible(confirmSummary("", archive), chromedp.ByQuery))
	admin.confirmThrough(t, "archive Alpenbau", archive, fmt.Sprintf("archive-customer-%d", cu.ID), "Alpenbau AG", "restored from the archived customers")
	if admin.has(t, fmt.Sprintf(`a[href="/customers/%d"]`, cu.ID)) {
		t.Error("the archived customer is still listed")
	}
	restore := fmt.Sprintf(`form[action="/customers/%d/restore"] button`, cu.ID)
	admin.submit(t, "open the archived customers", `a[href="/customers?archived=1"]`, restore)
	admin.screenshot(t, "admin-archived-customers")
	admin.submit(t, "restore Alpenbau", restore, `p.notice`)
	admin.run(t, "read the notice", chromedp.Text(`p.notice`, &notice, chromedp.ByQuery))
	if !strings.Contains(notice, "The customer is restored") || admin.has(t, `.badge.archived`) {
		t.Fatalf("after restoring: notice %q, archived badge %v", notice, admin.has(t, `.badge.archived`))
	}
	if got, err := st.Customer(ctx, cu.ID); err != nil || got.ArchivedAt != nil {
		t.Fatalf("customer after restore = %+v, %v", got, err)
	}
	admin.run(t, "find it in the list again",
		chromedp.Navigate(e.dev.URL+"/customers"),
		chromedp.WaitVisible(fmt.Sprintf(`a[href="/customers/%d"]`, cu.ID), chromedp.ByQuery),
	)
	admin.noConsoleErrors(t)
}

// confirmThrough opens the confirmation box holding formSel, checks that
// its consequence says each of wants, and sends its form; the answer is
// a page with a notice.
func (b *browserSession) confirmThrough(t *testing.T, what, formSel, box string, wants ...string) {
	t.Helper()
	b.openConfirm(t, what, "", formSel)
	var consequence string
	b.run(t, "read what "+what+" does", chromedp.Text("#"+box+" .consequence", &consequence, chromedp.ByQuery))
	for _, want := range wants {
		if !strings.Contains(consequence, want) {
			t.Fatalf("%s: consequence %q lacks %q", what, consequence, want)
		}
	}
	b.screenshot(t, box)
	b.submit(t, what, formSel+` button[type=submit]`, `p.notice`)
}
