package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/store"
)

// TestLeadSelectionInTheBrowser: the lead takes a programme from the
// criteria phase to responsibilities with the selection page's forms only:
// criteria (a refusal shown at the row, input kept), a row's scores, a CSV
// of scores with its preview, the provisional list with the focus-limit
// warning, and KAM and deputy with the hierarchy's suggestion.
func TestLeadSelectionInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	r := e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "Selection UI", "committee_emails": []string{"committee@" + store.DemoDomain},
		"start_date": "2026-01-05", "focus_limit": 2})
	id := int(r.body["id"].(float64))
	p := fmt.Sprintf("/programmes/%d", id)
	sel := p + "/selection"

	lead := signIn(t, e.dev.URL, "lead")
	committee := signIn(t, e.dev.URL, "committee")
	step := func(b *browser, path string, form url.Values) {
		t.Helper()
		b.get(p)
		form.Set("csrf", b.csrf)
		if c, body := b.post(path, form); c != http.StatusSeeOther {
			t.Fatalf("%s = %d:\n%s", path, c, body)
		}
	}
	step(lead, p+"/phases/setup/submit", url.Values{"result": {"team set up"}})
	step(lead, p+"/phases/strategy/submit", url.Values{"result": {"strategy"}})
	step(committee, p+"/phases/strategy/approve", url.Values{})

	// Criteria: the editor is the lead's alone.
	_, page := committee.get(sel)
	if strings.Contains(page, "/selection/criteria-form") {
		t.Error("the committee sees the criteria editor")
	}
	_, page = lead.get(sel)
	if !strings.Contains(page, `action="`+sel+`/criteria-form"`) || !strings.Contains(page, `name="threshold" value="2"`) {
		t.Fatalf("no criteria editor with the default threshold for the lead:\n%s", page)
	}
	criteria := url.Values{"csrf": {lead.csrf}, "threshold": {"2"},
		"criteria[0].name": {"Revenue potential"}, "criteria[0].measure": {"annual revenue with us above 1 M"},
		"criteria[1].key": {"fit"}, "criteria[1].measure": {"matches our marketing strategy"},
		"criteria[2].name": {"Growth potential"}, "criteria[2].measure": {"growth above 10 % a year"},
		"criteria[3].key": {"reference"}, "criteria[3].name": {"Reference value"}, "criteria[3].measure": {"named reference in its industry"}}
	c, body := lead.post(sel+"/criteria-form", criteria)
	if c != http.StatusUnprocessableEntity {
		t.Fatalf("criteria without a name = %d:\n%s", c, body)
	}
	if !regexp.MustCompile(`name="criteria\[1\]\.name" value=""[^>]*><p class="error">name is required`).MatchString(body) {
		t.Errorf("the refusal is not shown at criteria[1].name:\n%s", body)
	}
	for _, kept := range []string{`value="Revenue potential"`, `value="Reference value"`, `value="named reference in its industry"`} {
		if !strings.Contains(body, kept) {
			t.Errorf("typed input %s not kept", kept)
		}
	}
	if c, _ := signIn(t, e.dev.URL, "kam").post(sel+"/criteria-form", criteria); c != http.StatusForbidden {
		t.Errorf("kam setting criteria = %d, want 403", c)
	}
	criteria.Set("criteria[1].name", "Strategic fit")
	criteria.Set("threshold", "5")
	if c, body := lead.post(sel+"/criteria-form", criteria); c != http.StatusUnprocessableEntity || !strings.Contains(body, "threshold must be between 1 and 4") || !strings.Contains(body, `value="Strategic fit"`) {
		t.Errorf("threshold 5 = %d:\n%s", c, body)
	}
	criteria.Set("threshold", "2")
	if c, body := lead.post(sel+"/criteria-form", criteria); c != http.StatusSeeOther {
		t.Fatalf("criteria = %d:\n%s", c, body)
	}
	_, page = lead.get(sel)
	for _, want := range []string{"(revenue_potential)", "(fit)", "(growth_potential)", "(reference)"} {
		if !strings.Contains(page, want) {
			t.Errorf("criterion %s not shown", want)
		}
	}

	// A row's scores; a refusal keeps the row's input.
	custs := e.customers(t)
	rowPath := fmt.Sprintf("%s/scores/%d", sel, custs[0].ID)
	// The page carries a box per row whose form comes when it is opened.
	if !strings.Contains(page, `hx-get="`+rowPath+`"`) || strings.Contains(page, `class="score-row"`) {
		t.Fatalf("the selection page's rows without boxes to open, or with all their forms:\n%s", page)
	}
	if c, frag := lead.fragment(rowPath + "?q=Kunde&page=1"); c != 200 || !strings.Contains(frag, `action="`+rowPath+`?q=Kunde"`) ||
		!strings.Contains(frag, `name="met_revenue_potential"`) || !strings.Contains(frag, `name="form_token"`) || strings.Contains(frag, "<html") {
		t.Fatalf("a row's scoring form = %d:\n%s", c, frag)
	}
	if c, loc, _ := lead.getLocation(rowPath + "?q=Kunde"); c != http.StatusSeeOther || loc != fmt.Sprintf("%s?q=Kunde&score=%d#score-%d", sel, custs[0].ID, custs[0].ID) {
		t.Errorf("a row's scoring form asked for as a page = %d to %q", c, loc)
	}
	if c, body := lead.get(fmt.Sprintf("%s?score=%d", sel, custs[0].ID)); c != 200 || strings.Count(body, `class="score-row"`) != 1 ||
		!strings.Contains(body, fmt.Sprintf(`<details id="score-form-%d" open>`, custs[0].ID)) {
		t.Errorf("the page with one row's form open = %d:\n%s", c, body)
	}
	if c, _ := lead.fragment(fmt.Sprintf("%s/scores/999999", sel)); c != http.StatusNotFound {
		t.Errorf("the scoring form of no customer = %d, want 404", c)
	}
	if c, _ := signIn(t, e.dev.URL, "kam").fragment(rowPath); c != http.StatusForbidden {
		t.Errorf("kam opening a scoring form = %d, want 403", c)
	}
	row := url.Values{"csrf": {lead.csrf}, "met_revenue_potential": {"yes"}, "value_revenue_potential": {"3.2 M"}, "met_fit": {"yes"},
		"evidence_fit": {strings.Repeat("x", 5001)}, "met_growth_potential": {"yes"}}
	c, body = lead.post(rowPath, row)
	if c != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="error">evidence is longer than 5000 characters</p>`) || !strings.Contains(body, `name="value_revenue_potential" value="3.2 M"`) ||
		!strings.Contains(body, fmt.Sprintf(`<details id="score-form-%d" open>`, custs[0].ID)) {
		t.Errorf("too long evidence = %d:\n%s", c, body)
	}
	row.Set("evidence_fit", "board decision 2025")
	if c, body := lead.post(rowPath, row); c != http.StatusSeeOther {
		t.Fatalf("row scores = %d:\n%s", c, body)
	}
	scores, err := e.dev.Store.Scores(context.Background(), uint(id))
	if err != nil || len(scores) != 4 {
		t.Fatalf("scores after the row form = %v, %v; want one per criterion", scores, err)
	}
	if c, frag := lead.fragment(rowPath); c != 200 || !strings.Contains(frag, `name="value_revenue_potential" value="3.2 M"`) ||
		!strings.Contains(frag, `name="met_fit" value="yes" checked`) || !strings.Contains(frag, `value="board decision 2025"`) {
		t.Errorf("the row's form after the save = %d without the stored scores:\n%s", c, frag)
	}

	// Scores by CSV: the preview checks every row.
	if c, page := lead.get(sel + "/scores/import"); c != 200 || !strings.Contains(page, "customer, revenue_potential, fit, growth_potential, reference") {
		t.Fatalf("score import form = %d:\n%s", c, page)
	}
	csvText := "customer,revenue_potential,fit,growth_potential,reference\n" +
		custs[1].Name + ",yes,1,,0\n" +
		fmt.Sprint(custs[2].ID) + ",no,0,yes,ja\n" +
		"Nobody Ltd,yes,yes,,\n" +
		custs[3].Name + ",maybe,,,\n" +
		custs[1].Name + ",no,,,\n"
	c, body = lead.post(sel+"/scores/import", url.Values{"csrf": {lead.csrf}, "csv": {csvText}, "action": {"preview"}})
	if c != http.StatusUnprocessableEntity || !strings.Contains(body, "2 valid row(s), 3 with errors.") ||
		!strings.Contains(body, "customer: there is no active customer with this name or ID") ||
		!strings.Contains(body, "revenue_potential: enter yes, no, 1 or 0 (or leave it empty)") || !strings.Contains(body, "customer: same as line 2") {
		t.Fatalf("preview = %d:\n%s", c, body)
	}
	if c, body := lead.post(sel+"/scores/import", url.Values{"csrf": {lead.csrf}, "csv": {csvText}, "action": {"import_all"}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, "Nothing was imported") {
		t.Errorf("import all with errors = %d", c)
	}
	if c, body := lead.post(sel+"/scores/import", url.Values{"csrf": {lead.csrf}, "csv": {"customer,colour\nx,yes\n"}, "action": {"preview"}}); c != http.StatusUnprocessableEntity || !strings.Contains(body, `column &#34;colour&#34; is not a criterion`) {
		t.Errorf("unknown column = %d:\n%s", c, body)
	}
	if c, body := lead.post(sel+"/scores/import", url.Values{"csrf": {lead.csrf}, "csv": {csvText}, "action": {"import_valid"}}); c != 200 || !strings.Contains(body, "2 customer(s) scored imported.") {
		t.Fatalf("import valid rows = %d:\n%s", c, body)
	}
	_, page = lead.get(sel)
	if n := strings.Count(page, "<small>candidate</small>"); n != 3 {
		t.Errorf("%d customers meet the threshold, want 3", n)
	}

	step(lead, p+"/phases/criteria/submit", url.Values{"result": {"4 criteria, at least 2 met"}})
	step(committee, p+"/phases/criteria/approve", url.Values{})
	_, page = lead.get(sel)
	if strings.Contains(page, "/selection/criteria-form") || strings.Contains(page, "/selection/compute-form") {
		t.Error("criteria editor or compute button outside their phases")
	}
	step(lead, p+"/phases/kam_profile/submit", url.Values{"result": {"KAM profile"}})

	// The provisional list.
	_, page = lead.get(sel)
	if !strings.Contains(page, `action="`+sel+`/compute-form"`) {
		t.Fatalf("no compute button in the provisional selection:\n%s", page)
	}
	step(lead, sel+"/compute-form", url.Values{})
	_, page = lead.get(sel)
	if !strings.Contains(page, "more than the focus limit of 2") {
		t.Errorf("focus-limit warning missing:\n%s", page)
	}
	for _, cu := range custs[:3] {
		if !strings.Contains(page, "<tr><td>"+template(cu.Name)+"</td>") {
			t.Errorf("candidate %s not listed", cu.Name)
		}
	}
	step(lead, p+"/phases/provisional_selection/submit", url.Values{"result": {"3 candidates"}})
	for i, cu := range custs[:3] {
		form := url.Values{"decision": {"confirmed"}, "reason": {"fits"}}
		if i == 2 {
			form.Set("decision", "rejected")
		}
		step(lead, fmt.Sprintf("%s/%d/decision", sel, cu.ID), form)
	}
	step(lead, p+"/phases/definitive_selection/submit", url.Values{"result": {"2 key accounts"}})
	step(committee, p+"/phases/definitive_selection/approve", url.Values{})

	// Responsibilities: KAM and deputy from the qualified, the suggestion in one click.
	kas, err := e.dev.Store.KeyAccounts(context.Background(), uint(id))
	if err != nil || len(kas) != 2 {
		t.Fatalf("key accounts = %v, %v", kas, err)
	}
	_, page = lead.get(sel)
	for _, ka := range kas {
		if !strings.Contains(page, fmt.Sprintf(`href="/key-accounts/%d"`, ka.ID)) {
			t.Errorf("no link to key account %d", ka.ID)
		}
	}
	assign := func(customerID uint) string { return fmt.Sprintf("%s/assignments/%d", sel, customerID) }
	if c, body := lead.post(assign(kas[0].CustomerID), url.Values{"csrf": {lead.csrf}, "kam_employee_id": {fmt.Sprint(e.emp["hr"])}, "deputy_employee_id": {fmt.Sprint(e.emp["kam2"])}}); c != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "is not qualified as KAM") || !regexp.MustCompile(fmt.Sprintf(`name="deputy_employee_id">.*<option value="%d" selected>`, e.emp["kam2"])).MatchString(body) {
		t.Errorf("unqualified KAM = %d:\n%s", c, body)
	}
	if c, body := lead.post(assign(kas[0].CustomerID), url.Values{"csrf": {lead.csrf}, "kam_employee_id": {fmt.Sprint(e.emp["kam"])}, "deputy_employee_id": {fmt.Sprint(e.emp["kam"])}}); c != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `<p class="error">the deputy must be someone other than the KAM</p>`) {
		t.Errorf("deputy = KAM = %d:\n%s", c, body)
	}
	suggestion := regexp.MustCompile(`action="` + regexp.QuoteMeta(sel) + `/assignments/(\d+)" class="inline">(?:\s*<input type="hidden"[^>]*>)*?\s*<input type="hidden" name="kam_employee_id" value="(\d+)">`).FindStringSubmatch(page)
	if suggestion == nil {
		t.Fatalf("no hierarchy-matched suggestion offered:\n%s", page)
	}
	step(lead, sel+"/assignments/"+suggestion[1], url.Values{"kam_employee_id": {suggestion[2]}})
	for _, ka := range kas {
		if fmt.Sprint(ka.CustomerID) != suggestion[1] {
			step(lead, assign(ka.CustomerID), url.Values{"kam_employee_id": {fmt.Sprint(e.emp["kam3"])}, "deputy_employee_id": {fmt.Sprint(e.emp["kam2"])}})
		}
	}
	kas, _ = e.dev.Store.KeyAccounts(context.Background(), uint(id))
	for _, ka := range kas {
		if ka.KAMEmployeeID == nil {
			t.Fatalf("key account %d has no KAM after the forms", ka.ID)
		}
		if fmt.Sprint(ka.CustomerID) == suggestion[1] && fmt.Sprint(*ka.KAMEmployeeID) != suggestion[2] {
			t.Errorf("suggested KAM %s not assigned: %d", suggestion[2], *ka.KAMEmployeeID)
		}
	}
	step(lead, p+"/phases/responsibilities/submit", url.Values{"result": {"KAMs and deputies named"}})
	step(committee, p+"/phases/responsibilities/approve", url.Values{})
	st := e.ok(t, 200, "lead", "GET", p, nil)
	if st.body["current_phase"] != "training" {
		t.Errorf("after responsibilities = %v, want training", st.body["current_phase"])
	}
}

// template escapes s as html/template writes text.
func template(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
