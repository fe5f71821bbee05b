package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// confirmStep is one irreversible form behind a confirmation: the
// "confirm" template shows a disclosure (<details>, so it works without
// JavaScript) whose summary names the step; opened, it says what will
// happen to what, and only its button posts the form. Closing it again
// is the way back: nothing was sent. The POST itself is unchanged and
// asks for no extra confirmation field: the confirmation is the page's
// step, integrations use /api/v1, and the form token every page form
// carries (idempotency.go) makes a repeated post act once.
type confirmStep struct {
	// ID names the disclosure (for links and tests).
	ID     string
	CSRF   string
	Action string
	// Label is the summary's and the button's text; Class the button's
	// style ("danger", "secondary" or "").
	Label, Class string
	// Name is the record the step acts on, shown before the consequence.
	Name string
	// Consequence is an English message; with Counted set it is a plural
	// message ({{.Count}}) shown with Count.
	Consequence string
	Counted     bool
	Count       int
	// Field is an optional text the step asks for (a reason, findings).
	Field *confirmField
	// From, when set, is sent as the form's "from" (the page to go back to).
	From string
	// lang is the reader's language, for HTML.
	lang lang
}

// confirmField is the one text input a confirmation may carry.
type confirmField struct {
	Name, Label, Value string
	Textarea, Required bool
	MaxLength          int
}

// newConfirm builds a confirmStep from key/value pairs, for templates:
//
//	{{template "confirm" (confirm "csrf" $csrf "action" "/x" "label" "Archive" "name" .Name "consequence" "…")}}
//
// Keys: id, csrf, action, label, class, name, consequence, count (makes
// the consequence a plural message), from, field, fieldlabel, fieldvalue,
// textarea, required, maxlength. An unknown key or a value of the wrong
// type is a template error, so a typo fails the page's test.
func newConfirm(kv ...any) (confirmStep, error) {
	var c confirmStep
	var f confirmField
	if len(kv)%2 != 0 {
		return c, fmt.Errorf("confirm: odd number of arguments")
	}
	for i := 0; i < len(kv); i += 2 {
		key, _ := kv[i].(string)
		ok := true
		switch v := kv[i+1].(type) {
		case string:
			switch key {
			case "id":
				c.ID = v
			case "csrf":
				c.CSRF = v
			case "action":
				c.Action = v
			case "label":
				c.Label = v
			case "class":
				c.Class = v
			case "name":
				c.Name = v
			case "consequence":
				c.Consequence = v
			case "from":
				c.From = v
			case "field":
				f.Name = v
			case "fieldlabel":
				f.Label = v
			case "fieldvalue":
				f.Value = v
			default:
				ok = false
			}
		case int:
			switch key {
			case "count":
				c.Count, c.Counted = v, true
			case "maxlength":
				f.MaxLength = v
			default:
				ok = false
			}
		case bool:
			switch key {
			case "textarea":
				f.Textarea = v
			case "required":
				f.Required = v
			default:
				ok = false
			}
		default:
			ok = false
		}
		if !ok {
			return c, fmt.Errorf("confirm: unknown key %q or a value of the wrong type (%T)", key, kv[i+1])
		}
	}
	if f.Name != "" {
		c.Field = &f
	}
	if c.Action == "" || c.Label == "" || c.Consequence == "" {
		return c, fmt.Errorf("confirm: action, label and consequence are required")
	}
	if !isLocalPath(c.Action) {
		return c, fmt.Errorf("confirm: action %q is not a path of kamflow's", c.Action)
	}
	return c, nil
}

// confirm builds a confirmation in the language, as the template function
// "confirm" does, for rows written in Go.
func (l lang) confirm(kv ...any) (confirmStep, error) {
	c, err := newConfirm(kv...)
	c.lang = l
	return c, err
}

// isLocalPath says whether s is a path of this site made of characters a
// URL carries as they are, so it can be written into an attribute escaped
// as text only.
func isLocalPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for _, r := range s {
		// The characters html/template's URL normaliser leaves as they
		// are (RFC 3986's unreserved and most reserved ones, % for
		// escapes), so the markup is the template's: no space, quote,
		// parenthesis, angle bracket or backslash.
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~:/?#[]@!$&*+,;=%", r)) {
			return false
		}
	}
	return true
}

// htmlText escapes as html/template does for text and quoted attributes.
var htmlText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// HTML is the confirmation's markup in the reader's language. It is built
// here rather than by a template: pages list many (one per action, session
// or measure), and executing a template of some twenty parts for each was a
// fair share of those pages' time. Every text is escaped as html/template
// would; the action is checked to be a path of ours by newConfirm.
func (c confirmStep) HTML() template.HTML {
	l := c.lang
	if l == "" {
		l = langEN
	}
	label := htmlText.Replace(l.translate(c.Label))
	var b strings.Builder
	b.Grow(700)
	b.WriteString(`<details class="confirm"`)
	if c.ID != "" {
		b.WriteString(` id="` + htmlText.Replace(c.ID) + `"`)
	}
	summaryClass := "primary"
	if c.Class != "" {
		summaryClass = htmlText.Replace(c.Class)
	}
	b.WriteString(`><summary class="` + summaryClass + `">` + label + `…</summary><div class="confirm-body" role="group" aria-label="` + label + `"><p class="consequence">`)
	if c.Name != "" {
		b.WriteString(`<strong>` + htmlText.Replace(c.Name) + `</strong>: `)
	}
	if c.Counted {
		b.WriteString(htmlText.Replace(l.translateCount(c.Consequence, c.Count)))
	} else {
		b.WriteString(htmlText.Replace(l.translate(c.Consequence)))
	}
	b.WriteString(`</p><form method="post" action="` + htmlText.Replace(c.Action) + `"><input type="hidden" name="csrf" value="` + htmlText.Replace(c.CSRF) + `">`)
	if c.From != "" {
		b.WriteString(`<input type="hidden" name="from" value="` + htmlText.Replace(c.From) + `">`)
	}
	if f := c.Field; f != nil {
		b.WriteString(`<label>` + htmlText.Replace(l.translate(f.Label)) + ` `)
		attrs := ""
		if f.Required {
			attrs += " required"
		}
		if f.MaxLength != 0 {
			attrs += ` maxlength="` + strconv.Itoa(f.MaxLength) + `"`
		}
		if f.Textarea {
			b.WriteString(`<textarea name="` + htmlText.Replace(f.Name) + `" rows="3"` + attrs + `>` + htmlText.Replace(f.Value) + `</textarea>`)
		} else {
			b.WriteString(`<input name="` + htmlText.Replace(f.Name) + `" value="` + htmlText.Replace(f.Value) + `"` + attrs + `>`)
		}
		b.WriteString(`</label>`)
	}
	b.WriteString(`<button type="submit"`)
	if c.Class != "" {
		b.WriteString(` class="` + htmlText.Replace(c.Class) + `"`)
	}
	b.WriteString(`>` + label + `</button> <small class="muted">` + htmlText.Replace(l.translate("To keep things as they are, close this box.")) + `</small></form></div></details>`)
	return template.HTML(b.String()) // every part escaped above
}
