package web

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// csvText turns an uploaded file into text: a UTF-8 byte order mark is
// dropped, and a file that is not UTF-8 is read as Windows-1252 — what
// German Excel writes when it saves "CSV (Trennzeichen-getrennt)".
func csvText(b []byte) string {
	if utf8.Valid(b) {
		return strings.TrimPrefix(string(b), "\ufeff")
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return string(b) // Windows-1252 maps every byte; kept for safety
	}
	return string(out)
}

// csvDelimiter picks the separator from the header line: `;` (Excel in
// German and most European locales), a tab, or `,` — whichever occurs most
// outside quotes; `,` when none does.
func csvDelimiter(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if r == '\n' || r == '\r' {
			break
		}
		if r == ';' || r == ',' || r == '\t' {
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// localInteger reads a whole number as people type it in a form or a
// spreadsheet: thousands may be grouped by '.', ',', ' ' or '\”
// ("1.200.000", "1'200'000"); anything else is returned as typed, for the
// parser to refuse.
func localInteger(v string) string {
	v = strings.TrimSpace(v)
	sign, digits := "", v
	if strings.HasPrefix(v, "-") {
		sign, digits = "-", v[1:]
	}
	for _, sep := range []string{".", ",", " ", "'", "\u00a0"} {
		if groupedBy(digits, sep) {
			return sign + strings.ReplaceAll(digits, sep, "")
		}
	}
	return v
}

// localDecimal reads a decimal number with a decimal comma ("12,5", as
// German Excel writes it) or point; anything else is returned as typed.
func localDecimal(v string) string {
	v = strings.TrimSpace(v)
	if strings.Count(v, ",") == 1 && !strings.Contains(v, ".") {
		return strings.Replace(v, ",", ".", 1)
	}
	return v
}

// groupedBy reports whether v is digits grouped in threes by sep
// ("1.200.000"), with at least one separator.
func groupedBy(v, sep string) bool {
	parts := strings.Split(v, sep)
	if len(parts) < 2 || len(parts[0]) == 0 || len(parts[0]) > 3 {
		return false
	}
	for i, p := range parts {
		if strings.Trim(p, "0123456789") != "" || (i > 0 && len(p) != 3) {
			return false
		}
	}
	return true
}
