// Package notice writes kamflow's notifications in their reader's
// language. Workflows keep each message by key and parameters
// (workflows.NoticeText) beside its English subject and body; the
// notifications page and the mailer both render it here. A message kept
// only in English (written before, or with a key this catalogue does not
// know) is shown as it was stored.
package notice

import (
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	textlang "golang.org/x/text/language"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// Languages the catalogue speaks; any other reads English.
const (
	English = "en"
	German  = "de"
)

// Notification is n's subject and body in the language, its date-times in
// loc (nil: UTC); the stored English when n has no text by key or its
// key or parameters do not fit the catalogue.
func Notification(language string, loc *time.Location, n store.Notification) (subject, body string) {
	if key, args, ok := n.Text(); ok {
		if s, b, ok := RenderIn(language, loc, key, args); ok {
			return s, b
		}
	}
	return n.Subject, n.Body
}

// Render writes a notification by key and parameters in the language,
// date-times in UTC; ok is false when the key is unknown or the
// parameters do not fit it.
func Render(language, key string, args []string) (subject, body string, ok bool) {
	return RenderIn(language, time.UTC, key, args)
}

// RenderIn is Render with date-times in loc (nil: UTC).
func RenderIn(language string, loc *time.Location, key string, args []string) (subject, body string, ok bool) {
	t, known := texts[key]
	if !known || len(args) < t.fixed || (t.rest == "" && len(args) > t.fixed) {
		return "", "", false
	}
	if loc == nil {
		loc = time.UTC
	}
	l := langOf(language)
	count := 0
	if t.count > 0 {
		n, err := strconv.Atoi(args[t.count-1])
		if err != nil {
			return "", "", false
		}
		count = n
	}
	pairs := make([]string, 0, 8*len(args))
	for i := 0; i < t.fixed; i++ {
		p, ok := l.placeholders(i+1, t.kinds[i+1], args[i], loc)
		if !ok {
			return "", "", false
		}
		pairs = append(pairs, p...)
	}
	if t.rest != "" {
		rest, ok := l.list(t.rest, args[t.fixed:], loc)
		if !ok {
			return "", "", false
		}
		pairs = append(pairs, "{rest}", rest)
	}
	fill := strings.NewReplacer(pairs...)
	subject = fill.Replace(l.localize(key+".subject", -1))
	pc := -1
	if t.count > 0 {
		pc = count
	}
	body = fill.Replace(l.localize(key+".body", pc))
	return subject, body, true
}

// Kinds of parameters: how each is shown.
type kind string

const (
	kindText    kind = ""        // as given
	kindDate    kind = "date"    // YYYY-MM-DD
	kindMoment  kind = "moment"  // RFC 3339, in the reader's zone
	kindNumber  kind = "number"  // an integer, grouped as the language writes it
	kindPhase   kind = "phase"   // a programme phase's key
	kindReason  kind = "reason"  // a handover's reason
	kindItem    kind = "item"    // a handover's open item
	kindWhy     kind = "why"     // why a training enrolment ended
	kindAgenda  kind = "agenda"  // a workshop agenda (kamflow's own is translated)
	kindSummary kind = "summary" // a jour fixe's pooled picture
	kindList    kind = "list"    // the rest: texts in a sentence
)

type lang string

func langOf(language string) lang {
	if language == German || strings.HasPrefix(language, German+"-") {
		return German
	}
	return English
}

// placeholders are the replacements of parameter n: {n} in its kind's
// form; {n:q} quoted; a moment's {n:day} and {n:time} too.
func (l lang) placeholders(n int, k kind, v string, loc *time.Location) ([]string, bool) {
	p := "{" + strconv.Itoa(n)
	out := []string{p + ":q}", l.quote(v)}
	switch k {
	case kindDate:
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return nil, false
		}
		return append(out, p+"}", l.date(d)), true
	case kindMoment:
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, false
		}
		at = at.In(loc)
		return append(out, p+"}", l.moment(at), p+":day}", l.date(at), p+":time}", at.Format("15:04 MST")), true
	case kindNumber:
		i, err := strconv.Atoi(v)
		if err != nil {
			return nil, false
		}
		return append(out, p+"}", l.number(i)), true
	case kindAgenda:
		v = Agenda(string(l), v)
	case kindSummary:
		v = l.summary(v)
	case kindPhase, kindReason, kindItem, kindWhy:
		v = l.label(k, v)
		out[1] = l.quote(v)
	}
	return append(out, p+"}", v), true
}

