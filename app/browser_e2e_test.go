package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/store"
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

func newBrowser(t *testing.T, exe string) *browserSession {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	// Screenshots outlive the test run, as artifacts to look at.
	shots, err := os.MkdirTemp("", "kamflow-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
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
	var png []byte
	b.run(t, "screenshot "+name, chromedp.FullScreenshot(&png, 100))
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
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
		chromedp.SendKeys(`#phase-setup textarea[name=result]`, "Project team of management; goals and milestones agreed", chromedp.ByQuery),
		chromedp.Click(`#phase-setup button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#phase-strategy textarea[name=result]`, chromedp.ByQuery),
		chromedp.Text(`#phase-setup td:nth-child(2)`, &status, chromedp.ByQuery),
	)
	if strings.TrimSpace(status) != "done" {
		t.Fatalf("set-up status after submitting = %q", status)
	}
	lead.run(t, "submit strategy",
		chromedp.SendKeys(`#phase-strategy textarea[name=result]`, "KAM role derived from the marketing strategy", chromedp.ByQuery),
		chromedp.Click(`#phase-strategy button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//tr[@id="phase-strategy"]/td[2][contains(., "submitted")]`, chromedp.BySearch),
	)
	lead.screenshot(t, "lead-programme")
	lead.noConsoleErrors(t)

	committee := newBrowser(t, exe)
	committee.signIn(t, e.dev.URL, "committee")
	committee.run(t, "approve strategy",
		chromedp.WaitVisible(`//h2[contains(., "Approvals waiting for you")]`, chromedp.BySearch),
		chromedp.Click(`//a[contains(@href, "#phase-strategy")]`, chromedp.BySearch),
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
		chromedp.WaitVisible(`//p[@role="status"][contains(., "Enrolled")]`, chromedp.BySearch),
	)
	hr.screenshot(t, "hr-training")
	hr.noConsoleErrors(t)

	ctl := newBrowser(t, exe)
	ctl.signIn(t, e.dev.URL, "controller")
	ctl.run(t, "trigger a review",
		chromedp.Click(`a[href="/reviews"]`, chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`form[action="/reviews/programmes/%d"] button`, programme), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`form[action="/reviews/programmes/%d"] button`, programme), chromedp.ByQuery),
		chromedp.WaitVisible(`//p[@role="status"][contains(., "The review started")]`, chromedp.BySearch),
	)
	ctl.noConsoleErrors(t)

	// A workshop that took place a moment ago.
	base := fmt.Sprintf("/key-accounts/%d", ka.ID)
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
	kam := newBrowser(t, exe)
	kam.signIn(t, e.dev.URL, "kam3")
	due := time.Now().AddDate(0, 1, 0)
	kam.run(t, "record workshop minutes",
		chromedp.Click(fmt.Sprintf(`a[href="/key-accounts/%d"]`, ka.ID), chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#minutes-%d textarea[name=minutes]`, wid), chromedp.ByQuery),
		chromedp.SendKeys(fmt.Sprintf(`#minutes-%d textarea[name=minutes]`, wid), "They face new regulation; we offer a briefing.", chromedp.ByQuery),
		chromedp.SendKeys(fmt.Sprintf(`#minutes-%d input[name=action_title]`, wid), "Regulation briefing", chromedp.ByQuery),
		chromedp.SendKeys(fmt.Sprintf(`#minutes-%d input[name=action_owner]`, wid), "kam3@"+store.DemoDomain, chromedp.ByQuery),
		chromedp.SetValue(fmt.Sprintf(`#minutes-%d input[name=action_due]`, wid), due.Format("2006-01-02"), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#minutes-%d button[type=submit]`, wid), chromedp.ByQuery),
		chromedp.WaitVisible(`//td[contains(., "Regulation briefing")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//summary[contains(., "Agenda and guiding questions")]`, chromedp.BySearch),
	)
	kam.run(t, "mark the agreed action done",
		chromedp.Click(`//tr[td[contains(., "Regulation briefing")]]//button[contains(., "Mark done")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//tr[td[contains(., "Regulation briefing")]]/td[5][contains(., "done")]`, chromedp.BySearch),
	)
	kam.screenshot(t, "kam-account")
	kam.noConsoleErrors(t)
}

// TestBrowserAdminKeepsReferenceData: in Chromium, an admin filters the
// customer list as she types (htmx swaps the results in place), adds a
// contact at a customer with the form, and switches the UI to German.
func TestBrowserAdminKeepsReferenceData(t *testing.T) {
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
	admin.noConsoleErrors(t)
}
