package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// The customer and contact lists' rows as customers.html and
// contacts.html wrote them before they moved to Go (list_rows.go); the Go
// rows must write the same bytes.
const (
	customerRowsTemplate = `{{define "confirm"}}{{.HTML}}{{end}}{{$csrf := .CSRF}}{{$p := .}}{{$arch := .Archived}}` + `{{range $p.Customers}}<tr><td><a href="/customers/{{.ID}}">{{.Name}}</a></td><td>{{.Industry}}</td><td>{{.Country}}</td><td class="num">{{num .AnnualRevenue}}</td><td class="num">{{dec .MarginPercent}} %</td><td>{{t .Potential}}</td>
<td>{{if $arch}}{{if $p.CanArchive}}<span class="muted">{{t "archived"}} {{with .ArchivedAt}}{{day $.Zone .}}{{end}}</span> <form method="post" action="/customers/{{.ID}}/restore" class="inline"><input type="hidden" name="csrf" value="{{$csrf}}"><button type="submit" class="secondary">{{t "Restore"}}</button></form>{{end}}{{else}}<a href="/contacts/new?customer={{.ID}}">{{t "Add contact"}}</a> <a href="/customers/{{.ID}}/edit">{{t "Edit"}}</a>{{if $p.CanArchive}} {{template "confirm" (confirm "id" (printf "archive-customer-%d" .ID) "csrf" $csrf "action" (printf "/customers/%d/archive" .ID) "label" "Archive" "class" "secondary" "name" .Name "consequence" "The customer leaves the lists, the search and the selection; its contacts, key accounts and history stay, and it can be restored from the archived customers.")}}{{end}}{{end}}</td></tr>{{end}}`
	// The start page's programmes as home.html wrote them; the title of
	// the progress bar is translated since (it was English on every page).
	programmeRowsTemplate = `{{$d := .}}` + `{{range $d.Programmes}}
  <tr{{if .Progress.Overdue}} class="overdue"{{end}}>
    <td><a href="/programmes/{{.ID}}">{{.Name}}</a></td><td>{{.LeadEmail}}</td>
    <td><span class="badge {{.Status}}">{{label "status" .Status}}</span></td><td>{{phaseLabel .CurrentPhase}}</td>
    <td><progress max="{{.Progress.Total}}" value="{{.Progress.Done}}" title="{{tf "{1} of {2} phases" .Progress.Done .Progress.Total}}"></progress> {{.Progress.Done}}/{{.Progress.Total}}</td>
    <td>{{with .Progress.NextDue}}{{date .}}{{end}}{{if .Progress.Overdue}} <strong>{{t "overdue"}}</strong>{{end}}</td>
  </tr>
  {{end}}`
	// The key accounts as key_accounts.html and programme.html wrote them,
	// and the list's programme select.
	keyAccountRowsTemplate = `{{$p := .}}` + `{{range $p.Rows}}<tr{{if .Open.OverdueActions}} class="overdue"{{end}}><td><a href="/key-accounts/{{.ID}}">{{.CustomerName}}</a></td><td><a href="/programmes/{{.ProgrammeID}}">{{.ProgrammeName}}</a></td>
<td><span class="badge {{.Status}}">{{label "status" .Status}}</span></td><td>{{if .KAMEmployeeID}}{{.KAMName}}{{else}}—{{end}}{{if .CoveringEmployeeID}} <small class="muted">({{t "covering:"}} {{.CoveringName}})</small>{{end}}</td>
<td>{{if .DeputyEmployeeID}}{{.DeputyName}}{{else}}—{{end}}</td>
<td class="num">{{.Open.Actions}}{{if .Open.OverdueActions}} <strong class="error">({{.Open.OverdueActions}} {{t "overdue"}})</strong>{{end}}</td><td class="num">{{.Open.Measures}}</td></tr>{{end}}`
	programmeKeyAccountRowsTemplate = `{{$p := .}}` + `{{range $p.KeyAccounts}}<tr><td><a href="/key-accounts/{{.ID}}">{{.CustomerName}}</a></td>
<td>{{if .KAMEmployeeID}}{{.KAMName}}{{else}}—{{end}}{{if .CoveringEmployeeID}} <small class="muted">({{t "covering:"}} {{.CoveringName}})</small>{{end}}</td>
<td>{{if .DeputyEmployeeID}}{{.DeputyName}}{{else}}—{{end}}</td><td><span class="badge {{.Status}}">{{label "status" .Status}}</span></td></tr>{{end}}`
	programmeOptionsTemplate = `{{$p := .}}` + `{{range $p.Programmes}}<option value="{{.ID}}"{{if eq .ID $p.ProgrammeID}} selected{{end}}>{{.Name}}</option>{{end}}`
	contactRowsTemplate      = `{{define "confirm"}}{{.HTML}}{{end}}{{$csrf := .CSRF}}{{$p := .}}{{$arch := .Archived}}` + `{{range $p.Contacts}}<tr><td>{{.CustomerName}}</td><td><a href="/contacts/{{.ID}}">{{.Name}}</a></td><td>{{.JobTitle}}</td><td>{{t .HierarchyLevel.Label}}</td><td>{{.Email}}</td><td>{{.Phone}}</td>
<td>{{if $arch}}<form method="post" action="/contacts/{{.ID}}/restore" class="inline"><input type="hidden" name="csrf" value="{{$csrf}}"><button type="submit" class="secondary">{{t "Restore"}}</button></form>{{else}}{{template "confirm" (confirm "id" (printf "archive-contact-%d" .ID) "csrf" $csrf "action" (printf "/contacts/%d/archive" .ID) "label" "Archive" "class" "secondary" "name" (printf "%s (%s)" .Name .CustomerName) "consequence" "The contact leaves the lists and the contact matrix; whoever reported to this contact reports to no one. It can be restored from the archived contacts.")}}{{end}}</td></tr>{{end}}`
)

