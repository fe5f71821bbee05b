package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/config"
)

// TestBrowserTimeZones: HR, reading in the site's zone (Europe/Berlin by
// default), schedules a winter session at 09:00; the page shows 09:00 CET,
// the database holds 08:00 UTC and the API answers the UTC instant. The
// admin picks America/New_York under Settings and sees the same session at
// 03:00 EST.
func TestBrowserTimeZones(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	e := newAPIEnv(t)
	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "Zeitzonen-Kurs", "duration_days": 1})
	// A Tuesday in January, next year: always ahead and always winter time.
	day := time.Date(time.Now().Year()+1, time.January, 12, 0, 0, 0, 0, time.UTC).Format("2006-01-02")

	hr := newBrowser(t, exe)
	hr.signIn(t, e.dev.URL, "hr")
	hr.run(t, "open training",
		chromedp.Navigate(e.dev.URL+"/training"),
		chromedp.WaitVisible(`form[action="/training/sessions"]`, chromedp.ByQuery),
		chromedp.SetValue(`form[action="/training/sessions"] select[name=course_id]`, fmt.Sprint(course.body["id"]), chromedp.ByQuery),
		chromedp.SetValue(`form[action="/training/sessions"] input[name=starts_at]`, day+"T09:00", chromedp.ByQuery),
		chromedp.SetValue(`form[action="/training/sessions"] input[name=ends_at]`, day+"T17:00", chromedp.ByQuery),
		chromedp.SendKeys(`form[action="/training/sessions"] input[name=place]`, "Raum Zeitzone", chromedp.ByQuery),
	)
	hr.submit(t, "schedule the session", `form[action="/training/sessions"] button[type=submit]`, `tr[id^="session-"]`)
	var shown string
	hr.run(t, "read the session row",
		chromedp.Text(`//tr[td[contains(., "Raum Zeitzone")]]/td[2]`, &shown, chromedp.BySearch))
	wantBerlin := fmt.Sprintf("%s 09:00 CET", englishDay(t, day))
	if !strings.HasPrefix(shown, wantBerlin) {
		t.Fatalf("HR sees %q, want it to start %q", shown, wantBerlin)
	}
	hr.screenshot(t, "hr-session-berlin")
	hr.noConsoleErrors(t)

	sessions, err := e.dev.Store.UpcomingSessions(context.Background(), time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	var id uint
	for _, s := range sessions {
		if s.Place == "Raum Zeitzone" {
			id = s.ID
			if got := s.StartsAt.UTC().Format(time.RFC3339); got != day+"T08:00:00Z" {
				t.Fatalf("stored start = %s, want %sT08:00:00Z", got, day)
			}
			if got := s.EndsAt.UTC().Format(time.RFC3339); got != day+"T16:00:00Z" {
				t.Fatalf("stored end = %s, want %sT16:00:00Z", got, day)
			}
		}
	}
	if id == 0 {
		t.Fatalf("the session is not stored: %+v", sessions)
	}
	if r := e.ok(t, 200, "hr", "GET", fmt.Sprintf("/sessions/%d", id), nil); r.body["starts_at"] != day+"T08:00:00Z" {
		t.Fatalf("API starts_at = %v, want the UTC instant", r.body["starts_at"])
	}

	admin := newBrowser(t, exe)
	admin.signIn(t, e.dev.URL, "admin")
	admin.run(t, "open settings",
		chromedp.Click(`header a[href="/settings"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`select[name=time_zone]`, chromedp.ByQuery),
		chromedp.SetValue(`select[name=time_zone]`, "America/New_York", chromedp.ByQuery),
	)
	admin.submit(t, "save settings", `form[action="/settings"] button[type=submit]`, `p.notice`)
	admin.run(t, "open the session",
		chromedp.Navigate(fmt.Sprintf("%s/training/sessions/%d", e.dev.URL, id)),
		chromedp.WaitVisible(`p.muted`, chromedp.ByQuery),
		chromedp.Text(`main p.muted`, &shown, chromedp.ByQuery),
	)
	wantNY := fmt.Sprintf("%s 03:00 EST – %s 11:00 EST", englishDay(t, day), englishDay(t, day))
	if !strings.HasPrefix(shown, wantNY) {
		t.Fatalf("admin in New York sees %q, want it to start %q", shown, wantNY)
	}
	admin.screenshot(t, "admin-session-new-york")
	admin.noConsoleErrors(t)
}

// siteZone is the zone kamflow dev shows and reads date-times in for
// users who chose none: KAMFLOW_TIME_ZONE's default.
func siteZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := config.LoadZone(config.DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// englishDay writes a 2006-01-02 day as the English pages do.
func englishDay(t *testing.T, day string) string {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		t.Fatal(err)
	}
	return d.Format("2 Jan 2006")
}
