package store

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// columnTime scans a time from a column the driver does not know as one:
// SQLite types a column by its declaration, so a union's column or an
// expression (a CASE over times) comes back as the text the time was
// stored as. MySQL and declared SQLite columns give a time.Time.
type columnTime struct {
	Time  time.Time
	Valid bool
}

// storedTimeLayouts are the ways SQLite's driver (modernc) writes a time:
// time.Time.String by default, or one of its _time_format layouts.
var storedTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

func (t *columnTime) Scan(v any) error {
	t.Time, t.Valid = time.Time{}, false
	var text string
	switch v := v.(type) {
	case nil:
		return nil
	case time.Time:
		t.Time, t.Valid = v, true
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("scan time from %T", v)
	}
	// time.Time.String appends the monotonic clock ("m=+1.5") when the
	// time had one.
	if i := strings.Index(text, " m="); i > 0 {
		text = text[:i]
	}
	text = strings.TrimSuffix(strings.TrimSpace(text), "Z")
	for _, layout := range storedTimeLayouts {
		if parsed, err := time.Parse(layout, text); err == nil {
			t.Time, t.Valid = parsed, true
			return nil
		}
	}
	return fmt.Errorf("scan time from %q: not a stored time", text)
}

// Value writes a columnTime as the time it holds (GORM takes a field for a
// column only when its type is both a Scanner and a Valuer).
func (t columnTime) Value() (driver.Value, error) {
	if !t.Valid {
		return nil, nil
	}
	return t.Time, nil
}
