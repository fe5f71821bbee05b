package web

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// Every form that posts carries the CSRF field in the one spelling that
// withFormTokens puts a one-time token beside.
func TestEveryPostFormCarriesTheFieldTheTokenGoesBeside(t *testing.T) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	formRe := regexp.MustCompile(`(?s)<form[^>]*method="post".*?</form>`)
	fieldRe := regexp.MustCompile(`<input type="hidden" name="csrf" value="\{\{(\$csrf|\.CSRF|\$\.CSRF)\}\}">`)
	forms := 0
	for _, n := range names {
		b, _ := fs.ReadFile(templateFS, n)
		for _, form := range formRe.FindAllString(string(b), -1) {
			forms++
			if !fieldRe.MatchString(form) {
				t.Errorf("%s: a form lacks the CSRF field:\n%s", n, form)
			}
		}
	}
	if forms < 30 {
		t.Fatalf("found only %d forms", forms)
	}
	page := withFormTokens([]byte(`<form method="post"><input type="hidden" name="csrf" value="abc"></form><form method="post"><input type="hidden" name="csrf" value="abc"></form>`), "abc")
	toks := regexp.MustCompile(`name="form_token" value="([0-9a-f]{64})"`).FindAllStringSubmatch(string(page), -1)
	if len(toks) != 2 || toks[0][1] == toks[1][1] {
		t.Fatalf("tokens = %v in %s", toks, page)
	}
}

func TestRequestKeysNameUpdatesAndStarts(t *testing.T) {
	rk := func(user uint, key string) context.Context {
		id := "k" + hashHex(string(rune('0'+user)), keyFromHeader.String(), key)[:40]
		return context.WithValue(context.Background(), requestKeyCtx{}, &requestKey{id: id, keyed: true})
	}
	a, b := rk(1, "x"), rk(1, "x")
	if ua, ub := updateID(a), updateID(b); ua != ub || ua == updateID(rk(2, "x")) {
		t.Fatalf("update IDs: same request %q / %q, other user %q", ua, ub, updateID(rk(2, "x")))
	}
	if updateID(a) == updateID(rk(1, "x")) {
		t.Error("a request's second update reuses its first update's ID")
	}
	if updateID(context.Background()) == updateID(context.Background()) {
		t.Error("requests without a key share an update ID")
	}
	wid := keyedWorkflowID(a, "handover-7-20260301T120000")
	if !strings.HasPrefix(wid, "handover-7-k") || wid != keyedWorkflowID(b, "handover-7-20260301T120000") {
		t.Errorf("keyed workflow ID = %q", wid)
	}
	if keyedWorkflowID(context.Background(), "handover-7-20260301T120000") != "handover-7-20260301T120000" {
		t.Error("a start without a key changed its ID")
	}
}

// A repeat that arrives while the first request runs waits for its answer;
// when the first runs too long it answers 409 with Retry-After.
func TestRepeatWhileTheFirstRunsWaitsOrAnswersInProgress(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	ctx := context.Background()
	if _, err := st.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TaskQueue: "kamflow", DemoLogins: store.DemoLogins()})
	if err != nil {
		t.Fatal(err)
	}
	srv.idem.wait = 300 * time.Millisecond
	hr, _ := st.UserByEmail(ctx, "hr@"+store.DemoDomain)
	token, _ := st.CreateAPIToken(ctx, hr.ID, "test")
	const body = `{"title":"Langsam","duration_days":1}`
	send := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/courses", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Idempotency-Key", "slow")
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		return w
	}
	// The first request holds the key and has not answered yet.
	now := time.Now().UTC()
	claim, claimed, err := st.ClaimIdempotencyKey(ctx, store.IdempotencyRequest{UserID: hr.ID, KeyHash: hashHex("header", "slow"),
		Method: http.MethodPost, Path: "/api/v1/courses", BodyHash: hashHex(body)}, now, now.Add(-time.Hour), now.Add(-time.Hour))
	if err != nil || !claimed {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	w := send()
	if w.Code != http.StatusConflict || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "in_progress") {
		t.Fatalf("repeat while running = %d %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	courses, _ := st.ListCourses(ctx)
	srv.idem.wait = 5 * time.Second
	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = st.CompleteIdempotencyKey(ctx, claim.ID, http.StatusCreated, `{"Content-Type":"application/json"}`, []byte(`{"id":99}`), time.Now())
	}()
	w = send()
	if w.Code != http.StatusCreated || w.Body.String() != `{"id":99}` || w.Header().Get(replayedHeader) != "true" {
		t.Fatalf("repeat after the first answered = %d %s", w.Code, w.Body)
	}
	if after, _ := st.ListCourses(ctx); len(after) != len(courses) {
		t.Fatal("a waiting repeat acted")
	}
}

func TestTooLargeAnAnswerIsNotKept(t *testing.T) {
	w := httptest.NewRecorder()
	rec := &answerRecorder{ResponseWriter: w}
	_, _ = rec.Write([]byte("small"))
	if rec.tooLarge || rec.body.String() != "small" {
		t.Fatalf("small answer: tooLarge %v, kept %q", rec.tooLarge, rec.body.String())
	}
	_, _ = rec.Write(make([]byte, maxKeptAnswer))
	_, _ = rec.Write([]byte("more"))
	if !rec.tooLarge || rec.body.Len() != 0 || w.Body.Len() != maxKeptAnswer+len("small")+len("more") {
		t.Fatalf("large answer: tooLarge %v, kept %d bytes, sent %d", rec.tooLarge, rec.body.Len(), w.Body.Len())
	}
}
