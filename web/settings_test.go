package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// A user picks her own language and time zone under Settings; an unknown
// zone is refused at its field with the form as sent.
func TestSettingsLanguageAndTimeZone(t *testing.T) {
	f := newFixture(t, nil)
	f.login("kam@"+store.DemoDomain, store.DemoPassword)
	code, page := f.get("/settings")
	if code != http.StatusOK || !strings.Contains(page, `href="/settings"`) || !strings.Contains(page, `<option value="" selected>site default: UTC</option>`) {
		t.Fatalf("settings = %d:\n%s", code, page)
	}
	csrf := csrfOf(t, page)
	code, page, _ = f.post("/settings", url.Values{"csrf": {csrf}, "language": {"de"}, "time_zone": {"Mars/Olympus"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "Choose a time zone from the list.") ||
		!strings.Contains(page, `<option value="Mars/Olympus" selected>Mars/Olympus</option>`) || !strings.Contains(page, `<option value="de" selected>`) {
		t.Fatalf("unknown zone = %d:\n%s", code, page)
	}
	if u, _ := f.store.UserByEmail(t.Context(), "kam@"+store.DemoDomain); u.TimeZone != "" || u.Language != "" {
		t.Fatalf("refused settings were stored: %q %q", u.Language, u.TimeZone)
	}
	code, _, hdr := f.post("/settings", url.Values{"csrf": {csrf}, "language": {"de"}, "time_zone": {"America/New_York"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/settings?done=settings-saved" {
		t.Fatalf("save = %d → %q", code, hdr.Get("Location"))
	}
	_, page = f.get("/settings?done=settings-saved")
	if !strings.Contains(page, "Ihre Einstellungen sind gespeichert.") || !strings.Contains(page, `<option value="America/New_York" selected>`) ||
		!(strings.Contains(page, " EST.") || strings.Contains(page, " EDT.")) {
		t.Fatalf("saved settings page:\n%s", page)
	}
}

// HR reading in Berlin schedules a session: the form's wall clock is
// Berlin's, the stored instant UTC; a time the clocks skip is refused at
// its field with everything typed kept.
func TestTrainingSessionInTheReadersZone(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	hr, err := f.store.UserByEmail(ctx, "hr@"+store.DemoDomain)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetUserSettings(ctx, hr.ID, "", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	f.login("hr@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/training")
	csrf := csrfOf(t, page)
	if code, body, _ := f.post("/training/courses", url.Values{"csrf": {csrf}, "title": {"Zeitzonen"}, "duration_days": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("create course = %d:\n%s", code, body)
	}
	courses, err := f.store.ListCourses(ctx)
	if err != nil || len(courses) != 1 {
		t.Fatalf("courses = %v, %v", courses, err)
	}
	year := time.Now().Year() + 1
	gap := fmt.Sprintf("%d-03-28T02:30", year)
	if year != 2027 { // the last Sunday of March
		d := time.Date(year, time.March, 31, 0, 0, 0, 0, time.UTC)
		gap = d.AddDate(0, 0, -int(d.Weekday())).Format("2006-01-02") + "T02:30"
	}
	form := url.Values{"csrf": {csrf}, "course_id": {fmt.Sprint(courses[0].ID)}, "starts_at": {gap}, "ends_at": {gap[:11] + "17:00"},
		"place": {"Raum Zeitzone"}, "capacity": {"9"}, "trainer": {"Tina"}}
	code, body, _ := f.post("/training/sessions", form)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "This time does not exist in your time zone") ||
		!strings.Contains(body, `name="starts_at" value="`+gap+`"`) || !strings.Contains(body, `value="Raum Zeitzone"`) || !strings.Contains(body, `value="9"`) {
		t.Fatalf("skipped time = %d:\n%s", code, body)
	}
	day := fmt.Sprintf("%d-01-12", year)
	form.Set("starts_at", day+"T09:00")
	form.Set("ends_at", day+"T17:00")
	code, _, h := f.post("/training/sessions", form)
	if code != http.StatusSeeOther {
		t.Fatalf("schedule = %d, want 303", code)
	}
	if _, body = f.get(h.Get("Location")); !strings.Contains(body, "Session scheduled") || !strings.Contains(body, " 09:00 CET") {
		t.Fatalf("the page after scheduling:\n%s", body)
	}
	sessions, err := f.store.UpcomingSessions(ctx, time.Now(), false)
	if err != nil || len(sessions) != 1 || sessions[0].StartsAt.UTC().Format(time.RFC3339) != day+"T08:00:00Z" || sessions[0].EndsAt.UTC().Format(time.RFC3339) != day+"T16:00:00Z" {
		t.Fatalf("stored sessions = %+v, %v; want %sT08:00Z to 16:00Z", sessions, err, day)
	}
}
