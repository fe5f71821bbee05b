package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/workflows"
)

// timelineTemplate is the timeline as programme.html drew it before it
// moved to Go; timelineSVG must write the same bytes.
const timelineTemplate = `{{$tl := .}}<svg class="timeline" width="100%" height="{{$tl.Height}}" role="group" aria-labelledby="timeline-title">
  <title id="timeline-title">{{t "Milestones: planned and actual phases"}}</title>
  <defs><path id="milestone" d="M0,-7L7,0L0,7L-7,0Z"/></defs>
  {{range $tl.Ticks}}<line x1="{{pct .X}}" x2="{{pct .X}}" y1="{{if .Label}}{{$tl.AxisY}}{{else}}20{{end}}" y2="{{$tl.Bottom}}" class="tick{{if .Label}} year{{end}}"/>{{if .Label}}<text x="{{pct .X}}" y="{{$tl.AxisY}}" text-anchor="{{.Anchor}}" dx="{{if eq .Anchor "start"}}3{{else if eq .Anchor "end"}}-3{{else}}0{{end}}" class="year">{{.Label}}</text>{{end}}{{end}}
  {{range $tl.Rows}}
  <a href="#phase-{{.Phase}}" class="phase {{.Status}}{{if .Current}} current{{end}}{{if .Late}} late{{end}}">
    <title>{{phaseLabel (print .Phase)}}{{if .Gate}} ({{t "gate"}}){{end}}: {{label "status" .Status}}; {{t "planned until"}} {{date .Due}}{{with .Started}}; {{t "started"}} {{date .}}{{end}}{{with .Finished}}; {{t "finished"}} {{date .}}{{end}}{{if .Late}}{{t ", late"}}{{end}}</title>
    {{if .Current}}<rect x="0" y="{{.Y}}" width="100%" height="{{$tl.RowH}}" class="current-row"/>{{end}}
    <text x="4" y="{{.LabelY}}" class="label">{{if .Current}}▸ {{end}}{{phaseLabel (print .Phase)}}</text>
    <text x="100%" dx="-4" y="{{.LabelY}}" text-anchor="end" class="status">{{if eq .Status "done"}}<tspan class="wide">{{t "done"}} </tspan><tspan class="narrow">✓ </tspan>{{date .Finished}}{{else}}<tspan class="wide">{{if eq .Status "submitted"}}{{t "submitted"}} · {{end}}{{t "due"}} </tspan>{{date .Due}}{{end}}{{if .Late}}<tspan class="wide">{{t ", late"}}</tspan><tspan class="narrow"> !</tspan>{{end}}</text>
    <rect x="{{pct .PlanX}}" y="{{.PlanY}}" width="{{pct .PlanW}}" height="6" class="planned"/>
    {{if .HasActual}}<rect x="{{pct .ActX}}" y="{{.ActY}}" width="{{pct .ActW}}" height="8" class="actual{{if .Late}} late{{end}}"/>{{end}}
    {{if .Gate}}<use href="#milestone" x="{{pct .MilestoneX}}" y="{{.MarkY}}" class="milestone due{{if and .Late (not .Passed)}} late{{end}}"/>{{if .Passed}}<use href="#milestone" x="{{pct .PassedX}}" y="{{.MarkY}}" class="milestone passed{{if .Late}} late{{end}}"/>{{end}}{{end}}
  </a>
  {{end}}
  {{if $tl.ShowToday}}<line x1="{{pct $tl.TodayX}}" x2="{{pct $tl.TodayX}}" y1="{{$tl.AxisY}}" y2="{{$tl.Bottom}}" class="today"/><text x="{{pct $tl.TodayX}}" y="{{$tl.TodayY}}" text-anchor="{{$tl.TodayAnchor}}" class="today">{{t "today"}} {{date $tl.Today}}</text>{{end}}
</svg>`

// TestTimelineSVGWritesWhatTheTemplateWrote: for a running programme (a
// gate passed late, one missed, one submitted), a completed and a
// cancelled one, with today before, inside, at the edges of and after the
// chart, in both languages.
func TestTimelineSVGWritesWhatTheTemplateWrote(t *testing.T) {
	running := timelineProgramme()
	submitted := timelineProgramme()
	submitted.Phases[2].Status = workflows.PhaseSubmitted
	completed := timelineProgramme()
	completed.Status, completed.CurrentPhase = workflows.StatusCompleted, ""
	completed.Phases[2].Status, completed.Phases[2].CompletedAt, completed.Phases[2].ApprovedAt = workflows.PhaseDone, dayPtr("2026-05-02"), dayPtr("2026-05-02")
	completed.Phases[3].Status, completed.Phases[3].StartedAt, completed.Phases[3].CompletedAt = workflows.PhaseDone, dayPtr("2026-05-02"), dayPtr("2026-06-20")
	cancelled := timelineProgramme()
	cancelled.Status = workflows.StatusCancelled
	nows := []time.Time{day("2025-12-01"), day("2026-01-06"), day("2026-05-10"), day("2026-07-25"), day("2028-02-01")}

	for _, l := range uiLanguages {
		tmpl := template.Must(template.New("timeline").Funcs(funcsFor(l)).Parse(timelineTemplate))
		for name, st := range map[string]workflows.ProgrammeState{"running": running, "submitted": submitted, "completed": completed, "cancelled": cancelled} {
			for _, now := range nows {
				tl := buildTimeline(st, now)
				var want strings.Builder
				if err := tmpl.Execute(&want, tl); err != nil {
					t.Fatal(err)
				}
				if got := string(l.timelineSVG(tl)); got != want.String() {
					t.Errorf("%s, %s, today %s: the Go timeline differs from the template's\n got %s\nwant %s", l, name, now.Format("2006-01-02"), got, want.String())
				}
			}
		}
		// Escaping: every character html/template escapes, in a label, an
		// attribute, a link's fragment and a title.
		tl := buildTimeline(running, day("2026-05-10"))
		hostile := `"<&'+>` + "\x00 é"
		tl.Ticks[0].Label, tl.Ticks[0].Anchor = "2026"+hostile, "middle"+hostile
		tl.Rows[0].Phase, tl.Rows[0].Status = workflows.Phase("set up"+hostile), workflows.PhaseStatus("done"+hostile)
		tl.Rows[1].Phase = workflows.Phase("strategy/x?y#z" + hostile)
		tl.TodayAnchor = "end" + hostile
		var want strings.Builder
		if err := tmpl.Execute(&want, tl); err != nil {
			t.Fatal(err)
		}
		if got := string(l.timelineSVG(tl)); got != want.String() {
			t.Errorf("%s, escaping: the Go timeline differs from the template's\n got %s\nwant %s", l, got, want.String())
		}
	}
}
