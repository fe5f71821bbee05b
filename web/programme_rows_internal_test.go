package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// The programme page's audit trail and jour fixes as programme.html wrote
// them before they moved to Go (programme_rows.go).
const (
	auditRowsTemplate    = `{{$p := .}}` + `{{range $p.Events}}<tr><td>{{when $.Zone .At}}</td><td>{{label "event" .Kind}}</td><td>{{phaseLabel (print .Phase)}}</td><td>{{.Actor}}</td><td>{{eventComment . $p.Names}}</td></tr>{{end}}`
	jourFixeRowsTemplate = `{{$jf := .}}` + `{{range $jf.List}}<tr><td><a href="/jour-fixes/{{.ID}}">{{when $.Zone .MeetingAt}}</a></td><td>{{with .Scope}}{{.}}{{else}}{{t "all key accounts"}}{{end}}</td><td>{{if eq .Status "held"}}{{t "held"}}{{else}}{{t "collecting input"}}{{end}}</td></tr>{{end}}`
)

// TestProgrammeRowsOfAuditAndJourFixeWriteWhatTheTemplateWrote: entries of
// every kind and phase (and none), with comments kamflow keeps by key,
// older ones it reads from their text, people's own and hostile ones; jour
// fixes for all accounts or one, held or collecting; both languages, two
// zones, an instant across a clock change.
func TestProgrammeRowsOfAuditAndJourFixeWriteWhatTheTemplateWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	berlin, newYork := rowZones(t)
	at := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // Berlin's clocks go forward at 01:00 UTC
	names := eventNames{Customers: map[string]string{"1": "Alpenbau AG"}, Employees: map[string]string{"8": "Karla Krüger", "9": hostile}}
	events := []store.ProgrammeEvent{
		{Kind: workflows.EventAssigned, Phase: string(workflows.PhaseResponsibilities), Actor: "lead@example.com", Comment: "customer 1: KAM 8, deputy 9",
			CommentKey: workflows.TextAssigned, CommentArgs: `["1","8","9"]`, At: at},
		{Kind: workflows.EventSelection, Phase: string(workflows.PhaseProvisionalSelection), Actor: "system", Comment: "3 candidates meet at least 2 criteria", At: at.Add(time.Hour)},
		{Kind: workflows.EventRejected, Phase: string(workflows.PhaseStrategy), Actor: hostile, Comment: hostile, At: at.Add(-time.Hour)},
		{Kind: workflows.EventCreated, Actor: "lead@example.com", At: at.Add(24 * time.Hour)},
		{Kind: hostile, Phase: hostile, Actor: "", Comment: "", CommentKey: workflows.TextSelection, CommentArgs: "not json", At: at},
	}
	for _, k := range labelValues()[labelEvent] {
		for _, ph := range workflows.Phases() {
			events = append(events, store.ProgrammeEvent{Kind: k, Phase: string(ph), Actor: "x@example.com", Comment: "a comment", At: at})
		}
	}
	list := []jourFixeRow{
		{ID: 1, MeetingAt: at, Scope: "", Status: "held"},
		{ID: 123456, MeetingAt: at.Add(90 * time.Minute), Scope: "Alpenbau AG", Status: "collecting"},
		{ID: 7, MeetingAt: at, Scope: hostile, Status: hostile},
	}
	for _, l := range uiLanguages {
		audit := template.Must(template.New("audit").Funcs(funcsFor(l)).Funcs(template.FuncMap{"eventComment": l.eventComment}).Parse(auditRowsTemplate))
		jourFixes := template.Must(template.New("jourfixes").Funcs(funcsFor(l)).Parse(jourFixeRowsTemplate))
		for _, zone := range []*time.Location{berlin, newYork} {
			var want strings.Builder
			err := audit.Execute(&want, struct {
				Zone   *time.Location
				Events []store.ProgrammeEvent
				Names  eventNames
			}{zone, events, names})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(l.auditRows(zone, events, names)); got != want.String() {
				t.Errorf("%s %s: audit rows differ\n got %s\nwant %s", l, zone, got, want.String())
			}
			want.Reset()
			if err := jourFixes.Execute(&want, struct {
				Zone *time.Location
				List []jourFixeRow
			}{zone, list}); err != nil {
				t.Fatal(err)
			}
			if got := string(l.jourFixeRows(zone, list)); got != want.String() {
				t.Errorf("%s %s: jour fixe rows differ\n got %s\nwant %s", l, zone, got, want.String())
			}
		}
	}
	if langEN.auditRows(berlin, nil, names) != "" || langEN.jourFixeRows(berlin, nil) != "" {
		t.Error("no entries or jour fixes should write no rows")
	}
	got := string(langDE.auditRows(berlin, events[:1], names)) + string(langDE.jourFixeRows(berlin, list[:2]))
	for _, want := range []string{"Kunde Alpenbau AG: KAM Karla Krüger", "29.03.2026 01:30 CET", "29.03.2026 04:00 CEST", "alle Schlüsselkunden", "abgehalten"} {
		if !strings.Contains(got, want) {
			t.Errorf("German rows lack %q:\n%s", want, got)
		}
	}
}
