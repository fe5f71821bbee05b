package web

import (
	"html/template"
	"strconv"
	"strings"
)

// The selection's score table is written here rather than by
// selection.html: a page shows 25 customers with a cell per criterion and,
// for the lead, a scoring box apiece, and executing a template of some
// fifteen parts per row and one per cell was a fair share of the page's
// rendering. Every text is escaped as html/template escapes it
// (htmlText); a test holds the rows to the bytes the template wrote, in
// both languages. A box's form, when the page carries it open, is the
// template "scoreform" (scoreBox.FormHTML).

// selectionRows are the score table's rows: the customer, whether it
// meets each criterion, how many it meets (a candidate marked) and, for
// those who may score, its scoring box.
func (l lang) selectionRows(p *selectionPage) template.HTML {
	candidate := ` <small>` + htmlText.Replace(l.translate("candidate")) + `</small>`
	score, openForm := htmlText.Replace(l.translate("Score")), htmlText.Replace(l.translate("Open the form"))
	var b strings.Builder
	b.Grow(len(p.Rows) * (400 + 16*len(p.State.Criteria)))
	for _, r := range p.Rows {
		id := uitoa(r.CustomerID)
		b.WriteString("\n<tr id=\"score-" + id + `"`)
		if r.Meets {
			b.WriteString(` class="meets"`)
		}
		b.WriteString(`><td>` + htmlText.Replace(r.CustomerName) + `</td>`)
		for _, c := range p.State.Criteria {
			if r.Met[c.Key] {
				b.WriteString(`<td>✓</td>`)
			} else {
				b.WriteString(`<td>–</td>`)
			}
		}
		b.WriteString(`<td>` + strconv.Itoa(r.MetCount))
		if r.Meets {
			b.WriteString(candidate)
		}
		b.WriteString("</td>\n")
		// A box is written open with its form when the page carries one
		// (refused, or asked for by ?score=), else fetched when first
		// opened, with a link to the page showing it open for readers
		// without JavaScript.
		if box := r.ScoreBox; p.CanScore && box != nil {
			b.WriteString(`<td><details id="score-form-` + uitoa(box.CustomerID) + `"`)
			if box.Form != nil {
				b.WriteString(` open`)
			}
			b.WriteString(`><summary>` + score + `</summary>`)
			if box.Form != nil {
				b.WriteString(string(box.FormHTML))
			} else {
				b.WriteString(`<div class="scoreform-slot" hx-get="` + htmlText.Replace(box.Fragment) +
					`" hx-trigger="toggle once from:closest details" hx-swap="outerHTML"><a href="` + htmlText.Replace(box.PageURL) + `">` + openForm + `</a></div>`)
			}
			b.WriteString(`</details></td>`)
		}
		b.WriteString("\n</tr>\n")
	}
	return template.HTML(b.String())
}
