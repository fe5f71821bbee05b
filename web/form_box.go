package web

import (
	"html/template"
	"strings"
)

// formBox is a form behind its summary in a row written in Go (the
// contact matrix's relationship boxes, the selection's scoring boxes).
// The page carries few forms: a box is written open with its form when
// the page holds it (after a refusal, or asked for by a query parameter),
// else with an empty slot htmx fills from Fragment when the box is first
// opened, and a link to PageURL, the page showing it open, for readers
// without JavaScript.
type formBox struct {
	// Attrs are the details element's attributes (its id first), as
	// markup.
	Attrs string
	// Summary is the box's summary, untranslated.
	Summary string
	// Form is the form written out; Open says the page holds it.
	Form template.HTML
	Open bool
	// SlotClass is the class of the slot htmx replaces.
	SlotClass         string
	Fragment, PageURL string
}

// writeFormBox writes box, its summary and the link translated, the
// addresses escaped as html/template escapes them.
func (l lang) writeFormBox(b *strings.Builder, box formBox) {
	b.WriteString(`<details ` + box.Attrs)
	if box.Open {
		b.WriteString(` open`)
	}
	b.WriteString(`><summary>` + htmlText.Replace(l.translate(box.Summary)) + `</summary>`)
	if box.Open {
		b.WriteString(string(box.Form))
	} else {
		b.WriteString(`<div class="` + box.SlotClass + `" hx-get="` + htmlText.Replace(box.Fragment) +
			`" hx-trigger="toggle once from:closest details" hx-swap="outerHTML"><a href="` + htmlText.Replace(box.PageURL) + `">` +
			htmlText.Replace(l.translate("Open the form")) + `</a></div>`)
	}
	b.WriteString(`</details>`)
}
