package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/kamflow/kamflow/workflows"
)

// timelineSVG draws the programme's milestone view (buildTimeline's
// layout) as SVG: the year ticks, per phase its label, status, planned and
// actual bars and gate diamonds, and today. It is written in Go, not in
// the template: the programme page draws eleven such rows on every view,
// and each costs the template engine dozens of reflective calls
// (bench/RESULTS.md measures the gain).
func (l lang) timelineSVG(tl timeline) template.HTML {
	var b strings.Builder
	b.Grow(1024 + 1400*len(tl.Rows))
	num := func(n int) { b.WriteString(strconv.Itoa(n)) }
	text := func(s string) { writeEscaped(&b, s) }

	b.WriteString(`<svg class="timeline" width="100%" height="`)
	num(tl.Height)
	b.WriteString(`" role="group" aria-labelledby="timeline-title">` + "\n  " + `<title id="timeline-title">`)
	text(l.translate("Milestones: planned and actual phases"))
	b.WriteString(`</title>` + "\n  " + `<defs><path id="milestone" d="M0,-7L7,0L0,7L-7,0Z"/></defs>` + "\n  ")

	bottom := tl.Bottom()
	for _, tick := range tl.Ticks {
		x := pct(tick.X)
		b.WriteString(`<line x1="` + x + `" x2="` + x + `" y1="`)
		if tick.Label != "" {
			num(tl.AxisY)
		} else {
			b.WriteString("20")
		}
		b.WriteString(`" y2="`)
		num(bottom)
		b.WriteString(`" class="tick`)
		if tick.Label != "" {
			b.WriteString(` year`)
		}
		b.WriteString(`"/>`)
		if tick.Label != "" {
			b.WriteString(`<text x="` + x + `" y="`)
			num(tl.AxisY)
			b.WriteString(`" text-anchor="`)
			text(tick.Anchor)
			b.WriteString(`" dx="`)
			switch tick.Anchor {
			case "start":
				b.WriteString("3")
			case "end":
				b.WriteString("-3")
			default:
				b.WriteString("0")
			}
			b.WriteString(`" class="year">`)
			text(tick.Label)
			b.WriteString(`</text>`)
		}
	}
	b.WriteString("\n  ")

	for _, r := range tl.Rows {
		l.writeTimelineRow(&b, tl, r)
	}

	b.WriteString("\n  ")
	if tl.ShowToday {
		x := pct(tl.TodayX)
		b.WriteString(`<line x1="` + x + `" x2="` + x + `" y1="`)
		num(tl.AxisY)
		b.WriteString(`" y2="`)
		num(bottom)
		b.WriteString(`" class="today"/><text x="` + x + `" y="`)
		num(tl.TodayY)
		b.WriteString(`" text-anchor="`)
		text(tl.TodayAnchor)
		b.WriteString(`" class="today">`)
		text(l.translate("today"))
		b.WriteString(" ")
		text(l.formatDate(tl.Today))
		b.WriteString(`</text>`)
	}
	b.WriteString("\n</svg>")
	return template.HTML(b.String())
}

// writeTimelineRow writes one phase: a link to its section holding its
// title (what a screen reader and a hover say), the current row's
// highlight, label, status text, bars and milestones.
func (l lang) writeTimelineRow(b *strings.Builder, tl timeline, r timelineRow) {
	text := func(s string) { writeEscaped(b, s) }
	num := func(n int) { b.WriteString(strconv.Itoa(n)) }
	date := func(t *time.Time) {
		if t != nil {
			text(l.formatDate(*t))
		}
	}
	phase := l.translate(phaseTitle(string(r.Phase)))
	done := r.Status == workflows.PhaseDone

	b.WriteString("\n  " + `<a href="#phase-`)
	writeURLPart(b, string(r.Phase))
	b.WriteString(`" class="phase `)
	text(string(r.Status))
	if r.Current {
		b.WriteString(" current")
	}
	if r.Late {
		b.WriteString(" late")
	}
	b.WriteString(`">` + "\n    <title>")
	text(phase)
	if r.Gate {
		b.WriteString(" (")
		text(l.translate("gate"))
		b.WriteString(")")
	}
	b.WriteString(": ")
	text(l.label("status", r.Status))
	b.WriteString("; ")
	text(l.translate("planned until"))
	b.WriteString(" ")
	date(&r.Due)
	if r.Started != nil {
		b.WriteString("; ")
		text(l.translate("started"))
		b.WriteString(" ")
		date(r.Started)
	}
	if r.Finished != nil {
		b.WriteString("; ")
		text(l.translate("finished"))
		b.WriteString(" ")
		date(r.Finished)
	}
	if r.Late {
		text(l.translate(", late"))
	}
	b.WriteString("</title>\n    ")
	if r.Current {
		b.WriteString(`<rect x="0" y="`)
		num(r.Y)
		b.WriteString(`" width="100%" height="`)
		num(tl.RowH)
		b.WriteString(`" class="current-row"/>`)
	}
	b.WriteString("\n    " + `<text x="4" y="`)
	num(r.LabelY())
	b.WriteString(`" class="label">`)
	if r.Current {
		b.WriteString("▸ ")
	}
	text(phase)
	b.WriteString(`</text>` + "\n    " + `<text x="100%" dx="-4" y="`)
	num(r.LabelY())
	b.WriteString(`" text-anchor="end" class="status">`)
	if done {
		b.WriteString(`<tspan class="wide">`)
		text(l.translate("done"))
		b.WriteString(` </tspan><tspan class="narrow">✓ </tspan>`)
		date(r.Finished)
	} else {
		b.WriteString(`<tspan class="wide">`)
		if r.Status == workflows.PhaseSubmitted {
			text(l.translate("submitted"))
			b.WriteString(" · ")
		}
		text(l.translate("due"))
		b.WriteString(` </tspan>`)
		date(&r.Due)
	}
	if r.Late {
		b.WriteString(`<tspan class="wide">`)
		text(l.translate(", late"))
		b.WriteString(`</tspan><tspan class="narrow"> !</tspan>`)
	}
	b.WriteString(`</text>` + "\n    " + `<rect x="` + pct(r.PlanX) + `" y="`)
	num(r.PlanY())
	b.WriteString(`" width="` + pct(r.PlanW) + `" height="6" class="planned"/>` + "\n    ")
	if r.HasActual {
		b.WriteString(`<rect x="` + pct(r.ActX) + `" y="`)
		num(r.ActY())
		b.WriteString(`" width="` + pct(r.ActW) + `" height="8" class="actual`)
		if r.Late {
			b.WriteString(" late")
		}
		b.WriteString(`"/>`)
	}
	b.WriteString("\n    ")
	if r.Gate {
		b.WriteString(`<use href="#milestone" x="` + pct(r.MilestoneX) + `" y="`)
		num(r.MarkY())
		b.WriteString(`" class="milestone due`)
		if r.Late && !r.Passed {
			b.WriteString(" late")
		}
		b.WriteString(`"/>`)
		if r.Passed {
			b.WriteString(`<use href="#milestone" x="` + pct(r.PassedX) + `" y="`)
			num(r.MarkY())
			b.WriteString(`" class="milestone passed`)
			if r.Late {
				b.WriteString(" late")
			}
			b.WriteString(`"/>`)
		}
	}
	b.WriteString("\n  </a>\n  ")
}
