package app_test

import (
	"context"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestControllerRunsReviewsInTheBrowser: the controller sees each cadence's
// next review dates, lands on the new review's page after triggering it,
// gives measures to people of the programme picked from a list (a refusal
// keeps the form at its fields), and reads them grouped by key account;
// the API still takes an owner's e-mail. Others get no controls.
func TestControllerRunsReviewsInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	id, keyAccounts := e.programmeInTraining(t)
	ctl := signIn(t, e.dev.URL, "controller")

	// Next review dates from the stored cadence: its day, every quarter.
	start := time.Now().UTC().AddDate(1, 0, 0)
	start = time.Date(start.Year(), start.Month(), 15, 0, 0, 0, 0, time.UTC)
	cadence := fmt.Sprintf("/reviews/programmes/%d/cadence", id)
	if code, body := ctl.post(cadence, url.Values{"csrf": {ctl.csrf}, "cadence": {"quarterly"}, "start_date": {start.Format("2006-01-02")}}); code != http.StatusOK {
		t.Fatalf("set cadence = %d:\n%s", code, body)
	}
	_, page := ctl.get("/reviews")
	runs := regexp.MustCompile(fmt.Sprintf(`(?s)id="next-runs-%d">(.*?)</p>`, id)).FindStringSubmatch(page)
	var want []string
	for k := 0; k < 3; k++ {
		d := start.AddDate(0, 3*k, 0)
		want = append(want, fmt.Sprintf(`<time datetime="%s">%s</time>`, d.Format("2006-01-02"), d.Format("2 Jan 2006")))
	}
	if runs == nil || !strings.Contains(runs[1], "Next reviews: "+strings.Join(want, ", ")) {
		t.Fatalf("next runs = %v, want %v", runs, want)
	}
	ctl.post(cadence, url.Values{"csrf": {ctl.csrf}, "cadence": {"quarterly"}, "start_date": {start.Format("2006-01-02")}, "paused": {"1"}})
	if _, page = ctl.get("/reviews"); !strings.Contains(page, "Paused: no review is scheduled.") {
		t.Error("a paused cadence still shows review dates")
	}

	// Trigger: the answer leads to the review's page (or to the list that
	// links it while its figures are gathered).
	code, loc := ctl.postFor(fmt.Sprintf("/reviews/programmes/%d", id), url.Values{"csrf": {ctl.csrf}})
	if code != http.StatusSeeOther {
		t.Fatalf("trigger = %d", code)
	}
	list, err := e.dev.Store.ReviewsOfProgramme(ctx, id)
	if err != nil || len(list) != 1 {
		waitFor(t, "the review is recorded", func() bool {
			list, _ = e.dev.Store.ReviewsOfProgramme(ctx, id)
			return len(list) == 1
		})
	}
	review := fmt.Sprintf("/reviews/%d", list[0].ID)
	if loc != review && !strings.HasPrefix(loc, "/reviews?started=") {
		t.Fatalf("trigger leads to %q, want %s or the list", loc, review)
	}
	if _, page = ctl.get("/reviews"); !strings.Contains(page, `href="`+review+`"`) {
		t.Error("the reviews list does not link the new review")
	}
	code, page = ctl.post(fmt.Sprintf("/reviews/programmes/%d", id), url.Values{"csrf": {ctl.csrf}})
	if code != http.StatusConflict || !strings.Contains(page, "started today already") || !strings.Contains(page, `href="`+review+`">Open the review`) {
		t.Errorf("second trigger = %d, want 409 linking today's review:\n%s", code, page)
	}

	// Measures: owners from the programme's people.
	names, _ := e.dev.Store.CustomerNames(ctx, keyAccounts)
	first := keyAccounts[0]
	waitFor(t, "the review shows its key accounts", func() bool {
		_, page = ctl.get(review)
		return strings.Contains(page, fmt.Sprintf(`id="account-%d"`, first))
	})
	if strings.Contains(page, `type="email" name="owner_email"`) || !strings.Contains(page, `<optgroup label="People of this programme">`) ||
		!strings.Contains(page, `<option value="kam@`+store.DemoDomain+`">`) || !strings.Contains(page, "KAM · "+htmltemplate.HTMLEscapeString(names[keyAccounts[1]])) {
		t.Fatalf("the owner is not picked from the programme's people:\n%s", page)
	}
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	form := func(title, customer, owner string) url.Values {
		return url.Values{"csrf": {ctl.csrf}, "title": {title}, "customer_id": {customer}, "owner_email": {owner}, "due": {due}}
	}
	code, page = ctl.post(review+"/measures-form", form("Renegotiate prices", fmt.Sprint(first), ""))
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `<p class="error">choose who owns the measure</p>`) ||
		!strings.Contains(page, `value="Renegotiate prices"`) || !strings.Contains(page, fmt.Sprintf(`<option value="%d" selected>`, first)) ||
		!strings.Contains(page, `value="`+due+`"`) {
		t.Fatalf("measure without owner = %d, want 422 at the field with the input kept:\n%s", code, page)
	}
	if r, _ := e.dev.Store.ReviewByID(ctx, list[0].ID); len(r.Measures) != 0 {
		t.Fatalf("a refused measure was saved: %+v", r.Measures)
	}
	waitFor(t, "a measure for the first account", func() bool {
		code, _ := ctl.post(review+"/measures-form", form("Renegotiate prices", fmt.Sprint(first), "kam3@"+store.DemoDomain))
		return code == http.StatusSeeOther
	})
	if code, _ = ctl.post(review+"/measures-form", form("Quarterly steering report", "", "lead@"+store.DemoDomain)); code != http.StatusSeeOther {
		t.Fatalf("programme-wide measure = %d", code)
	}
	// The API keeps taking an e-mail address.
	e.ok(t, 200, "controller", "POST", review+"/measures", map[string]any{"customer_id": keyAccounts[1], "title": "Invite their CFO", "owner_email": "kam@" + store.DemoDomain, "due": due})
	_, page = ctl.get(review)
	measures := page[strings.Index(page, `id="measures"`):]
	at := func(s string) int {
		i := strings.Index(measures, s)
		if i < 0 {
			t.Fatalf("measures lack %q:\n%s", s, measures)
		}
		return i
	}
	firstGroup, secondGroup, whole := at(fmt.Sprintf(`id="measures-%d"`, first)), at(fmt.Sprintf(`id="measures-%d"`, keyAccounts[1])), at(`id="measures-0"`)
	renegotiate, cfo, report := at("Renegotiate prices"), at("Invite their CFO"), at("Quarterly steering report")
	inOrder := func(xs ...int) bool {
		for i := 1; i < len(xs); i++ {
			if xs[i-1] > xs[i] {
				return false
			}
		}
		return true
	}
	// Accounts come in the review's order (by customer name).
	groups := []struct{ at, measure int }{{firstGroup, renegotiate}, {secondGroup, cfo}}
	if names[first] > names[keyAccounts[1]] {
		groups[0], groups[1] = groups[1], groups[0]
	}
	if !inOrder(groups[0].at, groups[0].measure, groups[1].at, groups[1].measure, whole, report) {
		t.Errorf("measures are not grouped by account, programme-wide last:\n%s", measures)
	}

	// Others get no trigger, cadence or measure form.
	lead := signIn(t, e.dev.URL, "lead")
	if code, _ := lead.get("/reviews"); code != http.StatusForbidden {
		t.Errorf("the lead on the controller's reviews page = %d, want 403", code)
	}
	if _, page := lead.get(review); strings.Contains(page, review+"/measures-form") {
		t.Error("the lead is shown the measure form")
	}
	if code, _ := lead.post(review+"/measures-form", url.Values{"csrf": {lead.csrf}, "title": {"x"}, "owner_email": {"kam@" + store.DemoDomain}, "due": {due}}); code != http.StatusForbidden {
		t.Errorf("the lead adding a measure = %d, want 403", code)
	}
	if code, _ := lead.post(fmt.Sprintf("/reviews/programmes/%d", id), url.Values{"csrf": {lead.csrf}}); code != http.StatusForbidden {
		t.Errorf("the lead triggering a review = %d, want 403", code)
	}
}

// postFor posts a form and answers the status and where it redirects.
func (b *browser) postFor(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}
