package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// The training desk's tables as training.html wrote them before they
// moved to Go (training_rows.go); the Go rows must write the same bytes.
const (
	sessionRowsTemplate = `{{define "confirm"}}{{.HTML}}{{end}}{{$csrf := .CSRF}}{{$p := .}}` + `{{range $p.Sessions}}<tr id="session-{{.ID}}"><td><a href="/training/sessions/{{.ID}}">{{with .Course}}{{.Title}}{{end}}</a>{{with .Course}}{{if .RequiredKAM}} <small class="muted">{{t "required for KAMs"}}</small>{{end}}{{end}}</td><td>{{when $.Zone .StartsAt}} – {{day $.Zone .EndsAt}}</td><td>{{.Place}}</td><td>{{tf "{1} free of {2}" .FreeSeats .Capacity}}</td><td>{{.Waitlisted}}</td>
<td><a href="/training/sessions/{{.ID}}#participants">{{t "Participants and waitlist"}}</a></td>
<td>{{template "confirm" (confirm "id" (printf "cancel-session-%d" .ID) "csrf" $csrf "action" (printf "/training/sessions/%d/cancel" .ID) "label" "Cancel session" "class" "danger" "name" (printf "%s, %s" .CourseTitle (day $.Zone .StartsAt)) "consequence" "{{.Count}} people enrolled or waitlisted will be told the session is cancelled. A cancelled session cannot be reopened." "count" .Told)}}</td></tr>{{end}}`
	awaitingRowsTemplate = `{{$csrf := .CSRF}}{{$p := .}}` + `{{range $p.Awaiting}}<tr id="enrolment-{{.ID}}"><td>{{.Session.Course.Title}}</td><td>{{day $.Zone .Session.StartsAt}}</td><td>{{.Employee.Name}}</td>
<td><form method="post" action="/training/enrolments/{{.ID}}/attendance" class="inline"><input type="hidden" name="csrf" value="{{$csrf}}">
<button type="submit" name="attended" value="true">{{t "Attended"}}</button> <button type="submit" name="attended" value="false" class="secondary">{{t "No-show"}}</button></form></td></tr>{{end}}`
	sessionOptionsTemplate = `{{$p := .}}` + `{{range $p.Sessions}}<option value="{{.ID}}"{{if eq (print .ID) (index $p.EnrolForm "session_id")}} selected{{end}}>{{with .Course}}{{.Title}}{{end}} · {{when $.Zone .StartsAt}} · {{tf "{1} free of {2}" .FreeSeats .Capacity}}</option>{{end}}`
	standingRowsTemplate   = `{{$csrf := .CSRF}}{{$p := .}}` + `{{range $p.Standing}}<tr id="standing-{{.ProgrammeID}}-{{.Employee.ID}}"><td><a href="/programmes/{{.ProgrammeID}}">{{.ProgrammeName}}</a></td><td>{{.Employee.Name}}</td>
<td>{{if .Missing}}{{range $i, $c := .Missing}}{{if $i}}, {{end}}{{$c.Title}}{{end}}{{else}}{{t "Every required course is recorded; the programme has not counted it yet."}}
{{if .CanConfirm}}<form method="post" action="/training/programmes/{{.ProgrammeID}}/kams/{{.Employee.ID}}/complete-form" class="inline"><input type="hidden" name="csrf" value="{{$csrf}}"><button type="submit" class="secondary">{{t "Confirm for the programme"}}</button></form>{{end}}{{end}}</td>
<td>{{range $i, $e := .Enrolments}}{{if $i}}, {{end}}<a href="/training/sessions/{{$e.SessionID}}#enrolment-{{$e.ID}}">{{$e.Session.Course.Title}} · {{day $.Zone $e.Session.StartsAt}}</a>{{if eq $e.Status "waitlisted"}} <small class="muted">{{t "(waitlisted)"}}</small>{{end}}{{else}}<span class="muted">{{t "not enrolled"}}</span>{{end}}</td></tr>{{end}}`
	recordedRowsTemplate = `{{$p := .}}` + `{{range $p.Recorded}}<tr id="recorded-{{.ID}}"><td>{{.Session.Course.Title}}</td><td>{{day $.Zone .Session.StartsAt}}</td><td>{{.Employee.Name}}</td><td>{{label "status" .Status}}</td><td>{{.UpdatedBy}}</td><td>{{with .StatusAt}}{{day $.Zone .}}{{end}}</td><td>{{.StatusNote}}</td></tr>{{end}}`
)

