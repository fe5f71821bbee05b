package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// The customer and contact lists' rows as customers.html and
// contacts.html wrote them before they moved to Go (list_rows.go); the Go
// rows must write the same bytes.
const (
	customerRowsTemplate = `{{define "confirm"}}{{.HTML}}{{end}}{{$csrf := .CSRF}}{{$p := .}}{{$arch := .Archived}}` + `{{range $p.Customers}}<tr><td><a href="/customers/{{.ID}}">{{.Name}}</a></td><td>{{.Industry}}</td><td>{{.Country}}</td><td class="num">{{num .AnnualRevenue}}</td><td class="num">{{dec .MarginPercent}} %</td><td>{{t .Potential}}</td>
<td>{{if $arch}}{{if $p.CanArchive}}<span class="muted">{{t "archived"}} {{with .ArchivedAt}}{{day $.Zone .}}{{end}}</span> <form method="post" action="/customers/{{.ID}}/restore" class="inline"><input type="hidden" name="csrf" value="{{$csrf}}"><button type="submit" class="secondary">{{t "Restore"}}</button></form>{{end}}{{else}}<a href="/contacts/new?customer={{.ID}}">{{t "Add contact"}}</a> <a href="/customers/{{.ID}}/edit">{{t "Edit"}}</a>{{if $p.CanArchive}} {{template "confirm" (confirm "id" (printf "archive-customer-%d" .ID) "csrf" $csrf "action" (printf "/customers/%d/archive" .ID) "label" "Archive" "class" "secondary" "name" .Name "consequence" "The customer leaves the lists, the search and the selection; its contacts, key accounts and history stay, and it can be restored from the archived customers.")}}{{end}}{{end}}</td></tr>{{end}}`
	contactRowsTemplate = `{{define "confirm"}}{{.HTML}}{{end}}{{$csrf := .CSRF}}{{$p := .}}{{$arch := .Archived}}` + `{{range $p.Contacts}}<tr><td>{{.CustomerName}}</td><td><a href="/contacts/{{.ID}}">{{.Name}}</a></td><td>{{.JobTitle}}</td><td>{{t .HierarchyLevel.Label}}</td><td>{{.Email}}</td><td>{{.Phone}}</td>
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
