package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/pprof/profile"
)

// With -cpuprofile, the web part tells where each page's CPU goes: every
// request the bench sends names its page in a header, the servers run it
// under a pprof label of that name (the goroutines a handler starts
// inherit it), and after the run the profile's labelled samples are
// summed per page and sorted into kinds of work by the code they ran in.
// It covers the server's side of a request only: the in-process HTTP
// client, the garbage collector's background work and, on MySQL, the
// database server's own CPU are outside it.

// pageHeader carries the page a request measures: "<database> <scale>× <page>".
const pageHeader = "X-Bench-Page"

// pageLabelKey is the pprof label the servers put on a page's requests.
const pageLabelKey = "page"

// served counts the requests each page's label was served to.
var served sync.Map // label → *atomic.Int64

// labelled serves r under the pprof label its page header names, and
// counts it; requests without the header are served as they are.
func labelled(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.Header.Get(pageHeader)
		if name == "" {
			h.ServeHTTP(w, r)
			return
		}
		n, _ := served.LoadOrStore(name, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		pprof.Do(r.Context(), pprof.Labels(pageLabelKey, name), func(ctx context.Context) {
			h.ServeHTTP(w, r.WithContext(ctx))
		})
	})
}

// pageLabel is the header value of a page at a database and scale.
func pageLabel(driver string, scale int, page string) string {
	return fmt.Sprintf("%s %d× %s", driver, scale, page)
}

// workKind is what a stack frame's code does for a page.
type workKind int

const (
	kindOther     workKind = iota
	kindRendering          // html/template and the rows kamflow writes in Go
	kindSQL                // gorm, database/sql, the driver, SQLite, kamflow's store
	kindHTTP               // net/http and echo: parsing, routing, writing the response
	kindObserve            // logging and metrics of each request
	kindPageCode           // the rest of kamflow's web package: handlers, policy, view models
	kindCount
)

var kindNames = [kindCount]string{"other", "rendering", "SQL", "HTTP & echo", "logs & metrics", "page code"}

// renderingFile names the web package's files that write markup in Go.
var renderingFile = regexp.MustCompile(`^([a-z_]+_rows|render|timeline_svg|form_box)\.go$`)

const (
	webPackage   = "github.com/kamflow/kamflow/web."
	storePackage = "github.com/kamflow/kamflow/store."
)

// kindOf sorts one frame; passThrough frames (the runtime, the standard
// library's helpers, I/O) leave the sample to the frame that called them.
func kindOf(fn, file string) (kind workKind, passThrough bool) {
	switch {
	case strings.HasPrefix(fn, "html/template."), strings.HasPrefix(fn, "text/template."),
		strings.HasPrefix(fn, webPackage) && renderingFile.MatchString(filepath.Base(file)):
		return kindRendering, false
	case strings.HasPrefix(fn, "gorm.io/"), strings.HasPrefix(fn, "database/sql."), strings.HasPrefix(fn, "modernc.org/"),
		strings.HasPrefix(fn, "github.com/go-sql-driver/"), strings.HasPrefix(fn, storePackage):
		return kindSQL, false
	case strings.HasPrefix(fn, "net/http."), strings.HasPrefix(fn, "github.com/labstack/"), strings.HasPrefix(fn, "mime"),
		strings.HasPrefix(fn, "net/textproto."), strings.HasPrefix(fn, "net/url."):
		return kindHTTP, false
	case strings.HasPrefix(fn, "log/slog."), strings.HasPrefix(fn, "github.com/prometheus/"), strings.HasPrefix(fn, "go.opentelemetry.io/"):
		return kindObserve, false
	case strings.HasPrefix(fn, webPackage):
		return kindPageCode, false
	}
	return kindOther, true
}

// pageProfile is one page's share of the profile.
type pageProfile struct {
	label    string
	requests int64
	cpu      int64 // nanoseconds of CPU sampled under its label
	byKind   [kindCount]int64
}

