package web

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
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

// fromAcceptLanguage returns the supported language with the highest
// q-value (earlier wins ties), or English.
func fromAcceptLanguage(header string) lang {
	best, bestQ := langEN, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range uiLanguages {
			if primary == string(l) && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// translate returns the German text for an English message, or the
// message itself when it has no translation (names, numbers, user text).
func (l lang) translate(msg string) string {
	if l == langDE {
		if t, ok := german[msg]; ok {
			return t
		}
	}
	return msg
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
		"t":          l.translate,
		"date":       l.formatDate,
		"num":        func(v any) string { return l.formatNumber(v, 0) },
		"dec":        func(v any) string { return l.formatNumber(v, 1) },
		"phaseLabel": func(p string) string { return l.translate(phaseTitle(p)) },
		"lang":       func() string { return string(l) },
		"days":       func(hours float64) int { return int(hours / 24) },
		"list":       func(v ...string) []string { return v },
	}
}
