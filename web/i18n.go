package web

import (
	"fmt"
	"html/template"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	textlang "golang.org/x/text/language"
)

// lang is a language the UI speaks.
type lang string

const (
	langEN lang = "en"
	langDE lang = "de"
)

// uiLanguages are parsed into their own template sets, once, at start.
var uiLanguages = []lang{langEN, langDE}

// language picks the UI language: the signed-in user's choice, else the
// browser's Accept-Language, else English.
func language(c echo.Context) lang {
	if u := currentUser(c); u != nil {
		switch lang(u.Language) {
		case langEN, langDE:
			return lang(u.Language)
		}
	}
	return fromAcceptLanguage(c.Request().Header.Get("Accept-Language"))
}

// uiTags are uiLanguages as language tags, in the same order.
var uiTags = []textlang.Tag{textlang.English, textlang.German}

var langMatcher = textlang.NewMatcher(uiTags)

// fromAcceptLanguage matches the browser's Accept-Language against the
// UI's languages (x/text's matcher: q-values, regions and scripts), or
// English when nothing matches or the header cannot be read.
func fromAcceptLanguage(header string) lang {
	tags, _, err := textlang.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return langEN
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == textlang.No {
		return langEN
	}
	return uiLanguages[i]
}

// The catalogue: the UI's English texts are the message IDs; German
// comes from the german map (i18n_de.go) and the plural messages below,
// loaded once into a go-i18n bundle, which applies CLDR's plural rules.
var localizers = newLocalizers()

