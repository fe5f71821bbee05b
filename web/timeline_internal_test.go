package web

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/workflows"
)

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func dayPtr(s string) *time.Time { d := day(s); return &d }

// timelineProgramme: set-up done in time, the strategy gate passed late,
// the criteria gate running past its due date, the KAM profile pending.
func timelineProgramme() workflows.ProgrammeState {
	return workflows.ProgrammeState{
		Name: "KAM Timeline AG", Status: workflows.StatusActive, StartDate: day("2026-01-05"), CurrentPhase: workflows.PhaseCriteria,
		Phases: []workflows.PhaseState{
			{Phase: workflows.PhaseSetup, Status: workflows.PhaseDone, Due: day("2026-02-05"), StartedAt: dayPtr("2026-01-05"), CompletedAt: dayPtr("2026-02-01")},
			{Phase: workflows.PhaseStrategy, Gate: true, Status: workflows.PhaseDone, Due: day("2026-03-05"), StartedAt: dayPtr("2026-02-01"),
				ApprovedAt: dayPtr("2026-03-20"), CompletedAt: dayPtr("2026-03-20")},
			{Phase: workflows.PhaseCriteria, Gate: true, Status: workflows.PhaseInProgress, Due: day("2026-04-30"), StartedAt: dayPtr("2026-03-20")},
			{Phase: workflows.PhaseKAMProfile, Status: workflows.PhasePending, Due: day("2026-06-30")},
		},
	}
}

// renderTimeline renders the programme page in l and returns its timeline.
func renderTimeline(t *testing.T, l lang, st workflows.ProgrammeState, now time.Time) string {
	t.Helper()
	ps, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	p := &programmePage{ID: 7, State: st, Timeline: buildTimeline(st, now), Now: now}
	var buf bytes.Buffer
	if err := ps.byLang[l]["programme.html"].Execute(&buf, view{Data: p}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	from, to := strings.Index(html, `<svg class="timeline"`), strings.Index(html, `</svg>`)
	if from < 0 || to < from {
		t.Fatalf("no timeline on the page:\n%s", html)
	}
	return html[from : to+len("</svg>")]
}

var (
	svgHeight = regexp.MustCompile(`<svg class="timeline" width="100%" height="(\d+)"`)
	todayText = regexp.MustCompile(`<text x="([\d.]+)%" y="(\d+)" text-anchor="(\w+)" class="today">([^<]*)</text>`)
)

// TestTimelineIsAMilestoneView: gates are diamonds at their due dates and
// where they were passed, the current phase is marked, late runs are red,
// every phase links to its row, and today is labelled inside the chart.
func TestTimelineIsAMilestoneView(t *testing.T) {
	now := day("2026-05-10")
	svg := renderTimeline(t, langEN, timelineProgramme(), now)

	for _, want := range []string{
		// Every phase links to its section of the page.
		`<a href="#phase-setup" class="phase done">`,
		`<a href="#phase-strategy" class="phase done late">`,
		`<a href="#phase-criteria" class="phase in_progress current late">`,
		`<a href="#phase-kam_profile" class="phase pending">`,
		// The current phase's row is highlighted and its label marked.
		`class="current-row"`, `▸ Criteria</text>`,
		// Late runs are red: the strategy finished after its due date,
		// the criteria run on past theirs.
		`class="actual late"`,
		// Planned against actual: the text says both, in full on wide
		// screens, as a marked date on narrow ones.
		`<tspan class="wide">done </tspan><tspan class="narrow">✓ </tspan>1 Feb 2026</text>`,
		`<tspan class="wide">due </tspan>30 Apr 2026<tspan class="wide">, late</tspan><tspan class="narrow"> !</tspan></text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the timeline lacks %s:\n%s", want, svg)
		}
	}
	// Gates as milestones: strategy's due and passed, criteria's due (and
	// missed); the phases without a gate have none.
	if n := strings.Count(svg, `<use href="#milestone"`); n != 3 {
		t.Errorf("%d milestones, want 3 (two gates, one passed):\n%s", n, svg)
	}
	if !strings.Contains(svg, `class="milestone passed late"`) || !strings.Contains(svg, `class="milestone due late"`) {
		t.Errorf("the passed-late and missed gates are not marked:\n%s", svg)
	}
	setup := svg[strings.Index(svg, `#phase-setup`):strings.Index(svg, `#phase-strategy`)]
	if strings.Contains(setup, "milestone") || strings.Contains(setup, "late") {
		t.Errorf("set-up, no gate and in time, is drawn as one:\n%s", setup)
	}
	if strings.Count(svg, "current") != 2 { // the row's class and its highlight
		t.Errorf("more than one phase is marked current:\n%s", svg)
	}

	// Today is labelled, with its date, inside the chart.
	m := todayText.FindStringSubmatch(svg)
	if m == nil || m[4] != "today 10 May 2026" {
		t.Fatalf("no dated today label: %v\n%s", m, svg)
	}
	assertTodayInside(t, svg, m)
}

// assertTodayInside: the today label's x lies within the chart, anchored
// so it does not run past either edge, and its line within the height.
func assertTodayInside(t *testing.T, svg string, m []string) {
	t.Helper()
	x, _ := strconv.ParseFloat(m[1], 64)
	y, _ := strconv.Atoi(m[2])
	h, _ := strconv.Atoi(svgHeight.FindStringSubmatch(svg)[1])
	if x < 0 || x > 100 || y <= 0 || y > h-4 {
		t.Errorf("today label at %.2f%%, %d px, outside a chart %d px high", x, y, h)
	}
	// Running from its line towards the middle, it never passes an edge.
	if anchor := m[3]; x > 50 && anchor != "end" || x <= 50 && anchor != "start" {
		t.Errorf("today label at %.2f%% anchored %s: it could run past the chart's edge", x, anchor)
	}
}

// TestTimelineTodayAtTheEdges: on the programme's first and last days the
// today label still stays inside the chart.
func TestTimelineTodayAtTheEdges(t *testing.T) {
	st := timelineProgramme()
	for _, c := range []struct {
		now    time.Time
		anchor string
	}{{day("2026-01-06"), "start"}, {day("2026-07-25"), "end"}, {day("2026-05-10"), "end"}} {
		tl := buildTimeline(st, c.now)
		if !tl.ShowToday || tl.TodayAnchor != c.anchor {
			t.Errorf("today %s: shown %v, anchored %q, want %q", c.now.Format("2006-01-02"), tl.ShowToday, tl.TodayAnchor, c.anchor)
		}
		svg := renderTimeline(t, langEN, st, c.now)
		m := todayText.FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("today %s: no today label:\n%s", c.now.Format("2006-01-02"), svg)
		}
		assertTodayInside(t, svg, m)
	}
	// A closed programme has no today to show beyond its end.
	st.Status = workflows.StatusCompleted
	if tl := buildTimeline(st, day("2027-06-01")); tl.ShowToday {
		t.Errorf("a completed programme shows today after its end")
	}
}

// TestTimelineInGerman: labels, dates and the today marker speak German.
func TestTimelineInGerman(t *testing.T) {
	svg := renderTimeline(t, langDE, timelineProgramme(), day("2026-05-10"))
	for _, want := range []string{"▸ Kriterien</text>", `<tspan class="wide">fällig </tspan>30.04.2026<tspan class="wide">, verspätet</tspan>`, "heute 10.05.2026</text>", "Meilensteine: geplante und tatsächliche Phasen", `<tspan class="wide">erledigt </tspan><tspan class="narrow">✓ </tspan>01.02.2026`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the German timeline lacks %q:\n%s", want, svg)
		}
	}
}
