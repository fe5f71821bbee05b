package main

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// A page's requests are served under its label, counted, and their
// samples sorted by the code they ran in: a handler that spends its time
// executing a template shows up as rendering, under its own label only.
func TestBreakdownSortsALabelledPagesSamples(t *testing.T) {
	tmpl := template.Must(template.New("rows").Parse(`{{range .}}<tr><td>{{.}}</td><td>{{printf "%05d" 7}}</td></tr>{{end}}`))
	rows := make([]string, 2000)
	for i := range rows {
		rows[i] = strings.Repeat("<kunde & söhne>", 3)
	}
	srv := httptest.NewServer(labelled(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := tmpl.Execute(w, rows); err != nil {
			t.Error(err)
		}
	})))
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "cpu.prof")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Skipf("a CPU profile runs already: %v", err)
	}
	// Its own label each run: the bench counts a label's requests for the
	// whole process.
	label := fmt.Sprintf("sqlite 1× rows page %d", time.Now().UnixNano())
	requests := 0
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); requests++ {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set(pageHeader, label)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			pprof.StopCPUProfile()
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// One request without the header: served, neither counted nor labelled.
	if resp, err := http.Get(srv.URL); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	got, err := breakdown(path, []string{label, "mysql 1× never measured"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].label != label {
		t.Fatalf("pages = %+v, want the one labelled page", got)
	}
	p := got[0]
	if p.requests != int64(requests) {
		t.Errorf("requests = %d, want %d", p.requests, requests)
	}
	var sum int64
	for _, v := range p.byKind {
		sum += v
	}
	if p.cpu == 0 || sum != p.cpu {
		t.Fatalf("cpu = %d, kinds sum to %d", p.cpu, sum)
	}
	// Of the samples a frame sorts (under -race many stacks are the race
	// detector's C code alone, which sorts as other), most are rendering.
	sorted := p.cpu - p.byKind[kindOther]
	if sorted == 0 {
		t.Fatalf("no sample of the page was sorted (by kind: %v)", p.byKind)
	}
	if share := float64(p.byKind[kindRendering]) / float64(sorted); share < 0.5 {
		t.Errorf("rendering = %.0f%% of the page's sorted CPU, want most of it (by kind: %v)", 100*share, p.byKind)
	}
	table := breakdownTable(got)
	t.Log("\n" + table)
	if !strings.Contains(table, "| "+label+" | ") || !strings.Contains(table, "| rendering |") {
		t.Errorf("table misses the page or its kinds:\n%s", table)
	}
}

func TestKindOfFrames(t *testing.T) {
	for _, c := range []struct {
		fn, file string
		want     workKind
		pass     bool
	}{
		{"html/template.(*Template).Execute", "/usr/local/go/src/html/template/template.go", kindRendering, false},
		{"github.com/kamflow/kamflow/web.lang.customerRows", "/work/main/web/list_rows.go", kindRendering, false},
		{"github.com/kamflow/kamflow/web.(*Server).customersPage", "/work/main/web/ui_customers.go", kindPageCode, false},
		{"gorm.io/gorm.(*DB).Find", "/root/go/pkg/mod/gorm.io/gorm@v1.31.2/finisher_api.go", kindSQL, false},
		{"github.com/kamflow/kamflow/store.(*Store).ListKeyAccounts", "/work/main/store/accounts.go", kindSQL, false},
		{"modernc.org/sqlite/lib.Xsqlite3VdbeExec", "/root/go/pkg/mod/modernc.org/sqlite@v1.51.0/lib/sqlite_linux_amd64.go", kindSQL, false},
		{"github.com/labstack/echo/v4.(*Echo).ServeHTTP", "/root/go/pkg/mod/github.com/labstack/echo/v4@v4.16.0/echo.go", kindHTTP, false},
		{"net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go", kindHTTP, false},
		{"log/slog.(*Logger).log", "/usr/local/go/src/log/slog/logger.go", kindObserve, false},
		{"runtime.mallocgc", "/usr/local/go/src/runtime/malloc.go", kindOther, true},
		{"net.(*conn).Read", "/usr/local/go/src/net/net.go", kindOther, true},
	} {
		got, pass := kindOf(c.fn, c.file)
		if got != c.want || pass != c.pass {
			t.Errorf("kindOf(%s) = %s, %v; want %s, %v", c.fn, kindNames[got], pass, kindNames[c.want], c.pass)
		}
	}
}
