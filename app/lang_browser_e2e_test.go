package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// rawKeys are stored vocabulary values that must never reach a page's text:
// statuses, event kinds, cadences, reasons, channels, handover items.
var rawKeys = regexp.MustCompile(`\b(in_progress|signed_off|half_yearly|no_show|session_cancelled|phase_started|phase_completed|` +
	`criteria_set|selection_computed|candidate_decided|kam_assigned|training_completed|training_exception|plan_approved|` +
	`conflict_logged|conflict_resolved|staff_informed|staff_meeting|team_meetings|persona_non_grata|role_change|` +
	`knowledge_transfer|actions_moved|relationships_moved|intro_meeting|customer_informed|account_plans|` +
	`definitive_selection|provisional_selection|kam_profile|board_ceo|department_head|programme_confirmation)\b`)

// englishOnGerman are frequent English UI words and phrases; none of them
// is German, nor in the data the walk's programme was run with.
var englishOnGerman = regexp.MustCompile(`\b(Submit|Approve|Reject|Settings|Due|Save|Sign out|Sign in|Mark done|Waitlist|Enrol|` +
	`Upcoming|Overdue|overdue|pending|in progress|signed off|Key figures|Findings|Nothing|Audit trail|Timeline|Results|` +
	`Participants|Minutes|Customers|Contacts|Employees|Notifications|My work|Key accounts|Back to|Show all|previous|` +
	`Choose|Remove|Edit|Search|Language|Course|Seats|Reason|Comment|approved|rejected|submitted|yes|Trigger|Started|` +
	`Progress|Current phase|phase started|low|medium|high|candidates meet|; at least|employee \d+|customer \d+|Annual workshop|` +
	`What occupies|How can we|challenges|guiding questions|Review ready|Programme \d|Conflicts logged|Staff informed|master data|Project team|unavailable)\b`)

// skipLink tells the links a walk does not follow: they leave the pages
// (sign-out, downloads, calendars) or the site.
func skipLink(path string) bool {
	for _, s := range []string{"/logout", "download", ".ics", ".csv", "/static/", "/openapi", "/metrics", "/language"} {
		if strings.Contains(path, s) {
			return true
		}
	}
	return false
}

// shape is a path with its numbers blanked: a walk visits a few pages of
// each shape, so its bound reaches every kind of page.
var digits = regexp.MustCompile(`\d+`)

func shape(path string) string { return digits.ReplaceAllString(strings.SplitN(path, "?", 2)[0], "N") }

