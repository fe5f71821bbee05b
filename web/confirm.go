package web

import "fmt"

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
	f := &confirmField{}
	texts := map[string]*string{"id": &c.ID, "csrf": &c.CSRF, "action": &c.Action, "label": &c.Label, "class": &c.Class,
		"name": &c.Name, "consequence": &c.Consequence, "field": &f.Name, "fieldlabel": &f.Label, "fieldvalue": &f.Value, "from": &c.From}
	numbers := map[string]*int{"count": &c.Count, "maxlength": &f.MaxLength}
	flags := map[string]*bool{"textarea": &f.Textarea, "required": &f.Required}
	if len(kv)%2 != 0 {
		return c, fmt.Errorf("confirm: odd number of arguments")
	}
	for i := 0; i < len(kv); i += 2 {
		key, _ := kv[i].(string)
		ok := false
		switch v := kv[i+1].(type) {
		case string:
			var p *string
			if p, ok = texts[key]; ok {
				*p = v
			}
		case int:
			var p *int
			if p, ok = numbers[key]; ok {
				*p = v
			}
		case bool:
			var p *bool
			if p, ok = flags[key]; ok {
				*p = v
			}
		}
		if !ok {
			return c, fmt.Errorf("confirm: unknown key %q or a value of the wrong type (%T)", key, kv[i+1])
		}
		c.Counted = c.Counted || key == "count"
	}
	if f.Name != "" {
		c.Field = f
	}
	if c.Action == "" || c.Label == "" || c.Consequence == "" {
		return c, fmt.Errorf("confirm: action, label and consequence are required")
	}
	return c, nil
}
