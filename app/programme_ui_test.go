package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestLeadProgrammeWorkInTheBrowser: the lead's programme page lists the
// key accounts with links, shows in the training phase who misses which
// required course and where they are booked (and no submit form, the phase
// completing by itself), and keeps the roll-out's record: conflicts logged
// and resolved, staff informed. The roll-out is refused at the field while
// a conflict is open or no briefing named the key accounts, with what was
// typed kept; others see the record but no forms and are refused with 403.
func TestLeadProgrammeWorkInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	id, _ := e.programmeInTraining(t)
	p := fmt.Sprintf("/programmes/%d", id)
	kamAccount, kam3Account := e.accountOf(t, id, "kam"), e.accountOf(t, id, "kam3")

	// HR runs a required course; Karla (kam) is booked in its session, Katrin (kam3) is not.
	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "KAM Basics", "duration_days": 2, "required_for_kams": true})
	starts := time.Now().AddDate(0, 1, 0).UTC().Truncate(time.Hour)
	sess := e.ok(t, 201, "hr", "POST", "/sessions", map[string]any{"course_id": course.body["id"], "starts_at": starts.Format(time.RFC3339),
		"ends_at": starts.Add(8 * time.Hour).Format(time.RFC3339), "capacity": 8, "place": "Zürich"})
	e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", int(sess.body["id"].(float64))), map[string]any{"employee_id": e.emp["kam"]})

	lead := signIn(t, e.dev.URL, "lead")
	code, page := lead.get(p)
	if code != 200 {
		t.Fatalf("programme page = %d", code)
	}
	for _, want := range []string{`id="key-accounts"`, fmt.Sprintf(`href="/key-accounts/%d"`, kamAccount.ID), fmt.Sprintf(`href="/key-accounts/%d"`, kam3Account.ID),
		`href="/key-accounts?programme_id=` + fmt.Sprint(id) + `"`, `href="` + p + `/selection"`, "Karla Krüger", "Kai Kramer"} {
		if !strings.Contains(page, want) {
			t.Errorf("the lead's programme page lacks %s", want)
		}
	}
	standing := section(page, `id="training-standing"`)
	karla, katrin, kai := row(standing, fmt.Sprintf(`id="training-%d"`, e.emp["kam"])), row(standing, fmt.Sprintf(`id="training-%d"`, e.emp["kam3"])), row(standing, fmt.Sprintf(`id="training-%d"`, e.emp["kam2"]))
	if !strings.Contains(karla, "KAM Basics: enrolled") || !strings.Contains(karla, "Zürich") || !strings.Contains(karla, "the phase waits for this KAM") {
		t.Errorf("Karla's training row = %q, want KAM Basics, enrolled in Zürich, waited for", karla)
	}
	if !strings.Contains(katrin, "KAM Basics: <strong class=\"error\">not enrolled") {
		t.Errorf("Katrin's training row = %q, want KAM Basics not enrolled", katrin)
	}
	if !strings.Contains(kai, "deputy of") || !strings.Contains(kai, "deputy: the phase does not wait") || !strings.Contains(kai, "KAM Basics") {
		t.Errorf("Kai's (deputy) training row = %q", kai)
	}
	if strings.Contains(page, `action="`+p+`/phases/training/submit"`) || !strings.Contains(page, "This phase completes by itself") {
		t.Error("the training phase offers a submit form; it completes by itself")
	}
	// A KAM sees her own key account only and nobody's training gaps.
	kam := signIn(t, e.dev.URL, "kam")
	_, kamPage := kam.get(p)
	if !strings.Contains(kamPage, fmt.Sprintf(`href="/key-accounts/%d"`, kamAccount.ID)) || strings.Contains(kamPage, fmt.Sprintf(`href="/key-accounts/%d"`, kam3Account.ID)) ||
		strings.Contains(kamPage, `id="training-standing"`) {
		t.Error("a KAM's programme page shows other KAMs' accounts or the training standing")
	}

	// Training completes by itself; both plans approved, the roll-out begins.
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, e.emp["kam"]), map[string]string{})
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, e.emp["kam3"]), map[string]string{})
	e.submitPlan(t, id, "kam")
	e.submitPlan(t, id, "kam3")
	e.ok(t, 200, "lead", "POST", fmt.Sprintf("%s/plans/%d/approve", p, kamAccount.CustomerID), map[string]string{})
	e.ok(t, 200, "lead", "POST", fmt.Sprintf("%s/plans/%d/approve", p, kam3Account.CustomerID), map[string]string{})

	_, page = lead.get(p)
	if !strings.Contains(page, `id="rollout"`) || !strings.Contains(page, `action="`+p+`/rollout/conflicts-form"`) ||
		!strings.Contains(page, `action="`+p+`/rollout/briefings-form"`) || !strings.Contains(page, "staff are not informed yet") {
		t.Fatalf("the lead's page in the roll-out lacks the record's forms or what is missing:\n%s", section(page, `id="rollout"`))
	}
	// Handing in before staff are informed: refused at the briefings, the notes kept.
	code, page = lead.post(p+"/phases/rollout/submit", url.Values{"csrf": {lead.csrf}, "result": {"Top-10 list on the intranet"}})
	if code != 409 || !strings.Contains(section(page, `id="rollout-briefings"`), `<p class="error">staff are not informed yet`) ||
		!strings.Contains(page, ">Top-10 list on the intranet</textarea>") {
		t.Fatalf("rollout submitted before staff were informed = %d, want 409 at the briefings with the notes kept:\n%s", code, page)
	}
	// A conflict needs both sides; the typed text is kept.
	code, page = lead.post(p+"/rollout/conflicts-form", url.Values{"csrf": {lead.csrf}, "what": {"Key account orders jump the production queue"}, "between": {" "}})
	if code != 422 || !strings.Contains(page, `<p class="error">say between whom the conflict is</p>`) ||
		!strings.Contains(page, `value="Key account orders jump the production queue"`) {
		t.Fatalf("conflict without sides = %d, want 422 at the field with the input kept:\n%s", code, section(page, `id="rollout"`))
	}
	if code, _ = lead.post(p+"/rollout/conflicts-form", url.Values{"csrf": {lead.csrf}, "what": {"Key account orders jump the production queue"}, "between": {"sales and production"}}); code != 303 {
		t.Fatalf("log conflict = %d", code)
	}
	// An open conflict keeps the roll-out back: the reason shows at its row.
	code, page = lead.post(p+"/phases/rollout/submit", url.Values{"csrf": {lead.csrf}, "result": {""}})
	if code != 409 || !strings.Contains(row(page, `id="conflict-1"`), `<p class="error">the conflict &#34;Key account orders jump the production queue&#34; is open`) {
		t.Fatalf("rollout with an open conflict = %d, want 409 at the conflict:\n%s", code, section(page, `id="rollout"`))
	}
	code, page = lead.post(p+"/rollout/conflicts/1/resolve-form", url.Values{"csrf": {lead.csrf}, "resolution": {"  "}})
	if code != 422 || !strings.Contains(row(page, `id="conflict-1"`), "say how the conflict was resolved") {
		t.Fatalf("empty resolution = %d, want 422 at the conflict's row:\n%s", code, section(page, `id="rollout"`))
	}
	if code, _ = lead.post(p+"/rollout/conflicts/1/resolve-form", url.Values{"csrf": {lead.csrf}, "resolution": {"A weekly production slot for key accounts"}}); code != 303 {
		t.Fatalf("resolve = %d", code)
	}
	// A briefing in the future is refused at its date, the groups ticked and typed kept.
	future := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
	briefing := url.Values{"csrf": {lead.csrf}, "informed_on": {future}, "channel": {"staff_meeting"}, "groups": {"Sales"},
		"other_groups": {"Production, Customer service"}, "note": {"CEO opened the meeting"}}
	code, page = lead.post(p+"/rollout/briefings-form", briefing)
	if code != 422 || !strings.Contains(page, "the date is in the future") || !strings.Contains(page, `value="`+future+`"`) ||
		!strings.Contains(page, `value="Sales" checked`) || !strings.Contains(page, `value="Production, Customer service"`) || !strings.Contains(page, ">CEO opened the meeting</textarea>") {
		t.Fatalf("briefing in the future = %d, want 422 at the date with the input kept:\n%s", code, section(page, `id="rollout"`))
	}
	briefing.Set("informed_on", time.Now().UTC().Format("2006-01-02"))
	if code, _ = lead.post(p+"/rollout/briefings-form", briefing); code != 303 {
		t.Fatalf("briefing = %d", code)
	}
	// Staff were informed, but nobody named the key accounts.
	if code, page = lead.post(p+"/phases/rollout/submit", url.Values{"csrf": {lead.csrf}}); code != 409 ||
		!strings.Contains(section(page, `id="rollout-briefings"`), "no briefing named the key accounts yet") {
		t.Fatalf("rollout without the key accounts named = %d:\n%s", code, section(page, `id="rollout"`))
	}
	briefing.Set("key_accounts_named", "yes")
	briefing.Set("channel", "intranet")
	if code, _ = lead.post(p+"/rollout/briefings-form", briefing); code != 303 {
		t.Fatalf("second briefing = %d", code)
	}

	// Others see the record, not its forms, and may not use them.
	committee := signIn(t, e.dev.URL, "committee")
	_, page = committee.get(p)
	if !strings.Contains(page, "A weekly production slot for key accounts") || strings.Contains(page, "/rollout/briefings-form") || strings.Contains(page, "/rollout/conflicts-form") {
		t.Error("the committee does not see the record, or sees its forms")
	}
	for _, who := range []*browser{committee, kam} {
		if code, _ := who.post(p+"/rollout/conflicts-form", url.Values{"csrf": {who.csrf}, "what": {"x"}, "between": {"y"}}); code != 403 {
			t.Errorf("logging a conflict as someone other than the lead = %d, want 403", code)
		}
	}

	if code, page = lead.post(p+"/phases/rollout/submit", url.Values{"csrf": {lead.csrf}, "result": {"Top-10 list on the intranet"}}); code != 303 {
		t.Fatalf("rollout = %d:\n%s", code, page)
	}
	rec, err := e.dev.Store.ProgrammeRecordByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Programme.CurrentPhase != "reviews" || len(rec.Conflicts) != 1 || rec.Conflicts[0].ResolvedBy != "lead@"+store.DemoDomain || len(rec.Briefings) != 2 ||
		fmt.Sprint(rec.Briefings[0].GroupList()) != "[Sales Production Customer service]" || !rec.Briefings[1].KeyAccountsNamed {
		t.Fatalf("record = phase %s, conflicts %+v, briefings %+v", rec.Programme.CurrentPhase, rec.Conflicts, rec.Briefings)
	}
	var result string
	for _, ph := range rec.Phases {
		if ph.Phase == "rollout" {
			result = ph.Result
		}
	}
	for _, want := range []string{"Staff informed (2)", "staff meeting: Sales, Production, Customer service", "intranet", "key accounts named",
		"Key account orders jump the production queue (between sales and production): A weekly production slot for key accounts", "Top-10 list on the intranet"} {
		if !strings.Contains(result, want) {
			t.Errorf("rollout result lacks %q:\n%s", want, result)
		}
	}
	if _, page = lead.get(p); strings.Contains(page, "/rollout/briefings-form") || !strings.Contains(page, "Staff informed (2)") {
		t.Error("after the roll-out the page still offers its forms or lacks the composed result")
	}
}

