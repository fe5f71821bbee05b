package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/kamflow/kamflow/store"
)

var formTokenRe = regexp.MustCompile(`name="csrf" value="[0-9a-f]{64}"><input type="hidden" name="form_token" value="([0-9a-f]{64})">`)

// formTokens lists the one-time tokens of a page's forms, in page order.
func formTokens(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, m := range formTokenRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("no form token in page:\n%s", page)
	}
	return out
}

type answer struct {
	code   int
	body   string
	header http.Header
}

func (f *fixture) do(req *http.Request) answer {
	f.t.Helper()
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(b), resp.Header}
}

// concurrently runs fn n times at once and returns the answers.
func concurrently(n int, fn func() answer) []answer {
	out := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = fn() }()
	}
	wg.Wait()
	return out
}

func TestEveryPageFormGetsItsOwnOneTimeToken(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/customers")
	tokens := formTokens(t, page)
	posts := strings.Count(page, `method="post"`)
	if len(tokens) != posts {
		t.Fatalf("%d form tokens for %d forms", len(tokens), posts)
	}
	seen := map[string]bool{}
	for _, tok := range tokens {
		if seen[tok] {
			t.Fatalf("token %s on two forms", tok)
		}
		seen[tok] = true
	}
	_, again := f.get("/customers")
	if formTokens(t, again)[0] == tokens[0] {
		t.Error("a new page view repeats a form token")
	}
}

func TestUIFormSentTwiceActsOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	count := func() int {
		list, _, _ := f.store.ListCustomers(context.Background(), store.Page{Size: 100})
		return len(list)
	}
	_, form := f.get("/customers/new")
	before := count()
	v := url.Values{"csrf": {csrfOf(t, form)}, "form_token": {formTokens(t, form)[0]}, "name": {"Doppelklick AG"}, "country": {"CH"}, "revenue": {"1"}, "margin": {"1"}, "potential": {"low"}}
	c1, _, h1 := f.post("/customers", v)
	c2, b2, h2 := f.post("/customers", v)
	if c1 != http.StatusSeeOther || c2 != http.StatusSeeOther || h1.Get("Location") != h2.Get("Location") {
		t.Fatalf("answers = %d %s, %d %s (%s); want the same redirect twice", c1, h1.Get("Location"), c2, h2.Get("Location"), b2)
	}
	if h2.Get("Idempotent-Replayed") != "true" || h1.Get("Idempotent-Replayed") != "" {
		t.Errorf("replayed marks = %q, %q", h1.Get("Idempotent-Replayed"), h2.Get("Idempotent-Replayed"))
	}
	if count() != before+1 {
		t.Fatalf("customers %d -> %d; want one more", before, count())
	}
	// The same token on another form's address is refused, nothing changes.
	if c, _, _ := f.post("/contacts", v); c != http.StatusUnprocessableEntity {
		t.Errorf("token reused on another form = %d, want 422", c)
	}
	// A form sent without a token still works (one submit, one effect).
	v2 := url.Values{"csrf": v["csrf"], "name": {"Ohne Token AG"}}
	if c, _, _ := f.post("/customers", v2); c != http.StatusSeeOther || count() != before+2 {
		t.Fatalf("untokened form = %d, customers %d", c, count())
	}
	v2.Set("form_token", "bad token")
	if c, body, _ := f.post("/customers", v2); c != http.StatusUnprocessableEntity || !strings.Contains(body, "one-time token") {
		t.Errorf("damaged token = %d", c)
	}
}

func TestCSVImportSentTwiceAndFiveAtOnceImportsOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	count := func() int {
		list, _, _ := f.store.ListCustomers(context.Background(), store.Page{Size: 100})
		return len(list)
	}
	_, page := f.get("/customers/import")
	csrf := csrfOf(t, page)
	before := count()
	send := func(token, csvText string) answer {
		v := url.Values{"csrf": {csrf}, "form_token": {token}, "csv": {csvText}, "action": {"import_all"}}
		req, _ := http.NewRequest(http.MethodPost, f.server.URL+"/customers/import", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return f.do(req)
	}
	// Twice in a row: the second shows the first outcome.
	tok := formTokens(t, page)[0]
	first := send(tok, "name,country\nErste Import AG,CH\nZweite Import AG,DE\n")
	second := send(tok, "name,country\nErste Import AG,CH\nZweite Import AG,DE\n")
	if first.code != http.StatusOK || !strings.Contains(first.body, "2 customer(s) imported") {
		t.Fatalf("first import = %d:\n%s", first.code, first.body)
	}
	if second.code != first.code || second.body != first.body || second.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("second import = %d (replayed %q); want the first answer", second.code, second.header.Get("Idempotent-Replayed"))
	}
	if count() != before+2 {
		t.Fatalf("customers %d -> %d; want 2 more", before, count())
	}
	// Five at once with one token: one import, five times its answer.
	_, page = f.get("/customers/import")
	tok = formTokens(t, page)[0]
	answers := concurrently(5, func() answer { return send(tok, "name\nDritte Import AG\n") })
	replayed := 0
	for _, a := range answers {
		if a.code != http.StatusOK || !strings.Contains(a.body, "1 customer(s) imported") {
			t.Fatalf("concurrent import answered %d:\n%s", a.code, a.body)
		}
		if a.header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	if replayed != 4 || count() != before+3 {
		t.Fatalf("replayed %d of 5, customers %d -> %d; want 4 and one more", replayed, before, count())
	}
}