// TestBrowserGermanPagesWalk signs in as every demo role with the UI in
// German and walks the pages reachable from the navigation and the links on
// them, on a programme run to its end with a review, a workshop, a handover
// and a jour fixe: no page
// shows a raw vocabulary key, English UI text or a console error; nor do the
// same pages in English show a raw key.
func TestBrowserGermanPagesWalk(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	programme := e.runWholeProgramme(t)
	p := fmt.Sprintf("/programmes/%d", programme)
	e.ok(t, 200, "controller", "PUT", p+"/review-cadence", map[string]any{"cadence": "half_yearly", "start_date": time.Now().UTC().Format("2006-01-02")})
	e.ok(t, 202, "controller", "POST", p+"/reviews", nil)
	ka := e.accountOf(t, programme, "kam3")
	e.ok(t, 202, "kam3", "POST", fmt.Sprintf("/key-accounts/%d/workshops", ka.ID), nil)
	waitFor(t, "workshop prepared", func() bool {
		return len(e.ok(t, 200, "kam3", "GET", fmt.Sprintf("/key-accounts/%d/workshops", ka.ID), nil).body["items"].([]any)) > 0
	})

	// A handover under way and a jour fixe collecting input.
	other := e.accountOf(t, programme, "kam")
	e.ok(t, 202, "lead", "POST", fmt.Sprintf("/key-accounts/%d/handover", other.ID), map[string]any{"reason": "left", "reason_note": "moved abroad"})
	e.ok(t, 202, "lead", "POST", p+"/jour-fixes", map[string]any{"meeting_at": time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)})
	waitFor(t, "the jour fixe asks for input", func() bool {
		return len(e.ok(t, 200, "lead", "GET", p+"/jour-fixes", nil).body["items"].([]any)) > 0
	})
	waitFor(t, "the handover has started", func() bool {
		return e.call(t, "lead", "GET", fmt.Sprintf("/key-accounts/%d/handover", other.ID), nil).code == 200
	})

	// kamflow's own audit comments are kept by key and parameters.
	evs, err := e.dev.Store.ProgrammeEvents(context.Background(), programme)
	keyed := 0
	for _, ev := range evs {
		if ev.CommentKey != "" {
			keyed++
		}
	}
	if err != nil || keyed < 5 {
		t.Fatalf("%d of %d events keep their comment by key (%v)", keyed, len(evs), err)
	}

	// About 300 page loads: alone on this machine they take some two and a
	// half minutes; beside the rest of CI under the race detector, more than
	// twice that. The deadline only keeps a hung browser from hanging CI.
	chrome := newChromium(t, exe, time.Now().Add(10*time.Minute))
	shots, err := os.MkdirTemp("", "kamflow-walk-")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(e.dev.URL)
	for _, role := range []string{"lead", "committee", "hr", "controller", "kam3", "admin"} {
		b := chrome.window(t, shots)
		b.signIn(t, e.dev.URL, role)
		b.submit(t, role+" switches to German", `button[name=language][value=de]`, `form[action="/logout"]`)
		seen := map[string]bool{"/": true}
		perShape := map[string]int{}
		queue := []string{"/"}
		from := map[string]string{}
		var walked []string
		for len(queue) > 0 && len(walked) < 60 {
			path := queue[0]
			queue = queue[1:]
			walked = append(walked, path)
			page := readPage(t, b, e.dev.URL, role, path, from[path])
			if page.Lang != "de" {
				t.Errorf("%s %s: the page is in %q, not German", role, path, page.Lang)
			}
			for _, m := range uniq(rawKeys.FindAllString(page.Text, -1)) {
				t.Errorf("%s %s: raw key %q on the page", role, path, m)
			}
			for _, m := range uniq(englishOnGerman.FindAllString(page.Text, -1)) {
				t.Errorf("%s %s: English %q on a German page: …%s…", role, path, m, around(page.Text, m))
			}
			for _, l := range page.Links {
				u, err := url.Parse(l)
				if err != nil || u.Host != base.Host || skipLink(u.Path) {
					continue
				}
				next := u.Path
				if u.RawQuery != "" {
					next += "?" + u.RawQuery
				}
				if seen[next] || perShape[shape(next)] >= 3 {
					continue
				}
				seen[next], from[next] = true, path
				perShape[shape(next)]++
				queue = append(queue, next)
			}
		}
		if len(walked) < 5 {
			t.Errorf("%s reached only %d pages", role, len(walked))
		}
		t.Logf("%s: %d pages walked, %d more found", role, len(walked), len(queue))
		// The same pages in English show no raw key either, and on a phone
		// (390 px) none is wider than the screen: only wide tables scroll,
		// inside their own box.
		b.submit(t, role+" switches to English", `button[name=language][value=en]`, `form[action="/logout"]`)
		b.run(t, role+" on a phone", chromedp.EmulateViewport(390, 844))
		for _, path := range walked {
			page := readPage(t, b, e.dev.URL, role, path, from[path])
			if page.Overflow > 0 {
				t.Errorf("%s %s at 390 px: the page is %d px wider than the screen", role, path, page.Overflow)
			}
			for _, m := range uniq(rawKeys.FindAllString(page.Text, -1)) {
				t.Errorf("%s %s in English: raw key %q on the page", role, path, m)
			}
		}
	}
}

// walkedPage is what a walk reads of a page.
type walkedPage struct {
	Text  string   `json:"text"`
	Lang  string   `json:"lang"`
	Links []string `json:"links"`
	// Overflow is how far the page is wider than the window (0: it fits).
	Overflow int `json:"overflow"`
}

// readPage opens path in the tab and reads its visible text, language and
// links; console errors while it loads fail the test.
func readPage(t *testing.T, b *browserSession, base, role, path, from string) walkedPage {
	t.Helper()
	before := len(b.consoleErrors())
	var raw string
	read := func() error {
		return chromedp.Run(b.ctx,
			chromedp.Navigate(base+path),
			chromedp.Poll(`document.readyState === "complete"`, nil, chromedp.WithPollingInterval(50*time.Millisecond)),
			chromedp.Evaluate(`JSON.stringify({text: document.body.innerText, lang: document.documentElement.lang,
			links: Array.from(document.querySelectorAll("a[href]")).map(a => new URL(a.getAttribute("href"), document.baseURI).href),
			overflow: Math.max(0, document.documentElement.scrollWidth - window.innerWidth)})`, &raw),
		)
	}
	// A page whose JavaScript context Chromium replaces while it is read
	// (CDP's "Cannot find context with specified id") is read again.
	err := read()
	for attempt := 1; err != nil && attempt < 3 && strings.Contains(err.Error(), "Cannot find context with specified id"); attempt++ {
		err = read()
	}
	if err != nil {
		t.Fatalf("%s opens %s: %v", role, path, err)
	}
	var page walkedPage
	if err := json.Unmarshal([]byte(raw), &page); err != nil {
		t.Fatalf("%s %s: %v", role, path, err)
	}
	if errs := b.consoleErrors(); len(errs) > before {
		t.Errorf("%s %s (linked from %s): console errors %v", role, path, from, errs[before:])
	}
	return page
}

func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// around is the text near the first occurrence of m, to find it on the page.
func around(text, m string) string {
	i := strings.Index(text, m)
	from, to := max(0, i-40), min(len(text), i+len(m)+40)
	return strings.ReplaceAll(text[from:to], "\n", " ")
}
