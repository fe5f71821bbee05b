package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func portfolioCandidates() ([]workflows.Candidate, map[uint]store.Customer) {
	cands := []workflows.Candidate{
		{CustomerID: 1, CustomerName: "Alpenbau AG", Met: []string{"fit", "growth"}, Decision: "confirmed"},
		{CustomerID: 2, CustomerName: "Bäckerei Sonnenschein KG", Met: []string{"fit", "growth", "reference"}},
		{CustomerID: 3, CustomerName: "Nordlicht Energie GmbH", Met: []string{"growth", "relationship"}, Decision: "rejected"},
	}
	customers := map[uint]store.Customer{
		1: {Name: "Alpenbau AG", AnnualRevenue: 6_000_000, MarginPercent: 18.5},
		2: {Name: "Bäckerei Sonnenschein KG", AnnualRevenue: 1_200_000, MarginPercent: 24},
		3: {Name: "Nordlicht Energie GmbH", AnnualRevenue: 9_600_000, MarginPercent: 6},
	}
	return cands, customers
}

// renderSelection renders the selection page in l with the candidates.
func renderSelection(t *testing.T, l lang) string {
	t.Helper()
	ps, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	cands, customers := portfolioCandidates()
	p := &selectionPage{ID: 7, State: workflows.ProgrammeState{Name: "KAM Portfolio AG", Candidates: cands}, Candidates: cands,
		Portfolio: buildPortfolio(cands, customers)}
	var buf bytes.Buffer
	if err := ps.byLang[l]["selection.html"].Execute(&buf, view{Data: p}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestPortfolioChart: the chart scales with its card, has axes with
// values, the quadrants named, and every name inside it; the quadrant
// follows from the candidates' averages.
func TestPortfolioChart(t *testing.T) {
	cands, customers := portfolioCandidates()
	c := buildPortfolio(cands, customers)
	want := map[string]string{"Alpenbau AG": quadrantCore, "Bäckerei Sonnenschein KG": quadrantGrow, "Nordlicht Energie GmbH": quadrantMargin}
	for _, p := range c.Points {
		if p.Quadrant != want[p.Name] {
			t.Errorf("%s in %q, want %q", p.Name, p.Quadrant, want[p.Name])
		}
		assertNameInside(t, c, p)
		// Clear of the quadrants' names in the bands at the top and bottom.
		if p.X < c.Left || p.X > c.Right || p.Y < c.Top+quadrantBand || p.Y > c.Bottom-quadrantBand {
			t.Errorf("%s at (%d, %d) outside the plot's values", p.Name, p.X, p.Y)
		}
	}
	if len(c.XTicks) < 3 || len(c.YTicks) < 3 || c.RevenueUnit != "M" {
		t.Errorf("axes: %d revenue ticks in %q, %d margin ticks", len(c.XTicks), c.RevenueUnit, len(c.YTicks))
	}
	if last := c.XTicks[len(c.XTicks)-1]; last.Value < 9.6 || last.Pos != c.Right {
		t.Errorf("the revenue axis ends at %v (%d), short of the largest revenue", last.Value, last.Pos)
	}

	page := renderSelection(t, langEN)
	for _, s := range []string{
		`<svg class="portfolio" viewBox="0 0 400 330" width="100%"`,
		`>10 M</text>`, `>0 %</text>`, `>30 %</text>`,
		`>Core: secure and develop</text>`, `>Grow the revenue</text>`, `>Raise the margin</text>`, `>Check the effort</text>`,
		`class="legend"`, `average of the candidates`,
		// The numbers without hovering: a table row per candidate.
		`<td>Alpenbau AG</td><td class="num">6,000,000</td><td class="num">18.5</td><td>Core: secure and develop</td>`,
		`<td>confirmed <small class="muted">`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("the selection page lacks %s", s)
		}
	}
	if strings.Contains(page, `width="480"`) {
		t.Errorf("the portfolio keeps a fixed width")
	}
}

// assertNameInside: a point's name, as wide as its characters (or as it
// is squeezed), starts and ends inside the chart.
func assertNameInside(t *testing.T, c portfolioChart, p portfolioPoint) {
	t.Helper()
	w := int(nameCharW * float64(len([]rune(p.Name))))
	if p.Squeeze > 0 {
		w = p.Squeeze
	}
	from := p.X + p.DX
	if p.Anchor == "end" {
		from -= w
	}
	if from < 0 || from+w > c.W {
		t.Errorf("%s runs from %d to %d, outside the chart's width %d", p.Name, from, from+w, c.W)
	}
}

// TestPortfolioLongNames: a name too long for either side of its point is
// fitted into the wider one.
func TestPortfolioLongNames(t *testing.T) {
	cands, customers := portfolioCandidates()
	cands[1].CustomerName = "Bäckerei Sonnenschein Kommanditgesellschaft für Backwaren und Konditorei"
	c := buildPortfolio(cands, customers)
	for _, p := range c.Points {
		assertNameInside(t, c, p)
	}
	if c.Points[1].Squeeze == 0 || c.Points[0].Squeeze != 0 {
		t.Errorf("squeezed: %d and %d, want only the long name", c.Points[1].Squeeze, c.Points[0].Squeeze)
	}
}

// TestPortfolioInGerman: every text of the chart and its table in German.
func TestPortfolioInGerman(t *testing.T) {
	page := renderSelection(t, langDE)
	for _, s := range []string{
		"Kandidaten nach Umsatz und Marge", ">10 Mio.</text>", ">2,5 Mio.</text>", "Umsatz mit uns (Mio.) →", "↑ Marge (%)",
		">Kern: sichern und ausbauen</text>", ">Marge verbessern</text>",
		"Alpenbau AG: Umsatz 6.000.000, Marge 18,5 %, erfüllte Kriterien: 2",
		`<td class="num">6.000.000</td><td class="num">18,5</td><td>Kern: sichern und ausbauen</td>`,
		"<td>bestätigt", "<td>zurückgewiesen",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("the German selection page lacks %q", s)
		}
	}
}
