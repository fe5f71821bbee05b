package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/web/browsertest"
)

// RequireBrowserEnv, when set, turns a missing Chromium into a failure (CI).
const requireBrowserEnv = "KAMFLOW_TEST_REQUIRE_BROWSER"

// chromium finds Debian's Chromium; nothing downloads a browser.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(requireBrowserEnv) != "" {
		t.Fatalf("Chromium is not on PATH but %s requires the browser tests", requireBrowserEnv)
	}
	t.Skip("browser tests skipped: install Debian's chromium (apt-get install chromium)")
	return ""
}

// browserSession is one signed-in Chromium tab that records console errors.
type browserSession struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
	shots  string
}

// browserOptions starts Debian's Chromium headless with its own profile.
func browserOptions(t *testing.T, exe string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(browsertest.ProfileDir(t)), chromedp.WindowSize(1280, 1000))
}

func newBrowser(t *testing.T, exe string) *browserSession {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(t, exe)...)
	ctx, cancel := chromedp.NewContext(actx)
	// A guard against a hung browser, generous for a loaded 2-core machine.
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	// Screenshots outlive the test run, as artifacts to look at.
	shots, err := os.MkdirTemp("", "kamflow-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	return watchTab(t, ctx, shots)
}

// chromiumProcess is one Chromium shared by the roles of a test; each role
// gets a browser context of its own (cookies apart, like a private window).
type chromiumProcess struct {
	ctx context.Context
}

// newChromium starts Chromium; everything in it ends by the deadline.
func newChromium(t *testing.T, exe string, deadline time.Time) *chromiumProcess {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(t, exe)...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithDeadline(ctx, deadline)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &chromiumProcess{ctx: ctx}
}

// window opens a tab in a new browser context; its screenshots go to shots.
// Headless Chromium opens a context's first tab only in a window of its own
// (chromedp.WithNewBrowserContext asks for a tab: "no browser is open").
func (c *chromiumProcess) window(t *testing.T, shots string) *browserSession {
	t.Helper()
	browser := cdp.WithExecutor(c.ctx, chromedp.FromContext(c.ctx).Browser)
	bc, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(browser)
	if err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	tab, err := target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(browser)
	if err != nil {
		t.Fatalf("new window: %v", err)
	}
	ctx, cancel := chromedp.NewContext(c.ctx, chromedp.WithTargetID(tab))
	t.Cleanup(cancel)
	return watchTab(t, ctx, shots)
}

// watchTab records the tab's console errors, exceptions and failed loads.
func watchTab(t *testing.T, ctx context.Context, shots string) *browserSession {
	t.Helper()
	b := &browserSession{ctx: ctx, shots: shots}
	chromedp.ListenTarget(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				b.errors = append(b.errors, fmt.Sprintf("console.error %v", ev.Args))
			}
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError {
				b.errors = append(b.errors, ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})
	if err := chromedp.Run(ctx, log.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

func (b *browserSession) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (b *browserSession) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := b.capture(t)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// capture takes a full-page PNG of the tab. A capture asked for while the
// page navigates may never be answered (a wait that matched the page being
// left); it is bounded and asked again, saying so.
func (b *browserSession) capture(t *testing.T) ([]byte, error) {
	t.Helper()
	var png []byte
	var err error
	for attempt := 1; attempt <= 2; attempt++ {
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		err = chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100))
		cancel()
		if err == nil {
			return png, nil
		}
		t.Logf("screenshot attempt %d: %v", attempt, err)
	}
	return nil, err
}

func (b *browserSession) noConsoleErrors(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errors) > 0 {
		t.Errorf("console errors: %v", b.errors)
	}
}

