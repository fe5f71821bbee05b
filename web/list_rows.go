package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/kamflow/kamflow/store"
)

// The rows of the lists people open most — customers, contacts, the start
// page's programmes, key accounts — are written here rather than by their
// templates: a list shows up to 25 rows (the customers and contacts with
// an archive step apiece), and executing a template of some fifteen parts
// per row was most of these pages' rendering. Every text is escaped as
// html/template escapes it (htmlText); a test holds the rows to the bytes
// the templates wrote, in both languages.

// archiveCustomerConsequence is what archiving a customer tells the user.
const archiveCustomerConsequence = "The customer leaves the lists, the search and the selection; its contacts, key accounts and history stay, and it can be restored from the archived customers."

// archiveContactConsequence is what archiving a contact tells the user.
const archiveContactConsequence = "The contact leaves the lists and the contact matrix; whoever reported to this contact reports to no one. It can be restored from the archived contacts."

// customerRows are the customer list's rows: name, industry, country,
// revenue, margin and potential, then the row's steps — add a contact,
// edit and archive on the active list; restore on the archived one (both
// archive and restore only for those who may).
func (l lang) customerRows(zone *time.Location, csrf string, customers []store.Customer, archived, canArchive bool) (template.HTML, error) {
	restore := l.restoreForm(csrf)
	var b strings.Builder
	b.Grow(1100 * len(customers))
	for _, cu := range customers {
		id := uitoa(cu.ID)
		b.WriteString(`<tr><td><a href="/customers/` + id + `">` + htmlText.Replace(cu.Name) + `</a></td><td>` + htmlText.Replace(cu.Industry) +
			`</td><td>` + htmlText.Replace(cu.Country) + `</td><td class="num">` + htmlText.Replace(l.formatNumber(cu.AnnualRevenue, 0)) +
			`</td><td class="num">` + htmlText.Replace(l.formatNumber(cu.MarginPercent, 1)) + ` %</td><td>` + htmlText.Replace(l.translate(cu.Potential)) + "</td>\n<td>")
		switch {
		case archived && canArchive:
			b.WriteString(`<span class="muted">` + htmlText.Replace(l.translate("archived")) + ` `)
			if cu.ArchivedAt != nil {
				b.WriteString(htmlText.Replace(l.formatDay(zone, cu.ArchivedAt)))
			}
			b.WriteString(`</span> ` + restore("/customers/"+id+"/restore"))
		case !archived:
			b.WriteString(`<a href="/contacts/new?customer=` + id + `">` + htmlText.Replace(l.translate("Add contact")) + `</a> <a href="/customers/` + id + `/edit">` +
				htmlText.Replace(l.translate("Edit")) + `</a>`)
			if canArchive {
				c, err := l.confirm("id", "archive-customer-"+id, "csrf", csrf, "action", "/customers/"+id+"/archive", "label", "Archive",
					"class", "secondary", "name", cu.Name, "consequence", archiveCustomerConsequence)
				if err != nil {
					return "", err
				}
				b.WriteString(` ` + string(c.HTML()))
			}
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String()), nil
}

// restoreForm is an archived list's restore step: given the path it posts
// to, the form with the page's token.
func (l lang) restoreForm(csrf string) func(action string) string {
	rest := `" class="inline"><input type="hidden" name="csrf" value="` + htmlText.Replace(csrf) +
		`"><button type="submit" class="secondary">` + htmlText.Replace(l.translate("Restore")) + `</button></form>`
	return func(action string) string { return `<form method="post" action="` + action + rest }
}

// contactRows are the contact list's rows: customer, name, job title,
// level, e-mail and phone, then archive (active list) or restore
// (archived list).
func (l lang) contactRows(csrf string, contacts []store.ContactRow, archived bool) (template.HTML, error) {
	restore := l.restoreForm(csrf)
	var b strings.Builder
	b.Grow(1000 * len(contacts))
	for _, ct := range contacts {
		id := uitoa(ct.ID)
		b.WriteString(`<tr><td>` + htmlText.Replace(ct.CustomerName) + `</td><td><a href="/contacts/` + id + `">` + htmlText.Replace(ct.Name) + `</a></td><td>` +
			htmlText.Replace(ct.JobTitle) + `</td><td>` + htmlText.Replace(l.translate(ct.HierarchyLevel.Label())) + `</td><td>` + htmlText.Replace(ct.Email) +
			`</td><td>` + htmlText.Replace(ct.Phone) + "</td>\n<td>")
		if archived {
			b.WriteString(restore("/contacts/" + id + "/restore"))
		} else {
			c, err := l.confirm("id", "archive-contact-"+id, "csrf", csrf, "action", "/contacts/"+id+"/archive", "label", "Archive",
				"class", "secondary", "name", ct.Name+" ("+ct.CustomerName+")", "consequence", archiveContactConsequence)
			if err != nil {
				return "", err
			}
			b.WriteString(string(c.HTML()))
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String()), nil
}

// programmeRows are the start page's programmes: name, lead, status,
// current phase, progress through the phases and the next due date.
func (l lang) programmeRows(rows []programmeRow) template.HTML {
	overdue := htmlText.Replace(l.translate("overdue"))
	var b strings.Builder
	b.Grow(700 * len(rows))
	for _, p := range rows {
		b.WriteString("\n  <tr")
		if p.Progress.Overdue {
			b.WriteString(` class="overdue"`)
		}
		done, total := strconv.Itoa(p.Progress.Done), strconv.Itoa(p.Progress.Total)
		b.WriteString(">\n    <td><a href=\"/programmes/" + uitoa(p.ID) + `">` + htmlText.Replace(p.Name) + `</a></td><td>` + htmlText.Replace(p.LeadEmail) +
			"</td>\n    <td><span class=\"badge " + htmlText.Replace(p.Status) + `">` + htmlText.Replace(l.label("status", p.Status)) + `</span></td><td>` +
			htmlText.Replace(l.translate(phaseTitle(p.CurrentPhase))) + "</td>\n    <td><progress max=\"" + total + `" value="` + done + `" title="` +
			htmlText.Replace(l.translateWith("{1} of {2} phases", p.Progress.Done, p.Progress.Total)) + `"></progress> ` + done + `/` + total + "</td>\n    <td>")
		if p.Progress.NextDue != nil {
			b.WriteString(htmlText.Replace(l.formatDate(*p.Progress.NextDue)))
		}
		if p.Progress.Overdue {
			b.WriteString(` <strong>` + overdue + `</strong>`)
		}
		b.WriteString("</td>\n  </tr>\n  ")
	}
	return template.HTML(b.String())
}

// keyAccountRows are the key-accounts list's rows: customer, programme,
// status, KAM (and who covers during a handover), deputy, and the open
// actions (those overdue marked) and measures.
func (l lang) keyAccountRows(rows []keyAccountListRow) template.HTML {
	overdue := htmlText.Replace(l.translate("overdue"))
	var b strings.Builder
	b.Grow(800 * len(rows))
	for _, r := range rows {
		b.WriteString(`<tr`)
		if r.Open.OverdueActions != 0 {
			b.WriteString(` class="overdue"`)
		}
		b.WriteString(`><td><a href="/key-accounts/` + uitoa(r.ID) + `">` + htmlText.Replace(r.CustomerName) +
			`</a></td><td><a href="/programmes/` + uitoa(r.ProgrammeID) + `">` + htmlText.Replace(r.ProgrammeName) + "</a></td>\n<td>")
		l.keyAccountStatus(&b, r.KeyAccountRow)
		b.WriteString(`</td><td>`)
		l.keyAccountPeople(&b, r.KeyAccountRow)
		b.WriteString("</td>\n<td class=\"num\">" + strconv.Itoa(r.Open.Actions))
		if r.Open.OverdueActions != 0 {
			b.WriteString(` <strong class="error">(` + strconv.Itoa(r.Open.OverdueActions) + ` ` + overdue + `)</strong>`)
		}
		b.WriteString(`</td><td class="num">` + strconv.Itoa(r.Open.Measures) + `</td></tr>`)
	}
	return template.HTML(b.String())
}

// programmeKeyAccountRows are the programme page's key accounts:
// customer, KAM (and who covers), deputy and status.
func (l lang) programmeKeyAccountRows(rows []store.KeyAccountRow) template.HTML {
	var b strings.Builder
	b.Grow(500 * len(rows))
	for _, r := range rows {
		b.WriteString(`<tr><td><a href="/key-accounts/` + uitoa(r.ID) + `">` + htmlText.Replace(r.CustomerName) + "</a></td>\n<td>")
		l.keyAccountPeople(&b, r)
		b.WriteString(`</td><td>`)
		l.keyAccountStatus(&b, r)
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String())
}

// keyAccountPeople are a key account's KAM cell (with who covers during
// a handover) and its deputy cell, without the deputy's opening tag.
func (l lang) keyAccountPeople(b *strings.Builder, r store.KeyAccountRow) {
	if r.KAMEmployeeID != nil {
		b.WriteString(htmlText.Replace(r.KAMName))
	} else {
		b.WriteString(`—`)
	}
	if r.CoveringEmployeeID != nil {
		b.WriteString(` <small class="muted">(` + htmlText.Replace(l.translate("covering:")) + ` ` + htmlText.Replace(r.CoveringName) + `)</small>`)
	}
	b.WriteString("</td>\n<td>")
	if r.DeputyEmployeeID != nil {
		b.WriteString(htmlText.Replace(r.DeputyName))
	} else {
		b.WriteString(`—`)
	}
}

// keyAccountStatus is a key account's status badge.
func (l lang) keyAccountStatus(b *strings.Builder, r store.KeyAccountRow) {
	status := r.Status()
	b.WriteString(`<span class="badge ` + htmlText.Replace(status) + `">` + htmlText.Replace(l.label("status", status)) + `</span>`)
}

// programmeOptions are a programme select's options, the chosen one
// selected.
func programmeOptions(programmes []store.ProgrammeChoice, chosen uint) template.HTML {
	var b strings.Builder
	b.Grow(80 * len(programmes))
	for _, p := range programmes {
		writeOption(&b, uitoa(p.ID), p.ID == chosen, p.Name)
	}
	return template.HTML(b.String())
}

// writeOption writes one <option> of a select built in Go: its value,
// whether it is chosen, and its text, each escaped as html/template
// escapes them.
func writeOption(b *strings.Builder, value string, selected bool, text string) {
	b.WriteString(`<option value="` + htmlText.Replace(value) + `"`)
	if selected {
		b.WriteString(` selected`)
	}
	b.WriteString(`>` + htmlText.Replace(text) + `</option>`)
}