func TestAnswerShowingASecretIsNotKept(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	ctx := context.Background()
	_, page := f.get("/admin")
	before, _ := f.store.ListAPITokens(ctx)
	v := url.Values{"csrf": {csrfOf(t, page)}, "form_token": {formTokens(t, page)[0]}, "email": {"hr@" + store.DemoDomain}}
	c1, b1, _ := f.post("/admin/tokens", v)
	c2, b2, h2 := f.post("/admin/tokens", v)
	if c1 != http.StatusCreated || !strings.Contains(b1, "kf_") {
		t.Fatalf("issue = %d", c1)
	}
	if c2 != http.StatusSeeOther || h2.Get("Location") != "/admin" || strings.Contains(b2, "kf_") {
		t.Fatalf("repeat = %d %q; want a redirect to /admin without the secret", c2, h2.Get("Location"))
	}
	after, _ := f.store.ListAPITokens(ctx)
	if len(after) != len(before)+1 {
		t.Fatalf("tokens %d -> %d; want one more", len(before), len(after))
	}
	// The API's feed link: a repeat makes a new link (revoking the first).
	u, _ := f.store.UserByEmail(ctx, "hr@"+store.DemoDomain)
	tok, _ := f.store.CreateAPIToken(ctx, u.ID, "test")
	link := func() answer {
		req, _ := http.NewRequest(http.MethodPost, f.server.URL+"/api/v1/me/calendar-token", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Idempotency-Key", "feed")
		return f.do(req)
	}
	l1, l2 := link(), link()
	if l1.code != http.StatusCreated || l2.code != http.StatusCreated || l1.body == l2.body {
		t.Fatalf("feed links = %d %s / %d %s; want two different links", l1.code, l1.body, l2.code, l2.body)
	}
	var stored int64
	f.store.DB().Table("idempotency_keys").Where("body LIKE ? OR body LIKE ?", "%kf_%", "%/calendar/%").Count(&stored)
	if stored != 0 {
		t.Fatal("a stored answer holds a secret")
	}
}

func TestAPIIdempotencyKey(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	hr, err := f.store.UserByEmail(ctx, "hr@"+store.DemoDomain)
	if err != nil {
		t.Fatal(err)
	}
	hrToken, _ := f.store.CreateAPIToken(ctx, hr.ID, "test")
	admin, _ := f.store.UserByEmail(ctx, "admin@"+store.DemoDomain)
	adminToken, _ := f.store.CreateAPIToken(ctx, admin.ID, "test")
	courses := func() int {
		list, _ := f.store.ListCourses(ctx)
		return len(list)
	}
	post := func(token, key, body string) answer {
		req, _ := http.NewRequest(http.MethodPost, f.server.URL+"/api/v1/courses", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		return f.do(req)
	}
	const body = `{"title":"Verhandeln mit Einkäufern","duration_days":2}`
	before := courses()
	first := post(hrToken, "course-1", body)
	second := post(hrToken, "course-1", body)
	if first.code != http.StatusCreated || second.code != first.code || second.body != first.body || second.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("answers = %d %s / %d %s; want the first answer twice", first.code, first.body, second.code, second.body)
	}
	if courses() != before+1 {
		t.Fatalf("courses %d -> %d; want one more", before, courses())
	}
	// The same key for another body is refused, naming the header.
	other := post(hrToken, "course-1", `{"title":"Anderer Kurs","duration_days":1}`)
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(other.body), &e)
	if other.code != http.StatusUnprocessableEntity || !strings.Contains(e.Error.Fields["Idempotency-Key"], "used for another request") {
		t.Fatalf("key reused = %d %s", other.code, other.body)
	}
	// Another user's same key is theirs.
	if a := post(adminToken, "course-1", `{"title":"Admin-Kurs","duration_days":1}`); a.code != http.StatusCreated || a.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("other user's key = %d %s", a.code, a.body)
	}
	// Malformed keys are a 422 naming the header.
	for _, key := range []string{strings.Repeat("k", 201), "with space", "umlaut-ä"} {
		a := post(hrToken, key, body)
		e.Error.Fields = nil
		_ = json.Unmarshal([]byte(a.body), &e)
		if a.code != http.StatusUnprocessableEntity || e.Error.Fields["Idempotency-Key"] == "" {
			t.Errorf("key %q = %d %s", key, a.code, a.body)
		}
	}
	// A refusal is an answer too: repeated, it is the same refusal.
	bad := post(hrToken, "course-bad", `{"title":""}`)
	badAgain := post(hrToken, "course-bad", `{"title":""}`)
	if bad.code != http.StatusUnprocessableEntity || badAgain.body != bad.body || badAgain.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("refusal = %d / %d", bad.code, badAgain.code)
	}
	// Five at once: one course, five times its answer.
	before = courses()
	answers := concurrently(5, func() answer { return post(hrToken, "course-5", `{"title":"Fünf auf einmal","duration_days":1}`) })
	for _, a := range answers {
		if a.code != http.StatusCreated || a.body != answers[0].body {
			t.Fatalf("concurrent answer %d %s; want %s", a.code, a.body, answers[0].body)
		}
	}
	if courses() != before+1 {
		t.Fatalf("courses %d -> %d; want one more", before, courses())
	}
	// Without a key every request acts, as before.
	post(hrToken, "", `{"title":"Ohne Schlüssel 1","duration_days":1}`)
	post(hrToken, "", `{"title":"Ohne Schlüssel 2","duration_days":1}`)
	if courses() != before+3 {
		t.Fatalf("courses without key %d; want %d", courses(), before+3)
	}
}