func (b *browserSession) signIn(t *testing.T, base, who string) {
	t.Helper()
	b.run(t, "sign in "+who,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, who+"@"+store.DemoDomain, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, store.DemoPassword, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h2[contains(., "KAM programmes")]`, chromedp.BySearch),
	)
}

// TestBrowserLeadSubmitsAndCommitteeApproves drives Debian's Chromium: the
// lead signs in, opens the programme and submits two phases through the
// forms; a committee member signs in and approves the strategy gate. The
// pages raise no console errors; screenshots go to a temp dir.
func TestBrowserLeadSubmitsAndCommitteeApproves(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	r := e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "KAM Browser AG", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": time.Now().Format("2006-01-02")})
	p := fmt.Sprintf("%s/programmes/%d", e.dev.URL, int(r.body["id"].(float64)))

	lead := newBrowser(t, exe)
	lead.signIn(t, e.dev.URL, "lead")
	lead.screenshot(t, "lead-home")
	var status string
	lead.run(t, "submit set-up",
		chromedp.Navigate(p),
		chromedp.WaitVisible(`svg.timeline`, chromedp.ByQuery),
		// Set-up and strategy are handed in by their parts.
		chromedp.SetValue(`#phase-setup textarea[name="parts.team"]`, "Managing director, head of sales, head of marketing", chromedp.ByQuery),
		chromedp.SetValue(`#phase-setup textarea[name="parts.goals"]`, "Grow the share of wallet with the ten key customers", chromedp.ByQuery),
		chromedp.SetValue(`#phase-setup textarea[name="parts.milestones"]`, "Selection by June, roll-out by January", chromedp.ByQuery),
		chromedp.Click(`#phase-setup form[action$="/phases/setup/submit"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#phase-strategy textarea[name="parts.kam_role"]`, chromedp.ByQuery),
		chromedp.Text(`#phase-setup td:nth-child(2)`, &status, chromedp.ByQuery),
	)
	if strings.TrimSpace(status) != "done" {
		t.Fatalf("set-up status after submitting = %q", status)
	}
	lead.run(t, "submit strategy",
		chromedp.SetValue(`#phase-strategy textarea[name="parts.corporate_strategy"]`, "Growth with fewer, larger customers", chromedp.ByQuery),
		chromedp.SetValue(`#phase-strategy textarea[name="parts.marketing_strategy"]`, "Solutions instead of products", chromedp.ByQuery),
		chromedp.SetValue(`#phase-strategy textarea[name="parts.kam_role"]`, "KAM role derived from the marketing strategy", chromedp.ByQuery),
		chromedp.SetValue(`#phase-strategy textarea[name="parts.current_service"]`, "Field sales serve them today; no one owns the whole relationship", chromedp.ByQuery),
		chromedp.Click(`#phase-strategy form[action$="/phases/strategy/submit"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//tr[@id="phase-strategy"]/td[2][contains(., "submitted")]`, chromedp.BySearch),
	)
	lead.screenshot(t, "lead-programme")
	lead.noConsoleErrors(t)

	committee := newBrowser(t, exe)
	committee.signIn(t, e.dev.URL, "committee")
	committee.run(t, "see the approval waiting",
		chromedp.WaitVisible(`//h2[contains(., "Approvals waiting for you")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//a[contains(@href, "#phase-strategy")]`, chromedp.BySearch),
	)
	// The submission's message: counted in the header, opened from the
	// list, it leads to the programme and counts as read.
	open := `//tr[contains(@class, "unread")][contains(., "Strategy")]//form[contains(@action, "/open")]/button`
	committee.openUntil(t, e.dev.URL+"/notifications", `tr.unread form[action$="/open"] button`, settle)
	var unread string
	committee.run(t, "read the header's count", chromedp.Text(`span.unread-count`, &unread, chromedp.ByQuery))
	if n, err := strconv.Atoi(strings.TrimSpace(unread)); err != nil || n < 1 {
		t.Fatalf("unread count in the header = %q", unread)
	}
	committee.run(t, "open the submission's message",
		chromedp.Click(open, chromedp.BySearch),
		chromedp.WaitVisible(confirmSummary("", `form[action$="/phases/strategy/approve"]`), chromedp.ByQuery),
	)
	var at string
	committee.run(t, "where the message led", chromedp.Location(&at))
	if !strings.HasSuffix(at, fmt.Sprintf("/programmes/%d", int(r.body["id"].(float64)))) {
		t.Errorf("the message led to %s", at)
	}
	committee.run(t, "approve strategy",
		chromedp.Click(confirmSummary("", `form[action$="/phases/strategy/approve"]`), chromedp.ByQuery),
		chromedp.WaitVisible(`form[action$="/phases/strategy/approve"] button`, chromedp.ByQuery),
		chromedp.Click(`form[action$="/phases/strategy/approve"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//tr[@id="phase-strategy"]/td[2][contains(., "done")]`, chromedp.BySearch),
	)
	committee.screenshot(t, "committee-approved")
	committee.noConsoleErrors(t)
}

