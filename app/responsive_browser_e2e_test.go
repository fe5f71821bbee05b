package app_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// overflowReport is what the page says about its width: the document's
// scroll width against the window's, and the elements reaching past the
// window's edge (content inside a table's scroll box does not count).
type overflowReport struct {
	ScrollWidth int      `json:"scroll"`
	InnerWidth  int      `json:"inner"`
	Offenders   []string `json:"offenders"`
	// TodayInside: the timeline's today label lies within the chart (true
	// when the page has no today label).
	TodayInside bool `json:"todayInside"`
}

const measureOverflow = `(() => {
  const w = window.innerWidth, out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.table-scroll')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > w + 1 || r.left < -1) {
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  let todayInside = true;
  const svg = document.querySelector('svg.timeline'), today = document.querySelector('svg.timeline text.today');
  if (svg && today) {
    const s = svg.getBoundingClientRect(), r = today.getBoundingClientRect();
    todayInside = r.left >= s.left - 1 && r.right <= s.right + 1 && r.top >= s.top - 1 && r.bottom <= s.bottom + 1;
  }
  // A phase's label and its status share a line: they must not overlap.
  for (const row of document.querySelectorAll('svg.timeline a.phase')) {
    const label = row.querySelector('text.label'), status = row.querySelector('text.status');
    if (label && status && label.getBoundingClientRect().right > status.getBoundingClientRect().left - 2) {
      out.push('timeline row ' + row.getAttribute('href') + ': "' + label.textContent + '" overlaps "' + status.textContent + '"');
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: w, offenders: out.slice(0, 12), todayInside};
})()`

type page struct{ name, path, wait string }

// fits opens path, waits for wait and fails when the page is wider than
// the window or the timeline's today label leaves the chart; the page is
// kept as a screenshot named name.
func (b *browserSession) fits(t *testing.T, base, name, path, wait string) {
	t.Helper()
	var rep overflowReport
	b.run(t, "open "+name,
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(wait, chromedp.BySearch),
		chromedp.Evaluate(measureOverflow, &rep),
	)
	b.screenshot(t, name)
	if rep.ScrollWidth > rep.InnerWidth || len(rep.Offenders) > 0 {
		t.Errorf("%s: the page is %d px wide in a %d px window; reaching past the edge or overlapping: %s",
			name, rep.ScrollWidth, rep.InnerWidth, strings.Join(rep.Offenders, "; "))
	}
	if !rep.TodayInside {
		t.Errorf("%s: the timeline's today label lies outside the chart", name)
	}
}

// TestBrowserPagesFitNarrowAndWideScreens opens the home, programme,
// selection and key-account pages as the lead and as a KAM on a phone
// (390×844) and a laptop (1366×768): no page scrolls sideways (wide tables
// scroll in their own box), the timeline's today label stays inside the
// chart, and printing the programme page leaves out the navigation.
func TestBrowserPagesFitNarrowAndWideScreens(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	programme, _ := e.programmeInTraining(t)
	proc := newChromium(t, exe, time.Now().Add(6*time.Minute))
	shots, err := os.MkdirTemp("", "kamflow-responsive-")
	if err != nil {
		t.Fatal(err)
	}
	sizes := []struct{ w, h int64 }{{390, 844}, {1366, 768}}
	// The KAM's own key account, which the lead reads too.
	ka := e.accountOf(t, programme, "kam")
	for _, who := range []string{"lead", "kam"} {
		pages := []page{
			{"home", "/", `//h2[contains(., "KAM programmes")]`},
			{"programme", fmt.Sprintf("/programmes/%d", programme), `//*[local-name()="svg" and contains(@class, "timeline")]`},
			{"selection", fmt.Sprintf("/programmes/%d/selection", programme), `//*[local-name()="svg" and contains(@class, "portfolio")]`},
			{"key-account", fmt.Sprintf("/key-accounts/%d", ka.ID), `//h1`},
		}
		b := proc.window(t, shots)
		b.signIn(t, e.dev.URL, who)
		for _, size := range sizes {
			b.run(t, "set the window size", chromedp.EmulateViewport(size.w, size.h))
			for _, p := range pages {
				b.fits(t, e.dev.URL, fmt.Sprintf("%s-%s-%d", who, p.name, size.w), p.path, p.wait)
			}
		}
		// Printed, the programme page is a status report: no navigation,
		// forms or management; the timeline, phases and key accounts kept.
		var printed struct {
			Nav, Forms, Manage, Timeline, Phases, Accounts, Dated bool
		}
		b.run(t, "print the programme page",
			chromedp.Navigate(e.dev.URL+pages[1].path),
			chromedp.WaitVisible(pages[1].wait, chromedp.BySearch),
			emulation.SetEmulatedMedia().WithMedia("print"),
			chromedp.Evaluate(`(() => {
			  const shown = sel => [...document.querySelectorAll(sel)].some(el => el.getClientRects().length > 0);
			  return {Nav: shown('header.top nav'), Forms: shown('main form'), Manage: shown('#manage'),
			    Timeline: shown('svg.timeline'), Phases: shown('#phases table'), Accounts: shown('#key-accounts table'), Dated: shown('.print-only')};
			})()`, &printed),
		)
		b.screenshot(t, who+"-programme-print")
		b.run(t, "back to the screen", emulation.SetEmulatedMedia().WithMedia(""))
		if printed.Nav || printed.Forms || printed.Manage || !printed.Timeline || !printed.Phases || !printed.Accounts || !printed.Dated {
			t.Errorf("%s printing the programme: %+v; want no navigation, forms or management, the timeline, phases, key accounts and the report's date", who, printed)
		}
		b.noConsoleErrors(t)
	}
}

