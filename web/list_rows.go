package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/kamflow/kamflow/store"
)

// The customer and contact lists' rows are written here rather than by
// their templates: each list shows 25 rows with an archive step apiece,
// and executing a template of some fifteen parts per row was most of
// these pages' rendering — the lists and searches people open most. Every
// text is escaped as html/template escapes it (htmlText); a test holds
// the rows to the bytes the templates wrote, in both languages.

// archiveCustomerConsequence is what archiving a customer tells the user.
const archiveCustomerConsequence = "The customer leaves the lists, the search and the selection; its contacts, key accounts and history stay, and it can be restored from the archived customers."

// archiveContactConsequence is what archiving a contact tells the user.
const archiveContactConsequence = "The contact leaves the lists and the contact matrix; whoever reported to this contact reports to no one. It can be restored from the archived contacts."

// customerRows are the customer list's rows: name, industry, country,
// revenue, margin and potential, then the row's steps — add a contact,
// edit and archive on the active list; restore on the archived one (both
// archive and restore only for those who may).
func (l lang) customerRows(zone *time.Location, csrf string, customers []store.Customer, archived, canArchive bool) (template.HTML, error) {
	token := htmlText.Replace(csrf)
	var b strings.Builder
	b.Grow(1100 * len(customers))
	for _, cu := range customers {
		id := strconv.FormatUint(uint64(cu.ID), 10)
		b.WriteString(`<tr><td><a href="/customers/` + id + `">` + htmlText.Replace(cu.Name) + `</a></td><td>` + htmlText.Replace(cu.Industry) +
			`</td><td>` + htmlText.Replace(cu.Country) + `</td><td class="num">` + htmlText.Replace(l.formatNumber(cu.AnnualRevenue, 0)) +
			`</td><td class="num">` + htmlText.Replace(l.formatNumber(cu.MarginPercent, 1)) + ` %</td><td>` + htmlText.Replace(l.translate(cu.Potential)) + "</td>\n<td>")
		switch {
		case archived && canArchive:
			b.WriteString(`<span class="muted">` + htmlText.Replace(l.translate("archived")) + ` `)
			if cu.ArchivedAt != nil {
				b.WriteString(htmlText.Replace(l.formatDay(zone, cu.ArchivedAt)))
			}
			b.WriteString(`</span> <form method="post" action="/customers/` + id + `/restore" class="inline"><input type="hidden" name="csrf" value="` + token +
				`"><button type="submit" class="secondary">` + htmlText.Replace(l.translate("Restore")) + `</button></form>`)
		case !archived:
			b.WriteString(`<a href="/contacts/new?customer=` + id + `">` + htmlText.Replace(l.translate("Add contact")) + `</a> <a href="/customers/` + id + `/edit">` +
				htmlText.Replace(l.translate("Edit")) + `</a>`)
			if canArchive {
				c, err := newConfirm("id", "archive-customer-"+id, "csrf", csrf, "action", "/customers/"+id+"/archive", "label", "Archive",
					"class", "secondary", "name", cu.Name, "consequence", archiveCustomerConsequence)
				if err != nil {
					return "", err
				}
				c.lang = l
				b.WriteString(` ` + string(c.HTML()))
			}
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String()), nil
}

// contactRows are the contact list's rows: customer, name, job title,
// level, e-mail and phone, then archive (active list) or restore
// (archived list).
func (l lang) contactRows(csrf string, contacts []store.ContactRow, archived bool) (template.HTML, error) {
	token := htmlText.Replace(csrf)
	var b strings.Builder
	b.Grow(1000 * len(contacts))
	for _, ct := range contacts {
		id := strconv.FormatUint(uint64(ct.ID), 10)
		b.WriteString(`<tr><td>` + htmlText.Replace(ct.CustomerName) + `</td><td><a href="/contacts/` + id + `">` + htmlText.Replace(ct.Name) + `</a></td><td>` +
			htmlText.Replace(ct.JobTitle) + `</td><td>` + htmlText.Replace(l.translate(ct.HierarchyLevel.Label())) + `</td><td>` + htmlText.Replace(ct.Email) +
			`</td><td>` + htmlText.Replace(ct.Phone) + "</td>\n<td>")
		if archived {
			b.WriteString(`<form method="post" action="/contacts/` + id + `/restore" class="inline"><input type="hidden" name="csrf" value="` + token +
				`"><button type="submit" class="secondary">` + htmlText.Replace(l.translate("Restore")) + `</button></form>`)
		} else {
			c, err := newConfirm("id", "archive-contact-"+id, "csrf", csrf, "action", "/contacts/"+id+"/archive", "label", "Archive",
				"class", "secondary", "name", ct.Name+" ("+ct.CustomerName+")", "consequence", archiveContactConsequence)
			if err != nil {
				return "", err
			}
			c.lang = l
			b.WriteString(string(c.HTML()))
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String()), nil
}