// TestBrowserRolesMainTasks: in Chromium, a lead starts a programme with the
// form, HR enrols a KAM, a controller triggers a review and a KAM records
// the minutes of a workshop with an agreed action.
func TestBrowserRolesMainTasks(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	programme := e.runWholeProgramme(t)
	ka := e.accountOf(t, programme, "kam3")

	lead := newBrowser(t, exe)
	lead.signIn(t, e.dev.URL, "lead")
	lead.run(t, "start a programme",
		chromedp.Click(`a[href="/programmes/new"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "KAM-Einführung Zweigwerk", chromedp.ByQuery),
		chromedp.Click(`input[name=committee][value="committee@`+store.DemoDomain+`"]`, chromedp.ByQuery),
		chromedp.Click(`form[action="/programmes"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`svg.timeline`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[contains(., "KAM-Einführung Zweigwerk")]`, chromedp.BySearch),
	)
	// The KAM filter lists a few KAMs; the lead finds kam3 by name.
	kam3, err := e.dev.Store.Employee(context.Background(), e.emp["kam3"])
	if err != nil {
		t.Fatal(err)
	}
	var others int
	lead.run(t, "filter the key accounts by a KAM found by name",
		chromedp.Click(`a[href="/key-accounts"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name=find]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=find]`, kam3.Name, chromedp.ByQuery),
		chromedp.Poll(fmt.Sprintf(`(() => { const o = [...document.querySelectorAll('select[name=kam_employee_id] option')].filter(o => o.value);
			return o.length === 1 && o[0].value === "%d"; })()`, kam3.ID), nil, chromedp.WithPollingInterval(50*time.Millisecond)),
		chromedp.SetValue(`select[name=kam_employee_id]`, fmt.Sprint(kam3.ID), chromedp.ByQuery),
	)
	lead.submit(t, "filter", `form.search button[type=submit]`, fmt.Sprintf(`#results a[href="/key-accounts/%d"]`, ka.ID))
	lead.run(t, "the filtered list",
		chromedp.Evaluate(fmt.Sprintf(`[...document.querySelectorAll("#results tbody tr")].filter(r => !r.textContent.includes(%q)).length`, kam3.Name), &others),
	)
	if others != 0 {
		t.Errorf("filtered by %s, the list shows %d accounts of other KAMs", kam3.Name, others)
	}
	lead.noConsoleErrors(t)

	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "KAM Basics", "duration_days": 1, "required_for_kams": true})
	start := time.Now().Add(48 * time.Hour).UTC()
	e.ok(t, 201, "hr", "POST", "/sessions", map[string]any{"course_id": course.body["id"], "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339), "place": "St. Gallen", "capacity": 8})
	hr := newBrowser(t, exe)
	hr.signIn(t, e.dev.URL, "hr")
	hr.run(t, "enrol a KAM",
		chromedp.Click(`a[href="/training"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/training/enrolments"]`, chromedp.ByQuery),
		chromedp.SetValue(`select[name=employee_id]`, fmt.Sprint(e.emp["kam2"]), chromedp.ByQuery),
		chromedp.Click(`form[action="/training/enrolments"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#participants tbody tr`, chromedp.ByQuery),
	)
	hr.screenshot(t, "hr-training")
	hr.noConsoleErrors(t)

	ctl := newBrowser(t, exe)
	ctl.signIn(t, e.dev.URL, "controller")
	ctl.run(t, "trigger a review",
		chromedp.Click(`a[href="/reviews"]`, chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`form[action="/reviews/programmes/%d"] button`, programme), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`form[action="/reviews/programmes/%d"] button`, programme), chromedp.ByQuery),
		// The review's page, or the list linking it while its figures are gathered.
		chromedp.WaitVisible(`//h2[contains(., "Key figures per key account")] | //p[@id="started"]`, chromedp.BySearch),
	)
	ctl.noConsoleErrors(t)

	// A workshop that took place a moment ago.
	wid := e.workshopHeld(t, ka.ID)
	kam := newBrowser(t, exe)
	kam.signIn(t, e.dev.URL, "kam3")
	due := time.Now().AddDate(0, 1, 0)
	kam.run(t, "record workshop minutes",
		chromedp.Click(fmt.Sprintf(`a[href="/key-accounts/%d"]`, ka.ID), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`a.button[href="/workshops/%d"]`, wid), chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#minutes-%d textarea[name=minutes]`, wid), chromedp.ByQuery),
		chromedp.SendKeys(fmt.Sprintf(`#minutes-%d textarea[name=minutes]`, wid), "They face new regulation; we offer a briefing.", chromedp.ByQuery),
		chromedp.SendKeys(fmt.Sprintf(`#minutes-%d input[name="actions[0].title"]`, wid), "Regulation briefing", chromedp.ByQuery),
		chromedp.SetValue(fmt.Sprintf(`#minutes-%d select[name="actions[0].owner_email"]`, wid), "kam3@"+store.DemoDomain, chromedp.ByQuery),
		chromedp.SetValue(fmt.Sprintf(`#minutes-%d input[name="actions[0].due"]`, wid), due.Format("2006-01-02"), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#minutes-%d button[value=save]`, wid), chromedp.ByQuery),
		chromedp.WaitVisible(`//td[contains(., "Regulation briefing")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//summary[contains(., "Agenda and guiding questions")]`, chromedp.BySearch),
	)
	kam.run(t, "open the account's actions",
		chromedp.Click(fmt.Sprintf(`a[href="/key-accounts/%d#workshops"]`, ka.ID), chromedp.ByQuery),
		chromedp.WaitVisible(`#actions`, chromedp.ByQuery),
	)
	// The "Mark done" button's own text says "done": wait for the page that
	// answers, where the status cell holds no form any more.
	kam.openConfirm(t, "mark the agreed action done", `#actions ~ .table-scroll table`, `form[action$="/done-form"]`)
	kam.submit(t, "mark the agreed action done", `#actions ~ .table-scroll table form[action$="/done-form"] button`, `#actions`)
	kam.run(t, "the action is done",
		chromedp.WaitVisible(`//tr[td[contains(., "Regulation briefing")]]/td[5][not(.//form)][contains(., "done")]`, chromedp.BySearch),
	)
	kam.screenshot(t, "kam-account")
	kam.noConsoleErrors(t)
}

// TestBrowserAdminKeepsReferenceData: in Chromium, an admin filters the
// customer list as she types (htmx swaps the results in place), adds a
// contact at a customer with the form, and switches the UI to German.
func TestBrowserAdminKeepsReferenceData(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	admin := newBrowser(t, exe)
	admin.signIn(t, e.dev.URL, "admin")
	var rows int
	var location string
	admin.run(t, "search customers in place",
		chromedp.Navigate(e.dev.URL+"/customers"),
		chromedp.WaitVisible(`//td/a[contains(., "Alpenbau AG")]`, chromedp.BySearch),
		// A marker on the page survives only if the page is not reloaded.
		chromedp.Evaluate(`document.body.dataset.marker = "kept"`, nil),
		chromedp.SendKeys(`input[name=q]`, "Nordlicht", chromedp.ByQuery),
		chromedp.WaitNotPresent(`//td/a[contains(., "Alpenbau AG")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//td/a[contains(., "Nordlicht Energie GmbH")]`, chromedp.BySearch),
		chromedp.Evaluate(`document.querySelectorAll("#results tbody tr").length`, &rows),
		chromedp.Evaluate(`document.body.dataset.marker + " " + location.search`, &location),
	)
	if rows != 1 || location != "kept ?q=Nordlicht" {
		t.Fatalf("in-place search: %d rows, page state %q", rows, location)
	}
	admin.screenshot(t, "admin-customers-search")
	admin.run(t, "add a contact",
		chromedp.Click(`//tr[td/a[contains(., "Nordlicht")]]//a[contains(@href, "/contacts/new")]`, chromedp.BySearch),
		chromedp.WaitVisible(`form[action="/contacts"] input[name=name]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Frauke Fokus", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=job_title]`, "Head of Energy Trading", chromedp.ByQuery),
		chromedp.SetValue(`select[name=level]`, "management", chromedp.ByQuery),
		chromedp.Click(`form[action="/contacts"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//td/a[contains(., "Frauke Fokus")]`, chromedp.BySearch),
	)
	admin.run(t, "switch to German",
		chromedp.Click(`button[name=language][value=de]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[contains(., "Kontakte")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//a[contains(., "Kunden")]`, chromedp.BySearch),
	)
	admin.screenshot(t, "admin-contacts-german")
	// More customers than a page holds: "next" opens the rest, going on
	// after the last name of the first page.
	for i := range 30 {
		if err := e.dev.Store.CreateCustomer(context.Background(), &store.Customer{Name: fmt.Sprintf("Zeilenkunde %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var firstPage, secondPage int
	var search string
	admin.run(t, "page to the next customers",
		chromedp.Navigate(e.dev.URL+"/customers"),
		chromedp.WaitVisible(`a[rel=next]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#results tbody tr").length`, &firstPage),
		chromedp.Click(`a[rel=next]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//td/a[contains(., "Zeilenkunde 29")]`, chromedp.BySearch),
		chromedp.Evaluate(`document.querySelectorAll("#results tbody tr").length`, &secondPage),
		chromedp.Evaluate(`location.search`, &search),
	)
	if firstPage != 25 || secondPage == 0 || !strings.Contains(search, "page=2") || !strings.Contains(search, "after=") {
		t.Fatalf("customer pages: %d rows, then %d at %q; want 25, then the rest after the last name", firstPage, secondPage, search)
	}
	admin.noConsoleErrors(t)
}

// consoleErrors returns what the tab logged as errors so far.
func (b *browserSession) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// leftMark is set on a document the test is about to leave, so a wait can
// tell the next page from the one it came from.
const leftMark = "data-kamflow-left"

// onNextPage matches sel only in a document loaded after the mark was set.
func onNextPage(sel string) string { return "html:not([" + leftMark + "]) " + sel }

// submit clicks a button that sends a form (or follows a link) and waits
// until the page that answers has loaded and shows next.
func (b *browserSession) submit(t *testing.T, what, click, next string) {
	t.Helper()
	b.run(t, what, chromedp.Evaluate(`document.documentElement.setAttribute("`+leftMark+`", "")`, nil))
	// A node of a page that was just loading may be replaced by the time it
	// is clicked; chromedp then fails before any mouse event is sent, so
	// clicking again cannot send the form twice.
	for attempt := 1; ; attempt++ {
		err := chromedp.Run(b.ctx, chromedp.Click(click, chromedp.ByQuery))
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "Could not find node") {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	b.run(t, what,
		chromedp.WaitVisible(onNextPage(next), chromedp.ByQuery),
		chromedp.Poll(`document.readyState === "complete"`, nil, chromedp.WithPollingInterval(50*time.Millisecond)),
	)
}

// confirmSummary is the summary of the confirmation (template "confirm")
// holding the form formSel, within scope ("" for the whole page).
func confirmSummary(scope, formSel string) string {
	return strings.TrimSpace(scope + " details.confirm:has(" + formSel + ") > summary")
}

// openConfirm opens the confirmation holding formSel, as a user does before
// an irreversible step, and waits for its consequence and button.
func (b *browserSession) openConfirm(t *testing.T, what, scope, formSel string) {
	t.Helper()
	sum := confirmSummary(scope, formSel)
	b.run(t, "open the confirmation to "+what,
		chromedp.WaitVisible(sum, chromedp.ByQuery),
		chromedp.Click(sum, chromedp.ByQuery),
		chromedp.WaitVisible(strings.TrimSpace(scope+" details.confirm[open] "+formSel+" button[type=submit]"), chromedp.ByQuery),
	)
}

// has reports whether the current page holds an element matching sel.
func (b *browserSession) has(t *testing.T, sel string) bool {
	t.Helper()
	q, _ := json.Marshal(sel)
	var found bool
	b.run(t, "look for "+sel, chromedp.Evaluate(`document.querySelector(`+string(q)+`) !== null`, &found))
	return found
}

// openUntil opens path and reloads it until sel is on the page: what the
// workflows do in the background reaches the pages' tables a moment later,
// later still on a loaded machine.
func (b *browserSession) openUntil(t *testing.T, path, sel string, bound time.Duration) {
	t.Helper()
	deadline := time.Now().Add(bound)
	b.run(t, "open "+path, chromedp.Navigate(path))
	for !b.has(t, sel) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not show %s within %s", path, sel, bound)
		}
		time.Sleep(300 * time.Millisecond)
		b.run(t, "reload "+path, chromedp.Reload())
	}
}
