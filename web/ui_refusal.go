package web

import (
	"errors"
	"sort"
	"strings"
)

// formRefusal is a refused form as its page shows it (one mechanism for
// every form): each reason at the input it is about, named as the form
// names it (Fields), and on top only what belongs to no field (Message).
// The page is rendered again from the posted values with Status (422 for
// invalid input) — no redirect — and the templates translate each reason
// through the catalogue ("fielderror", {{t .}}).
type formRefusal struct {
	Status  int
	Message string
	Fields  map[string]string
}

// refusalOf reads a refusal from the workflows' validators' typed errors
// (their field names, e.g. actions[0].due) or the web's own checks;
// rename maps such a name to the form's input name (nil keeps it). ok is
// false for a server error, which the error page shows.
func refusalOf(err error, rename func(string) string) (formRefusal, bool) {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return formRefusal{}, false
	}
	r := formRefusal{Status: ae.Status}
	if len(ae.Fields) == 0 {
		r.Message = ae.Message
		return r, true
	}
	r.Fields = make(map[string]string, len(ae.Fields))
	for f, m := range ae.Fields {
		if rename != nil {
			f = rename(f)
		}
		r.Fields[f] = m
	}
	return r, true
}

// At is the reason at the input named field, or "".
func (r formRefusal) At(field string) string { return r.Fields[field] }

// text is a refusal for a page that has no place at a field for it: the
// reasons themselves (each a catalogue text), never the API's "the
// request has invalid fields" nor a field's technical name.
func (e *apiError) text() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	names := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	reasons := make([]string, 0, len(names))
	for _, f := range names {
		reasons = append(reasons, e.Fields[f])
	}
	return strings.Join(reasons, refusalSeparator)
}

// refusalSeparator joins the reasons of a refusal shown on top; the
// catalogue translates each.
const refusalSeparator = " · "