// pluralMessages are texts with a count, per language and CLDR plural form.
var pluralMessages = []struct {
	id                             string
	enOne, enOther, deOne, deOther string
}{
	{id: "not met for {{.Count}} days", enOne: "not met for {{.Count}} day", enOther: "not met for {{.Count}} days",
		deOne: "seit {{.Count}} Tag nicht getroffen", deOther: "seit {{.Count}} Tagen nicht getroffen"},
	{id: "{{.Count}} days", enOne: "{{.Count}} day", enOther: "{{.Count}} days", deOne: "{{.Count}} Tag", deOther: "{{.Count}} Tage"},
	{id: "{{.Count}} unread messages", enOne: "{{.Count}} unread message", enOther: "{{.Count}} unread messages",
		deOne: "{{.Count}} ungelesene Nachricht", deOther: "{{.Count}} ungelesene Nachrichten"},
	{id: "The customer leaves the lists, the search and the selection; its {{.Count}} key accounts keep their history, and it can be restored from the archived customers.",
		enOne:   "The customer leaves the lists, the search and the selection; its {{.Count}} key account keeps its history, and it can be restored from the archived customers.",
		enOther: "The customer leaves the lists, the search and the selection; its {{.Count}} key accounts keep their history, and it can be restored from the archived customers.",
		deOne:   "Der Kunde verschwindet aus den Listen, der Suche und der Auswahl; sein {{.Count}} Schlüsselkunden-Eintrag behält seine Historie, und er kann aus den archivierten Kunden wiederhergestellt werden.",
		deOther: "Der Kunde verschwindet aus den Listen, der Suche und der Auswahl; seine {{.Count}} Schlüsselkunden-Einträge behalten ihre Historie, und er kann aus den archivierten Kunden wiederhergestellt werden."},
	{id: "{{.Count}} people enrolled or waitlisted will be told the session is cancelled. A cancelled session cannot be reopened.",
		enOne:   "{{.Count}} person enrolled or waitlisted will be told the session is cancelled. A cancelled session cannot be reopened.",
		enOther: "{{.Count}} people enrolled or waitlisted will be told the session is cancelled. A cancelled session cannot be reopened.",
		deOne:   "{{.Count}} angemeldete oder wartende Person erfährt, dass der Termin abgesagt ist. Ein abgesagter Termin lässt sich nicht wieder öffnen.",
		deOther: "{{.Count}} angemeldete oder wartende Personen erfahren, dass der Termin abgesagt ist. Ein abgesagter Termin lässt sich nicht wieder öffnen."},
	{id: "The programme ends for good with its {{.Count}} open phases: nothing more can be submitted or approved, and its reminders stop. A cancelled programme cannot be resumed.",
		enOne:   "The programme ends for good with its {{.Count}} open phase: nothing more can be submitted or approved, and its reminders stop. A cancelled programme cannot be resumed.",
		enOther: "The programme ends for good with its {{.Count}} open phases: nothing more can be submitted or approved, and its reminders stop. A cancelled programme cannot be resumed.",
		deOne:   "Das Programm endet endgültig mit seiner {{.Count}} offenen Phase: Nichts kann mehr eingereicht oder freigegeben werden, und seine Erinnerungen enden. Ein abgebrochenes Programm lässt sich nicht fortsetzen.",
		deOther: "Das Programm endet endgültig mit seinen {{.Count}} offenen Phasen: Nichts kann mehr eingereicht oder freigegeben werden, und seine Erinnerungen enden. Ein abgebrochenes Programm lässt sich nicht fortsetzen."},
	{id: "Signing off fixes the findings: they can no longer be changed. The {{.Count}} open measures stay open and their owners are still reminded.",
		enOne:   "Signing off fixes the findings: they can no longer be changed. The {{.Count}} open measure stays open and its owner is still reminded.",
		enOther: "Signing off fixes the findings: they can no longer be changed. The {{.Count}} open measures stay open and their owners are still reminded.",
		deOne:   "Mit dem Abzeichnen stehen die Erkenntnisse fest: Sie lassen sich nicht mehr ändern. Die {{.Count}} offene Massnahme bleibt offen, und ihre verantwortliche Person wird weiter erinnert.",
		deOther: "Mit dem Abzeichnen stehen die Erkenntnisse fest: Sie lassen sich nicht mehr ändern. Die {{.Count}} offenen Massnahmen bleiben offen, und ihre Verantwortlichen werden weiter erinnert."},
	{id: "Session cancelled; {{.Count}} people enrolled or waitlisted are being told.",
		enOne:   "Session cancelled; {{.Count}} person enrolled or waitlisted is being told.",
		enOther: "Session cancelled; {{.Count}} people enrolled or waitlisted are being told.",
		deOne:   "Termin abgesagt; {{.Count}} angemeldete oder wartende Person wird benachrichtigt.",
		deOther: "Termin abgesagt; {{.Count}} angemeldete oder wartende Personen werden benachrichtigt."},
	{id: "reminder {{.Count}} days before the due date", enOne: "reminder {{.Count}} day before the due date", enOther: "reminder {{.Count}} days before the due date",
		deOne: "Erinnerung {{.Count}} Tag vor dem Termin", deOther: "Erinnerung {{.Count}} Tage vor dem Termin"},
	{id: "reminder {{.Count}} hours before the due date", enOne: "reminder {{.Count}} hour before the due date", enOther: "reminder {{.Count}} hours before the due date",
		deOne: "Erinnerung {{.Count}} Stunde vor dem Termin", deOther: "Erinnerung {{.Count}} Stunden vor dem Termin"},
	{id: "{{.Count}} candidates meet at least {2} criteria", enOne: "{{.Count}} candidate meets at least {2} criteria", enOther: "{{.Count}} candidates meet at least {2} criteria",
		deOne: "{{.Count}} Kandidat erfüllt mindestens {2} Kriterien", deOther: "{{.Count}} Kandidaten erfüllen mindestens {2} Kriterien"},
	{id: "from {{.Count}} inputs", enOne: "from {{.Count}} input", enOther: "from {{.Count}} inputs", deOne: "aus {{.Count}} Beitrag", deOther: "aus {{.Count}} Beiträgen"},
	{id: "{{.Count}} open items", enOne: "{{.Count}} open item", enOther: "{{.Count}} open items", deOne: "{{.Count}} offener Punkt", deOther: "{{.Count}} offene Punkte"},
}

func newLocalizers() map[lang]*i18n.Localizer {
	b := i18n.NewBundle(textlang.English)
	de := make([]*i18n.Message, 0, len(german))
	for id, text := range german {
		de = append(de, &i18n.Message{ID: id, Other: text})
	}
	for _, p := range pluralMessages {
		if err := b.AddMessages(textlang.English, &i18n.Message{ID: p.id, One: p.enOne, Other: p.enOther}); err != nil {
			panic(err)
		}
		de = append(de, &i18n.Message{ID: p.id, One: p.deOne, Other: p.deOther})
	}
	if err := b.AddMessages(textlang.German, de...); err != nil {
		panic(err) // the catalogue is compiled in; a broken one must not start
	}
	return map[lang]*i18n.Localizer{langEN: i18n.NewLocalizer(b, "en"), langDE: i18n.NewLocalizer(b, "de")}
}

