package main

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// The web part measures CPU per request: the process's CPU time (user +
// system, getrusage) over a batch of requests, less the process's idle
// rate (the embedded Temporal server and worker) over the batch's wall
// time, divided by the batch's requests. It includes the in-process HTTP
// client's share, the same for every page, so pages are compared with the
// minimal page — a signed-in, database-backed page served by this process
// from the same database — measured in the same round. Rounds interleave
// the pages, each round starting at another page; figures are the medians
// over the rounds with their spread. Wall-clock latency swings with the
// machine's other load; CPU per request much less.

// page is one measured request: a path and who asks for it.
type page struct {
	name, path, role string
	api              bool // bearer token instead of a session
	minimal          bool // the bench's own minimal page
}

// latency is what one batch measured.
type latency struct {
	p50, p99 time.Duration
	wall     time.Duration
	errors   int
}

// measure sends total GET requests from clients goroutines, each naming
// its page (label) for the profile.
func measure(c *http.Client, rawURL, token, label string, clients, total int) latency {
	lat := make([]time.Duration, total)
	var wg sync.WaitGroup
	var mu sync.Mutex
	errs := 0
	next := make(chan int, total)
	for i := 0; i < total; i++ {
		next <- i
	}
	close(next)
	start := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				req, _ := http.NewRequest("GET", rawURL, nil)
				req.Header.Set(pageHeader, label)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := c.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat[i] = time.Since(t0)
				if err != nil || resp.StatusCode != http.StatusOK {
					mu.Lock()
					errs++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return latency{p50: lat[total/2], p99: lat[total*99/100], wall: wall, errors: errs}
}

// processCPU is this process's CPU time so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// idleRate is the process's CPU per wall second while no request runs:
// the embedded Temporal server's and the worker's own work.
func idleRate(d time.Duration) float64 {
	c0, t0 := processCPU(), time.Now()
	time.Sleep(d)
	return float64(processCPU()-c0) / float64(time.Since(t0))
}

// sample is one page in one round.
type sample struct {
	cpu    time.Duration // per request
	lat    latency
	single time.Duration // p50 with one client
}

// cpuPerRequest measures one batch of n requests.
func cpuPerRequest(c *http.Client, rawURL, token, label string, clients, n, single int, idle float64) sample {
	c0 := processCPU()
	lat := measure(c, rawURL, token, label, clients, n)
	busy := processCPU() - c0 - time.Duration(idle*float64(lat.wall))
	s := sample{cpu: busy / time.Duration(n), lat: lat}
	s.single = measure(c, rawURL, token, label, 1, single).p50
	return s
}

// minimalPageServer serves the floor a signed-in, database-backed page
// can reach: the session's user and roles, one indexed query for 25
// customers, a 25-row template — in this process, on kamflow's store.
func minimalPageServer(st *store.Store) (string, func(), error) {
	tmpl := template.Must(template.New("minimal").Parse(`<!doctype html><html lang="en"><title>Customers</title><p>{{.User}}</p>` +
		`<table>{{range .Customers}}<tr><td><a href="/customers/{{.ID}}">{{.Name}}</a></td><td>{{.Industry}}</td><td>{{.Country}}</td><td>{{.Potential}}</td></tr>{{end}}</table></html>`))
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/", func(c echo.Context) error {
		ctx := c.Request().Context()
		ck, err := c.Cookie("kamflow_session")
		if err != nil {
			return c.NoContent(http.StatusUnauthorized)
		}
		_, u, err := st.SessionUser(ctx, ck.Value, time.Now())
		if err != nil {
			return c.NoContent(http.StatusUnauthorized)
		}
		var list []store.Customer
		if err := st.DB().WithContext(ctx).Where("archived_at IS NULL").Order("name").Limit(25).Find(&list).Error; err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		return tmpl.Execute(c.Response(), map[string]any{"User": u.Name, "Customers": list})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: labelled(e)}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", func() { _ = srv.Close() }, nil
}

// webFigure is one page at one database and scale, over the rounds.
type webFigure struct {
	driver   string
	scale    int
	page     string
	samples  []sample
	ratios   []float64 // CPU per request / the minimal page's, per round
	qs, wf   int64
	minimal  bool
	failures int
}

func (f webFigure) cpus() []float64 {
	out := make([]float64, len(f.samples))
	for i, s := range f.samples {
		out[i] = float64(s.cpu) / float64(time.Millisecond)
	}
	return out
}