// list writes the rest of the parameters: moments one a line, others in a
// sentence.
func (l lang) list(k kind, vs []string, loc *time.Location) (string, bool) {
	out := make([]string, len(vs))
	for i, v := range vs {
		switch k {
		case kindMoment:
			at, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return "", false
			}
			out[i] = "- " + l.moment(at.In(loc))
		case kindItem:
			out[i] = l.label(k, v)
		default:
			out[i] = v
		}
	}
	if k == kindMoment {
		return strings.Join(out, "\n"), true
	}
	return strings.Join(out, ", "), true
}

// label is a vocabulary value in the language; a value without one reads
// with spaces for its underscores, never as a raw key.
func (l lang) label(k kind, v string) string {
	if ls, ok := labels[k][v]; ok {
		if l == German {
			return ls[1]
		}
		return ls[0]
	}
	if k == kindWhy {
		return v // a person's words
	}
	return strings.ReplaceAll(v, "_", " ")
}

func (l lang) quote(s string) string {
	if l == German {
		return "„" + s + "“"
	}
	return "“" + s + "”"
}

// date writes a day as the language writes it (as the pages do).
func (l lang) date(t time.Time) string {
	if l == German {
		return t.Format("02.01.2006")
	}
	return t.Format("2 Jan 2006")
}

// moment writes a day and time of day with the zone's abbreviation.
func (l lang) moment(t time.Time) string { return l.date(t) + " " + t.Format("15:04 MST") }

func (l lang) number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if l == German {
		sep = "."
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// localize is a catalogue message; count < 0: the message has no count.
func (l lang) localize(id string, count int) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if count >= 0 {
		cfg.PluralCount = count
	}
	out, err := localizers[l].Localize(cfg)
	if err != nil {
		panic(err) // every key has every message: the catalogue's test holds it
	}
	return out
}

var localizers = newLocalizers()

func newLocalizers() map[lang]*i18n.Localizer {
	b := i18n.NewBundle(textlang.English)
	var en, de []*i18n.Message
	for key, t := range texts {
		en = append(en, &i18n.Message{ID: key + ".subject", Other: t.en.subject}, &i18n.Message{ID: key + ".body", One: t.en.bodyOne, Other: t.en.body})
		de = append(de, &i18n.Message{ID: key + ".subject", Other: t.de.subject}, &i18n.Message{ID: key + ".body", One: t.de.bodyOne, Other: t.de.body})
	}
	for _, m := range plurals {
		en = append(en, &i18n.Message{ID: m.id, One: m.en[0], Other: m.en[1]})
		de = append(de, &i18n.Message{ID: m.id, One: m.de[0], Other: m.de[1]})
	}
	if err := b.AddMessages(textlang.English, en...); err != nil {
		panic(err) // the catalogue is compiled in; a broken one must not start
	}
	if err := b.AddMessages(textlang.German, de...); err != nil {
		panic(err)
	}
	return map[lang]*i18n.Localizer{English: i18n.NewLocalizer(b, English), German: i18n.NewLocalizer(b, German)}
}

// Agenda writes an agenda kamflow proposed (workflows.WorkshopAgenda) in
// the language; one a person wrote or changed is shown as it is.
func Agenda(language, text string) string {
	customer, ok := workflows.AgendaCustomer(text)
	if !ok || langOf(language) != German {
		return text
	}
	var b strings.Builder
	b.WriteString(strings.Replace(agendaDE[workflows.AgendaIntro], "%s", customer, 1) + "\n")
	for i, q := range workflows.GuidingQuestions() {
		b.WriteString(strconv.Itoa(i+1) + ". " + agendaDE[q] + "\n")
	}
	b.WriteString(agendaDE[workflows.AgendaClose])
	return b.String()
}
