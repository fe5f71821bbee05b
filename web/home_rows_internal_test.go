package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// HR's start-page tables as home.html wrote them before they moved to Go
// (home_rows.go); the Go rows must write the same bytes.
const (
	freeSessionRowsTemplate     = `{{range .FreeSessions}}<tr><td><a href="/training/sessions/{{.ID}}">{{.CourseTitle}}</a></td><td>{{when $.Zone .StartsAt}}</td><td>{{.Place}}</td><td>{{.FreeSeats}} {{t "of"}} {{.Capacity}}</td></tr>{{end}}`
	missingTrainingRowsTemplate = `{{range .Missing}}<tr id="waiting-{{.ProgrammeID}}-{{.Employee.ID}}"><td>{{.Employee.Name}}</td><td><a href="/programmes/{{.ProgrammeID}}">{{.ProgrammeName}}</a></td><td>{{range $i, $c := .Missing}}{{if $i}}, {{end}}{{$c.Title}}{{else}}<a href="/training#standing">{{t "Every required course is recorded; the programme has not counted it yet."}}</a>{{end}}</td>
<td>{{range $i, $e := .Enrolments}}{{if $i}}, {{end}}<a href="/training/sessions/{{$e.SessionID}}">{{day $.Zone $e.Session.StartsAt}}</a>{{if eq $e.Status "waitlisted"}} <small class="muted">{{t "(waitlisted)"}}</small>{{end}}{{else}}<span class="muted">{{t "not enrolled"}}</span>{{end}}</td></tr>{{end}}`
)

// TestHRHomeRowsWriteWhatTheTemplateWrote: sessions full to the last
// seat and overbooked, with and without a place, starting on the night
// Berlin's clocks go forward; KAMs missing one course, several and none
// (the programme has yet to count them), enrolled nowhere, once and
// twice (one waitlisted); texts html/template escapes; two zones and
// both languages.
func TestHRHomeRowsWriteWhatTheTemplateWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	berlin, newYork := rowZones(t)
	night := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	sessions := []store.FreeSession{
		{ID: 7, CourseTitle: "Verhandeln mit Einkäufern", StartsAt: night, Place: "Schulungsraum Nord", Capacity: 12, Enrolled: 11},
		{ID: 123456, CourseTitle: hostile, StartsAt: night.Add(36 * time.Hour), Place: hostile, Capacity: 3, Enrolled: 5},
		{ID: 9, StartsAt: night.AddDate(0, 7, 0), Capacity: 1000},
	}
	session := func(id uint, at time.Time) *store.TrainingSession {
		return &store.TrainingSession{ID: id, StartsAt: at}
	}
	missing := []store.KAMTrainingStanding{
		{ProgrammeID: 3, ProgrammeName: "KAM Einführung 2027", Employee: store.Employee{ID: 41, Name: "Änne Müller"},
			Missing: []store.Course{{Title: "KAM-Grundkurs"}}},
		{ProgrammeID: 4, ProgrammeName: hostile, Employee: store.Employee{ID: 42, Name: hostile},
			Missing: []store.Course{{Title: hostile}, {Title: "Verhandeln"}, {Title: "Account-Planung"}},
			Enrolments: []store.Enrolment{
				{ID: 1, SessionID: 7, Status: store.EnrolmentEnrolled, Session: session(7, night)},
				{ID: 2, SessionID: 8, Status: store.EnrolmentWaitlisted, Session: session(8, night.AddDate(0, 1, 0))},
			}},
		{ProgrammeID: 3, ProgrammeName: "KAM Einführung 2027", Employee: store.Employee{ID: 43, Name: "Bo"},
			Enrolments: []store.Enrolment{{ID: 3, SessionID: 9, Status: store.EnrolmentWaitlisted, Session: session(9, night)}}},
	}
	type input struct {
		Zone         *time.Location
		FreeSessions []store.FreeSession
		Missing      []store.KAMTrainingStanding
	}
	for _, l := range uiLanguages {
		freeTmpl := template.Must(template.New("free").Funcs(funcsFor(l)).Parse(freeSessionRowsTemplate))
		missingTmpl := template.Must(template.New("missing").Funcs(funcsFor(l)).Parse(missingTrainingRowsTemplate))
		for _, zone := range []*time.Location{berlin, newYork} {
			in := input{Zone: zone, FreeSessions: sessions, Missing: missing}
			var want strings.Builder
			if err := freeTmpl.Execute(&want, in); err != nil {
				t.Fatal(err)
			}
			if got := string(l.freeSessionRows(zone, sessions)); got != want.String() {
				t.Errorf("%s, %s: free session rows differ\n got %s\nwant %s", l, zone, got, want.String())
			}
			want.Reset()
			if err := missingTmpl.Execute(&want, in); err != nil {
				t.Fatal(err)
			}
			if got := string(l.missingTrainingRows(zone, missing)); got != want.String() {
				t.Errorf("%s, %s: missing training rows differ\n got %s\nwant %s", l, zone, got, want.String())
			}
		}
	}
	if langEN.freeSessionRows(berlin, nil) != "" || langEN.missingTrainingRows(berlin, nil) != "" {
		t.Error("no rows wrote something")
	}
	got := string(langDE.missingTrainingRows(berlin, missing))
	for _, want := range []string{"(Warteliste)", "nicht angemeldet"} {
		if !strings.Contains(got, want) {
			t.Errorf("German rows lack %q:\n%s", want, got)
		}
	}
}
