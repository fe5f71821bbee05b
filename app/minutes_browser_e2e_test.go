package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/store"
)

// TestBrowserMinutesRefusedAtTheDueField: in Chromium, a KAM on German
// pages types long workshop minutes with an agreed action whose due date
// is no date (typed as text) and saves: the page answers with the reason
// in German at that row's due field, the minutes and the action as typed;
// she fixes the date and the minutes are recorded.
func TestBrowserMinutesRefusedAtTheDueField(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	programme, _ := e.programmeInTraining(t)
	ka, _ := e.richestAccount(t, programme)
	wid := e.workshopHeld(t, ka.ID)

	kam := newBrowser(t, exe)
	kam.signIn(t, e.dev.URL, "kam3")
	kam.run(t, "switch to German",
		chromedp.Click(`button[name=language][value=de]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//a[contains(., "Abmelden")] | //button[contains(., "Abmelden")]`, chromedp.BySearch),
	)
	form := fmt.Sprintf("#minutes-%d", wid)
	long := strings.Repeat("Der Kunde steht vor neuer Regulierung; wir bieten ein Briefing und einen Pilot an. ", 120)
	kam.openUntil(t, e.dev.URL+fmt.Sprintf("/workshops/%d", wid), form+" textarea[name=minutes]", 30*time.Second)
	kam.run(t, "type the minutes with an action due on no date",
		chromedp.SetValue(form+" textarea[name=minutes]", long, chromedp.ByQuery),
		chromedp.SendKeys(form+" textarea[name=minutes]", "Nächster Termin im Frühling.", chromedp.ByQuery),
		chromedp.SendKeys(form+` input[name="actions[0].title"]`, "Regulierungs-Briefing", chromedp.ByQuery),
		chromedp.SetValue(form+` select[name="actions[0].owner_email"]`, "kam2@"+store.DemoDomain, chromedp.ByQuery),
		// A browser without a date picker lets anything be typed.
		chromedp.Evaluate(`document.querySelector('`+form+` input[name="actions[0].due"]').type = "text"`, nil),
		chromedp.SendKeys(form+` input[name="actions[0].due"]`, "nächsten Freitag", chromedp.ByQuery),
	)
	kam.submit(t, "save the minutes", form+" button[value=save]", form+` input[name="actions[0].due"][aria-invalid="true"]`)
	var shown, minutes, title, owner, due string
	kam.run(t, "read the refused form",
		chromedp.Text(form+` label:has(input[name="actions[0].due"]) + p.error`, &shown, chromedp.ByQuery),
		chromedp.Value(form+" textarea[name=minutes]", &minutes, chromedp.ByQuery),
		chromedp.Value(form+` input[name="actions[0].title"]`, &title, chromedp.ByQuery),
		chromedp.Value(form+` select[name="actions[0].owner_email"]`, &owner, chromedp.ByQuery),
		chromedp.AttributeValue(form+` input[name="actions[0].due"]`, "value", &due, nil, chromedp.ByQuery),
	)
	kam.screenshot(t, "minutes-refused-german")
	if shown != "muss ein Datum als JJJJ-MM-TT sein" {
		t.Errorf("at the due field: %q, want the German reason", shown)
	}
	if minutes != long+"Nächster Termin im Frühling." || title != "Regulierungs-Briefing" || owner != "kam2@"+store.DemoDomain || due != "nächsten Freitag" {
		t.Errorf("the refused form lost what was typed: minutes %d chars, title %q, owner %q, due %q", len(minutes), title, owner, due)
	}
	kam.run(t, "fix the due date",
		chromedp.SetValue(form+` input[name="actions[0].due"]`, time.Now().AddDate(0, 1, 0).Format("2006-01-02"), chromedp.ByQuery),
	)
	kam.submit(t, "save the minutes again", form+" button[value=save]", `p.notice`)
	var notice string
	kam.run(t, "the minutes are recorded",
		chromedp.Text(`p.notice`, &notice, chromedp.ByQuery),
		chromedp.WaitVisible(`//td[contains(., "Regulierungs-Briefing")]`, chromedp.BySearch),
	)
	if !strings.Contains(notice, "Protokoll erfasst") {
		t.Errorf("notice after saving = %q", notice)
	}
	// The refusal's 422 is the one message the console may show.
	for _, msg := range kam.consoleErrors() {
		if !strings.Contains(msg, "status of 422") || !strings.Contains(msg, "/minutes-form") {
			t.Errorf("console error: %s", msg)
		}
	}
}

// workshopHeld has kam3 start this year's workshop of the key account and
// date it a moment from now, and waits until it has begun: the minutes
// are open. It returns the workshop's ID.
func (e *apiEnv) workshopHeld(t *testing.T, keyAccountID uint) int {
	t.Helper()
	base := fmt.Sprintf("/key-accounts/%d", keyAccountID)
	e.ok(t, 202, "kam3", "POST", base+"/workshops", nil)
	var wid int
	waitFor(t, "workshop prepared", func() bool {
		for _, it := range e.ok(t, 200, "kam3", "GET", base+"/workshops", nil).body["items"].([]any) {
			wid = int(it.(map[string]any)["id"].(float64))
		}
		return wid != 0
	})
	var held time.Time
	waitFor(t, "dates accepted", func() bool {
		held = time.Now().Add(2 * time.Second).UTC()
		return e.call(t, "kam3", "POST", fmt.Sprintf("/workshops/%d/dates", wid), map[string]any{"starts_at": held.Format(time.RFC3339Nano), "place": "Zürich"}).code == 200
	})
	time.Sleep(time.Until(held) + 500*time.Millisecond)
	return wid
}