// listRowsInput is what the fragments above read: the page's rows, the
// form token, the reader's zone and what the reader may do.
type listRowsInput struct {
	Zone                 *time.Location
	CSRF                 string
	Customers            []store.Customer
	Contacts             []store.ContactRow
	Archived, CanArchive bool
}

// TestListRowsWriteWhatTheTemplatesWrote: customers with and without
// industry, revenue in the millions and negative margins, every potential
// and none, archived with and without the time; contacts on every level
// and none; every text with characters html/template escapes, active and
// archived lists, with and without the right to archive, in two zones and
// both languages.
func TestListRowsWriteWhatTheTemplatesWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	berlin, newYork := rowZones(t)
	archivedAt := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // the night Berlin's clocks go forward
	customers := []store.Customer{
		{ID: 7, Name: "Müller & Söhne GmbH", Industry: "Maschinenbau", Country: "DE", AnnualRevenue: 12_345_678, MarginPercent: 12.5, Potential: "high", ArchivedAt: &archivedAt},
		{ID: 123456, Name: hostile, Industry: hostile, Country: hostile, AnnualRevenue: -5_000, MarginPercent: -3.5, Potential: hostile},
		{ID: 9, Name: "O'Brien + Partner", AnnualRevenue: 0, MarginPercent: 0, Potential: "medium"},
		{ID: 10, Name: "Leer", Potential: "low"},
	}
	contacts := []store.ContactRow{
		{Contact: store.Contact{ID: 31, Name: "Änne Müller", JobTitle: "Einkaufsleiterin", HierarchyLevel: store.LevelManagement, Email: "a.mueller@example.com", Phone: "+49 30 1234"}, CustomerName: "Müller & Söhne GmbH"},
		{Contact: store.Contact{ID: 32, Name: hostile, JobTitle: hostile, HierarchyLevel: store.HierarchyLevel(hostile), Email: hostile, Phone: hostile}, CustomerName: hostile},
		{Contact: store.Contact{ID: 33, Name: "Bo"}},
	}
	for _, level := range store.HierarchyLevels() {
		contacts = append(contacts, store.ContactRow{Contact: store.Contact{ID: 40, Name: "Cem", HierarchyLevel: level}, CustomerName: "Leer"})
	}
	for _, l := range uiLanguages {
		customerTmpl := template.Must(template.New("customers").Funcs(funcsFor(l)).Parse(customerRowsTemplate))
		contactTmpl := template.Must(template.New("contacts").Funcs(funcsFor(l)).Parse(contactRowsTemplate))
		for _, zone := range []*time.Location{berlin, newYork} {
			for _, csrf := range []string{"tok-abc_123", `a"b+c`} {
				for _, archived := range []bool{false, true} {
					for _, canArchive := range []bool{false, true} {
						in := listRowsInput{Zone: zone, CSRF: csrf, Customers: customers, Contacts: contacts, Archived: archived, CanArchive: canArchive}
						execute := func(tmpl *template.Template) string {
							var b strings.Builder
							if err := tmpl.Execute(&b, in); err != nil {
								t.Fatal(err)
							}
							return b.String()
						}
						got, err := l.customerRows(zone, csrf, customers, archived, canArchive)
						if err != nil {
							t.Fatal(err)
						}
						if want := execute(customerTmpl); string(got) != want {
							t.Errorf("%s, %s, %q, archived %v, may archive %v: customer rows differ\n got %s\nwant %s", l, zone, csrf, archived, canArchive, got, want)
						}
						if canArchive {
							continue // the contact list offers archive to everyone who reads it
						}
						got, err = l.contactRows(csrf, contacts, archived)
						if err != nil {
							t.Fatal(err)
						}
						if want := execute(contactTmpl); string(got) != want {
							t.Errorf("%s, %q, archived %v: contact rows differ\n got %s\nwant %s", l, csrf, archived, got, want)
						}
					}
				}
			}
		}
	}
	// No rows, no markup.
	if got, err := langEN.customerRows(berlin, "t", nil, false, true); got != "" || err != nil {
		t.Errorf("no customers = %q, %v", got, err)
	}
	if got, err := langDE.contactRows("t", nil, false); got != "" || err != nil {
		t.Errorf("no contacts = %q, %v", got, err)
	}
	// The German lists read German.
	got, _ := langDE.customerRows(berlin, "t", customers[:1], false, true)
	for _, want := range []string{"12.345.678", "12,5 %", "Kontakt hinzufügen", "Bearbeiten", "Archivieren"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("German customer row lacks %q:\n%s", want, got)
		}
	}
}

