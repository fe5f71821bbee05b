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

// The programme's phase rows as programme.html wrote them before they
// moved to Go, with the layout's field error and the confirmation.
const phaseRowsTemplate = `{{define "confirm"}}{{.HTML}}{{end}}{{define "fielderror"}}{{with .}}<p class="error">{{t .}}</p>{{end}}{{end}}{{$p := .Data}}{{$csrf := .CSRF}}` + `{{range $ph := $p.State.Phases}}
<tr id="phase-{{.Phase}}" {{if and (ne .Status "done") ($p.Now.After .Due)}}class="overdue"{{end}}>
  <td>{{phaseLabel (printf "%s" .Phase)}}{{if .Gate}} <small class="muted">{{t "gate"}}</small>{{end}}</td>
  <td>{{label "status" .Status}}</td>
  <td>{{date .Due}}</td>
  <td>{{with .Result}}<div class="result">{{phaseResult $p.State $ph.Phase .}}</div>{{end}}
      {{with .SubmittedBy}}<small class="muted">{{t "submitted by"}} {{.}}</small>{{end}}
      {{with .ApprovedBy}}<small class="muted">{{t "· approved by"}} {{.}}</small>{{end}}
      {{with .LastRejection}}<div class="error">{{t "Sent back:"}} {{.}}</div>{{end}}</td>
  <td class="no-print">
  {{if and $p.IsLead (eq .Status "in_progress") (eq $p.State.Status "active") ($p.State.CompletesByItself .Phase)}}
    <p class="muted">{{t "This phase completes by itself when everything it waits for is there."}}{{if eq .Phase "training"}} <a href="#training-standing">{{t "Who is missing which course"}}</a>{{end}}</p>
  {{else if and $p.IsLead (eq .Status "in_progress") (eq $p.State.Status "active")}}
    {{if eq .Phase $p.State.CurrentPhase}}{{range $p.Hindrances}}{{if not .Field}}<p class="warning">{{t "Not ready yet:"}} {{.Reason}}</p>{{end}}{{end}}
    {{if $p.FieldedHindrances}}<p class="warning">{{t "Not ready yet: see the roll-out record below."}} <a href="#rollout">{{t "Roll-out record"}}</a></p>{{end}}{{end}}
    {{$composed := and (eq .Phase "rollout") $p.State.RolloutChecks}}
    <form method="post" action="/programmes/{{$p.ID}}/phases/{{.Phase}}/submit">
      <input type="hidden" name="csrf" value="{{$csrf}}">
      {{$parts := $p.PartsOf .Phase}}
      {{if $parts}}{{range $parts}}<label>{{t .Label}}{{if .Optional}} <small class="muted">{{t "(optional)"}}</small>{{end}} <textarea name="parts.{{.Key}}" rows="3" maxlength="20000"{{if not .Optional}} required{{end}}>{{.Value}}</textarea></label>{{template "fielderror" .Error}}{{end}}
      {{else if $composed}}<p class="muted">{{t "The result is composed from the briefings and the conflicts with their resolutions; add notes if you like."}}</p>
      <label>{{t "Notes"}} <textarea name="result" rows="3" maxlength="20000">{{if eq $p.SubmitPhase .Phase}}{{$p.SubmitText}}{{end}}</textarea></label>
      {{else}}<label>{{t "Results"}} <textarea name="result" rows="3" required maxlength="20000">{{if eq $p.SubmitPhase .Phase}}{{$p.SubmitText}}{{end}}</textarea></label>{{end}}
      {{if eq $p.SubmitPhase .Phase}}{{template "fielderror" $p.FieldError "result"}}{{end}}
      <button type="submit">{{t "Submit phase"}}</button>
    </form>
  {{end}}
  {{if and $p.IsCommittee (eq .Status "submitted") (eq $p.State.Status "active")}}
    {{template "confirm" (confirm "id" (printf "approve-%s" .Phase) "csrf" $csrf "action" (printf "/programmes/%d/phases/%s/approve" $p.ID .Phase) "label" "Approve" "name" (phaseLabel (print .Phase)) "consequence" "The phase is closed as approved and the next phase starts at once (after the last one, the programme is completed); an approval cannot be taken back.")}}
    <form method="post" action="/programmes/{{$p.ID}}/phases/{{.Phase}}/reject">
      <input type="hidden" name="csrf" value="{{$csrf}}">
      {{$mine := eq $p.DecisionPhase .Phase}}<label>{{t "What to rework"}} <textarea name="comment" rows="2" required{{if and $mine ($p.FieldError "comment")}} aria-invalid="true"{{end}}>{{if $mine}}{{$p.DecisionComment}}{{end}}</textarea></label>{{if $mine}}{{template "fielderror" $p.FieldError "comment"}}{{end}}
      <button type="submit" class="secondary">{{t "Reject"}}</button>
    </form>
  {{end}}
  </td>
</tr>
{{end}}`

