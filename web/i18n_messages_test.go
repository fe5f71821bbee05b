package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// refusalCalls are the functions whose message argument a page shows: the
// workflows' validators and the web's own checks. The value is the
// argument's index.
var refusalCalls = map[string]int{
	"invalid": 1, "conflict": 0, "conflictAt": 1, "forbidden": 0, "notFound": 1,
	"fieldError": 1, "apiErr": 2, "clientError": 1,
}

// refusalMessages are the literal messages (a Sprintf's format with its
// verbs filled by sample values) of refusalCalls in dir's non-test files.
func refusalMessages(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	// fill puts sample values in a format's verbs.
	fill := func(format string) string {
		return verb.ReplaceAllStringFunc(format, func(v string) string {
			if strings.HasSuffix(v, "q") {
				return `"x7"`
			}
			return "7"
		})
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok {
				return true
			}
			at, ok := refusalCalls[id.Name]
			if !ok || at >= len(call.Args) {
				return true
			}
			switch arg := call.Args[at].(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(arg.Value); err == nil {
					out = append(out, fill(s))
				}
			case *ast.CallExpr:
				if sel, ok := arg.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(arg.Args) > 0 {
					if lit, ok := arg.Args[0].(*ast.BasicLit); ok {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							out = append(out, fill(s))
						}
					}
				}
			}
			return true
		})
	}
	return out
}

// TestGermanCoversRefusals fails when a refusal the workflows' validators
// or the web's checks give has no German: a German page shows it at the
// field (or on top) in German.
func TestGermanCoversRefusals(t *testing.T) {
	var msgs []string
	for _, dir := range []string{".", "../workflows", "../store"} {
		msgs = append(msgs, refusalMessages(t, dir)...)
	}
	if len(msgs) < 100 {
		t.Fatalf("found only %d messages; is the search still right?", len(msgs))
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m] || m == "" || m == "7" {
			continue
		}
		seen[m] = true
		if langDE.translate(m) == m {
			t.Errorf("no German for %q", m)
		}
	}
}

// TestGermanRendersRefusalsWithParameters: a refusal with parameters is
// rendered by its pattern, a parameter the catalogue knows translated too;
// English stays as it is.
func TestGermanRendersRefusalsWithParameters(t *testing.T) {
	for en, want := range map[string]string{
		"the result is longer than 20000 characters":                    "das Ergebnis ist länger als 20000 Zeichen",
		`no user "x@example.com"`:                                       `es gibt keinen Benutzer "x@example.com"`,
		"phase strategy is submitted, not in_progress":                  "Phase Strategie ist eingereicht, nicht in Arbeit",
		"the due date must be in the future":                            "das Fälligkeitsdatum muss in der Zukunft liegen",
		"customer 12 is not a key account in this review":               "Kunde 12 ist kein Key Account in diesem Review",
		"a measure needs an owner · the due date must be in the future": "eine Massnahme braucht eine verantwortliche Person · das Fälligkeitsdatum muss in der Zukunft liegen",
		"there is no draft to submit (status approved)":                 "es gibt keinen Entwurf zum Einreichen (Status freigegeben)",
		"describe this part of the result: goals of the introduction":   "beschreiben Sie diesen Teil des Ergebnisses: " + german["Goals of the introduction"],
	} {
		if got := langDE.translate(en); got != want {
			t.Errorf("German of %q = %q, want %q", en, got, want)
		}
		if got := langEN.translate(en); got != en {
			t.Errorf("English of %q = %q", en, got)
		}
	}
	if got := langDE.translate("Zürich, not a refusal"); got != "Zürich, not a refusal" {
		t.Errorf("a text no pattern matches = %q", got)
	}
}

// TestRefusalTextIsTheReasons: a refusal shown on top of a page is its
// reasons (each a catalogue text), never the API's message or a field's
// technical name; one without fields is its message.
func TestRefusalTextIsTheReasons(t *testing.T) {
	e := fieldError("actions[0].due", "must be a date as YYYY-MM-DD")
	e.Fields["actions[0].title"] = "a measure needs an owner"
	if got, want := e.text(), "must be a date as YYYY-MM-DD · a measure needs an owner"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got := langDE.translate(e.text()); got != "muss ein Datum als JJJJ-MM-TT sein · eine Massnahme braucht eine verantwortliche Person" {
		t.Errorf("German text = %q", got)
	}
	if got := apiErr(409, "conflict", "the review is signed off").text(); got != "the review is signed off" {
		t.Errorf("text without fields = %q", got)
	}
	r, ok := refusalOf(e, func(f string) string { return strings.TrimPrefix(f, "actions") })
	if !ok || r.Status != 422 || r.Message != "" || r.At("[0].due") != "must be a date as YYYY-MM-DD" {
		t.Errorf("refusal = %+v, %v", r, ok)
	}
	if _, ok := refusalOf(serverError(nil), nil); ok {
		t.Error("a server error read as a form's refusal")
	}
}
