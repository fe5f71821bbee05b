package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// keyed calls the API with an Idempotency-Key.
func (e *apiEnv) keyed(t *testing.T, key, who, method, path string, body any) apiResult {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, e.dev.URL+"/api/v1"+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResult{code: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// once sends a keyed request twice in a row, then five times at once with
// another key (n is 1, then 2); every answer must be the first one (status
// want), and effects must grow by one per key.
func (e *apiEnv) once(t *testing.T, name string, want int, who, method string, path func(n int) string, body func(n int) any, effects func() int) {
	t.Helper()
	before := effects()
	k := fmt.Sprintf("%s-%d", name, time.Now().UnixNano())
	first := e.keyed(t, k+"-1", who, method, path(1), body(1))
	second := e.keyed(t, k+"-1", who, method, path(1), body(1))
	if first.code != want || second.code != want || second.raw != first.raw {
		t.Fatalf("%s twice: %d %s / %d %s; want %d and the first answer again", name, first.code, first.raw, second.code, second.raw, want)
	}
	if got := effects(); got != before+1 {
		t.Fatalf("%s twice: effects %d -> %d; want one", name, before, got)
	}
	answers := make([]apiResult, 5)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = e.keyed(t, k+"-2", who, method, path(2), body(2))
		}()
	}
	wg.Wait()
	for _, a := range answers {
		if a.code != want || a.raw != answers[0].raw {
			t.Fatalf("%s five at once: %d %s; want %d %s", name, a.code, a.raw, want, answers[0].raw)
		}
	}
	if got := effects(); got != before+2 {
		t.Fatalf("%s five at once: effects %d -> %d; want one more", name, before+1, got)
	}
}

func fixed(s string) func(int) string { return func(int) string { return s } }