// TestProgrammeRowsWriteWhatTheTemplateWrote: programmes in every status,
// overdue or not, with and without a next due date, at every phase and
// none, with texts html/template escapes, in both languages.
func TestProgrammeRowsWriteWhatTheTemplateWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	due := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	rows := []programmeRow{
		{ProgrammeSummary: store.ProgrammeSummary{ID: 7, Name: "KAM Einführung 2027", LeadEmail: "lead@example.com", Status: "active", CurrentPhase: "criteria"},
			Progress: store.PhaseProgress{Done: 2, Total: 11, NextDue: &due, Overdue: true}},
		{ProgrammeSummary: store.ProgrammeSummary{ID: 123456, Name: hostile, LeadEmail: hostile, Status: hostile, CurrentPhase: hostile},
			Progress: store.PhaseProgress{Done: 0, Total: 0}},
		{ProgrammeSummary: store.ProgrammeSummary{ID: 9, Name: "Done", LeadEmail: "x@example.com", Status: "completed", CurrentPhase: ""},
			Progress: store.PhaseProgress{Done: 11, Total: 11}},
	}
	for _, ph := range workflows.Phases() {
		rows = append(rows, programmeRow{ProgrammeSummary: store.ProgrammeSummary{ID: 10, Name: "P", Status: "paused", CurrentPhase: string(ph)},
			Progress: store.PhaseProgress{Done: 1, Total: 11, NextDue: &due}})
	}
	for _, l := range uiLanguages {
		tmpl := template.Must(template.New("programmes").Funcs(funcsFor(l)).Parse(programmeRowsTemplate))
		var want strings.Builder
		if err := tmpl.Execute(&want, struct{ Programmes []programmeRow }{rows}); err != nil {
			t.Fatal(err)
		}
		if got := string(l.programmeRows(rows)); got != want.String() {
			t.Errorf("%s: programme rows differ\n got %s\nwant %s", l, got, want.String())
		}
	}
	if got := langEN.programmeRows(nil); got != "" {
		t.Errorf("no programmes = %q", got)
	}
	got := string(langDE.programmeRows(rows[:1]))
	for _, want := range []string{"2 von 11 Phasen", "31.01.2027", "überfällig"} {
		if !strings.Contains(got, want) {
			t.Errorf("German programme row lacks %q:\n%s", want, got)
		}
	}
}

