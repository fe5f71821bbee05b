package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/kamflow/kamflow/store"
)

// HR's start page's two tables, written here rather than by home.html:
// twenty rows of each with a few parts per row made executing the template
// the larger part of HR's start page. Every text is escaped as
// html/template escapes it (htmlText); a test holds both to the bytes the
// template wrote, in both languages.

// freeSessionRows are the upcoming sessions with a free seat: course
// (linking to the session), start, place and the seats free.
func (l lang) freeSessionRows(zone *time.Location, sessions []store.FreeSession) template.HTML {
	of := htmlText.Replace(l.translate("of"))
	var b strings.Builder
	b.Grow(250 * len(sessions))
	for _, s := range sessions {
		b.WriteString(`<tr><td><a href="/training/sessions/` + uitoa(s.ID) + `">` + htmlText.Replace(s.CourseTitle) + `</a></td><td>` +
			htmlText.Replace(l.formatWhen(zone, s.StartsAt)) + `</td><td>` + htmlText.Replace(s.Place) + `</td><td>` +
			strconv.Itoa(s.FreeSeats()) + ` ` + of + ` ` + strconv.Itoa(s.Capacity) + `</td></tr>`)
	}
	return template.HTML(b.String())
}

// missingTrainingRows are the assigned KAMs the running programmes wait
// for: who, which programme, the required courses missing (or that the
// programme has yet to count them) and where she is enrolled.
func (l lang) missingTrainingRows(zone *time.Location, rows []store.KAMTrainingStanding) template.HTML {
	var b strings.Builder
	b.Grow(400 * len(rows))
	for _, r := range rows {
		programme := uitoa(r.ProgrammeID)
		b.WriteString(`<tr id="waiting-` + programme + `-` + uitoa(r.Employee.ID) + `"><td>` + htmlText.Replace(r.Employee.Name) +
			`</td><td><a href="/programmes/` + programme + `">` + htmlText.Replace(r.ProgrammeName) + `</a></td><td>`)
		for i, c := range r.Missing {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(htmlText.Replace(c.Title))
		}
		if len(r.Missing) == 0 {
			b.WriteString(`<a href="/training#standing">` + htmlText.Replace(l.translate("Every required course is recorded; the programme has not counted it yet.")) + `</a>`)
		}
		b.WriteString("</td>\n<td>")
		for i, e := range r.Enrolments {
			if i > 0 {
				b.WriteString(", ")
			}
			_, day := l.enrolmentSession(zone, e)
			b.WriteString(`<a href="/training/sessions/` + uitoa(e.SessionID) + `">` + htmlText.Replace(day) + `</a>`)
			if e.Status == store.EnrolmentWaitlisted {
				b.WriteString(` <small class="muted">` + htmlText.Replace(l.translate("(waitlisted)")) + `</small>`)
			}
		}
		if len(r.Enrolments) == 0 {
			b.WriteString(`<span class="muted">` + htmlText.Replace(l.translate("not enrolled")) + `</span>`)
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String())
}
