package web

import (
	"html/template"
	"strings"
	"testing"
)

// ownerFormTemplate is the owner form as the account page's template wrote
// it before it moved to Go; the Go form must write the same bytes.
const ownerFormTemplate = `{{$oe := .Err}}{{$mine := and $oe (eq $oe.ActionID .ActionID)}}<form method="post" action="/key-accounts/{{.KeyAccountID}}/actions/{{.ActionID}}/owner-form" class="inline"><input type="hidden" name="csrf" value="{{.CSRF}}">
<label>{{t "Give to (e-mail)"}} <input name="owner_email" type="email" required maxlength="254" value="{{if $mine}}{{$oe.Input}}{{end}}"{{if $mine}} aria-invalid="true" aria-describedby="owner-error-{{.ActionID}}"{{end}}></label>{{if $mine}} <small class="error" id="owner-error-{{.ActionID}}" role="alert">{{$oe.Message}}</small>{{end}}
<button type="submit" class="secondary">{{t "Reassign"}}</button></form>`

// TestOwnerFormWritesWhatTheTemplateWrote: in both languages, for the form
// with no refusal, with a refusal at another action's field, and with its
// own refusal carrying every character html/template escapes.
func TestOwnerFormWritesWhatTheTemplateWrote(t *testing.T) {
	type input struct {
		CSRF                   string
		KeyAccountID, ActionID uint
		Err                    *ownerFormError
	}
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	cases := []input{
		{CSRF: "tok-abc_123", KeyAccountID: 7, ActionID: 42},
		{CSRF: "tok", KeyAccountID: 7, ActionID: 42, Err: &ownerFormError{ActionID: 41, Input: "other@example.com", Message: "No such employee."}},
		{CSRF: `a"b+c`, KeyAccountID: 12345, ActionID: 9, Err: &ownerFormError{ActionID: 9, Input: hostile, Message: "Refused: " + hostile}},
		{CSRF: "tok", KeyAccountID: 1, ActionID: 1, Err: &ownerFormError{ActionID: 1, Input: "änne.müller@example.com", Message: "Die Person ist keine KAM."}},
	}
	for _, l := range uiLanguages {
		tmpl := template.Must(template.New("owner").Funcs(funcsFor(l)).Parse(ownerFormTemplate))
		for i, in := range cases {
			var want strings.Builder
			if err := tmpl.Execute(&want, in); err != nil {
				t.Fatal(err)
			}
			got := string(l.ownerForm(in.CSRF, in.KeyAccountID, in.ActionID, in.Err))
			if got != want.String() {
				t.Errorf("%s case %d:\n got %s\nwant %s", l, i, got, want.String())
			}
		}
	}
	// The refused input stays in its field and the reason is read out.
	got := string(langDE.ownerForm("t", 3, 5, &ownerFormError{ActionID: 5, Input: "x@y", Message: "Nein"}))
	for _, want := range []string{`value="x@y" aria-invalid="true" aria-describedby="owner-error-5"`, `id="owner-error-5" role="alert">Nein</small>`, "Übergeben an (E-Mail)", "Neu zuweisen"} {
		if !strings.Contains(got, want) {
			t.Errorf("German refused form lacks %q:\n%s", want, got)
		}
	}
}