// translate returns the text for an English message in the language, or
// the message itself when it has no translation (names, numbers, user text).
func (l lang) translate(msg string) string {
	if l == langEN || msg == "" {
		return msg
	}
	out, err := localizers[l].Localize(&i18n.LocalizeConfig{MessageID: msg})
	if err == nil {
		return out
	}
	if l == langDE {
		// Several refusals shown together (apiError.text): each on its own.
		if parts := strings.Split(msg, refusalSeparator); len(parts) > 1 {
			for i, p := range parts {
				parts[i] = l.translate(p)
			}
			return strings.Join(parts, refusalSeparator)
		}
		if out, ok := germanPatternsCompiled.translate(msg); ok {
			return out
		}
	}
	return msg
}

// messagePattern is a message with parameters ("no session %s"): the
// English as a pattern, each %s any text, and the translation with the
// same %s in order (or %[n]s to reorder).
type messagePattern struct {
	re      *regexp.Regexp
	english string
	out     string
}

type messagePatterns []messagePattern

// germanPatternsCompiled are germanPatterns, the longest English first so
// the most specific pattern wins.
var germanPatternsCompiled = compilePatterns(germanPatterns)

func compilePatterns(m map[string]string) messagePatterns {
	out := make(messagePatterns, 0, len(m))
	for en, tr := range m {
		parts := strings.Split(en, "%s")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		out = append(out, messagePattern{re: regexp.MustCompile("^" + strings.Join(parts, "(.+?)") + "$"), english: en, out: tr})
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].english) != len(out[j].english) {
			return len(out[i].english) > len(out[j].english)
		}
		return out[i].english < out[j].english
	})
	return out
}

// germanWord is a pattern's parameter in German when the catalogue knows
// it, also as written in mid-sentence (a label's first letter lowered).
func germanWord(a string) string {
	if tr, ok := german[a]; ok {
		return tr
	}
	// A stored value (in_progress) reads as its label (in progress).
	if tr, ok := german[enumLabel("", a)]; ok {
		return tr
	}
	if a == "" {
		return a
	}
	r, n := utf8.DecodeRuneInString(a)
	if tr, ok := german[string(unicode.ToUpper(r))+a[n:]]; ok {
		return tr
	}
	return a
}

// translate renders msg by the first pattern it matches; a parameter the
// catalogue knows (a phase, a state) is translated too.
func (ps messagePatterns) translate(msg string) (string, bool) {
	for _, p := range ps {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := make([]any, 0, len(m)-1)
		for _, a := range m[1:] {
			args = append(args, germanWord(a))
		}
		return fmt.Sprintf(p.out, args...), true
	}
	return "", false
}

// translateCount returns a message with a count in the language's plural
// form for it ("1 day", "2 days"; "1 Tag", "2 Tage").
func (l lang) translateCount(msg string, count int) string {
	out, err := localizers[l].Localize(&i18n.LocalizeConfig{MessageID: msg, PluralCount: count, TemplateData: map[string]any{"Count": l.formatNumber(count, 0)}})
	if err != nil {
		return strings.ReplaceAll(msg, "{{.Count}}", strconv.Itoa(count))
	}
	return out
}

// translateWith returns a message with its parameters {1}, {2}… filled
// in after translation, so each language puts them where it needs them.
func (l lang) translateWith(msg string, args ...any) string {
	values := make([]string, 0, len(args))
	for _, a := range args {
		v := fmt.Sprint(a)
		switch n := a.(type) {
		case int, int64, uint, float64:
			v = l.formatNumber(n, 1)
		}
		values = append(values, v)
	}
	return fillPlaceholders(l.translate(msg), values)
}