// TestEveryStepCountsOnce: programme creation, phase submit, candidate
// decision, review measure and enrolment sent twice, and five at once,
// act once; every repeat gets the first answer.
func TestEveryStepCountsOnce(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programmes := func() int {
		var n int64
		if err := e.dev.Store.DB().Table("programmes").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	e.once(t, "create", http.StatusCreated, "lead", "POST", fixed("/programmes"), func(n int) any {
		return map[string]any{"name": fmt.Sprintf("Doppelt %d", n), "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05"}
	}, programmes)

	events := func(id uint, kind string) func() int {
		return func() int {
			evs, err := e.dev.Store.ProgrammeEvents(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ev := range evs {
				if ev.Kind == kind {
					n++
				}
			}
			return n
		}
	}
	// Submit set-up, then the strategy gate: without the key the repeats
	// would be refused as submitted already; with it they get the first answer.
	fresh := uint(e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "Einmal", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05"}).body["id"].(float64))
	e.once(t, "submit", http.StatusOK, "lead", "POST", func(n int) string {
		return fmt.Sprintf("/programmes/%d/phases/%s/submit", fresh, map[int]string{1: "setup", 2: "strategy"}[n])
	}, func(n int) any { return map[string]string{"result": fmt.Sprintf("result %d", n)} }, events(fresh, workflows.EventSubmitted))

	id := e.programmeInDefinitiveSelection(t)
	p := fmt.Sprintf("/programmes/%d", id)
	sel := e.ok(t, 200, "lead", "GET", p+"/selection", nil)
	cid := uint(sel.body["candidates"].([]any)[0].(map[string]any)["customer_id"].(float64))
	e.once(t, "decide", http.StatusOK, "lead", "POST", fixed(fmt.Sprintf("%s/selection/%d/decision", p, cid)), func(n int) any {
		return map[string]string{"decision": "confirmed", "reason": fmt.Sprintf("checked in detail (%d)", n)}
	}, events(id, workflows.EventDecided))

	e.ok(t, 202, "controller", "POST", p+"/reviews", nil)
	var rid uint
	waitFor(t, "review gathered", func() bool {
		list, _ := e.dev.Store.ReviewsOfProgramme(ctx, id)
		if len(list) == 0 {
			return false
		}
		rid = list[0].ID
		return e.call(t, "controller", "POST", fmt.Sprintf("/reviews/%d/findings", rid), map[string]any{"text": "on track"}).code == 200
	})
	measures := func() int {
		r, err := e.dev.Store.ReviewByID(ctx, rid)
		if err != nil {
			t.Fatal(err)
		}
		return len(r.Measures)
	}
	measure := func(n int) any {
		return map[string]any{"title": fmt.Sprintf("Measure %d", n), "owner_email": "kam@" + store.DemoDomain, "due": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}
	}
	e.once(t, "measure", http.StatusOK, "controller", "POST", fixed(fmt.Sprintf("/reviews/%d/measures", rid)), measure, measures)

	// Temporal knows the update by the key, too: with the stored answers
	// gone, a repeat still adds no second measure.
	k := fmt.Sprintf("measure-durable-%d", time.Now().UnixNano())
	first := e.keyed(t, k, "controller", "POST", fmt.Sprintf("/reviews/%d/measures", rid), measure(3))
	before := measures()
	if err := e.dev.Store.DB().Exec("DELETE FROM idempotency_keys").Error; err != nil {
		t.Fatal(err)
	}
	again := e.keyed(t, k, "controller", "POST", fmt.Sprintf("/reviews/%d/measures", rid), measure(3))
	if first.code != 200 || again.code != 200 || measures() != before {
		t.Fatalf("repeat without the stored answer = %d, measures %d -> %d", again.code, before, measures())
	}

	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "KAM Grundlagen", "duration_days": 1})
	start := time.Now().AddDate(0, 0, 14).UTC()
	sess := e.ok(t, 201, "hr", "POST", "/sessions", map[string]any{"course_id": course.body["id"], "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339), "capacity": 10})
	sid := uint(sess.body["id"].(float64))
	enrolments := func() int {
		list, err := e.dev.Store.SessionEnrolments(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	e.once(t, "enrol", http.StatusCreated, "hr", "POST", fixed(fmt.Sprintf("/sessions/%d/enrolments", sid)), func(n int) any {
		return map[string]any{"employee_id": e.emp[map[int]string{1: "kam2", 2: "kam3"}[n]]}
	}, enrolments)
}

var formTokenAfter = regexp.MustCompile(`name="form_token" value="([0-9a-f]{64})"`)

// formTokenOf is the one-time token of the page's form posting to action.
func formTokenOf(t *testing.T, page, action string) string {
	t.Helper()
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s", action)
	}
	m := formTokenAfter.FindStringSubmatch(page[i:])
	if m == nil {
		t.Fatalf("the form posting to %s has no one-time token", action)
	}
	return m[1]
}

// sameForm posts one form (one token) twice in a row, then five times at
// once with a fresh token from the page; each time effects grow by one and
// every answer is the first one.
func sameForm(t *testing.T, b *browser, page func() string, action string, form url.Values, effects func() int) {
	t.Helper()
	before := effects()
	post := func(token string) (int, string, string) {
		v := url.Values{}
		for k, vs := range form {
			v[k] = vs
		}
		v.Set("csrf", b.csrf)
		v.Set("form_token", token)
		resp, err := b.c.PostForm(b.base+action, v)
		if err != nil {
			t.Error(err)
			return 0, "", ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(body)
	}
	tok := formTokenOf(t, page(), action)
	c1, l1, _ := post(tok)
	c2, l2, _ := post(tok)
	if c1 != http.StatusSeeOther || c2 != c1 || l2 != l1 {
		t.Fatalf("%s twice = %d %s / %d %s; want the same redirect", action, c1, l1, c2, l2)
	}
	if got := effects(); got != before+1 {
		t.Fatalf("%s twice: effects %d -> %d; want one", action, before, got)
	}
	tok = formTokenOf(t, page(), action)
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range codes {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i], _, _ = post(tok) }()
	}
	wg.Wait()
	for _, c := range codes {
		if c != http.StatusSeeOther {
			t.Fatalf("%s five at once answered %v", action, codes)
		}
	}
	if got := effects(); got != before+2 {
		t.Fatalf("%s five at once: effects %d -> %d; want one more", action, before+1, got)
	}
}

// TestUIFormsSentTwiceActOnce: a candidate decision and a review measure
// sent from their pages twice, and five times at once, act once.
func TestUIFormsSentTwiceActOnce(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	id := e.programmeInDefinitiveSelection(t)
	lead := signIn(t, e.dev.URL, "lead")
	selection := fmt.Sprintf("/programmes/%d/selection", id)
	sel := e.ok(t, 200, "lead", "GET", selection, nil)
	cid := uint(sel.body["candidates"].([]any)[0].(map[string]any)["customer_id"].(float64))
	decided := func() int {
		evs, _ := e.dev.Store.ProgrammeEvents(ctx, id)
		n := 0
		for _, ev := range evs {
			if ev.Kind == workflows.EventDecided {
				n++
			}
		}
		return n
	}
	sameForm(t, lead, func() string { _, p := lead.get(selection); return p }, fmt.Sprintf("%s/%d/decision", selection, cid),
		url.Values{"decision": {"confirmed"}, "reason": {"checked"}}, decided)

	ctl := signIn(t, e.dev.URL, "controller")
	if c, body := ctl.post(fmt.Sprintf("/reviews/programmes/%d", id), url.Values{"csrf": {ctl.csrf}}); c != http.StatusSeeOther {
		t.Fatalf("trigger = %d:\n%s", c, body)
	}
	var rid uint
	waitFor(t, "review gathered", func() bool {
		list, _ := e.dev.Store.ReviewsOfProgramme(ctx, id)
		if len(list) == 0 {
			return false
		}
		rid = list[0].ID
		c, _ := ctl.post(fmt.Sprintf("/reviews/%d/findings-form", rid), url.Values{"csrf": {ctl.csrf}, "text": {"on track"}})
		return c == http.StatusSeeOther
	})
	review := fmt.Sprintf("/reviews/%d", rid)
	measures := func() int {
		r, err := e.dev.Store.ReviewByID(ctx, rid)
		if err != nil {
			t.Fatal(err)
		}
		return len(r.Measures)
	}
	sameForm(t, ctl, func() string { _, p := ctl.get(review); return p }, review+"/measures-form#add-measure",
		url.Values{"title": {"Renegotiate prices"}, "owner_email": {"kam@" + store.DemoDomain}, "due": {time.Now().AddDate(0, 1, 0).Format("2006-01-02")}}, measures)
}
