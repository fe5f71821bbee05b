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
// both languages. A box (formBox) holds its form, when the page carries
// it open, as the template "scoreform" wrote it (scoreBox.Form).

// selectionRows are the score table's rows: the customer, whether it
// meets each criterion, how many it meets (a candidate marked) and, for
// those who may score, its scoring box.
func (l lang) selectionRows(p *selectionPage) template.HTML {
	candidate := ` <small>` + htmlText.Replace(l.translate("candidate")) + `</small>`
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
		if box := r.ScoreBox; p.CanScore && box != nil {
			b.WriteString(`<td>`)
			l.writeFormBox(&b, formBox{Attrs: `id="score-form-` + uitoa(box.CustomerID) + `"`, Summary: "Score", Form: box.Form, Open: box.Form != "",
				SlotClass: "scoreform-slot", Fragment: box.Fragment, PageURL: box.PageURL})
			b.WriteString(`</td>`)
		}
		b.WriteString("\n</tr>\n")
	}
	return template.HTML(b.String())
}
