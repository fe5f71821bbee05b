//go:build resilience

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestAPISweepOfBadRequests sends 10,000 malformed, oversized, wrong-typed,
// unauthenticated and wrong-role requests to every API operation of the
// OpenAPI document: no answer is 5xx, every 4xx carries a reason, and the
// database is unchanged. Run with: go test -tags resilience -run Sweep ./app
func TestAPISweepOfBadRequests(t *testing.T) {
	e := newAPIEnv(t)
	ops := openAPIOperations(t)
	before := tableCounts(t, e)
	rng := rand.New(rand.NewPCG(42, 7))
	const total = 10000
	type req struct {
		method, path, who, ctype string
		body                     []byte
	}
	reqs := make([]req, total)
	roles := []string{"", "bad-token", "lead", "committee", "hr", "controller", "kam", "admin"}
	for i := range reqs {
		op := ops[rng.IntN(len(ops))]
		r := req{method: op.method, who: roles[rng.IntN(len(roles))], ctype: "application/json"}
		mutating := op.method != "GET"
		// Mutations get IDs that exist nowhere, so nothing can change.
		r.path = fillParams(op.path, rng, mutating)
		if rng.IntN(10) == 0 {
			r.method = []string{"PATCH", "DELETE", "PUT", "POST", "GET"}[rng.IntN(5)]
		}
		if !strings.Contains(op.path, "{") && mutating && len(op.bodyProps) == 0 {
			r.who = roles[rng.IntN(2)] // paramless, bodyless mutations: no valid credentials
		}
		switch q := rng.IntN(4); q {
		case 0:
			r.path += "?page=" + []string{"-1", "abc", "0", "99999999999999", "1e3"}[rng.IntN(5)]
		case 1:
			r.path += "?size=" + []string{"-5", "x", "100000"}[rng.IntN(3)] + "&free=maybe"
		}
		if mutating || rng.IntN(3) == 0 {
			r.body, r.ctype = badBody(rng, op.bodyProps)
		}
		reqs[i] = r
	}

	var served, fivexx, noReason atomic.Int64
	var byStatus sync.Map // status → *atomic.Int64
	var mu sync.Mutex
	failures := map[string]int{}
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				r := reqs[i]
				hr, _ := http.NewRequest(r.method, e.dev.URL+"/api/v1"+r.path, bytes.NewReader(r.body))
				hr.Header.Set("Content-Type", r.ctype)
				switch r.who {
				case "":
				case "bad-token":
					hr.Header.Set("Authorization", "Bearer kf_"+strings.Repeat("0", 64))
				default:
					hr.Header.Set("Authorization", "Bearer "+e.tokens[r.who])
				}
				resp, err := http.DefaultClient.Do(hr)
				if err != nil {
					mu.Lock()
					failures["transport: "+err.Error()]++
					mu.Unlock()
					continue
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				served.Add(1)
				n, _ := byStatus.LoadOrStore(resp.StatusCode, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
				key := fmt.Sprintf("%d %s %s", resp.StatusCode, r.method, r.path)
				if resp.StatusCode >= 500 {
					fivexx.Add(1)
					mu.Lock()
					failures[key+" "+string(raw)]++
					mu.Unlock()
				}
				if resp.StatusCode >= 400 {
					var body struct {
						Error struct{ Message string } `json:"error"`
					}
					if json.Unmarshal(raw, &body) != nil || body.Error.Message == "" {
						noReason.Add(1)
						mu.Lock()
						failures["no reason: "+key+" "+string(raw)]++
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	after := tableCounts(t, e)
	for table, n := range before {
		if after[table] != n {
			t.Errorf("table %s: %d rows before, %d after", table, n, after[table])
		}
	}
	keys := make([]string, 0, len(failures))
	for k := range failures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i == 20 {
			t.Errorf("... and %d more kinds", len(keys)-20)
			break
		}
		t.Errorf("%dx %s", failures[k], k)
	}
	var hist []string
	byStatus.Range(func(k, v any) bool {
		hist = append(hist, fmt.Sprintf("%d×%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sort.Strings(hist)
	t.Logf("statuses: %s", strings.Join(hist, " "))
	t.Logf("sweep: %d requests answered, %d 5xx, %d 4xx without a reason, DB unchanged across %d tables", served.Load(), fivexx.Load(), noReason.Load(), len(before))
	if out := os.Getenv("KAMFLOW_SWEEP_REPORT"); out != "" {
		_ = os.WriteFile(out, []byte(fmt.Sprintf("%d %d %d %d\n", served.Load(), fivexx.Load(), noReason.Load(), len(before))), 0o644)
	}
	if served.Load() != total {
		t.Errorf("%d of %d requests answered", served.Load(), total)
	}
}

type apiOperation struct {
	method, path string
	bodyProps    map[string]string // property → JSON type
}

func openAPIOperations(t *testing.T) []apiOperation {
	t.Helper()
	raw, err := os.ReadFile("../web/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Properties map[string]struct {
							Type string `json:"type"`
						} `json:"properties"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []apiOperation
	for path, methods := range doc.Paths {
		for m, op := range methods {
			o := apiOperation{method: strings.ToUpper(m), path: path, bodyProps: map[string]string{}}
			for name, p := range op.RequestBody.Content["application/json"].Schema.Properties {
				o.bodyProps[name] = p.Type
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	if len(ops) < 50 {
		t.Fatalf("only %d operations in the OpenAPI document", len(ops))
	}
	return ops
}

// fillParams puts values into {params}: junk, and for reads sometimes an
// ID that may exist.
func fillParams(path string, rng *rand.Rand, mutating bool) string {
	junk := []string{"abc", "0", "-1", "99999999999999999999", "4294967296", "999999", "1.5", "%2e%2e", "x%27%20OR%201=1"}
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			return path
		}
		j := strings.Index(path[i:], "}") + i
		v := junk[rng.IntN(len(junk))]
		if !mutating && rng.IntN(3) == 0 {
			v = fmt.Sprint(1 + rng.IntN(3))
		}
		if strings.Contains(path[i:j], "period") && rng.IntN(2) == 0 {
			v = "2026-Q5"
		}
		path = path[:i] + v + path[j+1:]
	}
}

// badBody returns a body that no operation accepts: malformed, oversized,
// wrong-typed, with unknown fields, or of the wrong content type.
func badBody(rng *rand.Rand, props map[string]string) ([]byte, string) {
	switch rng.IntN(6) {
	case 0:
		return []byte([]string{`{"name":`, `[`, `nul`, `{"a":1}{"b":2}`, "\xff\xfe", `{"name":"x",}`}[rng.IntN(6)]), "application/json"
	case 1:
		return bytes.Repeat([]byte("a"), 3<<20), "application/json"
	case 2:
		return []byte(`{"zz_unknown": true}`), "application/json"
	case 3:
		return []byte("name=x&start_date=2026-01-01"), "application/x-www-form-urlencoded"
	}
	if len(props) == 0 {
		return []byte(`{"zz_unknown": 1}`), "application/json"
	}
	m := map[string]any{}
	for name, typ := range props {
		switch typ {
		case "string":
			m[name] = 12345
		case "integer", "number":
			m[name] = "twelve"
		case "boolean":
			m[name] = "yes"
		case "array":
			m[name] = map[string]any{"not": "a list"}
		default:
			m[name] = []any{1, 2}
		}
	}
	b, _ := json.Marshal(m)
	return b, "application/json"
}

// tableCounts counts the rows of every table kamflow owns.
func tableCounts(t *testing.T, e *apiEnv) map[string]int64 {
	t.Helper()
	db := e.dev.Store.DB().WithContext(context.Background())
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, tb := range tables {
		var n int64
		if err := db.Table(tb).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", tb, err)
		}
		out[tb] = n
	}
	return out
}
