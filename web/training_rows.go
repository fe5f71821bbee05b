package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/kamflow/kamflow/store"
)

// The training desk's long tables (upcoming sessions, KAMs the programmes
// wait for, attendance to record, attendance recorded) and its select of
// sessions are written here rather than by training.html: a desk shows 25
// rows of each, and executing a template of a dozen parts per row was the
// larger part of the desk's rendering. Every text is escaped as
// html/template escapes it (htmlText); a test holds each to the bytes the
// template wrote, in both languages.

// cancelSessionConsequence is what cancelling a session tells HR.
const cancelSessionConsequence = "{{.Count}} people enrolled or waitlisted will be told the session is cancelled. A cancelled session cannot be reopened."

// trainingSessionRows are the upcoming sessions' rows: course, times,
// place, seats, waitlist, the participants' link and the cancel step.
func (l lang) trainingSessionRows(zone *time.Location, csrf string, sessions []store.SessionSeats) (template.HTML, error) {
	var b strings.Builder
	b.Grow(1400 * len(sessions))
	for _, s := range sessions {
		id := uitoa(s.ID)
		b.WriteString(`<tr id="session-` + id + `"><td><a href="/training/sessions/` + id + `">`)
		if s.Course != nil {
			b.WriteString(htmlText.Replace(s.Course.Title))
		}
		b.WriteString(`</a>`)
		if s.Course != nil && s.Course.RequiredKAM {
			b.WriteString(` <small class="muted">` + htmlText.Replace(l.translate("required for KAMs")) + `</small>`)
		}
		b.WriteString(`</td><td>` + htmlText.Replace(l.formatWhen(zone, s.StartsAt)) + ` – ` + htmlText.Replace(l.formatDay(zone, s.EndsAt)) +
			`</td><td>` + htmlText.Replace(s.Place) + `</td><td>` + htmlText.Replace(l.translateWith("{1} free of {2}", s.FreeSeats(), s.Capacity)) +
			`</td><td>` + strconv.Itoa(s.Waitlisted) + "</td>\n")
		b.WriteString(`<td><a href="/training/sessions/` + id + `#participants">` + htmlText.Replace(l.translate("Participants and waitlist")) + "</a></td>\n")
		c, err := l.confirm("id", "cancel-session-"+id, "csrf", csrf, "action", "/training/sessions/"+id+"/cancel", "label", "Cancel session",
			"class", "danger", "name", s.CourseTitle()+", "+l.formatDay(zone, s.StartsAt), "consequence", cancelSessionConsequence, "count", s.Told())
		if err != nil {
			return "", err
		}
		b.WriteString(`<td>` + string(c.HTML()) + `</td></tr>`)
	}
	return template.HTML(b.String()), nil
}

// sessionOptions are the enrol form's sessions: course, start and free
// seats, the one chosen (a session ID as the form sent it) selected.
func (l lang) sessionOptions(zone *time.Location, sessions []store.SessionSeats, chosen string) template.HTML {
	var b strings.Builder
	b.Grow(120 * len(sessions))
	for _, s := range sessions {
		id := uitoa(s.ID)
		writeOption(&b, id, id == chosen, s.CourseTitle()+" · "+l.formatWhen(zone, s.StartsAt)+" · "+l.translateWith("{1} free of {2}", s.FreeSeats(), s.Capacity))
	}
	return template.HTML(b.String())
}

