package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"
)

// The contact matrix's rows are written here rather than by account.html:
// a key account shows each of the customer's contacts with our
// counterparts and a box per contact and per relationship, and executing
// a template of some twenty parts per contact was a fair share of the key
// account's rendering. Every text is escaped as html/template escapes it
// (htmlText); a test holds the rows to the bytes the template wrote, in
// both languages. A box (formBox) holds its form, when the page carries
// it open, as the template "relform" wrote it (OpenForms).

// contactMatrixRows are the matrix's rows: per hierarchy level with
// contacts, each contact with our counterparts (level, quality, last
// contact) and, for those who may write the account, a box to change or
// end each relationship and one to add a counterpart.
func (l lang) contactMatrixRows(zone *time.Location, p accountPage) template.HTML {
	m := p.Matrix
	if m == nil {
		return ""
	}
	account := uitoa(m.KeyAccount.ID)
	box := func(b *strings.Builder, key, summary string) {
		form, open := p.OpenForms[key]
		l.writeFormBox(b, formBox{Attrs: `class="relationship" id="form-` + key + `"`, Summary: summary, Form: form, Open: open, SlotClass: "relform-slot",
			Fragment: "/key-accounts/" + account + "/relationship-form?form=" + key, PageURL: "/key-accounts/" + account + "?form=" + key + "#form-" + key})
	}
	mismatch := ` class="mismatch" title="` + htmlText.Replace(l.translate("other level than theirs")) + `"`
	quality, last := htmlText.Replace(l.translate(", quality")), htmlText.Replace(l.translate(", last"))
	var b strings.Builder
	for _, row := range m.Rows {
		if len(row.Contacts) == 0 {
			continue
		}
		b.WriteString("\n\n")
		for i, c := range row.Contacts {
			b.WriteString("\n<tr")
			if row.NoCounterpart {
				b.WriteString(` class="gap"`)
			}
			b.WriteString(">\n  <td>")
			if i == 0 {
				b.WriteString(htmlText.Replace(l.translate(row.Level.Label())))
				if row.NoCounterpart {
					b.WriteString(`<br><small class="error">` + htmlText.Replace(l.translate("no counterpart on this level")) + `</small>`)
				}
			}
			b.WriteString("</td>\n  <td>" + htmlText.Replace(c.Contact.Name) + ` <small class="muted">` + htmlText.Replace(c.Contact.JobTitle) + `</small>`)
			if c.Untouched {
				b.WriteString(` <small class="untouched">` + htmlText.Replace(l.translateCount("not met for {{.Count}} days", int(m.UntouchedAfter.Hours()/24))) + `</small>`)
			}
			b.WriteString("</td>\n  <td>")
			for _, cp := range c.Counterparts {
				b.WriteString(`<div`)
				if cp.LevelMismatch {
					b.WriteString(mismatch)
				}
				b.WriteString(`>` + htmlText.Replace(cp.EmployeeName) + ` <small class="muted">(` + htmlText.Replace(l.translate(cp.EmployeeLevel.Label())) + quality + ` ` +
					strconv.Itoa(cp.Quality) + `/5`)
				if cp.LastContactAt != nil {
					b.WriteString(last + ` ` + htmlText.Replace(l.formatDay(zone, cp.LastContactAt)))
				}
				b.WriteString(")</small></div>\n  ")
				if p.CanWriteAccount {
					box(&b, "rel-"+uitoa(cp.RelationshipID), "Change or end")
				}
			}
			if len(c.Counterparts) == 0 {
				b.WriteString(`<span class="muted">—</span>`)
			}
			b.WriteString("\n  ")
			if p.CanWriteAccount {
				box(&b, "contact-"+uitoa(c.Contact.ID), "Add a counterpart")
			}
			b.WriteString("</td>\n</tr>\n")
		}
		b.WriteString("\n")
	}
	return template.HTML(b.String())
}