// fillPlaceholders puts values[i-1] where s says {i}, in one pass (what a
// strings.Replacer of the pairs does, without building one per message:
// pages fill hundreds). Braces around anything else, and numbers without
// a value, stay as they are; a value is never filled in again.
func fillPlaceholders(s string, values []string) string {
	first := strings.IndexByte(s, '{')
	if first < 0 || len(values) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16*len(values))
	b.WriteString(s[:first])
	for i := first; i < len(s); {
		if s[i] == '{' {
			j := i + 1
			for j < len(s) && j-i <= 4 && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j > i+1 && j < len(s) && s[j] == '}' {
				if n, err := strconv.Atoi(s[i+1 : j]); err == nil && n >= 1 && n <= len(values) && s[i+1] != '0' {
					b.WriteString(values[n-1])
					i = j + 1
					continue
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// quote puts a person's words in the language's quotation marks.
func (l lang) quote(s string) string {
	if l == langDE {
		return "„" + s + "“"
	}
	return "“" + s + "”"
}

// formatDate writes a day as the language writes it.
func (l lang) formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l == langDE {
		return t.Format("02.01.2006")
	}
	return t.Format("2 Jan 2006")
}

// formatNumber writes a number with the language's grouping and decimal
// separators, at most decimals places (trailing zeros dropped).
func (l lang) formatNumber(v any, decimals int) string {
	var f float64
	switch n := v.(type) {
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case uint:
		f = float64(n)
	case float64:
		f = n
	case float32:
		f = float64(n)
	default:
		return ""
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	group, point := ",", "."
	if l == langDE {
		group, point = ".", ","
	}
	var b strings.Builder
	if neg && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString(point + frac)
	}
	return b.String()
}

// funcsFor binds the template functions to one language.
func funcsFor(l lang) template.FuncMap {
	return template.FuncMap{
		"t":    l.translate,
		"tn":   l.translateCount,
		"date": l.formatDate,
		// day, when and localInput take the reader's zone ($.Zone) first.
		"day":           l.formatDay,
		"when":          l.formatWhen,
		"localInput":    localInput,
		"tf":            l.translateWith,
		"quote":         l.quote,
		"handoverNote":  l.handoverNote,
		"num":           func(v any) string { return l.formatNumber(v, 0) },
		"dec":           func(v any) string { return l.formatNumber(v, 1) },
		"phaseLabel":    func(p string) string { return l.translate(phaseTitle(p)) },
		"pct":           pct,
		"lang":          func() string { return string(l) },
		"label":         l.label,
		"agenda":        l.agenda,
		"days":          func(hours float64) int { return int(hours / 24) },
		"list":          func(v ...string) []string { return v },
		"handoverLabel": handoverLabel,
		// sameEmail compares e-mail addresses as the policy does.
		"sameEmail": strings.EqualFold,
		"confirm":   l.confirm,
		// ownerForm and timelineSVG are markup a page repeats, built in Go.
		"ownerForm":   l.ownerForm,
		"timelineSVG": l.timelineSVG,
		// The training desk's long tables and its sessions select
		// (training_rows.go).
		"trainingSessionRows":    l.trainingSessionRows,
		"trainingStandingRows":   l.trainingStandingRows,
		"sessionOptions":         l.sessionOptions,
		"awaitingAttendanceRows": l.awaitingAttendanceRows,
		"recordedAttendanceRows": l.recordedAttendanceRows,
		// The customer and contact lists' rows (list_rows.go).
		"customerRows": l.customerRows,
		"contactRows":  l.contactRows,
		// The start page's programmes (list_rows.go) and HR's tables
		// (home_rows.go).
		"programmeRows":       l.programmeRows,
		"freeSessionRows":     l.freeSessionRows,
		"missingTrainingRows": l.missingTrainingRows,
		// The key accounts' rows and the programme select (list_rows.go).
		"keyAccountRows":          l.keyAccountRows,
		"programmeKeyAccountRows": l.programmeKeyAccountRows,
		"programmeOptions":        programmeOptions,
		// The contact matrix's rows (matrix_rows.go).
		"contactMatrixRows": l.contactMatrixRows,
		// The programme page's audit trail and jour fixes (programme_rows.go).
		"auditRows":    l.auditRows,
		"jourFixeRows": l.jourFixeRows,
		"phaseRows":    l.phaseRows,
		// The selection's score table (selection_rows.go).
		"selectionRows": l.selectionRows,
	}
}
