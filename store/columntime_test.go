package store

import (
	"testing"
	"time"
)

// TestColumnTimeReadsEveryWayATimeComesBack: a time as the drivers give it
// (time.Time) and as SQLite's driver stores it as text, with and without a
// monotonic clock reading; NULL is no time; anything else is an error.
func TestColumnTimeReadsEveryWayATimeComesBack(t *testing.T) {
	want := time.Date(2026, 6, 10, 9, 30, 15, 123456789, time.UTC)
	withClock := time.Now()
	for _, in := range []any{
		want,
		want.String(),
		[]byte(want.String()),
		"2026-06-10 09:30:15.123456789 +0000 UTC m=+12.345678901",
		"2026-06-10 09:30:15.123456789+00:00",
		"2026-06-10T09:30:15.123456789Z",
		"2026-06-10 11:30:15.123456789 +0200 CEST",
	} {
		var c columnTime
		if err := c.Scan(in); err != nil || !c.Valid || !c.Time.Equal(want) {
			t.Errorf("Scan(%q) = %v %v, %v; want %s", in, c.Time, c.Valid, err, want)
		}
	}
	var c columnTime
	if err := c.Scan(withClock.String()); err != nil || !c.Time.Equal(withClock.Round(0)) {
		t.Errorf("Scan of a time with its monotonic clock = %v, %v", c.Time, err)
	}
	if err := c.Scan(nil); err != nil || c.Valid {
		t.Errorf("Scan(nil) = %v, %v; want no time", c, err)
	}
	for _, bad := range []any{"soon", 42} {
		if err := c.Scan(bad); err == nil {
			t.Errorf("Scan(%v) took it for a time", bad)
		}
	}
}