// TestPhaseRowsWriteWhatTheTemplateWrote: the phases as the lead sees them
// in progress (handed in by parts, as text, composed from the roll-out's
// record, completing by themselves; with hindrances and a refused
// submission), as the committee sees them handed in (with a refused
// rejection), as both see them paused, and of a programme from before the
// selection's code; every kind of result, hostile texts, both languages.
func TestPhaseRowsWriteWhatTheTemplateWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	setupResult, err := workflows.ComposeResult(workflows.PhaseSetup, map[string]string{"team": "CEO, " + hostile, "goals": "Focus", "milestones": "Q3"})
	if err != nil {
		t.Fatal(err)
	}
	phases := func(status workflows.PhaseStatus) []workflows.PhaseState {
		var out []workflows.PhaseState
		for i, ph := range workflows.Phases() {
			out = append(out, workflows.PhaseState{Phase: ph, Gate: i%3 == 1, Status: status, Due: now.AddDate(0, i-3, 0)})
		}
		return out
	}
	setupParts := map[string]string{}
	fields := map[string]string{"result": "Describe the results.", "comment": "Say what to rework."}
	for _, part := range workflows.ResultParts(workflows.PhaseSetup) {
		setupParts[part.Key] = hostile + part.Key
		fields["parts."+part.Key] = "Fill in " + part.Label + "."
	}
	lead := &programmePage{ID: 42, IsLead: true, Now: now, Fields: fields,
		State:       workflows.ProgrammeState{Status: "active", CurrentPhase: workflows.PhaseRollout, RolloutChecks: true, Phases: phases(workflows.PhaseInProgress)},
		Hindrances:  []workflows.SubmitHindrance{{Reason: hostile}, {Field: "briefings", Reason: "No briefing yet."}, {Reason: "A conflict is open."}},
		SubmitPhase: workflows.PhaseSetup, SubmitParts: setupParts}
	leadText := *lead
	leadText.State.RolloutChecks, leadText.State.CurrentPhase = false, workflows.PhaseStrategy
	leadText.Hindrances = []workflows.SubmitHindrance{{Reason: "Nothing yet."}}
	leadText.SubmitPhase, leadText.SubmitParts, leadText.SubmitText = workflows.PhaseStrategy, nil, hostile
	leadOld := leadText
	leadOld.State.PreSelection, leadOld.Fields = true, nil
	committee := &programmePage{ID: 7, IsCommittee: true, Now: now, Fields: fields,
		State:         workflows.ProgrammeState{Status: "active", CurrentPhase: workflows.PhaseCriteria, Phases: phases(workflows.PhaseSubmitted)},
		DecisionPhase: workflows.PhaseCriteria, DecisionComment: hostile}
	committeeRefusedElsewhere := *committee
	committeeRefusedElsewhere.Fields = nil
	paused := &programmePage{ID: 9, IsLead: true, IsCommittee: true, Now: now,
		State: workflows.ProgrammeState{Status: "paused", CurrentPhase: workflows.PhaseStrategy, Phases: phases(workflows.PhaseDone)}}
	paused.State.Phases[0].Result = setupResult
	paused.State.Phases[1].Status, paused.State.Phases[1].Result = workflows.PhaseInProgress, hostile
	paused.State.Phases[1].SubmittedBy, paused.State.Phases[1].ApprovedBy, paused.State.Phases[1].LastRejection = hostile, hostile, hostile
	paused.State.Phases[2].Status, paused.State.Phases[2].SubmittedBy = workflows.PhaseSubmitted, "lead@example.com"
	paused.State.Phases[3].Status, paused.State.Phases[3].Phase = workflows.PhasePending, workflows.Phase(hostile)
	mixed := *paused
	mixed.State.Status = "active"
	pages := []*programmePage{lead, &leadText, &leadOld, committee, &committeeRefusedElsewhere, paused, &mixed, {ID: 1, Now: now}}
	for _, l := range uiLanguages {
		tmpl := template.Must(template.New("phases").Funcs(funcsFor(l)).Funcs(template.FuncMap{"phaseResult": l.phaseResult}).Parse(phaseRowsTemplate))
		for i, p := range pages {
			var want strings.Builder
			if err := tmpl.Execute(&want, struct {
				Data *programmePage
				CSRF string
			}{p, "csrf-" + hostile}); err != nil {
				t.Fatal(err)
			}
			got, err := l.phaseRows("csrf-"+hostile, p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want.String() {
				t.Errorf("%s, page %d: phase rows differ\n got %s\nwant %s", l, i, got, want.String())
			}
		}
	}
	got, err := langDE.phaseRows("x", lead)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Phase einreichen", `name="parts.team"`, "Noch nicht bereit:", "class=\"overdue\""} {
		if !strings.Contains(string(got), want) {
			t.Errorf("German lead's phase rows lack %q", want)
		}
	}
}