// TestKeyAccountRowsWriteWhatTheTemplatesWrote: key accounts active,
// unassigned and in handover (covered or not), with and without a deputy,
// with open, overdue and no items, texts html/template escapes; the
// programme select with and without a programme chosen; both languages.
func TestKeyAccountRowsWriteWhatTheTemplatesWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	id := func(v uint) *uint { return &v }
	account := func(ka uint, kam, deputy, covering *uint, handover bool, customer string) store.KeyAccountRow {
		return store.KeyAccountRow{KeyAccount: store.KeyAccount{ID: ka, ProgrammeID: 3, CustomerID: ka + 1000, KAMEmployeeID: kam, DeputyEmployeeID: deputy,
			CoveringEmployeeID: covering, CustomerName: customer}, KAMName: "Änne Müller", DeputyName: "Bo " + hostile, CoveringName: "Cem & Co", HandoverOpen: handover}
	}
	accounts := []store.KeyAccountRow{
		account(1, id(11), id(12), nil, false, "Müller & Söhne GmbH"),
		account(2, nil, nil, nil, false, hostile),
		account(3, id(11), nil, id(13), true, "O'Brien"),
		account(4, nil, id(12), id(13), true, ""),
	}
	var rows []keyAccountListRow
	for i, a := range accounts {
		rows = append(rows, keyAccountListRow{KeyAccountRow: a, ProgrammeName: []string{"KAM 2027", hostile, "", "P"}[i],
			Open: []store.OpenItems{{Actions: 3, OverdueActions: 1, Measures: 2}, {}, {Actions: 12}, {Measures: 1}}[i]})
	}
	programmes := []store.ProgrammeChoice{{ID: 3, Name: "KAM 2027"}, {ID: 4, Name: hostile}, {ID: 123456, Name: "Ä"}}
	type input struct {
		Rows        []keyAccountListRow
		KeyAccounts []store.KeyAccountRow
		Programmes  []store.ProgrammeChoice
		ProgrammeID uint
	}
	for _, l := range uiLanguages {
		execute := func(text string, in input) string {
			var b strings.Builder
			if err := template.Must(template.New("rows").Funcs(funcsFor(l)).Parse(text)).Execute(&b, in); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		in := input{Rows: rows, KeyAccounts: accounts, Programmes: programmes}
		if got, want := string(l.keyAccountRows(rows)), execute(keyAccountRowsTemplate, in); got != want {
			t.Errorf("%s: key-account rows differ\n got %s\nwant %s", l, got, want)
		}
		if got, want := string(l.programmeKeyAccountRows(accounts)), execute(programmeKeyAccountRowsTemplate, in); got != want {
			t.Errorf("%s: the programme's key-account rows differ\n got %s\nwant %s", l, got, want)
		}
		for _, chosen := range []uint{0, 4, 99} {
			in.ProgrammeID = chosen
			if got, want := string(programmeOptions(programmes, chosen)), execute(programmeOptionsTemplate, in); got != want {
				t.Errorf("%s, programme %d chosen: options differ\n got %s\nwant %s", l, chosen, got, want)
			}
		}
	}
	if langEN.keyAccountRows(nil)+langEN.programmeKeyAccountRows(nil)+programmeOptions(nil, 0) != "" {
		t.Error("no rows wrote markup")
	}
	got := string(langDE.keyAccountRows(rows[2:3]))
	for _, want := range []string{"vertreten durch", "Übergabe"} {
		if !strings.Contains(got, want) {
			t.Errorf("German key-account row lacks %q:\n%s", want, got)
		}
	}
}

// TestWriteOptionEscapesAsTemplate holds the option writer that the
// programme select, the employee picker and the jour fixe's account select
// share to the bytes html/template writes for the same option, with
// hostile values and texts.
func TestWriteOptionEscapesAsTemplate(t *testing.T) {
	tmpl := template.Must(template.New("o").Parse(`<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Text}}</option>`))
	for _, c := range []struct {
		Value, Text string
		Selected    bool
	}{
		{"12", "Müller & Söhne", true},
		{"7", `<script>alert("x")</script> 'quoted' a+b`, false},
		{`"><img src=x>`, "nul\x00byte", true},
		{"", "", false},
	} {
		var want strings.Builder
		if err := tmpl.Execute(&want, c); err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		writeOption(&got, c.Value, c.Selected, c.Text)
		if got.String() != want.String() {
			t.Errorf("writeOption(%q, %v, %q)\n got %s\nwant %s", c.Value, c.Selected, c.Text, got.String(), want.String())
		}
	}
}
