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
