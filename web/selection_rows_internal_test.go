package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/workflows"
)

// The selection's score table as selection.html wrote it before it moved
// to Go (selection_rows.go), with its box per row; the form itself stays a
// template and is stubbed here.
const (
	selectionRowsTemplate = `{{$p := .}}` + `{{range $p.Rows}}{{$r := .}}
<tr id="score-{{.CustomerID}}"{{if .Meets}} class="meets"{{end}}><td>{{.CustomerName}}</td>{{range $p.State.Criteria}}<td>{{if index $r.Met .Key}}✓{{else}}–{{end}}</td>{{end}}<td>{{.MetCount}}{{if .Meets}} <small>{{t "candidate"}}</small>{{end}}</td>
{{if $p.CanScore}}<td>{{template "scorebox" .ScoreBox}}</td>{{end}}
</tr>
{{end}}`
	scoreboxTemplate = `{{define "scorebox"}}<details id="score-form-{{.CustomerID}}"{{if .Form}} open{{end}}><summary>{{t "Score"}}</summary>{{with .Form}}{{.}}{{else}}<div class="scoreform-slot" hx-get="{{.Fragment}}" hx-trigger="toggle once from:closest details" hx-swap="outerHTML"><a href="{{.PageURL}}">{{t "Open the form"}}</a></div>{{end}}</details>{{end}}`
	scoreformStub    = `{{define "scoreform"}}<form data-customer="{{.CustomerID}}" action="{{.Action}}"></form>{{end}}`
)

// TestSelectionRowsWriteWhatTheTemplateWrote: customers meeting some, all
// or none of the criteria, candidates or not, for a reader who may score
// (boxes closed, and one open with its form) and one who may not; texts
// and a search html/template escapes; both languages.
func TestSelectionRowsWriteWhatTheTemplateWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	criteria := []workflows.Criterion{{Key: "revenue", Name: "Revenue"}, {Key: hostile, Name: hostile}, {Key: "potential", Name: "Potential"}}
	p := &selectionPage{ID: 42, CanScore: true, State: workflows.ProgrammeState{Criteria: criteria},
		Rows: []selectionRow{
			{CustomerID: 7, CustomerName: "Alpenbau AG", Met: map[string]bool{"revenue": true, hostile: true, "potential": true}, MetCount: 3, Meets: true},
			{CustomerID: 123456, CustomerName: hostile, Met: map[string]bool{"revenue": true}, MetCount: 1},
			{CustomerID: 9, CustomerName: "Müller & Söhne", Met: nil, MetCount: 0},
		}}
	for _, q := range []string{"", hostile + " ä+ö"} {
		for page := 1; page <= 2; page++ {
			for i := range p.Rows {
				r := &p.Rows[i]
				r.ScoreBox = &scoreBox{CustomerID: r.CustomerID, Fragment: scoreAction(p.ID, r.CustomerID, q, page), PageURL: scorePage(p.ID, r.CustomerID, q, page)}
			}
			open := p.Rows[1].ScoreBox
			openForm := &scoreForm{CustomerID: open.CustomerID, Action: open.Fragment}
			for _, l := range uiLanguages {
				tmpl := template.Must(template.New("rows").Funcs(funcsFor(l)).Parse(scoreboxTemplate + scoreformStub + selectionRowsTemplate))
				var form strings.Builder
				if err := tmpl.ExecuteTemplate(&form, "scoreform", openForm); err != nil {
					t.Fatal(err)
				}
				open.Form = template.HTML(form.String())
				for _, canScore := range []bool{true, false} {
					p.CanScore = canScore
					var want strings.Builder
					if err := tmpl.Execute(&want, p); err != nil {
						t.Fatal(err)
					}
					if got := string(l.selectionRows(p)); got != want.String() {
						t.Errorf("%s, search %q, page %d, may score %v: rows differ\n got %s\nwant %s", l, q, page, canScore, got, want.String())
					}
				}
			}
		}
	}
	p.CanScore = true
	got := string(langDE.selectionRows(p))
	for _, want := range []string{"Kandidat", "Formular öffnen", `id="score-form-123456" open`, `data-customer="123456"`} {
		if !strings.Contains(got, want) {
			t.Errorf("German score table lacks %q:\n%s", want, got)
		}
	}
	if got := langEN.selectionRows(&selectionPage{}); got != "" {
		t.Errorf("no rows = %q", got)
	}
}