// section is the part of page from the element with attr to the end of
// its section (or the page).
func section(page, attr string) string {
	i := strings.Index(page, attr)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

// row is the table row with attr.
func row(page, attr string) string {
	i := strings.Index(page, attr)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	if j := strings.Index(rest, "</tr>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

// TestLeadHandsInPhasesByTheirParts: set-up, strategy and KAM profile ask
// for the parts the domain names; a missing part is refused at its field
// with everything typed kept, a gate sent back is revised from what was
// handed in, and the API takes the same parts.
func TestLeadHandsInPhasesByTheirParts(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	r := e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "KAM Parts", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05"})
	id := uint(r.body["id"].(float64))
	p := fmt.Sprintf("/programmes/%d", id)
	lead := signIn(t, e.dev.URL, "lead")
	waitFor(t, "the programme's first phase", func() bool {
		_, page := lead.get(p)
		return strings.Contains(page, `name="parts.team"`)
	})
	setup := url.Values{"csrf": {lead.csrf}, "parts.team": {"CEO, CFO, head of sales"}, "parts.goals": {" "}, "parts.milestones": {"Selection by month 11, roll-out by month 24"}}
	code, page := lead.post(p+"/phases/setup/submit", setup)
	if code != 422 || !strings.Contains(page, `<p class="error">describe this part of the result: goals of the introduction</p>`) ||
		!strings.Contains(page, ">CEO, CFO, head of sales</textarea>") || !strings.Contains(page, ">Selection by month 11, roll-out by month 24</textarea>") {
		t.Fatalf("set-up without goals = %d, want 422 at the goals with the rest kept:\n%s", code, page)
	}
	setup.Set("parts.goals", "Ten key accounts with a KAM each")
	if code, _ = lead.post(p+"/phases/setup/submit", setup); code != 303 {
		t.Fatalf("set-up = %d", code)
	}
	st := e.ok(t, 200, "lead", "GET", p, nil)
	if res := st.body["phases"].([]any)[0].(map[string]any)["result"]; res != "Project team (members of management):\nCEO, CFO, head of sales\n\nGoals of the introduction:\nTen key accounts with a KAM each\n\nMilestones and dates:\nSelection by month 11, roll-out by month 24" {
		t.Errorf("set-up result = %q", res)
	}

	strategy := map[string]string{"corporate_strategy": "Group strategy 2030", "marketing_strategy": "Regulated industries first",
		"kam_role": "KAM owns relationship and results"}
	e.refused(t, id, 422, "parts.current_service", "lead", "POST", p+"/phases/strategy/submit", map[string]any{"parts": strategy})
	strategy["current_service"] = "Sales heads serve the top 10 ad hoc"
	e.refused(t, id, 422, "result", "lead", "POST", p+"/phases/strategy/submit", map[string]any{"parts": strategy, "result": "also text"})
	e.ok(t, 200, "lead", "POST", p+"/phases/strategy/submit", map[string]any{"parts": strategy})
	e.ok(t, 200, "committee", "POST", p+"/phases/strategy/reject", map[string]string{"comment": "Say where the reserves are"})
	// The revision starts from what was handed in.
	_, page = lead.get(p)
	if !strings.Contains(page, `name="parts.current_service" rows="3" maxlength="20000" required>Sales heads serve the top 10 ad hoc</textarea>`) ||
		!strings.Contains(page, ">Group strategy 2030</textarea>") {
		t.Fatalf("the strategy sent back is not offered for revision:\n%s", page)
	}
	// Others see no form and may not hand in.
	kam := signIn(t, e.dev.URL, "kam")
	if _, kamPage := kam.get(p); strings.Contains(kamPage, `name="parts.`) {
		t.Error("a KAM sees the phase's parts form")
	}
	if code, _ := kam.post(p+"/phases/strategy/submit", url.Values{"csrf": {kam.csrf}, "parts.team": {"x"}}); code != 403 {
		t.Errorf("a KAM handing in = %d, want 403", code)
	}
}
