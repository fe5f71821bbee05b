package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// page is one measured request: a path and who asks for it.
type page struct {
	name, path, role string
	api              bool // bearer token instead of a session
}

// latency is what one page measured.
type latency struct {
	p50, p99   time.Duration
	throughput float64
	errors     int
}

// measure sends total GET requests from clients goroutines and returns
// the latency percentiles and the throughput.
func measure(c *http.Client, rawURL, token string, clients, total int) latency {
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
	return latency{p50: lat[total/2], p99: lat[total*99/100], throughput: float64(total) / wall.Seconds(), errors: errs}
}

// baselineServer is an empty Echo handler in this process: the floor any
// page is compared with.
func baselineServer() (string, func(), error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: e}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", func() { _ = srv.Close() }, nil
}

type webRow struct {
	driver string
	scale  int
	page   string
	lat    latency
	ratio  float64
	qs     int64
}

func benchWeb(ctx context.Context, o options, r *report) error {
	var rows []webRow
	var sets []string
	for _, driver := range o.drivers {
		for _, scale := range o.scales {
			got, desc, err := webAt(ctx, o, driver, scale)
			if err != nil {
				return fmt.Errorf("%s %dx: %w", driver, scale, err)
			}
			rows = append(rows, got...)
			sets = append(sets, fmt.Sprintf("- %s %d×: %s", driver, scale, desc))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Main pages and API reads at %d concurrent clients, %d requests each, against an empty Echo handler served by the same process (measured right before each set). Ratio = page p99 / baseline p99 (target ≤ 2). Queries = SQL statements the server ran for one request (target: the same at every scale).\n\n", o.clients, o.requests)
	b.WriteString(strings.Join(sets, "\n") + "\n\n")
	b.WriteString("| database | scale | page | p50 | p99 | req/s | p99 ratio | queries | errors |\n|---|---|---|---|---|---|---|---|---|\n")
	worst, within := 0.0, 0
	queries := map[string]map[int]int64{}
	for _, w := range rows {
		fmt.Fprintf(&b, "| %s | %d× | %s | %s | %s | %.0f | %.2f | %d | %d |\n", w.driver, w.scale, w.page, ms(w.lat.p50), ms(w.lat.p99), w.lat.throughput, w.ratio, w.qs, w.lat.errors)
		if w.page == "baseline (empty handler)" {
			continue
		}
		if w.ratio > worst {
			worst = w.ratio
		}
		if w.ratio <= 2 {
			within++
		}
		k := w.driver + " " + w.page
		if queries[k] == nil {
			queries[k] = map[int]int64{}
		}
		queries[k][w.scale] = w.qs
	}
	constant := true
	var grew []string
	for k, byScale := range queries {
		var first int64 = -1
		for _, n := range byScale {
			if first >= 0 && n != first {
				constant = false
				grew = append(grew, k)
				break
			}
			first = n
		}
	}
	sort.Strings(grew)
	pages := len(rows) - len(o.drivers)*len(o.scales)
	fmt.Fprintf(&b, "\n**Latency:** %d of %d page measurements have p99 ≤ 2× the empty handler's; worst ratio %.2f — %s.\n", within, pages, worst, verdict(within == pages))
	fmt.Fprintf(&b, "\n**Queries per request** constant from 1× to 10×: %s", verdict(constant))
	if len(grew) > 0 {
		fmt.Fprintf(&b, " (grew: %s)", strings.Join(grew, ", "))
	}
	b.WriteString(".\n")
	r.section("Web: latency, throughput and queries per page", b.String())
	return nil
}

func webAt(ctx context.Context, o options, driver string, scale int) ([]webRow, string, error) {
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
	lead, err := e.dev.Store.UserByEmail(ctx, "lead@"+store.DemoDomain)
	if err != nil {
		return nil, "", err
	}
	token, err := e.dev.Store.CreateAPIToken(ctx, lead.ID, "bench")
	if err != nil {
		return nil, "", err
	}
	sessions := map[string]*session{}
	for _, role := range []string{"lead", "committee", "hr", "controller", "kam"} {
		if sessions[role], err = signIn(e.url, role); err != nil {
			return nil, "", err
		}
	}
	api := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	p0 := ds.programmes[0]
	pages := []page{
		{"home: lead", "/", "lead", false},
		{"home: committee", "/", "committee", false},
		{"home: HR", "/", "hr", false},
		{"home: controller", "/", "controller", false},
		{"home: KAM", "/", "kam", false},
		{"programme", fmt.Sprintf("/programmes/%d", p0), "lead", false},
		{"selection", fmt.Sprintf("/programmes/%d/selection", p0), "lead", false},
		{"key account (contact matrix)", fmt.Sprintf("/key-accounts/%d", ds.kamAccount), "kam", false},
		{"customers, page 1", "/customers", "lead", false},
		{"customers, deep page", fmt.Sprintf("/customers?page=%d", ds.customerPages-1), "lead", false},
		{"customer search", "/customers?q=Energy+Kunde+0001", "lead", false},
		{"contact search", "/contacts?q=Kontakt+12-", "lead", false},
		{"API: programmes", "/api/v1/programmes", "", true},
		{"API: contact matrix", fmt.Sprintf("/api/v1/key-accounts/%d/contact-matrix", ds.kamAccount), "", true},
	}
	base, stopBase, err := baselineServer()
	if err != nil {
		return nil, "", err
	}
	defer stopBase()
	plain := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	measure(plain, base, "", o.clients, o.clients*4) // warm-up
	bl := measure(plain, base, "", o.clients, o.requests)
	rows := []webRow{{driver: driver, scale: scale, page: "baseline (empty handler)", lat: bl, ratio: 1}}
	for _, p := range pages {
		c, tok := api, token
		if !p.api {
			c, tok = sessions[p.role].c, ""
		}
		status, qs, err := e.queriesOf(c, e.url+p.path, tok)
		if err != nil {
			return nil, "", err
		}
		if status != http.StatusOK {
			return nil, "", fmt.Errorf("%s: status %d", p.name, status)
		}
		measure(c, e.url+p.path, tok, o.clients, o.clients*2) // warm-up
		lat := measure(c, e.url+p.path, tok, o.clients, o.requests)
		rows = append(rows, webRow{driver: driver, scale: scale, page: p.name, lat: lat, ratio: float64(lat.p99) / float64(bl.p99), qs: qs})
		o.log.Info("page", "driver", driver, "scale", scale, "page", p.name, "p99", lat.p99, "queries", qs)
	}
	return rows, desc, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
