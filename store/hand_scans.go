package store

import (
	"database/sql"
	"time"
)

// Some lists the pages show on every view are scanned by hand rather than
// by gorm, whose reflection into structs cost more than reading the rows:
// the upcoming sessions (scanSessionSeats), the desk's attendance lists
// (scanEnrolmentLine), the programmes (scanProgramme), a key account's
// actions (scanAction) and the key accounts with their people's names
// (scanKeyAccountRow). Each names its columns in one list, held by a test
// to its model's columns where it reads whole rows.

// scanAll reads every row of a query with scan and closes them; err is
// the query's own error, passed through.
func scanAll[T any](rows *sql.Rows, err error, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// timeOrNil is a nullable column's time, nil for NULL.
func timeOrNil(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	at := t.Time
	return &at
}

// uintOrNil is a nullable id column's value, nil for NULL.
func uintOrNil(n sql.NullInt64) *uint {
	if !n.Valid {
		return nil
	}
	id := uint(n.Int64)
	return &id
}
