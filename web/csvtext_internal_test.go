package web

import "testing"

func TestCSVDelimiter(t *testing.T) {
	for text, want := range map[string]rune{
		"name,country\nA;B,C\n":       ',',
		"name;country;notes\nA,B;C\n": ';',
		"\"a;b\",c\n":                 ',',
		"name\tcountry\n":             '\t',
		"name\n":                      ',',
	} {
		if got := csvDelimiter(text); got != want {
			t.Errorf("csvDelimiter(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestLocalNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"1.200.000": "1200000", "1,200,000": "1200000", "1'200'000": "1200000", "1 200": "1200", "-4.000": "-4000",
		"1200": "1200", "12.00": "12.00", "1.2000": "1.2000", "x": "x",
	} {
		if got := localInteger(in); got != want {
			t.Errorf("localInteger(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"12,5": "12.5", "12.5": "12.5", "-3,25": "-3.25", "1,2,3": "1,2,3", " 7 ": "7"} {
		if got := localDecimal(in); got != want {
			t.Errorf("localDecimal(%q) = %q, want %q", in, got, want)
		}
	}
}