// trainingStandingRows are the KAMs the programmes wait for: what each
// misses, or HR's confirmation when nothing is, and where she is enrolled.
func (l lang) trainingStandingRows(zone *time.Location, csrf string, rows []standingRow) template.HTML {
	token := htmlText.Replace(csrf)
	var b strings.Builder
	b.Grow(500 * len(rows))
	for _, r := range rows {
		programme, employee := uitoa(r.ProgrammeID), uitoa(r.Employee.ID)
		b.WriteString(`<tr id="standing-` + programme + `-` + employee + `"><td><a href="/programmes/` + programme + `">` + htmlText.Replace(r.ProgrammeName) +
			`</a></td><td>` + htmlText.Replace(r.Employee.Name) + "</td>\n<td>")
		if len(r.Missing) > 0 {
			for i, c := range r.Missing {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(htmlText.Replace(c.Title))
			}
		} else {
			b.WriteString(htmlText.Replace(l.translate("Every required course is recorded; the programme has not counted it yet.")) + "\n")
			if r.CanConfirm {
				b.WriteString(`<form method="post" action="/training/programmes/` + programme + `/kams/` + employee + `/complete-form" class="inline"><input type="hidden" name="csrf" value="` + token +
					`"><button type="submit" class="secondary">` + htmlText.Replace(l.translate("Confirm for the programme")) + `</button></form>`)
			}
		}
		b.WriteString("</td>\n<td>")
		if len(r.Enrolments) == 0 {
			b.WriteString(`<span class="muted">` + htmlText.Replace(l.translate("not enrolled")) + `</span>`)
		}
		for i, e := range r.Enrolments {
			if i > 0 {
				b.WriteString(", ")
			}
			course, day := l.enrolmentSession(zone, e)
			b.WriteString(`<a href="/training/sessions/` + uitoa(e.SessionID) + `#enrolment-` + uitoa(e.ID) + `">` + htmlText.Replace(course) + ` · ` + htmlText.Replace(day) + `</a>`)
			if e.Status == store.EnrolmentWaitlisted {
				b.WriteString(` <small class="muted">` + htmlText.Replace(l.translate("(waitlisted)")) + `</small>`)
			}
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String())
}

// awaitingAttendanceRows are the enrolments of sessions that have begun,
// each with its form recording attended or no-show.
func (l lang) awaitingAttendanceRows(zone *time.Location, csrf string, awaiting []store.EnrolmentLine) template.HTML {
	attended, noShow, token := htmlText.Replace(l.translate("Attended")), htmlText.Replace(l.translate("No-show")), htmlText.Replace(csrf)
	var b strings.Builder
	b.Grow(600 * len(awaiting))
	for _, e := range awaiting {
		id := uitoa(e.ID)
		b.WriteString(`<tr id="enrolment-` + id + `">`)
		l.enrolmentCells(&b, zone, e)
		b.WriteString("\n" + `<td><form method="post" action="/training/enrolments/` + id + `/attendance" class="inline"><input type="hidden" name="csrf" value="` + token + "\">\n" +
			`<button type="submit" name="attended" value="true">` + attended + `</button> <button type="submit" name="attended" value="false" class="secondary">` + noShow + `</button></form></td></tr>`)
	}
	return template.HTML(b.String())
}

// recordedAttendanceRows are the enrolments whose outcome was recorded:
// status, by whom, when and the note.
func (l lang) recordedAttendanceRows(zone *time.Location, recorded []store.EnrolmentLine) template.HTML {
	var b strings.Builder
	b.Grow(400 * len(recorded))
	for _, e := range recorded {
		b.WriteString(`<tr id="recorded-` + uitoa(e.ID) + `">`)
		l.enrolmentCells(&b, zone, e)
		b.WriteString(`<td>` + htmlText.Replace(l.label("status", e.Status)) + `</td><td>` + htmlText.Replace(e.UpdatedBy) + `</td><td>`)
		if e.StatusAt != nil {
			b.WriteString(htmlText.Replace(l.formatDay(zone, e.StatusAt)))
		}
		b.WriteString(`</td><td>` + htmlText.Replace(e.StatusNote) + `</td></tr>`)
	}
	return template.HTML(b.String())
}

// enrolmentCells are an enrolment's course, session day and employee.
func (l lang) enrolmentCells(b *strings.Builder, zone *time.Location, e store.EnrolmentLine) {
	var day string
	if !e.SessionStartsAt.IsZero() {
		day = l.formatDay(zone, e.SessionStartsAt)
	}
	b.WriteString(`<td>` + htmlText.Replace(e.CourseTitle) + `</td><td>` + htmlText.Replace(day) + `</td><td>` + htmlText.Replace(e.EmployeeName) + `</td>`)
}

// enrolmentSession is the course and the day of an enrolment's session, ""
// for what is not loaded.
func (l lang) enrolmentSession(zone *time.Location, e store.Enrolment) (course, day string) {
	if e.Session == nil {
		return "", ""
	}
	if e.Session.Course != nil {
		course = e.Session.Course.Title
	}
	return course, l.formatDay(zone, e.Session.StartsAt)
}
