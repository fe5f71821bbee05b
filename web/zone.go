package web

import (
	"slices"
	"strings"
	"sync"
	"time"
	// Zones load from the compiled-in database on machines without tzdata.
	_ "time/tzdata"

	"github.com/labstack/echo/v4"
)

// The reader's time zone, in one place: every date-time a page shows is
// written in it (day, when) and every date-time a form sends is read in it
// (parseLocal); the database and the JSON API keep UTC instants, calendar
// feeds UTC too.

// dateTimeLocal is how a datetime-local input sends a time: the reader's
// wall clock, without a zone.
const dateTimeLocal = "2006-01-02T15:04"

// readerZone is the signed-in user's own time zone, else the site's
// default (Options.Zone, KAMFLOW_TIME_ZONE).
func (s *Server) readerZone(c echo.Context) *time.Location {
	if u := currentUser(c); u != nil && u.TimeZone != "" {
		if loc, ok := choosableZone(u.TimeZone); ok {
			return loc
		}
	}
	return s.opts.Zone
}

// loadedZones caches the zones loaded so far (a *time.Location by name);
// only names of zoneNames enter it, so it stays small.
var loadedZones sync.Map

// choosableZone loads name if it is one of the zones Settings offers.
func choosableZone(name string) (*time.Location, bool) {
	if loc, ok := loadedZones.Load(name); ok {
		return loc.(*time.Location), true
	}
	if !slices.Contains(zoneNames, name) {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	loadedZones.Store(name, loc)
	return loc, true
}

// parseLocal reads a datetime-local value (seconds allowed) as the wall
// clock in loc and returns the UTC instant. A wall-clock time that does
// not exist there (the hour skipped when clocks go forward) is refused
// at field; one that exists twice (the hour repeated when clocks go back)
// is the earlier of the two instants.
func parseLocal(loc *time.Location, field, v, msg string) (time.Time, error) {
	v = strings.TrimSpace(v)
	var wall time.Time
	var err error
	for _, layout := range []string{dateTimeLocal, dateTimeLocal + ":05"} {
		if wall, err = time.Parse(layout, v); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, fieldError(field, msg)
	}
	t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, loc)
	if !sameWallClock(t.In(loc), wall) {
		return time.Time{}, fieldError(field, "This time does not exist in your time zone: the clocks go forward then. Choose another time.")
	}
	// Zones shift by at most an hour, in steps of 30 minutes or more.
	for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
		if earlier := t.Add(-back); sameWallClock(earlier.In(loc), wall) {
			t = earlier
			break
		}
	}
	return t.UTC(), nil
}

func sameWallClock(t, wall time.Time) bool {
	y, mo, d := t.Date()
	wy, wmo, wd := wall.Date()
	return y == wy && mo == wmo && d == wd && t.Hour() == wall.Hour() && t.Minute() == wall.Minute() && t.Second() == wall.Second()
}

// localInput writes an instant as a datetime-local value in loc, the
// reverse of parseLocal; the zero time is empty.
func localInput(loc *time.Location, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(dateTimeLocal)
}

// formatDay writes the day an instant falls on in loc, as the language
// writes days; plain dates (due dates) use formatDate.
func (l lang) formatDay(loc *time.Location, t any) string {
	at, ok := instant(t)
	if !ok {
		return ""
	}
	return l.formatDate(at.In(loc))
}

// formatWhen writes an instant's day and time of day in loc with the
// zone's abbreviation ("2 Nov 2026 09:00 CET", "02.11.2026 09:00 CET").
func (l lang) formatWhen(loc *time.Location, t any) string {
	at, ok := instant(t)
	if !ok {
		return ""
	}
	at = at.In(loc)
	return l.formatDate(at) + " " + at.Format("15:04 MST")
}

// instant accepts a time or a pointer to one (nil and zero: none), so
// templates pass optional fields as they are.
func instant(v any) (time.Time, bool) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return time.Time{}, false
		}
		t = *x
	default:
		return time.Time{}, false
	}
	return t, !t.IsZero()
}
