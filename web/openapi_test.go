package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/web"
)

// TestOpenAPIMatchesRoutes keeps /api/v1/openapi.json and the registered
// API routes in step, both ways.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	srv, err := web.New(web.Options{Store: storetest.Open(t, "sqlite"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	routes := map[string]bool{}
	for _, r := range srv.Routes() {
		// Echo registers a catch-all "route not found" entry for groups.
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/openapi.json" || strings.Contains(r.Method, "_") {
			continue
		}
		path := param.ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		routes[strings.ToLower(r.Method)+" "+path] = true
	}
	f := newFixture(t, nil)
	code, body := f.get("/api/v1/openapi.json")
	if code != http.StatusOK {
		t.Fatalf("openapi.json = %d", code)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json is not an OpenAPI 3 document: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[method+" "+path] = true
		}
	}
	var missing, extra []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !routes[d] {
			extra = append(extra, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("routes not in openapi.json: %v\nopenapi.json paths without a route: %v", missing, extra)
	}
	if len(routes) < 20 {
		t.Errorf("only %d API routes registered", len(routes))
	}
}
