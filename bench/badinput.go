package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// benchSweep runs the API sweep test (build tag resilience) and records
// its figures.
func benchSweep(ctx context.Context, o options, r *report) error {
	out, err := exec.CommandContext(ctx, "go", "test", "-tags", "resilience", "-count=1", "-run", "TestAPISweepOfBadRequests", "-v", "./app").CombinedOutput()
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "sweep:") || strings.Contains(l, "statuses:") || strings.HasPrefix(l, "--- ") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	body := "`go test -tags resilience -run TestAPISweepOfBadRequests ./app`: 10,000 requests to every operation of the OpenAPI document — malformed, oversized (3 MB), wrong-typed and unknown-field bodies, form bodies, junk path and query parameters, no or a wrong token, wrong roles, wrong methods.\n\n```\n" + strings.Join(lines, "\n") + "\n```\n\n**API sweep**: " + verdict(err == nil) + " (0 responses 5xx, 0 panics, every 4xx with a reason, every table's row count unchanged).\n"
	r.section("Resilience: API sweep of bad requests", body)
	if err != nil {
		return fmt.Errorf("sweep: %v\n%s", err, out)
	}
	return nil
}

// fuzzTargets are every parser of user input with a fuzz target.
var fuzzTargets = []struct{ pkg, name string }{
	{"./web", "FuzzCustomerForm"}, {"./web", "FuzzContactAndEmployeeForms"}, {"./web", "FuzzCSVImport"},
	{"./web", "FuzzAcceptLanguageAndNumbers"}, {"./web", "FuzzJSONBodyAndQuery"}, {"./config", "FuzzLoad"},
}

var execsLine = regexp.MustCompile(`execs: (\d+)`)

// benchFuzz runs each fuzz target for a while and records how many inputs
// it tried and whether any failed.
func benchFuzz(ctx context.Context, o options, r *report) error {
	const each = 30 * time.Second
	var b strings.Builder
	fmt.Fprintf(&b, "Each target explored for %s beyond its seed corpus (`go test -fuzz`).\n\n| package | target | inputs tried | result |\n|---|---|---|---|\n", each)
	failed := 0
	for _, f := range fuzzTargets {
		out, err := exec.CommandContext(ctx, "go", "test", "-run", "XXX", "-fuzz", "^"+f.name+"$", "-fuzztime", each.String(), f.pkg).CombinedOutput()
		execs := "?"
		if m := execsLine.FindAllStringSubmatch(string(out), -1); len(m) > 0 {
			execs = m[len(m)-1][1]
		}
		result := "no failure"
		if err != nil {
			result, failed = "**failure** (see testdata/fuzz)", failed+1
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.pkg, f.name, execs, result)
	}
	fmt.Fprintf(&b, "\n**Fuzzing**: %s.\n", verdict(failed == 0))
	r.section("Resilience: fuzzing the parsers of user input", b.String())
	return nil
}
