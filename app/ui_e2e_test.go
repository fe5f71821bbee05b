package app_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// browser is a signed-in user of the web UI (cookies, CSRF token).
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	code, _, body := b.getLocation(path)
	return code, body
}

// getLocation asks for path and returns the status, where a redirect
// leads and the body (keeping the page's CSRF token).
func (b *browser) getLocation(path string) (int, string, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// fragment asks for path as htmx does when a part of a page is opened.
func (b *browser) fragment(path string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func signIn(t *testing.T, base, who string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	b.get("/login")
	if code, body := b.post("/login", url.Values{"csrf": {b.csrf}, "email": {who + "@" + store.DemoDomain}, "password": {store.DemoPassword}}); code != http.StatusSeeOther {
		t.Fatalf("sign in %s = %d: %s", who, code, body)
	}
	b.get("/")
	return b
}

// TestProgrammePagesForLeadAndCommittee: the lead submits phases and the
// committee approves or rejects them in the web UI; refusals show their
// reason, forms need the CSRF token, user text is escaped.
func TestProgrammePagesForLeadAndCommittee(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	r := e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "KAM <b>Demo</b>", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05"})
	id := int(r.body["id"].(float64))
	p := fmt.Sprintf("/programmes/%d", id)

	lead := signIn(t, e.dev.URL, "lead")
	waitFor(t, "the programme is listed", func() bool {
		_, home := lead.get("/")
		return strings.Contains(home, "KAM &lt;b&gt;Demo&lt;/b&gt;")
	})
	code, page := lead.get(p)
	if code != 200 || !strings.Contains(page, "<svg class=\"timeline\"") || !strings.Contains(page, `action="`+p+`/phases/setup/submit"`) {
		t.Fatalf("programme page = %d:\n%s", code, page)
	}
	if strings.Contains(page, "<b>Demo</b>") {
		t.Fatal("programme name not escaped")
	}
	if c, _ := lead.post(p+"/phases/setup/submit", url.Values{"result": {"team"}}); c != http.StatusForbidden {
		t.Errorf("submit without CSRF = %d, want 403", c)
	}
	if c, body := lead.post(p+"/phases/setup/submit", url.Values{"csrf": {lead.csrf}, "result": {" "}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "result is required") {
		t.Errorf("empty result = %d", c)
	}
	if c, _ := lead.post(p+"/phases/setup/submit", url.Values{"csrf": {lead.csrf}, "result": {"<script>alert(1)</script> team set up"}}); c != http.StatusSeeOther {
		t.Fatalf("submit setup = %d", c)
	}
	_, page = lead.get(p)
	if strings.Contains(page, "<script>alert(1)</script>") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt; team set up") {
		t.Error("submitted result not escaped")
	}
	if c, body := lead.post(p+"/phases/criteria/submit", url.Values{"csrf": {lead.csrf}, "result": {"x"}}); c != http.StatusConflict || !strings.Contains(body, "not the current phase") {
		t.Errorf("wrong phase = %d", c)
	}
	lead.post(p+"/phases/strategy/submit", url.Values{"csrf": {lead.csrf}, "result": {"strategy"}})

	kam := signIn(t, e.dev.URL, "kam")
	if c, _ := kam.post(p+"/phases/strategy/approve", url.Values{"csrf": {kam.csrf}}); c != http.StatusForbidden {
		t.Errorf("kam approving = %d, want 403", c)
	}
	committee := signIn(t, e.dev.URL, "committee")
	_, home := committee.get("/")
	if !strings.Contains(home, "Approvals waiting for you") || !strings.Contains(home, `href="`+p+`#phase-strategy"`) {
		t.Errorf("committee home lacks the waiting approval:\n%s", home)
	}
	if _, other := signIn(t, e.dev.URL, "committee2").get("/"); strings.Contains(other, `href="`+p+`#phase-strategy"`) {
		t.Error("committee2 is not on this committee but sees its approval")
	}
	_, page = committee.get(p)
	if !strings.Contains(page, `action="`+p+`/phases/strategy/approve"`) {
		t.Fatal("committee sees no approve form for the submitted gate")
	}
	if c, body := committee.post(p+"/phases/strategy/reject", url.Values{"csrf": {committee.csrf}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "comment") {
		t.Errorf("reject without comment = %d", c)
	}
	if c, _ := committee.post(p+"/phases/strategy/approve", url.Values{"csrf": {committee.csrf}}); c != http.StatusSeeOther {
		t.Fatalf("approve = %d", c)
	}
	_, page = committee.get(p)
	if !strings.Contains(page, "approved by committee@"+store.DemoDomain) {
		t.Error("approval not shown")
	}
	if c, _ := committee.get("/programmes/99999"); c != http.StatusNotFound {
		t.Errorf("unknown programme page = %d", c)
	}
}

// TestSelectionPage: the lead sees criteria × customers and decides on the
// candidates in the web UI; a rejection needs a reason.
func TestSelectionPage(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	id := e.programmeInDefinitiveSelection(t)
	p := fmt.Sprintf("/programmes/%d/selection", id)
	lead := signIn(t, e.dev.URL, "lead")
	code, page := lead.get(p)
	if code != 200 || !strings.Contains(page, "Strategic fit") || !strings.Contains(page, `<svg class="portfolio"`) || !strings.Contains(page, "undecided") {
		t.Fatalf("selection page = %d:\n%s", code, page)
	}
	st := e.ok(t, 200, "lead", "GET", fmt.Sprintf("/programmes/%d", id), nil)
	cand := int(st.body["candidates"].([]any)[0].(map[string]any)["customer_id"].(float64))
	action := fmt.Sprintf("%s/%d/decision", p, cand)
	if c, body := lead.post(action, url.Values{"csrf": {lead.csrf}, "decision": {"rejected"}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "needs a reason") {
		t.Errorf("reject without reason = %d", c)
	}
	if c, _ := lead.post(action, url.Values{"csrf": {lead.csrf}, "decision": {"confirmed"}, "reason": {"strategic partner"}}); c != http.StatusSeeOther {
		t.Fatalf("confirm = %d", c)
	}
	_, page = lead.get(p)
	if !strings.Contains(page, "confirmed: strategic partner") {
		t.Error("decision not shown")
	}
	kam := signIn(t, e.dev.URL, "kam")
	if c, _ := kam.post(action, url.Values{"csrf": {kam.csrf}, "decision": {"confirmed"}}); c != http.StatusForbidden {
		t.Errorf("kam deciding = %d, want 403", c)
	}
}

// TestTrainingAndReviewPages: HR enrols a KAM and records attendance in the
// UI; a controller triggers a review.
func TestTrainingAndReviewPages(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "KAM Basics", "duration_days": 1, "required_for_kams": true})
	// Ahead enough for sign-ins (argon2 is slow under -race) and enrolment.
	start := time.Now().Add(20 * time.Second).UTC()
	sid := int(e.ok(t, 201, "hr", "POST", "/sessions", map[string]any{"course_id": course.body["id"], "starts_at": start.Format(time.RFC3339Nano), "ends_at": start.Add(time.Hour).Format(time.RFC3339Nano), "place": "Zürich", "capacity": 3}).body["id"].(float64))

	if c, _ := signIn(t, e.dev.URL, "kam").get("/training"); c != http.StatusForbidden {
		t.Errorf("kam on /training = %d", c)
	}
	hr := signIn(t, e.dev.URL, "hr")
	code, page := hr.get("/training")
	if code != 200 || !strings.Contains(page, "KAM Basics") || !strings.Contains(page, "3 free of 3") {
		t.Fatalf("training page = %d:\n%s", code, page)
	}
	form := url.Values{"csrf": {hr.csrf}, "session_id": {fmt.Sprint(sid)}, "employee_id": {fmt.Sprint(e.emp["kam"])}}
	if c, body := hr.post("/training/enrolments", form); c != http.StatusSeeOther {
		t.Fatalf("enrol = %d:\n%s", c, body)
	}
	if _, page := hr.get(fmt.Sprintf("/training/sessions/%d", sid)); !strings.Contains(page, `id="participants"`) || strings.Contains(page, "Nobody has a seat yet.") {
		t.Errorf("the session page lacks the enrolled KAM:\n%s", page)
	}
	if c, body := hr.post("/training/enrolments", form); c != http.StatusConflict || !strings.Contains(body, "already") {
		t.Errorf("second enrolment = %d", c)
	}
	time.Sleep(time.Until(start) + 500*time.Millisecond)
	_, page = hr.get("/training")
	m := regexp.MustCompile(`action="(/training/enrolments/\d+/attendance)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no attendance form:\n%s", page)
	}
	if c, loc, body := hr.postLocation(m[1], url.Values{"csrf": {hr.csrf}, "attended": {"true"}}); c != http.StatusSeeOther || loc != "/training?done=attendance-recorded" {
		t.Errorf("attendance = %d to %q:\n%s", c, loc, body)
	} else if _, page := hr.get(loc); !strings.Contains(page, "Attendance recorded: attended.") {
		t.Errorf("the training page after attendance lacks the notice")
	}

	id := int(e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "KAM", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": time.Now().Format("2006-01-02")}).body["id"].(float64))
	ctl := signIn(t, e.dev.URL, "controller")
	waitFor(t, "programme listed for the controller", func() bool {
		_, page := ctl.get("/reviews")
		return strings.Contains(page, fmt.Sprintf(`action="/reviews/programmes/%d"`, id))
	})
	if c, body := ctl.post(fmt.Sprintf("/reviews/programmes/%d", id), url.Values{"csrf": {ctl.csrf}}); c != http.StatusSeeOther {
		t.Errorf("trigger = %d:\n%s", c, body)
	}
	if c, body := ctl.post(fmt.Sprintf("/reviews/programmes/%d", id), url.Values{"csrf": {ctl.csrf}}); c != http.StatusConflict || !strings.Contains(body, "started today already") {
		t.Errorf("second trigger = %d", c)
	}
	cadence := fmt.Sprintf("/reviews/programmes/%d/cadence", id)
	if c, body := ctl.post(cadence, url.Values{"csrf": {ctl.csrf}, "cadence": {"weekly"}, "start_date": {"2027-01-01"}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "cadence must be") {
		t.Errorf("weekly cadence = %d", c)
	}
	if c, body := ctl.post(cadence, url.Values{"csrf": {ctl.csrf}, "cadence": {"half_yearly"}, "start_date": {"2027-01-01"}, "paused": {"1"}}); c != 200 || !strings.Contains(body, "Review cadence saved") {
		t.Fatalf("set cadence = %d:\n%s", c, body)
	}
	got := e.ok(t, 200, "controller", "GET", fmt.Sprintf("/programmes/%d/review-cadence", id), nil).body
	if got["cadence"] != "half_yearly" || got["paused"] != true || got["start_date"] != "2027-01-01" {
		t.Errorf("cadence after the form = %v", got)
	}
	if _, page := ctl.get("/reviews"); !strings.Contains(page, `<option value="half_yearly" selected>`) {
		t.Error("the form does not show the saved cadence")
	}
}

// TestReviewPageForms: a controller runs a review from its page — findings
// per account, a measure, sign-off, the measure done — and downloads the
// report as CSV; refusals come back on the page with their reason.
func TestReviewPageForms(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	programme := e.runWholeProgramme(t)
	ka := e.accountOf(t, programme, "kam")
	ctl := signIn(t, e.dev.URL, "controller")
	if c, body := ctl.post(fmt.Sprintf("/reviews/programmes/%d", programme), url.Values{"csrf": {ctl.csrf}}); c != http.StatusSeeOther {
		t.Fatalf("trigger = %d:\n%s", c, body)
	}
	var review string
	waitFor(t, "the review is listed", func() bool {
		_, page := ctl.get("/reviews")
		m := regexp.MustCompile(`href="(/reviews/\d+)"`).FindStringSubmatch(page)
		if m != nil {
			review = m[1]
		}
		return m != nil
	})
	waitFor(t, "the review shows its key accounts", func() bool {
		_, page := ctl.get(review)
		return strings.Contains(page, fmt.Sprintf(`id="account-%d"`, ka.CustomerID))
	})
	if c, _ := signIn(t, e.dev.URL, "kam").get(review); c != http.StatusForbidden {
		t.Errorf("kam on the review page = %d", c)
	}
	cust := fmt.Sprint(ka.CustomerID)
	waitFor(t, "findings saved", func() bool {
		c, _ := ctl.post(review+"/findings-form", url.Values{"csrf": {ctl.csrf}, "customer_id": {cust}, "text": {"<i>Margin</i> below plan"}})
		return c == http.StatusSeeOther
	})
	if _, page := ctl.get(review); !strings.Contains(page, "&lt;i&gt;Margin&lt;/i&gt; below plan") {
		t.Fatalf("findings not shown escaped")
	}
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	c, body := ctl.post(review+"/measures-form", url.Values{"csrf": {ctl.csrf}, "customer_id": {cust}, "title": {"Renegotiate"}, "owner_email": {"nobody@example.com"}, "due": {due}})
	if c != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="error">no user has this e-mail address</p>`) {
		t.Fatalf("measure with unknown owner = %d", c)
	}
	// On a German page a measure due in the past is refused in German at
	// its due field, everything typed kept.
	ctlDE := signInGerman(t, e.dev.URL, "controller")
	ctlDE.get(review)
	past := time.Now().AddDate(0, 0, -3).Format("2006-01-02")
	c, body = ctlDE.post(review+"/measures-form", url.Values{"csrf": {ctlDE.csrf}, "customer_id": {cust}, "title": {"Preise neu verhandeln"}, "owner_email": {"kam@" + store.DemoDomain}, "due": {past}})
	refusedAt(t, "measure due in the past (German)", c, body, "due", "das Fälligkeitsdatum muss in der Zukunft liegen",
		`value="Preise neu verhandeln"`, `value="kam@`+store.DemoDomain+`" selected`, `value="`+past+`"`, `value="`+cust+`" selected`)
	c, body = ctlDE.post(review+"/measures-form", url.Values{"csrf": {ctlDE.csrf}, "customer_id": {cust}, "title": {"Preise neu verhandeln"}, "owner_email": {"kam@" + store.DemoDomain}, "due": {"bald"}})
	refusedAt(t, "measure due no date (German)", c, body, "due", "muss ein Datum als JJJJ-MM-TT sein", `value="Preise neu verhandeln"`, `value="bald"`)
	if c, body = ctl.post(review+"/measures-form", url.Values{"csrf": {ctl.csrf}, "customer_id": {cust}, "title": {"Renegotiate prices"}, "owner_email": {"kam@" + store.DemoDomain}, "due": {due}}); c != http.StatusSeeOther {
		t.Fatalf("add measure = %d:\n%s", c, body)
	}
	if c, body = ctl.post(review+"/sign-off-form", url.Values{"csrf": {ctl.csrf}, "overall": {""}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "overall") {
		t.Fatalf("empty sign-off = %d", c)
	}
	if c, _ = ctl.post(review+"/sign-off-form", url.Values{"csrf": {ctl.csrf}, "overall": {"On track"}}); c != http.StatusSeeOther {
		t.Fatalf("sign off = %d", c)
	}
	_, page := ctl.get(review)
	m := regexp.MustCompile(`action="(/reviews/\d+/measures/\d+/done-form)"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "Renegotiate prices") {
		t.Fatalf("no measure to mark done:\n%s", page)
	}
	if c, _ = ctl.post(m[1], url.Values{"csrf": {ctl.csrf}}); c != http.StatusSeeOther {
		t.Fatalf("mark done = %d", c)
	}
	waitFor(t, "the review closes", func() bool {
		_, page := ctl.get(review)
		return strings.Contains(page, `class="badge closed"`)
	})
	lead := signIn(t, e.dev.URL, "lead")
	c, csvText := lead.get(review + "/report.csv")
	rows, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if c != 200 || err != nil || rows[0][0] != "record" {
		t.Fatalf("CSV download = %d, %v", c, err)
	}
	found := false
	for _, r := range rows {
		found = found || (r[0] == "measure" && r[9] == "Renegotiate prices" && r[12] == "done")
	}
	if !found {
		t.Errorf("CSV lacks the done measure: %v", rows)
	}
}

// TestProgrammeManagementForms: the lead pauses, resumes and re-plans the
// programme from its page; the committee cancels it; refusals name the field.
func TestProgrammeManagementForms(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	id := int(e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "KAM Steuerung", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": time.Now().Format("2006-01-02")}).body["id"].(float64))
	p := fmt.Sprintf("/programmes/%d", id)
	lead := signIn(t, e.dev.URL, "lead")
	waitFor(t, "the programme page", func() bool {
		c, page := lead.get(p)
		return c == 200 && strings.Contains(page, `action="`+p+`/pause-form"`)
	})
	if c, _ := signIn(t, e.dev.URL, "kam").post(p+"/pause-form", url.Values{"reason": {"x"}}); c != http.StatusForbidden {
		t.Errorf("kam pausing = %d", c)
	}
	if c, _ := lead.post(p+"/pause-form", url.Values{"csrf": {lead.csrf}, "reason": {"budget review"}}); c != http.StatusSeeOther {
		t.Fatalf("pause = %d", c)
	}
	_, page := lead.get(p)
	if !strings.Contains(page, `class="badge paused"`) || !strings.Contains(page, `action="`+p+`/resume-form"`) {
		t.Fatal("paused programme page lacks the resume form")
	}
	if c, _ := lead.post(p+"/resume-form", url.Values{"csrf": {lead.csrf}}); c != http.StatusSeeOther {
		t.Fatalf("resume = %d", c)
	}
	if c, body := lead.post(p+"/replan-form", url.Values{"csrf": {lead.csrf}, "shift_days": {"many"}, "reason": {"x"}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "shift_days") {
		t.Errorf("replan with bad days = %d", c)
	}
	if c, body := lead.post(p+"/replan-form", url.Values{"csrf": {lead.csrf}, "shift_days": {"14"}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "say why the plan changes") {
		t.Errorf("replan without reason = %d", c)
	}
	// The last phase moves a month later; the order of due dates holds.
	dueOf := func(phase string) time.Time {
		for _, ph := range e.ok(t, 200, "lead", "GET", p, nil).body["phases"].([]any) {
			if ph := ph.(map[string]any); ph["phase"] == phase {
				d, _ := time.Parse(time.RFC3339, ph["due"].(string))
				return d
			}
		}
		t.Fatalf("no phase %s", phase)
		return time.Time{}
	}
	due := dueOf("reviews").AddDate(0, 1, 0).Format("2006-01-02")
	if c, body := lead.post(p+"/replan-form", url.Values{"csrf": {lead.csrf}, "phase": {"reviews"}, "due": {due}, "reason": {"board meets later"}}); c != http.StatusSeeOther {
		t.Fatalf("replan = %d:\n%s", c, body)
	}
	if got := dueOf("reviews").Format("2006-01-02"); got != due {
		t.Errorf("reviews due = %s, want %s", got, due)
	}
	committee := signIn(t, e.dev.URL, "committee")
	if c, body := committee.post(p+"/cancel-form", url.Values{"csrf": {committee.csrf}, "reason": {" "}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "reason") {
		t.Errorf("cancel without reason = %d", c)
	}
	if c, _ := committee.post(p+"/cancel-form", url.Values{"csrf": {committee.csrf}, "reason": {"merged into the group programme"}}); c != http.StatusSeeOther {
		t.Fatalf("cancel = %d", c)
	}
	waitFor(t, "the programme is cancelled", func() bool {
		_, page := lead.get(p)
		return strings.Contains(page, `class="badge cancelled"`) && !strings.Contains(page, `id="manage"`)
	})
}
