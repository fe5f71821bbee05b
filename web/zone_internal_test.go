package web

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// 09:00 in Berlin on either side of both daylight-saving changes is the
// right UTC instant, and shows as 09:00 again with the zone in force.
func TestReaderZoneAcrossDaylightSaving(t *testing.T) {
	loc := berlin(t)
	cases := []struct {
		local, utc, shown string
	}{
		{"2026-10-24T09:00", "2026-10-24T07:00:00Z", "24 Oct 2026 09:00 CEST"}, // summer time ends 25 Oct
		{"2026-10-26T09:00", "2026-10-26T08:00:00Z", "26 Oct 2026 09:00 CET"},
		{"2027-03-27T09:00", "2027-03-27T08:00:00Z", "27 Mar 2027 09:00 CET"}, // summer time starts 28 Mar
		{"2027-03-29T09:00", "2027-03-29T07:00:00Z", "29 Mar 2027 09:00 CEST"},
		{"2026-10-25T09:00", "2026-10-25T08:00:00Z", "25 Oct 2026 09:00 CET"}, // the days of the change
		{"2027-03-28T09:00", "2027-03-28T07:00:00Z", "28 Mar 2027 09:00 CEST"},
		{"2027-03-28T09:00:30", "2027-03-28T07:00:30Z", "28 Mar 2027 09:00 CEST"},
	}
	for _, tc := range cases {
		got, err := parseLocal(loc, "starts_at", tc.local, "enter the first day and time")
		if err != nil {
			t.Fatalf("%s: %v", tc.local, err)
		}
		if got.Location() != time.UTC || got.Format(time.RFC3339) != tc.utc {
			t.Errorf("%s Berlin = %s (%v), want %s UTC", tc.local, got.Format(time.RFC3339), got.Location(), tc.utc)
		}
		if shown := langEN.formatWhen(loc, got); shown != tc.shown {
			t.Errorf("%s shown as %q, want %q", tc.utc, shown, tc.shown)
		}
		if back := localInput(loc, got); back != tc.local[:16] {
			t.Errorf("%s back into the form = %q, want %q", tc.utc, back, tc.local[:16])
		}
	}
	if de := langDE.formatWhen(loc, time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC)); de != "26.10.2026 09:00 CET" {
		t.Errorf("German = %q", de)
	}
}

// 02:30 on 28 March 2027 does not happen in Berlin (02:00 → 03:00): it is
// refused at its field. 02:30 on 25 October 2026 happens twice: it is the
// earlier instant, still in summer time.
func TestReaderZoneGapAndFold(t *testing.T) {
	loc := berlin(t)
	_, err := parseLocal(loc, "alternatives[1]", "2027-03-28T02:30", "enter the first day and time")
	var ae *apiError
	if !errors.As(err, &ae) || !strings.Contains(ae.Fields["alternatives[1]"], "does not exist in your time zone") {
		t.Fatalf("02:30 on 28 March 2027 = %v, want a field error at alternatives[1]", err)
	}
	got, err := parseLocal(loc, "starts_at", "2026-10-25T02:30", "enter the first day and time")
	if err != nil || got.Format(time.RFC3339) != "2026-10-25T00:30:00Z" {
		t.Fatalf("02:30 on 25 October 2026 = %v, %v; want the earlier 00:30Z", got, err)
	}
	if shown := langEN.formatWhen(loc, got); shown != "25 Oct 2026 02:30 CEST" {
		t.Errorf("shown as %q", shown)
	}
	if shown := langEN.formatWhen(loc, got.Add(time.Hour)); shown != "25 Oct 2026 02:30 CET" {
		t.Errorf("an hour later shown as %q", shown)
	}
	for _, bad := range []string{"", "2026-10-25", "25.10.2026 09:00", "2026-02-30T09:00"} {
		if _, err := parseLocal(loc, "starts_at", bad, "enter the first day and time"); !errors.As(err, &ae) || ae.Fields["starts_at"] != "enter the first day and time" {
			t.Errorf("%q: err = %v, want the field's message", bad, err)
		}
	}
}

// A day shown for an instant is the reader's day; nil and zero show nothing.
func TestReaderZoneDays(t *testing.T) {
	late := time.Date(2026, 11, 2, 23, 30, 0, 0, time.UTC)
	if d := langDE.formatDay(berlin(t), late); d != "03.11.2026" {
		t.Errorf("23:30Z in Berlin = %q, want the next day", d)
	}
	ny, _ := time.LoadLocation("America/New_York")
	if d := langEN.formatDay(ny, &late); d != "2 Nov 2026" {
		t.Errorf("pointer in New York = %q", d)
	}
	var none *time.Time
	if langEN.formatDay(ny, none) != "" || langEN.formatWhen(ny, time.Time{}) != "" || localInput(ny, time.Time{}) != "" {
		t.Error("nil or zero times must show nothing")
	}
}

// Every zone Settings offers loads from the compiled-in database; nothing
// else is choosable.
func TestChoosableZones(t *testing.T) {
	if len(zoneNames) < 300 || zoneNames[0] != "Europe/Amsterdam" {
		t.Fatalf("zones = %d starting %q; want Europe's first", len(zoneNames), zoneNames[0])
	}
	seen := map[string]bool{}
	for _, z := range zoneNames {
		if seen[z] {
			t.Errorf("%s twice", z)
		}
		seen[z] = true
		if _, ok := choosableZone(z); !ok {
			t.Errorf("%s does not load", z)
		}
	}
	for _, z := range []string{"", "Local", "Mars/Olympus", "Europe/../UTC", "CET"} {
		if _, ok := choosableZone(z); ok {
			t.Errorf("%q is choosable", z)
		}
	}
}