func (f webFigure) pick(get func(sample) time.Duration) []float64 {
	out := make([]float64, len(f.samples))
	for i, s := range f.samples {
		out[i] = float64(get(s)) / float64(time.Millisecond)
	}
	return out
}

// median and spread of a few figures.
func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func spread(v []float64) (lo, hi float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0, 0
	}
	return s[0], s[len(s)-1]
}

func medSpread(v []float64, unit string) string {
	lo, hi := spread(v)
	return fmt.Sprintf("%.2f%s (%.2f–%.2f)", median(v), unit, lo, hi)
}

// The targets of the web figures.
const (
	targetRatio1x      = 2.0  // every page ≤ 2× the minimal page's CPU at 1×
	targetGrowth       = 1.25 // 1× → 10× CPU growth per page
	targetCPU10xMS     = 1.5  // ms CPU per request at 10×
	targetMySQLSingle  = 5.0  // ms p50, one client, MySQL at 10×
	singleClientBatch  = 100
	idleSampleDuration = 2 * time.Second
)

func benchWeb(ctx context.Context, o options, r *report) error {
	var figs []webFigure
	var sets []string
	for _, driver := range o.drivers {
		for _, scale := range o.scales {
			got, desc, err := webAt(ctx, o, driver, scale)
			if err != nil {
				return fmt.Errorf("%s %dx: %w", driver, scale, err)
			}
			figs = append(figs, got...)
			sets = append(sets, fmt.Sprintf("- %s %d×: %s", driver, scale, desc))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Method.** CPU per request = the bench process's CPU time (getrusage, user + system) over a batch, less its idle rate (embedded Temporal server and worker, sampled for %s before each round) over the batch's wall time, divided by the batch's requests; it includes the in-process HTTP client's share, alike for every page. The **minimal page** is served by the bench process from the same database: the session's user and roles, one indexed query for 25 customers, a 25-row template. %d rounds per database and scale, each sending %d requests from %d clients to every page in turn, each round starting at another page; then %d requests from one client for the single-client p50. Figures are medians over the rounds with their spread (min–max). Ratio = the page's CPU per request / the minimal page's in the same round. Queries = SQL statements of one request; Temporal reads = workflow queries and describes of one request (target 0).\n\n",
		idleSampleDuration, o.rounds, o.requests, o.clients, singleClientBatch)
	if o.rounds < 3 || o.requests < 1000 {
		b.WriteString("*This run used fewer than 3 rounds or 1,000 requests per batch: a quick look, not the method's figures.*\n\n")
	}
	b.WriteString(strings.Join(sets, "\n") + "\n\n")
	b.WriteString("| database | scale | page | CPU/request ms | ratio to minimal | p50 ms | p99 ms | single-client p50 ms | queries | Temporal reads | errors |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	type key struct{ driver, page string }
	cpuAt := map[key]map[int]float64{}
	var over1x, over10x, overSingle []string
	var temporalReads int64
	errors := 0
	for _, f := range figs {
		ratio := "1 (baseline)"
		if !f.minimal {
			ratio = medSpread(f.ratios, "×")
		}
		fmt.Fprintf(&b, "| %s | %d× | %s | %s | %s | %s | %s | %s | %d | %d | %d |\n", f.driver, f.scale, f.page, medSpread(f.cpus(), ""), ratio,
			medSpread(f.pick(func(s sample) time.Duration { return s.lat.p50 }), ""), medSpread(f.pick(func(s sample) time.Duration { return s.lat.p99 }), ""),
			medSpread(f.pick(func(s sample) time.Duration { return s.single }), ""), f.qs, f.wf, f.failures)
		temporalReads += f.wf
		errors += f.failures
		k := key{f.driver, f.page}
		if cpuAt[k] == nil {
			cpuAt[k] = map[int]float64{}
		}
		cpuAt[k][f.scale] = median(f.cpus())
		if f.minimal {
			continue
		}
		name := fmt.Sprintf("%s %d× %s", f.driver, f.scale, f.page)
		if f.scale == 1 && median(f.ratios) > targetRatio1x {
			over1x = append(over1x, fmt.Sprintf("%s (%.2f×)", name, median(f.ratios)))
		}
		if f.scale == 10 && median(f.cpus()) > targetCPU10xMS {
			over10x = append(over10x, fmt.Sprintf("%s (%.2f ms)", name, median(f.cpus())))
		}
		single := median(f.pick(func(s sample) time.Duration { return s.single }))
		if f.driver == "mysql" && f.scale == 10 && single > targetMySQLSingle {
			overSingle = append(overSingle, fmt.Sprintf("%s (%.2f ms)", name, single))
		}
	}
	var grew []string
	grewChecked := 0
	for k, byScale := range cpuAt {
		if strings.HasPrefix(k.page, "minimal page") {
			continue
		}
		if c1, ok1 := byScale[1]; ok1 {
			if c10, ok10 := byScale[10]; ok10 && c1 > 0 {
				grewChecked++
				if c10/c1 > targetGrowth {
					grew = append(grew, fmt.Sprintf("%s %s (%.2f×)", k.driver, k.page, c10/c1))
				}
			}
		}
	}
	sort.Strings(grew)
	line := func(title string, misses []string, checked bool) {
		if !checked {
			fmt.Fprintf(&b, "\n**%s:** not measured in this run.\n", title)
			return
		}
		fmt.Fprintf(&b, "\n**%s:** %s", title, verdict(len(misses) == 0))
		if len(misses) > 0 {
			fmt.Fprintf(&b, " — %d over: %s", len(misses), strings.Join(misses, "; "))
		}
		b.WriteString(".\n")
	}
	has := func(driver string, scale int) bool {
		for _, f := range figs {
			if (driver == "" || f.driver == driver) && f.scale == scale {
				return true
			}
		}
		return false
	}
	line(fmt.Sprintf("Every page ≤ %.0f× the minimal page's CPU at 1×", targetRatio1x), over1x, has("", 1))
	line(fmt.Sprintf("No page's CPU grows more than %.2f× from 1× to 10×", targetGrowth), grew, grewChecked > 0)
	line(fmt.Sprintf("Every page ≤ %.1f ms CPU per request at 10×", targetCPU10xMS), over10x, has("", 10))
	line(fmt.Sprintf("MySQL, one client, every page p50 ≤ %.0f ms at 10×", targetMySQLSingle), overSingle, has("mysql", 10))
	fmt.Fprintf(&b, "\n**Temporal reads per page:** %d in all — %s. **Errors:** %d.\n", temporalReads, verdict(temporalReads == 0), errors)
	r.section("Web: CPU per request against the minimal page", b.String())
	return nil
}

func webAt(ctx context.Context, o options, driver string, scale int) ([]webFigure, string, error) {
	e, err := startEnv(ctx, o, driver, fmt.Sprintf("web_%d", scale))
	if err != nil {
		return nil, "", err
	}
	defer e.stop()
	o.log.Info("generating data", "driver", driver, "scale", scale)
	t0 := time.Now()
	ds, err := generate(ctx, e, scale, "kamflow")
	if err != nil {
		return nil, "", err
	}
	desc := ds.describe() + fmt.Sprintf(" (written in %s)", time.Since(t0).Round(time.Second))
	lead, err := e.store.UserByEmail(ctx, "lead@"+store.DemoDomain)
	if err != nil {
		return nil, "", err
	}
	token, err := e.store.CreateAPIToken(ctx, lead.ID, "bench")
	if err != nil {
		return nil, "", err
	}
	sessions := map[string]*session{}
	for _, role := range []string{"lead", "committee", "hr", "controller", "kam"} {
		if sessions[role], err = signIn(e.url, role); err != nil {
			return nil, "", err
		}
	}
	minimal, stopMinimal, err := minimalPageServer(e.store)
	if err != nil {
		return nil, "", err
	}
	defer stopMinimal()
	api := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	p0 := ds.programmes[0]
	// The deep page as a reader reaches it: by "next" from the page before.
	deepNext, err := nextLink(sessions["lead"].c, e.url, fmt.Sprintf("/customers?page=%d", ds.customerPages-2))
	if err != nil {
		return nil, "", err
	}
	pages := []page{
		{name: "minimal page (baseline)", path: minimal, role: "lead", minimal: true},
		{name: "home: lead", path: "/", role: "lead"},
		{name: "home: committee", path: "/", role: "committee"},
		{name: "home: HR", path: "/", role: "hr"},
		{name: "home: controller", path: "/", role: "controller"},
		{name: "home: KAM", path: "/", role: "kam"},
		{name: "my work: KAM", path: "/my-work", role: "kam"},
		{name: "programme", path: fmt.Sprintf("/programmes/%d", p0), role: "lead"},
		{name: "programme at roll-out", path: fmt.Sprintf("/programmes/%d", ds.agedProgramme), role: "lead"},
		{name: "selection", path: fmt.Sprintf("/programmes/%d/selection", p0), role: "lead"},
		{name: "key account (contact matrix)", path: fmt.Sprintf("/key-accounts/%d", ds.kamAccount), role: "kam"},
		{name: "key accounts list", path: "/key-accounts", role: "lead"},
		{name: "training (HR)", path: "/training", role: "hr"},
		{name: "customers, page 1", path: "/customers", role: "lead"},
		{name: "customers, deep page", path: fmt.Sprintf("/customers?page=%d", ds.customerPages-1), role: "lead"},
		{name: "customers, deep page by next", path: deepNext, role: "lead"},
		// The first term matches ten times as many customers at 10× (13 at
		// 1×, 138 at 10×): its growth is the result's. The second matches
		// one customer at every scale: its growth is the search's own.
		{name: "customer search", path: "/customers?q=Energy+Kunde+0001", role: "lead"},
		{name: "customer search, one match", path: "/customers?q=Kunde+000123", role: "lead"},
		{name: "contact search", path: "/contacts?q=Kontakt+12-", role: "lead"},
		{name: "API: programmes", path: "/api/v1/programmes", api: true},
		{name: "API: contact matrix", path: fmt.Sprintf("/api/v1/key-accounts/%d/contact-matrix", ds.kamAccount), api: true},
	}
	if len(o.pages) > 0 {
		kept := pages[:1]
		for _, p := range pages[1:] {
			for _, w := range o.pages {
				if strings.Contains(p.name, w) {
					kept = append(kept, p)
					break
				}
			}
		}
		pages = kept
	}
	figs := make([]webFigure, len(pages))
	clientOf := func(p page) (*http.Client, string, string) {
		switch {
		case p.api:
			return api, token, e.url + p.path
		case p.minimal:
			return sessions[p.role].c, "", p.path
		}
		return sessions[p.role].c, "", e.url + p.path
	}
	for i, p := range pages {
		figs[i] = webFigure{driver: driver, scale: scale, page: p.name, minimal: p.minimal}
		c, tok, u := clientOf(p)
		if !p.minimal {
			status, qs, wf, err := e.queriesOf(c, u, tok)
			if err != nil {
				return nil, "", err
			}
			if status != http.StatusOK {
				return nil, "", fmt.Errorf("%s: status %d", p.name, status)
			}
			figs[i].qs, figs[i].wf = qs, wf
		}
		noteLabel(pageLabel(driver, scale, p.name))
		measure(c, u, tok, pageLabel(driver, scale, p.name), o.clients, o.clients*2) // warm-up
		if o.statements && !p.minimal {
			// Once more, warm, for the statements' times.
			if _, _, _, err := e.queriesOf(c, u, tok); err != nil {
				return nil, "", err
			}
		}
	}
	for round := 0; round < o.rounds; round++ {
		idle := idleRate(idleSampleDuration)
		got := make([]sample, len(pages))
		for j := range pages {
			i := (round + j) % len(pages)
			c, tok, u := clientOf(pages[i])
			got[i] = cpuPerRequest(c, u, tok, pageLabel(driver, scale, pages[i].name), o.clients, o.requests, singleClientBatch, idle)
		}
		for i := range pages {
			figs[i].samples = append(figs[i].samples, got[i])
			figs[i].ratios = append(figs[i].ratios, float64(got[i].cpu)/float64(got[0].cpu))
			figs[i].failures += got[i].lat.errors
		}
		o.log.Info("web round", "driver", driver, "scale", scale, "round", round+1, "idle_cpu", fmt.Sprintf("%.3f", idle), "minimal_cpu", got[0].cpu)
	}
	return figs, desc, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

var nextHref = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

// nextLink is the "next" link of the page at path.
func nextLink(c *http.Client, base, path string) (string, error) {
	resp, err := c.Get(base + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := nextHref.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		return "", fmt.Errorf("%s: %d without a next link", path, resp.StatusCode)
	}
	return html.UnescapeString(string(m[1])), nil
}