// TestBrowserEveryPageFitsASmallPhone: at 360 px every role's pages, the
// reference data's lists and forms, and the programme in German fit the
// window; the sign-in page too.
func TestBrowserEveryPageFitsASmallPhone(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	programme, _ := e.programmeInTraining(t)
	ka := e.accountOf(t, programme, "kam")
	proc := newChromium(t, exe, time.Now().Add(6*time.Minute))
	shots, err := os.MkdirTemp("", "kamflow-responsive-360-")
	if err != nil {
		t.Fatal(err)
	}
	h1 := `//main//h1`
	byRole := map[string][]page{
		"lead": {{"my-work", "/my-work", h1}, {"key-accounts", "/key-accounts", h1}, {"new-programme", "/programmes/new", h1},
			{"notifications", "/notifications", h1}},
		"kam":        {{"my-work", "/my-work", h1}, {"plan", fmt.Sprintf("/key-accounts/%d/plan", ka.ID), h1}},
		"hr":         {{"training", "/training", h1}, {"employees", "/employees", h1}},
		"controller": {{"reviews", "/reviews", h1}},
		"admin": {{"customers", "/customers", h1}, {"new-customer", "/customers/new", h1}, {"import-customers", "/customers/import", h1},
			{"contacts", "/contacts", h1}, {"new-employee", "/employees/new", h1},
			{"admin", "/admin", h1}, {"users", "/admin/users", h1}, {"new-user", "/admin/users/new", h1}},
	}
	for _, who := range []string{"lead", "kam", "hr", "controller", "admin"} {
		b := proc.window(t, shots)
		b.run(t, "a small phone", chromedp.EmulateViewport(360, 740))
		if who == "lead" {
			b.fits(t, e.dev.URL, "login-360", "/login", `input[name=email]`)
		}
		b.signIn(t, e.dev.URL, who)
		for _, p := range byRole[who] {
			b.fits(t, e.dev.URL, fmt.Sprintf("%s-%s-360", who, p.name), p.path, p.wait)
		}
		if who == "admin" {
			var customer, contact string
			b.run(t, "a customer", chromedp.Navigate(e.dev.URL+"/customers"),
				chromedp.AttributeValue(`#results td a[href^="/customers/"]`, "href", &customer, nil, chromedp.ByQuery),
				chromedp.AttributeValue(`#results td a[href^="/contacts/new"]`, "href", &contact, nil, chromedp.ByQuery))
			b.fits(t, e.dev.URL, "admin-customer-360", customer, h1)
			b.fits(t, e.dev.URL, "admin-new-contact-360", contact, h1)
		}
		if who == "lead" {
			// German words are longer: the programme and its selection still fit.
			b.run(t, "switch to German", chromedp.Click(`button[name=language][value=de]`, chromedp.ByQuery),
				chromedp.WaitVisible(`//a[contains(., "Meine Arbeit")]`, chromedp.BySearch))
			b.fits(t, e.dev.URL, "lead-programme-de-360", fmt.Sprintf("/programmes/%d", programme), `//*[local-name()="svg" and contains(@class, "timeline")]`)
			b.fits(t, e.dev.URL, "lead-selection-de-360", fmt.Sprintf("/programmes/%d/selection", programme), `//*[local-name()="svg" and contains(@class, "portfolio")]`)
		}
		b.noConsoleErrors(t)
	}
}
