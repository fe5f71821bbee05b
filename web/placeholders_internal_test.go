package web

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// replacerFill is what translateWith did before fillPlaceholders: a
// strings.Replacer of the pairs {1}→values[0], {2}→values[1], ….
func replacerFill(s string, values []string) string {
	pairs := make([]string, 0, 2*len(values))
	for i, v := range values {
		pairs = append(pairs, "{"+strconv.Itoa(i+1)+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// TestFillPlaceholdersIsTheReplacersAnswer: for the messages kamflow
// fills, the edge cases and many random ones, the one pass gives what the
// strings.Replacer of the same pairs gave.
func TestFillPlaceholdersIsTheReplacersAnswer(t *testing.T) {
	values := []string{"Alpen AG", "3", "{1}", "", "x}", "{", "7", "8", "9", "zehn", "elf", "zwölf"}
	cases := []string{
		"", "no braces", "{1}", "{1}{2}", "{2} of {1}", "{1} (between {2}): {3}", "{0}", "{01}", "{13}", "{1", "1}", "{}", "{{1}}",
		"{a}", "{10}{11}{12}", "{1}{", "}{2}{", "Ä {1} ö {2} ü", "{100}", "{99999}", "{3}{3}{3}",
	}
	for _, c := range cases {
		for n := 0; n <= len(values); n++ {
			if got, want := fillPlaceholders(c, values[:n]), replacerFill(c, values[:n]); got != want {
				t.Errorf("fill(%q, %d values) = %q, want %q", c, n, got, want)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"{", "}", "1", "2", "0", "9", "1", "{1}", "{2}", "{12}", "a", " ", "ß"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s, n := b.String(), rng.IntN(len(values)+1)
		if got, want := fillPlaceholders(s, values[:n]), replacerFill(s, values[:n]); got != want {
			t.Fatalf("fill(%q, %d values) = %q, want %q", s, n, got, want)
		}
	}
}
