package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/store"
)

// TestBrowserKAMKeepsTheContactMatrix: in Chromium, the KAM of an account
// opens a contact's "Add a counterpart" box (its form arrives as the box
// opens), finds a colleague by name and saves with a last contact in the
// future: refused at the field with all she typed kept. Corrected, it is
// saved and the matrix shows the counterpart. She then opens the
// counterpart's "Change or end" box and ends the relationship.
func TestBrowserKAMKeepsTheContactMatrix(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	ctx := context.Background()
	programme, _ := e.programmeInTraining(t)
	ka, cust := e.richestAccount(t, programme)
	var top store.Contact
	for _, c := range cust.Contacts {
		if c.HierarchyLevel == store.LevelBoard {
			top = c
		}
	}
	if top.ID == 0 || *ka.KAMEmployeeID != e.emp["kam3"] {
		t.Fatalf("key account %+v of %s without a board contact", ka, cust.Name)
	}
	people, err := e.dev.Store.EmployeesByID(ctx, []uint{e.emp["kam"]})
	colleague := people[e.emp["kam"]]
	if err != nil || colleague.Name == "" {
		t.Fatalf("kam = %+v, %v", people, err)
	}

	b := newBrowser(t, exe)
	b.signIn(t, e.dev.URL, "kam3")
	box := fmt.Sprintf("#form-contact-%d", top.ID)
	form := box + ` form[action$="/relationships-form"]`
	b.run(t, "open the key account",
		chromedp.Navigate(fmt.Sprintf("%s/key-accounts/%d", e.dev.URL, ka.ID)),
		chromedp.WaitVisible(box+" > summary", chromedp.ByQuery))
	if b.has(t, form) {
		t.Fatal("the page carries the contact's form before its box is opened")
	}
	b.run(t, "open the contact's box to add a counterpart",
		chromedp.Click(box+" > summary", chromedp.ByQuery),
		chromedp.WaitVisible(form+" select[name=employee_id]", chromedp.ByQuery))

	// The finder asks as the name is typed; on a loaded machine an answer to
	// a part of the name may still be on its way when the list first shows
	// her alone, and would reset the choice. So the test waits until no
	// request is in flight, and checks the choice held before it sends.
	settled := `!document.querySelector(".htmx-request")`
	narrowed := fmt.Sprintf(`(() => { const o = [...document.querySelectorAll('%s select[name=employee_id] option')].filter(o => o.value); return %s && o.length === 1 && o[0].value === "%d"; })()`,
		form, settled, colleague.ID)
	b.run(t, "find the colleague by name",
		chromedp.SendKeys(form+" input[name=find]", colleague.Name, chromedp.ByQuery),
		chromedp.Sleep(400*time.Millisecond), // the finder's delay (250 ms) after the last key
		chromedp.Poll(narrowed, nil, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(settle)))
	held := fmt.Sprintf(`%s && document.querySelector('%s select[name=employee_id]').value === "%d"`, settled, form, colleague.ID)
	b.run(t, "fill in the relationship",
		chromedp.SetValue(form+" select[name=employee_id]", fmt.Sprint(colleague.ID), chromedp.ByQuery),
		chromedp.SetValue(form+" select[name=quality]", "4", chromedp.ByQuery),
		chromedp.SetValue(form+" input[name=last_contact_at]", "2999-01-01", chromedp.ByQuery),
		chromedp.SendKeys(form+" input[name=notes]", "likes facts", chromedp.ByQuery),
		chromedp.Poll(held, nil, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(settle)))
	b.submit(t, "save with a last contact in the future", form+" button[value=save]", box+"[open] p.error")

	var kept map[string]string
	b.run(t, "read the refused form", chromedp.Evaluate(fmt.Sprintf(`(() => { const f = document.querySelector('%s'); return {
		employee: f.employee_id.value, quality: f.quality.value, last: f.last_contact_at.value, notes: f.notes.value,
		error: f.querySelector('p.error').textContent }; })()`, form), &kept))
	if kept["employee"] != fmt.Sprint(colleague.ID) || kept["quality"] != "4" || kept["last"] != "2999-01-01" || kept["notes"] != "likes facts" ||
		!strings.Contains(kept["error"], "future") {
		t.Fatalf("the refused form = %+v; want everything typed kept and the error at the field", kept)
	}
	if rels, _ := e.dev.Store.RelationshipsOf(ctx, colleague.ID, cust.ID); len(rels) != 0 {
		t.Fatalf("a refused relationship was saved: %+v", rels)
	}

	recent := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	b.run(t, "correct the last contact", chromedp.SetValue(form+" input[name=last_contact_at]", recent, chromedp.ByQuery))
	b.submit(t, "save", form+" button[value=save]", "p.notice")
	rels, err := e.dev.Store.RelationshipsOf(ctx, colleague.ID, cust.ID)
	if err != nil || len(rels) != 1 || rels[0].Quality != 4 || rels[0].Notes != "likes facts" || rels[0].ContactID != top.ID {
		t.Fatalf("saved relationships = %+v, %v", rels, err)
	}
	relBox := fmt.Sprintf("#form-rel-%d", rels[0].ID)
	var row string
	b.run(t, "read the contact's row", chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%s).closest('tr').textContent`, jsString(relBox)), &row))
	if !strings.Contains(row, colleague.Name) || !strings.Contains(row, "quality 4/5") {
		t.Fatalf("the contact's row after the save = %q", row)
	}

	b.run(t, "open the counterpart's box to change or end it",
		chromedp.Click(relBox+" > summary", chromedp.ByQuery),
		chromedp.WaitVisible(relBox+" form button[value=end]", chromedp.ByQuery))
	var chosen string
	b.run(t, "read the counterpart's form", chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%s).employee_id.value`, jsString(relBox+" form")), &chosen))
	if chosen != fmt.Sprint(colleague.ID) {
		t.Fatalf("the change form has %q chosen, want the counterpart %d", chosen, colleague.ID)
	}
	b.submit(t, "end the relationship", relBox+" form button[value=end]", "p.notice")
	if left, _ := e.dev.Store.RelationshipsOf(ctx, colleague.ID, cust.ID); len(left) != 0 {
		t.Fatalf("the ended relationship is still active: %+v", left)
	}
	// The one refusal is the browser's only complaint: its page came as 422.
	for _, msg := range b.consoleErrors() {
		if !strings.Contains(msg, "status of 422") || !strings.HasSuffix(msg, "/relationships-form") {
			t.Errorf("console error: %s", msg)
		}
	}
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
