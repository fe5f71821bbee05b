// Command bench measures kamflow against its speed targets and checks it
// under faults; every figure is a ratio or count measured in the same run.
// See bench/README.md. Usage:
//
//	go run ./bench [flags] [devstart] [web] [workflows] [workshops] [load] [workerkill] [outage] [sweep] [fuzz] [signin]
//
// With no part named, all parts run; the report goes to -out.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// options are the bench's settings from flags.
type options struct {
	out          string
	drivers      []string
	scales       []int
	mysqlHost    string
	clients      int
	requests     int
	rounds       int
	programmes   int
	workshops    int
	signins      int
	loadDuration time.Duration
	outage       time.Duration
	appendTo     bool
	cpuProfile   string
	// keep leaves each run's generated database in place (for EXPLAIN)
	// instead of dropping it.
	keep bool
	// statements prints the SQL statements of each page's counted request.
	statements bool
	// pages limits the web part to the pages whose names contain one of
	// these (the minimal page is always measured); empty: every page.
	pages []string
	log   *slog.Logger
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o := options{}
	var drivers, scales, pages string
	fs.StringVar(&o.out, "out", "bench/RESULTS.md", "where the report is written")
	fs.StringVar(&drivers, "drivers", "sqlite,mysql", "databases to measure: sqlite, mysql")
	fs.StringVar(&scales, "scales", "1,10", "data scales (1 = 2,000 customers, 20,000 contacts, ...)")
	fs.StringVar(&o.mysqlHost, "mysql", "127.0.0.1:3306", "MySQL/MariaDB host:port (user root, no password)")
	fs.IntVar(&o.clients, "clients", 32, "concurrent clients for the web figures")
	fs.IntVar(&o.requests, "requests", 1000, "requests per page and round for the web figures")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds of the web and workflow figures (medians are taken over them)")
	fs.IntVar(&o.programmes, "programmes", 200, "programmes driven through all phases")
	fs.IntVar(&o.workshops, "workshops", 10000, "workshop workflows started for the memory figures")
	fs.IntVar(&o.signins, "signin-attempts", 200, "wrong sign-ins sent at once by the signin part")
	fs.DurationVar(&o.loadDuration, "load-duration", 60*time.Second, "how long the load test holds 64 clients")
	fs.DurationVar(&o.outage, "outage", 30*time.Second, "how long MariaDB is stopped in the outage test")
	fs.BoolVar(&o.appendTo, "append", false, "add this run's sections to the existing report instead of replacing it")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of this process (server, worker, bench) to this file")
	fs.BoolVar(&o.keep, "keep", false, "keep each run's generated database (MySQL database, SQLite data directory) and print where it is, to inspect query plans")
	fs.BoolVar(&o.statements, "statements", false, "web part: print to stderr the SQL statements of one request of each page")
	fs.StringVar(&pages, "pages", "", "web part: measure only the pages whose names contain one of these comma-separated words (such as \"home,training\"); the minimal page always")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, p := range strings.Split(pages, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.pages = append(o.pages, p)
		}
	}
	for _, d := range strings.Split(drivers, ",") {
		if d = strings.TrimSpace(d); d != "sqlite" && d != "mysql" {
			return fmt.Errorf("-drivers: %q is not sqlite or mysql", d)
		}
		o.drivers = append(o.drivers, strings.TrimSpace(d))
	}
	for _, s := range strings.Split(scales, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 100 {
			return fmt.Errorf("-scales: %q is not a whole number from 1 to 100", s)
		}
		o.scales = append(o.scales, n)
	}
	if o.clients < 1 || o.requests < o.clients || o.rounds < 1 || o.programmes < 1 || o.workshops < 1 || o.signins < 1 {
		return fmt.Errorf("-clients, -requests (≥ clients), -rounds, -programmes, -workshops and -signin-attempts must be positive")
	}
	parts := fs.Args()
	known := map[string]func(context.Context, options, *report) error{
		"web": benchWeb, "workflows": benchWorkflows, "workshops": benchWorkshops, "devstart": benchDevStart,
		"outage": benchOutage, "load": benchLoad, "workerkill": benchWorkerKill,
		"sweep": benchSweep, "fuzz": benchFuzz, "signin": benchSignIn,
	}
	order := []string{"devstart", "web", "workflows", "workshops", "load", "workerkill", "outage", "sweep", "fuzz", "signin"}
	if len(parts) == 0 {
		parts = order
	}
	for _, p := range parts {
		if known[p] == nil {
			return fmt.Errorf("unknown part %q (parts: %s)", p, strings.Join(order, ", "))
		}
	}
	o.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r := newReport(o)
	if o.appendTo {
		if old, err := os.ReadFile(o.out); err == nil {
			r.header = strings.TrimRight(string(old), "\n") + "\n\n*Sections below added by `go run ./bench " + strings.Join(args, " ") + "` at " + time.Now().UTC().Format("2006-01-02 15:04 MST") + ", commit " + commitState() + ".*\n"
		}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	for _, p := range parts {
		start := time.Now()
		o.log.Info("bench part", "part", p)
		if err := known[p](ctx, o, r); err != nil {
			r.section(p, "**failed**: "+err.Error())
			_ = r.write(o.out)
			return fmt.Errorf("%s: %w", p, err)
		}
		o.log.Info("bench part done", "part", p, "took", time.Since(start).Round(time.Second))
		if err := r.write(o.out); err != nil {
			return err
		}
	}
	if o.cpuProfile != "" && len(measuredLabels()) > 0 {
		pprof.StopCPUProfile()
		if err := r.pageProfiles(o.cpuProfile); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		if err := r.write(o.out); err != nil {
			return err
		}
	}
	fmt.Println("report written to", o.out)
	return nil
}

// report collects the markdown sections of one run.
type report struct {
	header   string
	sections []string
}

// commitState names the checked-out commit and whether tracked files differ.
func commitState() string {
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	dirty, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	state := strings.TrimSpace(string(commit))
	if len(strings.TrimSpace(string(dirty))) > 0 {
		state += " (with uncommitted changes)"
	}
	return state
}

func newReport(o options) *report {
	state := commitState()
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	var mem string
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem = strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	}
	h := fmt.Sprintf("# kamflow bench results\n\nWritten by `go run ./bench %s`.\n\n", strings.Join(os.Args[1:], " "))
	h += "| | |\n|---|---|\n"
	h += fmt.Sprintf("| date | %s |\n| commit | %s |\n| machine | %s, %d cores (GOMAXPROCS %d), %s |\n| Go | %s %s/%s |\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), state, cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	h += fmt.Sprintf("| settings | drivers %s, scales %v, %d clients, %d requests per page and round, %d rounds, %d programmes, %d workshops |\n\n",
		strings.Join(o.drivers, "+"), o.scales, o.clients, o.requests, o.rounds, o.programmes, o.workshops)
	h += "Every figure is measured in the same run as its baseline; ratios, not absolute times, are compared with the targets, because the machine is shared.\n"
	return &report{header: h}
}

func (r *report) section(title, body string) {
	r.sections = append(r.sections, "\n## "+title+"\n\n"+strings.TrimSpace(body)+"\n")
}

func (r *report) write(path string) error {
	return os.WriteFile(path, []byte(r.header+strings.Join(r.sections, "")), 0o644)
}

// verdict marks a figure against its target.
func verdict(ok bool) string {
	if ok {
		return "meets target"
	}
	return "**misses target**"
}
