package store

import (
	"bufio"
	_ "embed"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// MinPasswordLength is the shortest password a person may choose.
const MinPasswordLength = 12

// MaxPasswordLength bounds what is hashed.
const MaxPasswordLength = 200

//go:embed common_passwords.txt
var commonPasswordList string

var (
	commonOnce      sync.Once
	commonPasswords map[string]struct{}
)

func isCommonPassword(p string) bool {
	commonOnce.Do(func() {
		commonPasswords = make(map[string]struct{}, 10000)
		sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
		for sc.Scan() {
			if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
				commonPasswords[line] = struct{}{}
			}
		}
	})
	_, ok := commonPasswords[p]
	return ok
}

// The password policy's refusals; each is an *InvalidError for "password".
var (
	ErrPasswordLength   = &InvalidError{Field: "password", Reason: fmt.Sprintf("must have %d to %d characters", MinPasswordLength, MaxPasswordLength)}
	ErrPasswordPersonal = &InvalidError{Field: "password", Reason: "must not contain the e-mail address or its name part"}
	ErrPasswordCommon   = &InvalidError{Field: "password", Reason: "is one of the most common passwords"}
	ErrPasswordSimple   = &InvalidError{Field: "password", Reason: "is too simple (one character or a short pattern repeated)"}
)

// CheckNewPassword applies the password policy to a password someone
// chooses for the account with email: at least MinPasswordLength
// characters, not the address or its local part, not one of the most
// common passwords (also with digits or symbols appended), not one
// character or a short pattern repeated. It returns an InvalidError for
// the field "password"; the demo seed, which is for dev only, does not
// use it.
func CheckNewPassword(email, password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength || n > MaxPasswordLength {
		return ErrPasswordLength
	}
	lower := strings.ToLower(password)
	email = strings.ToLower(strings.TrimSpace(email))
	local, _, _ := strings.Cut(email, "@")
	if email != "" && strings.Contains(lower, email) || len(local) >= 3 && strings.Contains(lower, local) {
		return ErrPasswordPersonal
	}
	base := strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if isCommonPassword(lower) || base != "" && isCommonPassword(base) {
		return ErrPasswordCommon
	}
	if repeatsPattern(lower) || distinctRunes(lower) < 4 {
		return ErrPasswordSimple
	}
	return nil
}

// repeatsPattern reports whether s is a shorter string repeated ("abcabcabcabc").
func repeatsPattern(s string) bool {
	for size := 1; size <= len(s)/2; size++ {
		if len(s)%size == 0 && strings.Repeat(s[:size], len(s)/size) == s {
			return true
		}
	}
	return false
}

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// singleLineFields are the inputs that reach a calendar property or a mail
// header (places, titles, names, subjects, addresses), by their field
// name in forms and JSON bodies: no line breaks or other control
// characters at all.
var singleLineFields = map[string]bool{
	"name": true, "title": true, "place": true, "location": true, "subject": true,
	"email": true, "owner_email": true, "employee_email": true, "lead_email": true, "controller_email": true,
	"provider": true, "trainer": true, "industry": true, "country": true, "phone": true,
	"job_title": true, "department": true, "customer_name": true, "programme_name": true,
}

// SingleLineField reports whether the input named field must be one line.
func SingleLineField(field string) bool {
	return singleLineFields[field] || strings.HasSuffix(field, "_email") || strings.HasSuffix(field, "_name")
}

// TextProblem says what is wrong with a text input, or "" when nothing is.
// No text may carry control characters other than TAB and line breaks
// (LF, or CR LF as browsers send them); a single-line field (see
// SingleLineField) carries none at all. A lone CR would end a line in
// an iCalendar feed or a mail header.
func TextProblem(field, value string) string {
	single := SingleLineField(field)
	for i := 0; i < len(value); i++ {
		b := value[i]
		if b >= 0x20 && b != 0x7f {
			continue
		}
		switch {
		case single && (b == '\r' || b == '\n'):
			return "must be one line (no line breaks)"
		case single:
			return "must not contain control characters"
		case b == '\t' || b == '\n':
			continue
		case b == '\r' && i+1 < len(value) && value[i+1] == '\n':
			continue
		case b == '\r':
			return "must not contain a carriage return except before a line feed"
		default:
			return "must not contain control characters (only tabs and line breaks)"
		}
	}
	return ""
}

// FiniteProblem says what is wrong with a number input that must be a real
// number, or "" when it is one: NaN and infinities are not amounts.
func FiniteProblem(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "must be a number (not NaN or infinity)"
	}
	return ""
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
