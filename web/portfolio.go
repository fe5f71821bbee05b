package web

import (
	"math"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// The portfolio chart places the selection's candidates by our revenue
// with them (x) and our margin (y). Split at the candidates' averages, its
// quadrants say what an account needs: the core to secure and develop,
// revenue to grow, a margin to raise, or the effort to check. Coordinates
// are in the chart's viewBox, which scales with its card.
const (
	portfolioW, portfolioH = 400, 330
	plotLeft, plotRight    = 50, 386
	plotTop, plotBottom    = 24, 282
	// The quadrants' names sit in bands at the plot's top and bottom that
	// no point reaches; the values are drawn between them.
	quadrantBand = 22
	// nameCharW is about how wide a character of a name is, in viewBox units.
	nameCharW = 7.4
)

// What each quadrant means (English keys, translated in the template).
const (
	quadrantCore   = "Core: secure and develop"
	quadrantGrow   = "Grow the revenue"
	quadrantMargin = "Raise the margin"
	quadrantEffort = "Check the effort"
)

type portfolioPoint struct {
	X, Y     int
	Name     string
	Decision string
	Revenue  int64
	Margin   float64
	Met      int
	Quadrant string
	// Anchor and DX put the name beside the point on the side with room;
	// Squeeze, when set, is the length a name too long for either side is
	// fitted into, so it is never cut off at the chart's edge.
	Anchor  string
	DX      int
	Squeeze int
}

type axisTick struct {
	Pos    int
	Value  float64
	Anchor string
}

type quadrantLabel struct {
	X, Y   int
	Anchor string
	Text   string
}

type portfolioChart struct {
	W, H                     int
	Left, Right, Top, Bottom int
	// RevenueUnit is how revenue ticks are written ("M": millions, "k":
	// thousands, "": whole units).
	RevenueUnit    string
	XTicks, YTicks []axisTick
	// SplitX and SplitY are the averages, the quadrants' borders.
	SplitX, SplitY int
	Quadrants      []quadrantLabel
	Points         []portfolioPoint
}

// Where the chart's texts and the core quadrant's shading go.
func (c portfolioChart) XLabelY() int        { return c.Bottom + 16 }
func (c portfolioChart) XTitleY() int        { return c.Bottom + 36 }
func (c portfolioChart) YLabelX() int        { return c.Left - 5 }
func (c portfolioChart) QuadrantRightW() int { return c.Right - c.SplitX }
func (c portfolioChart) QuadrantTopH() int   { return c.SplitY - c.Top }

// placeName puts the name right of the point if it fits there, else left,
// else squeezed into the wider side.
func (p *portfolioPoint) placeName() {
	w := int(math.Ceil(nameCharW * float64(len([]rune(p.Name)))))
	right, left := portfolioW-2-(p.X+10), p.X-10-2
	switch {
	case w <= right:
		p.Anchor, p.DX = "start", 10
	case w <= left:
		p.Anchor, p.DX = "end", -10
	case right >= left:
		p.Anchor, p.DX, p.Squeeze = "start", 10, right
	default:
		p.Anchor, p.DX, p.Squeeze = "end", -10, left
	}
}

// niceAxis widens [lo, hi] to round steps, about four of them.
func niceAxis(lo, hi float64) (float64, float64, float64) {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, f := range []float64{1, 2, 2.5, 5} {
		if f*mag >= raw {
			step = f * mag
			break
		}
	}
	return math.Floor(lo/step) * step, math.Ceil(hi/step) * step, step
}

func axisTicks(lo, hi, step float64, pos func(float64) int, scale float64) []axisTick {
	var out []axisTick
	for v := lo; v <= hi+step/1000; v += step {
		out = append(out, axisTick{Pos: pos(v), Value: v / scale, Anchor: "middle"})
	}
	return out
}

// buildPortfolio lays out the candidates; customers are theirs by ID.
func buildPortfolio(candidates []workflows.Candidate, customers map[uint]store.Customer) portfolioChart {
	c := portfolioChart{W: portfolioW, H: portfolioH, Left: plotLeft, Right: plotRight, Top: plotTop, Bottom: plotBottom}
	if len(candidates) == 0 {
		return c
	}
	minRev, maxRev := 0.0, 0.0
	minMargin, maxMargin := 0.0, 0.0
	var sumRev, sumMargin float64
	for _, cd := range candidates {
		cu := customers[cd.CustomerID]
		rev := float64(cu.AnnualRevenue)
		minRev, maxRev = math.Min(minRev, rev), math.Max(maxRev, rev)
		minMargin, maxMargin = math.Min(minMargin, cu.MarginPercent), math.Max(maxMargin, cu.MarginPercent)
		sumRev += rev
		sumMargin += cu.MarginPercent
	}
	xLo, xHi, xStep := niceAxis(minRev, maxRev)
	yLo, yHi, yStep := niceAxis(minMargin, maxMargin)
	x := func(v float64) int { return plotLeft + int(math.Round((v-xLo)/(xHi-xLo)*(plotRight-plotLeft))) }
	y := func(v float64) int {
		return plotBottom - quadrantBand - int(math.Round((v-yLo)/(yHi-yLo)*(plotBottom-plotTop-2*quadrantBand)))
	}
	scale := 1.0
	switch {
	case xHi >= 1e6:
		c.RevenueUnit, scale = "M", 1e6
	case xHi >= 1e4:
		c.RevenueUnit, scale = "k", 1e3
	}
	c.XTicks = axisTicks(xLo, xHi, xStep, x, scale)
	c.XTicks[len(c.XTicks)-1].Anchor = "end" // its label ends at the plot's edge
	c.YTicks = axisTicks(yLo, yHi, yStep, y, 1)
	avgRev, avgMargin := sumRev/float64(len(candidates)), sumMargin/float64(len(candidates))
	c.SplitX, c.SplitY = x(avgRev), y(avgMargin)
	c.Quadrants = []quadrantLabel{
		{plotRight - 4, plotTop + 14, "end", quadrantCore},
		{plotLeft + 4, plotTop + 14, "start", quadrantGrow},
		{plotRight - 4, plotBottom - 7, "end", quadrantMargin},
		{plotLeft + 4, plotBottom - 7, "start", quadrantEffort},
	}
	for _, cd := range candidates {
		cu := customers[cd.CustomerID]
		rev := float64(cu.AnnualRevenue)
		p := portfolioPoint{X: x(rev), Y: y(cu.MarginPercent), Name: cd.CustomerName, Decision: cd.Decision,
			Revenue: cu.AnnualRevenue, Margin: cu.MarginPercent, Met: len(cd.Met)}
		p.placeName()
		high, big := cu.MarginPercent >= avgMargin, rev >= avgRev
		switch {
		case big && high:
			p.Quadrant = quadrantCore
		case high:
			p.Quadrant = quadrantGrow
		case big:
			p.Quadrant = quadrantMargin
		default:
			p.Quadrant = quadrantEffort
		}
		c.Points = append(c.Points, p)
	}
	return c
}