// breakdown reads the CPU profile at path and sums its labelled samples
// per page, in the order of labels (pages as the run measured them).
func breakdown(path string, labels []string) ([]pageProfile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	cpuIndex := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			cpuIndex = i
		}
	}
	if cpuIndex < 0 {
		return nil, fmt.Errorf("%s holds no CPU samples", path)
	}
	byLabel := map[string]*pageProfile{}
	for _, s := range p.Sample {
		names := s.Label[pageLabelKey]
		if len(names) == 0 {
			continue
		}
		pp := byLabel[names[0]]
		if pp == nil {
			pp = &pageProfile{label: names[0]}
			byLabel[names[0]] = pp
		}
		v := s.Value[cpuIndex]
		pp.cpu += v
		pp.byKind[sampleKind(s)] += v
	}
	var out []pageProfile
	for _, l := range labels {
		pp := byLabel[l]
		if pp == nil {
			continue
		}
		if n, ok := served.Load(l); ok {
			pp.requests = n.(*atomic.Int64).Load()
		}
		out = append(out, *pp)
	}
	return out, nil
}

// sampleKind is the kind of the innermost frame that is not a pass-through.
func sampleKind(s *profile.Sample) workKind {
	for _, loc := range s.Location { // innermost first
		// Inlined functions come first within a location, as the stack.
		for _, line := range loc.Line {
			if line.Function == nil {
				continue
			}
			if k, pass := kindOf(line.Function.Name, line.Function.Filename); !pass {
				return k
			}
		}
	}
	return kindOther
}

// breakdownTable writes the pages' profiles as a markdown table.
func breakdownTable(pages []pageProfile) string {
	var b strings.Builder
	b.WriteString("| page | requests | server CPU/request ms |")
	order := []workKind{kindSQL, kindRendering, kindPageCode, kindHTTP, kindObserve, kindOther}
	for _, k := range order {
		b.WriteString(" " + kindNames[k] + " |")
	}
	b.WriteString("\n|---|---|---|")
	for range order {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, pp := range pages {
		perRequest := "–"
		if pp.requests > 0 {
			perRequest = fmt.Sprintf("%.2f", float64(pp.cpu)/float64(pp.requests)/1e6)
		}
		fmt.Fprintf(&b, "| %s | %d | %s |", pp.label, pp.requests, perRequest)
		for _, k := range order {
			share := 0.0
			if pp.cpu > 0 {
				share = 100 * float64(pp.byKind[k]) / float64(pp.cpu)
			}
			fmt.Fprintf(&b, " %.0f%% |", share)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// labelsMeasured are the page labels of this run in the order they were
// first measured.
var labelsMeasured struct {
	sync.Mutex
	list []string
	seen map[string]bool
}

func noteLabel(l string) {
	labelsMeasured.Lock()
	defer labelsMeasured.Unlock()
	if labelsMeasured.seen == nil {
		labelsMeasured.seen = map[string]bool{}
	}
	if !labelsMeasured.seen[l] {
		labelsMeasured.seen[l] = true
		labelsMeasured.list = append(labelsMeasured.list, l)
	}
}

func measuredLabels() []string {
	labelsMeasured.Lock()
	defer labelsMeasured.Unlock()
	return append([]string(nil), labelsMeasured.list...)
}

// pageProfiles adds the section of where each measured page's CPU went,
// from the CPU profile at path (written and closed by then).
func (r *report) pageProfiles(path string) error {
	pages, err := breakdown(path, measuredLabels())
	if err != nil {
		return err
	}
	r.section("Where each page's CPU goes (profile of this run)", "From `-cpuprofile`: the samples taken while the server handled each page's requests "+
		"(warm-up, rounds and single-client batches; the goroutines a handler starts included), divided by the requests served, and sorted by the "+
		"innermost kamflow or library frame they ran in — **SQL**: gorm, `database/sql`, the driver, SQLite (in this process) and kamflow's store; "+
		"**rendering**: `html/template` and the rows kamflow writes in Go; **page code**: the rest of kamflow's web package (handlers, the policy, "+
		"view models, the session); **HTTP & echo**: parsing, routing, writing the response; **logs & metrics**: each request's log line and "+
		"metrics; **other**: what is left (the runtime's own work where no caller above is one of these). It leaves out the in-process client's "+
		"share, the garbage collector's background work and MariaDB's own CPU, so server CPU/request is below the CPU/request of the first table "+
		"(on MySQL well below it). One sample is 10 ms: a page's shares are good to a few percent.\n\n"+breakdownTable(pages))
	return nil
}