// linesOf gives enrolments as the store's desk lists read them.
func linesOf(list []store.Enrolment) []store.EnrolmentLine {
	var out []store.EnrolmentLine
	for _, e := range list {
		l := store.EnrolmentLine{ID: e.ID, SessionID: e.SessionID, EmployeeID: e.EmployeeID, Status: e.Status,
			UpdatedBy: e.UpdatedBy, StatusNote: e.StatusNote, StatusAt: e.StatusAt}
		if e.Session != nil {
			l.SessionStartsAt = e.Session.StartsAt
			if e.Session.Course != nil {
				l.CourseTitle = e.Session.Course.Title
			}
		}
		if e.Employee != nil {
			l.EmployeeName = e.Employee.Name
		}
		out = append(out, l)
	}
	return out
}

// deskRowsInput is what the fragments above read: the page's lists, the
// form token and the reader's zone.
type deskRowsInput struct {
	Zone               *time.Location
	CSRF               string
	Sessions           []store.SessionSeats
	Awaiting, Recorded []store.Enrolment
	Standing           []standingRow
	EnrolForm          map[string]string
}

// TestTrainingDeskRowsWriteWhatTheTemplateWrote: upcoming sessions with
// and without their course, required or not, full or with seats and a
// waitlist; enrolments awaiting and recorded, with and without the time
// of their outcome; every text with characters html/template escapes, in
// two zones and both languages.
func TestTrainingDeskRowsWriteWhatTheTemplateWrote(t *testing.T) {
	hostile := `"><script>alert('x+y')</script>&` + "\x00"
	berlin, newYork := rowZones(t)
	start := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // the night Berlin's clocks go forward
	basics := &store.Course{ID: 1, Title: "KAM Grundlagen", RequiredKAM: true}
	odd := &store.Course{ID: 2, Title: "Verhandlung " + hostile}
	session := func(id uint, c *store.Course, place string, capacity, enrolled, waitlisted int) store.SessionSeats {
		s := store.SessionSeats{TrainingSession: store.TrainingSession{ID: id, StartsAt: start.AddDate(0, 0, int(id)), EndsAt: start.AddDate(0, 0, int(id)).Add(8 * time.Hour),
			Place: place, Capacity: capacity, Course: c}, Enrolled: enrolled, Waitlisted: waitlisted}
		if c != nil {
			s.CourseID = c.ID
		}
		return s
	}
	sessions := []store.SessionSeats{
		session(7, basics, "Schulungszentrum Zürich", 12, 3, 0),
		session(123456, odd, hostile, 2, 2, 5),
		session(9, nil, "https://meet.example.com/k?a=1&b=2", 1, 0, 1),
	}
	recordedAt := start.Add(-48 * time.Hour)
	enrolment := func(id uint, sess store.SessionSeats, c *store.Course, name, status, by, note string, at *time.Time) store.Enrolment {
		ts := sess.TrainingSession
		ts.Course = c
		return store.Enrolment{ID: id, SessionID: ts.ID, Session: &ts, EmployeeID: id + 100, Employee: &store.Employee{ID: id + 100, Name: name},
			Status: status, UpdatedBy: by, StatusNote: note, StatusAt: at}
	}
	awaiting := []store.Enrolment{
		enrolment(31, sessions[0], basics, "Änne Müller", store.EnrolmentEnrolled, "hr@example.com", "", nil),
		enrolment(32, sessions[1], odd, hostile, store.EnrolmentEnrolled, "hr@example.com", "", nil),
	}
	recorded := []store.Enrolment{
		enrolment(41, sessions[0], basics, "Änne Müller", store.EnrolmentCompleted, "hr+desk@example.com", "left early but passed", &recordedAt),
		enrolment(42, sessions[1], odd, "Bo", store.EnrolmentNoShow, "hr@example.com", hostile, &recordedAt),
		enrolment(43, sessions[2], basics, "Cem", store.EnrolmentCancelled, hostile, "Kundentermin", nil),
	}
	standing := []standingRow{
		{KAMTrainingStanding: store.KAMTrainingStanding{ProgrammeID: 3, ProgrammeName: "KAM Einführung 2027", Employee: store.Employee{ID: 11, Name: "Änne Müller"},
			Missing: []store.Course{*basics, *odd}, Enrolments: []store.Enrolment{awaiting[0], waitlisted(awaiting[1])}}},
		{KAMTrainingStanding: store.KAMTrainingStanding{ProgrammeID: 123456, ProgrammeName: hostile, Employee: store.Employee{ID: 12, Name: hostile},
			Missing: []store.Course{*odd}}},
		{KAMTrainingStanding: store.KAMTrainingStanding{ProgrammeID: 3, ProgrammeName: "KAM Einführung 2027", Employee: store.Employee{ID: 13, Name: "Bo"},
			Enrolments: []store.Enrolment{awaiting[1]}}, CanConfirm: true},
		{KAMTrainingStanding: store.KAMTrainingStanding{ProgrammeID: 4, ProgrammeName: "Zweite Welle", Employee: store.Employee{ID: 14, Name: "Cem"}}},
	}
	for _, l := range uiLanguages {
		optionsTmpl := template.Must(template.New("options").Funcs(funcsFor(l)).Parse(sessionOptionsTemplate))
		standingTmpl := template.Must(template.New("standing").Funcs(funcsFor(l)).Parse(standingRowsTemplate))
		sessionsTmpl := template.Must(template.New("sessions").Funcs(funcsFor(l)).Parse(sessionRowsTemplate))
		awaitingTmpl := template.Must(template.New("awaiting").Funcs(funcsFor(l)).Parse(awaitingRowsTemplate))
		recordedTmpl := template.Must(template.New("recorded").Funcs(funcsFor(l)).Parse(recordedRowsTemplate))
		for _, zone := range []*time.Location{berlin, newYork} {
			for _, csrf := range []string{"tok-abc_123", `a"b+c`} {
				in := deskRowsInput{Zone: zone, CSRF: csrf, Sessions: sessions, Awaiting: awaiting, Recorded: recorded, Standing: standing}
				execute := func(tmpl *template.Template) string {
					var b strings.Builder
					if err := tmpl.Execute(&b, in); err != nil {
						t.Fatal(err)
					}
					return b.String()
				}
				got, err := l.trainingSessionRows(zone, csrf, sessions)
				if err != nil {
					t.Fatal(err)
				}
				if want := execute(sessionsTmpl); string(got) != want {
					t.Errorf("%s, %s, %q: session rows differ\n got %s\nwant %s", l, zone, csrf, got, want)
				}
				if got, want := string(l.awaitingAttendanceRows(zone, csrf, linesOf(awaiting))), execute(awaitingTmpl); got != want {
					t.Errorf("%s, %s, %q: awaiting rows differ\n got %s\nwant %s", l, zone, csrf, got, want)
				}
				if got, want := string(l.recordedAttendanceRows(zone, linesOf(recorded))), execute(recordedTmpl); got != want {
					t.Errorf("%s, %s: recorded rows differ\n got %s\nwant %s", l, zone, got, want)
				}
				if got, want := string(l.trainingStandingRows(zone, csrf, standing)), execute(standingTmpl); got != want {
					t.Errorf("%s, %s, %q: standing rows differ\n got %s\nwant %s", l, zone, csrf, got, want)
				}
				// The enrol form's select: nothing chosen, a session chosen,
				// and what a refused form sent that is none of them.
				for _, chosen := range []string{"", "123456", "9", "0", `9"`} {
					in.EnrolForm = map[string]string{"session_id": chosen}
					if chosen == "" {
						in.EnrolForm = nil
					}
					if got, want := string(l.sessionOptions(zone, sessions, chosen)), execute(optionsTmpl); got != want {
						t.Errorf("%s, %s, chosen %q: session options differ\n got %s\nwant %s", l, zone, chosen, got, want)
					}
				}
			}
		}
	}
	// No rows, no markup.
	if got := langEN.trainingStandingRows(berlin, "t", nil) + langEN.sessionOptions(berlin, nil, "1"); got != "" {
		t.Errorf("no standing KAMs, no sessions = %q", got)
	}
	if got, err := langEN.trainingSessionRows(berlin, "t", nil); got != "" || err != nil {
		t.Errorf("no sessions = %q, %v", got, err)
	}
	if got := langDE.awaitingAttendanceRows(berlin, "t", nil) + langDE.recordedAttendanceRows(berlin, nil); got != "" {
		t.Errorf("no enrolments = %q", got)
	}
	// The German desk reads German.
	got, _ := langDE.trainingSessionRows(berlin, "t", sessions[:1])
	for _, want := range []string{"Teilnehmende und Warteliste", "9 von 12 frei", "Pflicht für KAMs", "Termin absagen"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("German session row lacks %q:\n%s", want, got)
		}
	}
}

// rowZones are the zones the rows written in Go are checked in: one east
// of UTC with a clock change in the test's data, one west of it.
func rowZones(t *testing.T) (berlin, newYork *time.Location) {
	t.Helper()
	var err error
	if berlin, err = time.LoadLocation("Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	if newYork, err = time.LoadLocation("America/New_York"); err != nil {
		t.Fatal(err)
	}
	return berlin, newYork
}

// waitlisted is the enrolment e waiting for a seat.
func waitlisted(e store.Enrolment) store.Enrolment {
	e.Status = store.EnrolmentWaitlisted
	return e
}
