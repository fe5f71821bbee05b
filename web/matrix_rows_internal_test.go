package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// The contact matrix's rows as account.html wrote them before they moved
// to Go (matrix_rows.go), with its box for each form; the form itself
// stays a template and is stubbed here.
const (
	matrixRowsTemplate = `{{$p := .Data}}{{$m := $p.Matrix}}` + `{{range $m.Rows}}{{if .Contacts}}
{{$row := .}}
{{range $i, $c := .Contacts}}
<tr{{if $row.NoCounterpart}} class="gap"{{end}}>
  <td>{{if eq $i 0}}{{t $row.Level.Label}}{{if $row.NoCounterpart}}<br><small class="error">{{t "no counterpart on this level"}}</small>{{end}}{{end}}</td>
  <td>{{$c.Contact.Name}} <small class="muted">{{$c.Contact.JobTitle}}</small>{{if $c.Untouched}} <small class="untouched">{{tn "not met for {{.Count}} days" ($m.UntouchedAfter.Hours | days)}}</small>{{end}}</td>
  <td>{{range $c.Counterparts}}<div{{if .LevelMismatch}} class="mismatch" title="{{t "other level than theirs"}}"{{end}}>{{.EmployeeName}} <small class="muted">({{t .EmployeeLevel.Label}}{{t ", quality"}} {{.Quality}}/5{{with .LastContactAt}}{{t ", last"}} {{day $.Zone .}}{{end}})</small></div>
  {{if $p.CanWriteAccount}}{{template "relbox" (relbox $p (printf "rel-%d" .RelationshipID) "Change or end")}}{{end}}{{else}}<span class="muted">—</span>{{end}}
  {{if $p.CanWriteAccount}}{{template "relbox" (relbox $p (printf "contact-%d" $c.Contact.ID) "Add a counterpart")}}{{end}}</td>
</tr>
{{end}}
{{end}}{{end}}`
	relboxTemplate = `{{define "relbox"}}<details class="relationship" id="form-{{.Key}}"{{if .Form}} open{{end}}><summary>{{t .Summary}}</summary>{{with .Form}}{{template "relform" .}}{{else}}<div class="relform-slot" hx-get="/key-accounts/{{.KeyAccountID}}/relationship-form?form={{.Key}}" hx-trigger="toggle once from:closest details" hx-swap="outerHTML"><a href="/key-accounts/{{.KeyAccountID}}?form={{.Key}}#form-{{.Key}}">{{t "Open the form"}}</a></div>{{end}}</details>{{end}}`
	relformStub    = `{{define "relform"}}<form data-key="{{.Key}}"><input name="notes" value="{{.Notes}}"></form>{{end}}`
)

// relboxRef is what the template "relbox" read.
type relboxRef struct {
	Key, Summary string
	KeyAccountID uint
	Form         *relationshipForm
}

// TestContactMatrixRowsWriteWhatTheTemplateWrote: levels with and without
// contacts and counterparts, a level without ours, contacts not met
// recently, counterparts on another level, with and without their last
// contact, a box open with its form and the others closed, readers who
// may write the account and who may not; texts html/template escapes; two
// zones and both languages.
func TestContactMatrixRowsWriteWhatTheTemplateWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	berlin, newYork := rowZones(t)
	met := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	matrix := &store.ContactMatrix{
		KeyAccount:     store.KeyAccount{ID: 42},
		UntouchedAfter: 180 * 24 * time.Hour,
		Rows: []store.MatrixRow{
			{Level: store.LevelBoard, Contacts: []store.MatrixContact{
				{Contact: store.Contact{ID: 1, Name: "Dr. Änne Müller", JobTitle: "CEO"}, Counterparts: []store.Counterpart{
					{RelationshipID: 7, EmployeeName: "Bo Berg", EmployeeLevel: store.LevelBoard, Quality: 4, LastContactAt: &met},
					{RelationshipID: 8, EmployeeName: hostile, EmployeeLevel: store.LevelSpecialist, Quality: 1, LevelMismatch: true},
				}},
				{Contact: store.Contact{ID: 2, Name: hostile, JobTitle: hostile}, Untouched: true},
			}},
			{Level: store.LevelManagement},
			{Level: store.LevelDepartmentHead, NoCounterpart: true, Contacts: []store.MatrixContact{
				{Contact: store.Contact{ID: 3, Name: "Cem"}, Untouched: true},
				{Contact: store.Contact{ID: 4, Name: "Dana", JobTitle: "Einkauf & Logistik"}},
			}},
			{Level: store.HierarchyLevel(hostile), Contacts: []store.MatrixContact{{Contact: store.Contact{ID: 5, Name: "Eve"}}}},
		},
	}
	forms := map[string]*relationshipForm{"rel-8": {Key: "rel-8", Notes: hostile}, "contact-3": {Key: "contact-3"}}
	for _, l := range uiLanguages {
		funcs := funcsFor(l)
		var relForms map[string]*relationshipForm // the forms open, as the template's relbox read them
		funcs["relbox"] = func(p accountPage, key, summary string) relboxRef {
			return relboxRef{Key: key, Summary: summary, KeyAccountID: p.Matrix.KeyAccount.ID, Form: relForms[key]}
		}
		tmpl := template.Must(template.New("matrix").Funcs(funcs).Parse(relformStub + relboxTemplate + matrixRowsTemplate))
		for _, zone := range []*time.Location{berlin, newYork} {
			for _, canWrite := range []bool{false, true} {
				for _, relForms = range []map[string]*relationshipForm{nil, forms} {
					p := accountPage{Matrix: matrix, CanWriteAccount: canWrite, OpenForms: map[string]template.HTML{}}
					for key, f := range relForms {
						var b strings.Builder
						if err := tmpl.ExecuteTemplate(&b, "relform", f); err != nil {
							t.Fatal(err)
						}
						p.OpenForms[key] = template.HTML(b.String())
					}
					var want strings.Builder
					if err := tmpl.Execute(&want, struct {
						Zone *time.Location
						Data accountPage
					}{zone, p}); err != nil {
						t.Fatal(err)
					}
					if got := string(l.contactMatrixRows(zone, p)); got != want.String() {
						t.Errorf("%s, %s, may write %v, %d forms open: rows differ\n got %s\nwant %s", l, zone, canWrite, len(relForms), got, want.String())
					}
				}
			}
		}
	}
	if got := langEN.contactMatrixRows(berlin, accountPage{}); got != "" {
		t.Errorf("no matrix = %q", got)
	}
	got := string(langDE.contactMatrixRows(berlin, accountPage{Matrix: matrix, CanWriteAccount: true}))
	for _, want := range []string{"Ändern oder beenden", "Ansprechpartner ergänzen", "seit 180 Tagen nicht getroffen"} {
		if !strings.Contains(got, want) {
			t.Errorf("German matrix lacks %q:\n%s", want, got)
		}
	}
}
