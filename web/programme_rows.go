package web

import (
	"html/template"
	"strings"
	"time"

	"github.com/kamflow/kamflow/store"
)

// The programme page's longest tables — its audit trail (a page of 25
// entries) and its jour fixes (up to 200 meetings) — are written here
// rather than by programme.html, for the reason list_rows.go gives: a
// template's fields, functions and escapers are reflective calls per row.
// Every text is escaped as html/template escapes it (htmlText); a test
// holds the rows to the bytes the template wrote, in both languages.

// auditRows are the audit trail's rows: when, what, which phase, who, and
// the comment in the reader's language.
func (l lang) auditRows(zone *time.Location, events []store.ProgrammeEvent, names eventNames) template.HTML {
	var b strings.Builder
	b.Grow(200 * len(events))
	for _, ev := range events {
		b.WriteString(`<tr><td>` + htmlText.Replace(l.formatWhen(zone, ev.At)) + `</td><td>` + htmlText.Replace(l.label("event", ev.Kind)) +
			`</td><td>` + htmlText.Replace(l.translate(phaseTitle(ev.Phase))) + `</td><td>` + htmlText.Replace(ev.Actor) +
			`</td><td>` + htmlText.Replace(l.eventComment(ev, names)) + `</td></tr>`)
	}
	return template.HTML(b.String())
}

// jourFixeRows are the programme's jour fixes: the meeting (a link to it),
// the key account it is for (or all), and whether it was held.
func (l lang) jourFixeRows(zone *time.Location, list []jourFixeRow) template.HTML {
	all, held, collecting := htmlText.Replace(l.translate("all key accounts")), htmlText.Replace(l.translate("held")),
		htmlText.Replace(l.translate("collecting input"))
	var b strings.Builder
	b.Grow(150 * len(list))
	for _, j := range list {
		b.WriteString(`<tr><td><a href="/jour-fixes/` + uitoa(j.ID) + `">` + htmlText.Replace(l.formatWhen(zone, j.MeetingAt)) + `</a></td><td>`)
		if j.Scope != "" {
			b.WriteString(htmlText.Replace(j.Scope))
		} else {
			b.WriteString(all)
		}
		b.WriteString(`</td><td>`)
		if j.Status == "held" {
			b.WriteString(held)
		} else {
			b.WriteString(collecting)
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String())
}
