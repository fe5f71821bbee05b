package app_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/kamflow/kamflow/store"
)

func (e *apiEnv) feed(t *testing.T, path string) (int, *ics.Calendar) {
	t.Helper()
	resp, err := http.Get(e.dev.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("content type %q", ct)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, body)
	}
	return 200, cal
}

func eventsByUID(cal *ics.Calendar) map[string]*ics.VEvent {
	out := map[string]*ics.VEvent{}
	for _, ev := range cal.Events() {
		out[ev.Id()] = ev
	}
	return out
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if v := ev.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

// TestCalendarFeeds: each user's secret ICS URL lists their training
// sessions and the phases they are responsible for, with stable UIDs,
// moved sessions as new sequences and cancelled ones as CANCELLED.
func TestCalendarFeeds(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "KAM", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": time.Now().Format("2006-01-02")})
	e.refused(t, 0, 401, "", "", "POST", "/me/calendar-token", nil)
	leadURL := e.ok(t, 201, "lead", "POST", "/me/calendar-token", nil).body["path"].(string)
	var cal *ics.Calendar
	waitFor(t, "the programme's milestones are projected", func() bool {
		_, cal = e.feed(t, leadURL)
		return len(cal.Events()) == 11
	})

	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "KAM Basics", "duration_days": 1})
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	sess := map[string]any{"course_id": course.body["id"], "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339), "place": "Zürich", "capacity": 5}
	sid := int(e.ok(t, 201, "hr", "POST", "/sessions", sess).body["id"].(float64))
	e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": e.emp["kam"]})
	kamURL := e.ok(t, 201, "kam", "POST", "/me/calendar-token", nil).body["path"].(string)
	uid := fmt.Sprintf("session-%d-employee-%d@kamflow", sid, e.emp["kam"])

	_, first := e.feed(t, kamURL)
	_, again := e.feed(t, kamURL)
	ev, ok := eventsByUID(first)[uid]
	if !ok || len(first.Events()) != 1 || len(again.Events()) != 1 || again.Events()[0].Id() != uid {
		t.Fatalf("kam's feed events = %d/%d, want the session with UID %s", len(first.Events()), len(again.Events()), uid)
	}
	if prop(ev, ics.ComponentPropertyStatus) != "CONFIRMED" || prop(ev, ics.ComponentPropertyLocation) != "Zürich" || prop(ev, ics.ComponentPropertySequence) != "0" {
		t.Errorf("session event = %s", ev.Serialize(nil))
	}

	moved := start.Add(24 * time.Hour)
	sess["starts_at"], sess["ends_at"] = moved.Format(time.RFC3339), moved.Add(8*time.Hour).Format(time.RFC3339)
	e.ok(t, 200, "hr", "PUT", fmt.Sprintf("/sessions/%d", sid), sess)
	_, after := e.feed(t, kamURL)
	ev = eventsByUID(after)[uid]
	if ev == nil || prop(ev, ics.ComponentPropertySequence) != "1" {
		t.Fatalf("moved session keeps its UID with sequence 1: %v", after.Serialize())
	}
	if got, _ := ev.GetStartAt(); !got.Equal(moved) {
		t.Errorf("moved start = %s, want %s", got, moved)
	}
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("/sessions/%d/cancel", sid), nil)
	_, cancelled := e.feed(t, kamURL)
	if ev = eventsByUID(cancelled)[uid]; ev == nil || prop(ev, ics.ComponentPropertyStatus) != "CANCELLED" {
		t.Fatalf("cancelled session: %s", cancelled.Serialize())
	}

	// A new URL revokes the old one; revoking ends both.
	newURL := e.ok(t, 201, "kam", "POST", "/me/calendar-token", nil).body["path"].(string)
	if code, _ := e.feed(t, kamURL); code != 404 {
		t.Errorf("old feed URL = %d, want 404", code)
	}
	e.ok(t, 204, "kam", "DELETE", "/me/calendar-token", nil)
	if code, _ := e.feed(t, newURL); code != 404 {
		t.Errorf("revoked feed URL = %d, want 404", code)
	}
	if code, _ := e.feed(t, "/calendar/nonsense.ics"); code != 404 {
		t.Errorf("unknown feed = %d", code)
	}
}
