package web

import (
	"html/template"
	"strings"
)

// ownerForm is an open action's "give to" form on the key-account page:
// the owner's e-mail field and its button, with the refused input and its
// reason at the field when errShown names this action. A page shows one
// per open action (up to a page of 25); it is written in Go like the
// confirmations, held by its test to the bytes the template wrote.
func (l lang) ownerForm(csrf string, keyAccountID, actionID uint, errShown *ownerFormError) template.HTML {
	mine := errShown != nil && errShown.ActionID == actionID
	id := uitoa(actionID)
	var b strings.Builder
	b.Grow(480)
	b.WriteString(`<form method="post" action="/key-accounts/`)
	b.WriteString(uitoa(keyAccountID))
	b.WriteString(`/actions/`)
	b.WriteString(id)
	b.WriteString(`/owner-form" class="inline"><input type="hidden" name="csrf" value="`)
	writeEscaped(&b, csrf)
	b.WriteString(`">` + "\n" + `<label>`)
	writeEscaped(&b, l.translate("Give to (e-mail)"))
	b.WriteString(` <input name="owner_email" type="email" required maxlength="254" value="`)
	if mine {
		writeEscaped(&b, errShown.Input)
		b.WriteString(`" aria-invalid="true" aria-describedby="owner-error-`)
		b.WriteString(id)
	}
	b.WriteString(`"></label>`)
	if mine {
		b.WriteString(` <small class="error" id="owner-error-`)
		b.WriteString(id)
		b.WriteString(`" role="alert">`)
		writeEscaped(&b, errShown.Message)
		b.WriteString(`</small>`)
	}
	b.WriteString("\n" + `<button type="submit" class="secondary">`)
	writeEscaped(&b, l.translate("Reassign"))
	b.WriteString(`</button></form>`)
	return template.HTML(b.String())
}

// writeURLPart writes s as html/template escapes a value in a URL's query
// or fragment: every byte but the unreserved ones percent-encoded. In an
// attribute, what it writes needs no further escaping.
func writeURLPart(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// writeEscaped writes s escaped as html/template escapes text, RCDATA
// (<title>) and double-quoted attribute values that are not URLs, scripts
// or styles (htmlText, as the confirmations do). A URL needs its own
// escaping first (writeURLPart).
func writeEscaped(b *strings.Builder, s string) {
	_, _ = htmlText.WriteString(b, s)
}
