package app_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/app"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// The demo customers the selection works with: Helvetia and Nordlicht
// become key accounts, Rheintal is a candidate the lead rejects.
const (
	helvetia  = "Helvetia Pharma SA"
	nordlicht = "Nordlicht Energie GmbH"
	rheintal  = "Rheintal Logistik AG"
)

// scoresCSV scores every demo customer against the four criteria: three
// meet at least two of them.
const scoresCSV = "customer,revenue,fit,growth,reference\n" +
	helvetia + ",yes,yes,yes,no\n" +
	nordlicht + ",yes,yes,no,no\n" +
	rheintal + ",no,no,yes,yes\n" +
	"Alpenbau AG,yes,no,no,no\n" +
	"Stadtwerke Musterstadt,no,no,no,no\n" +
	"Bäckerei Sonnenschein KG,no,no,no,yes\n"

// settle bounds how long a page may take to show what a workflow did.
const settle = 90 * time.Second

// programmeFlow is one programme driven through Chromium, each step by
// the role that does it in real life. The browser is the only way in; the
// database is read to check what each step recorded.
type programmeFlow struct {
	t      *testing.T
	dev    *app.Dev
	chrome *chromiumProcess
	// windows holds each role's signed-in browser context.
	windows map[string]*browserSession
	// workshopAt is the annual workshop's first day as the KAM set it.
	workshopAt time.Time
	shots      string
	steps      int

	programme   uint
	customer    map[string]uint // demo customer name → ID
	emp         map[string]uint // demo local part → employee ID
	keyAccount  map[string]uint // demo customer name → key-account ID
	course      uint
	enrolment   uint
	review      uint
	measure     uint
	planWritten map[string]string // KAM → goal title typed into her plan
}

// flowStep is one role's action; do runs in that role's window.
type flowStep struct {
	who, name string
	do        func(f *programmeFlow, b *browserSession)
}

// TestProgrammeInTheBrowser drives one programme in Debian's Chromium from
// "New programme" to the committee closing it, every step in the browser
// as the role that does it: phases submitted and approved, one gate sent
// back and resubmitted, criteria, scores by CSV, the provisional list,
// decisions, KAM and deputy with the hierarchy's suggestion, HR's
// enrolment, attendance and training done elsewhere, an account plan sent
// back, revised and approved, roll-out, and a review whose measure a KAM
// completes from "My work". A screenshot per step is kept; any console
// error fails the step.
func TestProgrammeInTheBrowser(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	f := newProgrammeFlow(t, exe)
	steps := []flowStep{
		{"lead", "start-the-programme", (*programmeFlow).startProgramme},
		{"lead", "submit-set-up", submitParts(workflows.PhaseSetup, map[string]string{"team": "CEO, CFO, head of sales", "goals": "Serve our ten largest customers as partners",
			"milestones": "Selection by spring, roll-out by autumn"})},
		{"lead", "submit-strategy", submitParts(workflows.PhaseStrategy, map[string]string{"corporate_strategy": "Grow with fewer, larger customers",
			"marketing_strategy": "Partnerships in energy and pharma", "kam_role": "KAM role derived from the marketing strategy", "current_service": "Not analysed yet"})},
		{"committee", "send-strategy-back", rejectGate(workflows.PhaseStrategy, "Analyse how key customers are served today and where the reserves are")},
		{"lead", "resubmit-strategy", submitParts(workflows.PhaseStrategy, map[string]string{"current_service": "Served by field sales; reserves in service and joint planning"})},
		{"committee", "approve-strategy", approveGate(workflows.PhaseStrategy)},
		{"lead", "set-criteria", (*programmeFlow).setCriteria},
		{"lead", "import-scores", (*programmeFlow).importScores},
		{"lead", "submit-criteria", submitPhase(workflows.PhaseCriteria, "Four criteria, at least two met")},
		{"committee", "approve-criteria", approveGate(workflows.PhaseCriteria)},
		{"lead", "submit-kam-profile", submitParts(workflows.PhaseKAMProfile, map[string]string{"requirements": "Relationship builder and strategic thinker; not every top seller",
			"candidate_pool": "Senior sales and two product managers"})},
		{"lead", "compute-provisional-list", (*programmeFlow).computeProvisionalList},
		{"lead", "submit-provisional-selection", submitPhase(workflows.PhaseProvisionalSelection, "Three candidates")},
		{"lead", "decide-candidates", (*programmeFlow).decideCandidates},
		{"lead", "submit-definitive-selection", submitPhase(workflows.PhaseDefinitiveSelection, "Two key accounts confirmed")},
		{"committee", "approve-definitive-selection", approveGate(workflows.PhaseDefinitiveSelection)},
		{"lead", "assign-kams-and-deputies", (*programmeFlow).assignKAMs},
		{"lead", "submit-responsibilities", submitPhase(workflows.PhaseResponsibilities, "KAMs and deputies named, matched by hierarchy")},
		{"committee", "approve-responsibilities", approveGate(workflows.PhaseResponsibilities)},
		{"hr", "create-course-and-session", (*programmeFlow).scheduleTraining},
		{"hr", "enrol-a-kam", (*programmeFlow).enrolKAM},
		{"hr", "record-training-done-elsewhere", (*programmeFlow).recordTrainingElsewhere},
		{"hr", "record-attendance", (*programmeFlow).recordAttendance},
		{"kam", "write-the-plan", writePlan(nordlicht, "kam")},
		{"committee", "send-the-plan-back", (*programmeFlow).sendPlanBack},
		{"kam", "revise-the-plan", (*programmeFlow).revisePlan},
		{"lead", "approve-the-plan", (*programmeFlow).approvePlanOnAccountPage},
		{"kam3", "write-the-plan", writePlan(helvetia, "kam3")},
		{"committee", "approve-the-plan-from-the-start-page", (*programmeFlow).approvePlanFromStartPage},
		{"kam", "start-the-annual-workshop", (*programmeFlow).startWorkshop},
		{"kam", "set-the-workshop-date", (*programmeFlow).setWorkshopDate},
		{"lead", "start-a-jour-fixe", (*programmeFlow).startJourFixe},
		{"kam", "give-jour-fixe-input", (*programmeFlow).giveJourFixeInput},
		{"lead", "log-a-rollout-conflict", (*programmeFlow).logConflict},
		{"lead", "refused-rollout-while-the-conflict-is-open", (*programmeFlow).rolloutRefused},
		{"lead", "resolve-the-conflict", (*programmeFlow).resolveConflict},
		{"lead", "record-the-staff-briefing", (*programmeFlow).recordBriefing},
		{"lead", "submit-rollout", submitPhase(workflows.PhaseRollout, "Everyone knows the two key accounts")},
		{"controller", "trigger-a-review", (*programmeFlow).triggerReview},
		{"controller", "add-a-measure", (*programmeFlow).addMeasure},
		{"kam", "complete-the-measure-from-my-work", (*programmeFlow).completeMeasure},
		{"controller", "sign-the-review-off", (*programmeFlow).signOffReview},
		{"kam", "record-the-workshop-minutes-and-actions", (*programmeFlow).recordWorkshopMinutes},
		{"lead", "start-a-handover", (*programmeFlow).startHandover},
		{"lead", "choose-the-incoming-kam-and-tick-the-checklist", (*programmeFlow).finishHandover},
		{"lead", "submit-reviews", submitPhase(workflows.PhaseReviews, "First controller review signed off; its measure is done")},
		{"committee", "close-the-programme", approveGate(workflows.PhaseReviews)},
	}
	start := time.Now()
	for _, s := range steps {
		f.run(s)
	}
	rec := f.record()
	if rec.Programme.Status != string(workflows.StatusCompleted) {
		t.Fatalf("programme status after the committee closed it = %q", rec.Programme.Status)
	}
	for _, ph := range rec.Phases {
		if ph.Status != string(workflows.PhaseDone) {
			t.Errorf("phase %s = %s, want done", ph.Phase, ph.Status)
		}
	}
	t.Logf("%d steps in %s; screenshots in %s", len(steps), time.Since(start).Round(time.Second), f.shots)
}

func newProgrammeFlow(t *testing.T, exe string) *programmeFlow {
	t.Helper()
	// Everything in the browser ends before the test's own deadline.
	deadline := time.Now().Add(15 * time.Minute)
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-30 * time.Second)
	}
	d := startDev(t, devConfig(t, t.TempDir()))
	t.Cleanup(func() { d.Stop(context.Background()) })
	shots, err := os.MkdirTemp("", "kamflow-programme-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", shots)
	f := &programmeFlow{t: t, dev: d, chrome: newChromium(t, exe, deadline), windows: map[string]*browserSession{}, shots: shots,
		customer: map[string]uint{}, emp: map[string]uint{}, keyAccount: map[string]uint{}, planWritten: map[string]string{}}
	ctx := context.Background()
	for _, local := range []string{"kam", "kam2", "kam3"} {
		u, err := d.Store.UserByEmail(ctx, local+"@"+store.DemoDomain)
		if err != nil || u.EmployeeID == nil {
			t.Fatalf("demo user %s: %v", local, err)
		}
		f.emp[local] = *u.EmployeeID
	}
	list, _, err := d.Store.ListCustomers(ctx, store.Page{Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		f.customer[c.Name] = c.ID
	}
	return f
}

// run does one step in the role's window (signing in the first time),
// keeps its screenshot and fails on anything the page logged as an error.
func (f *programmeFlow) run(s flowStep) {
	f.t.Helper()
	f.steps++
	name := fmt.Sprintf("%02d-%s-%s", f.steps, s.who, s.name)
	b := f.window(s.who)
	began := time.Now()
	// A failed step leaves its page behind too, to see what went wrong.
	defer func() {
		if f.t.Failed() {
			f.shoot(b, name+"-failed")
		}
	}()
	s.do(f, b)
	f.shoot(b, name)
	if errs := b.consoleErrors(); len(errs) > 0 {
		f.t.Fatalf("step %s: console errors: %v", name, errs)
	}
	f.t.Logf("%-48s %5.1fs", name, time.Since(began).Seconds())
}

// shoot keeps a full-page screenshot of the window's page.
func (f *programmeFlow) shoot(b *browserSession, name string) {
	png, err := b.capture(f.t)
	if err != nil {
		f.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(f.shots, name+".png"), png, 0o644); err != nil {
		f.t.Errorf("screenshot %s: %v", name, err)
	}
}

// window is the role's own browser context, signed in with the login form.
func (f *programmeFlow) window(who string) *browserSession {
	if b, ok := f.windows[who]; ok {
		return b
	}
	b := f.chrome.window(f.t, f.shots)
	b.run(f.t, "sign in "+who,
		chromedp.Navigate(f.url("/login")),
		chromedp.WaitVisible(`form[action="/login"] input[name=email]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, who+"@"+store.DemoDomain, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, store.DemoPassword, chromedp.ByQuery),
	)
	b.submit(f.t, "sign in "+who, `form[action="/login"] button[type=submit]`, `a[href="/my-work"]`)
	f.windows[who] = b
	return b
}

func (f *programmeFlow) url(path string) string { return f.dev.URL + path }

func (f *programmeFlow) programmePath() string { return fmt.Sprintf("/programmes/%d", f.programme) }

func (f *programmeFlow) selectionPath() string { return f.programmePath() + "/selection" }

func (f *programmeFlow) accountPath(customer string) string {
	return fmt.Sprintf("/key-accounts/%d", f.keyAccount[customer])
}

// waitFor polls the database until cond holds: the check of a step whose
// effects a workflow records in the background.
func (f *programmeFlow) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(settle)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (f *programmeFlow) record() *store.ProgrammeRecord {
	f.t.Helper()
	rec, err := f.dev.Store.ProgrammeRecordByID(context.Background(), f.programme)
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

func (f *programmeFlow) phase(p workflows.Phase) store.ProgrammePhase {
	f.t.Helper()
	for _, ph := range f.record().Phases {
		if ph.Phase == string(p) {
			return ph
		}
	}
	f.t.Fatalf("programme has no phase %s", p)
	return store.ProgrammePhase{}
}

func (f *programmeFlow) waitPhase(p workflows.Phase, status workflows.PhaseStatus) {
	f.t.Helper()
	f.waitFor(fmt.Sprintf("phase %s %s", p, status), func() bool { return f.phase(p).Status == string(status) })
}

// text reads an element's text.
func (f *programmeFlow) text(b *browserSession, sel string) string {
	f.t.Helper()
	var s string
	b.run(f.t, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// --- the lead starts the programme ---

var programmeURL = regexp.MustCompile(`/programmes/(\d+)`)

func (f *programmeFlow) startProgramme(b *browserSession) {
	t := f.t
	b.run(t, "open the start page", chromedp.Navigate(f.url("/")))
	b.submit(t, "new programme", `a[href="/programmes/new"]`, `form[action="/programmes"] input[name=name]`)
	b.run(t, "fill in the programme",
		chromedp.SendKeys(`input[name=name]`, "KAM-Einführung Browser AG", chromedp.ByQuery),
		chromedp.Click(`input[name=committee][value="committee@`+store.DemoDomain+`"]`, chromedp.ByQuery),
	)
	b.submit(t, "start the programme", `form[action="/programmes"] button[type=submit]`, `svg.timeline`)
	var loc string
	b.run(t, "location", chromedp.Location(&loc))
	m := programmeURL.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after starting the programme the browser is at %s", loc)
	}
	id, _ := strconv.Atoi(m[1])
	f.programme = uint(id)
	f.waitPhase(workflows.PhaseSetup, workflows.PhaseInProgress)
	if rec := f.record(); rec.Programme.LeadEmail != "lead@"+store.DemoDomain || len(rec.Committee) != 1 {
		t.Fatalf("programme as started = lead %s, committee %v", rec.Programme.LeadEmail, rec.Committee)
	}
}

// --- phases and gates on the programme page ---

// submitPhase is the lead handing in a phase's results on the programme page.
func submitPhase(p workflows.Phase, result string) func(*programmeFlow, *browserSession) {
	return func(f *programmeFlow, b *browserSession) {
		row := "#phase-" + string(p)
		b.openUntil(f.t, f.url(f.programmePath()), row+" textarea[name=result]", settle)
		b.run(f.t, "write the results of "+string(p), chromedp.SendKeys(row+" textarea[name=result]", result, chromedp.ByQuery))
		b.submit(f.t, "submit "+string(p), row+` form[action$="/phases/`+string(p)+`/submit"] button[type=submit]`, row)
		want := workflows.PhaseDone
		if f.phase(p).Gate {
			want = workflows.PhaseSubmitted
		}
		f.waitPhase(p, want)
		// The roll-out's result is composed from its record plus these notes.
		if got := f.phase(p); !strings.Contains(got.Result, result) || got.SubmittedBy != "lead@"+store.DemoDomain {
			f.t.Fatalf("phase %s recorded result %q by %q", p, got.Result, got.SubmittedBy)
		}
	}
}

// openGate is the committee member following the start page's "Approvals
// waiting for you" to the submitted gate.
func (f *programmeFlow) openGate(b *browserSession, p workflows.Phase) {
	link := fmt.Sprintf(`a[href="%s#phase-%s"]`, f.programmePath(), p)
	b.openUntil(f.t, f.url("/"), link, settle)
	b.submit(f.t, "open the gate "+string(p), link, confirmSummary("", fmt.Sprintf(`form[action="%s/phases/%s/approve"]`, f.programmePath(), p)))
}

func approveGate(p workflows.Phase) func(*programmeFlow, *browserSession) {
	return func(f *programmeFlow, b *browserSession) {
		f.openGate(b, p)
		b.openConfirm(f.t, "approve "+string(p), "", fmt.Sprintf(`form[action="%s/phases/%s/approve"]`, f.programmePath(), p))
		b.submit(f.t, "approve "+string(p), fmt.Sprintf(`form[action="%s/phases/%s/approve"] button`, f.programmePath(), p), "#phase-"+string(p))
		f.waitPhase(p, workflows.PhaseDone)
		if got := f.phase(p); got.ApprovedBy != "committee@"+store.DemoDomain {
			f.t.Fatalf("gate %s approved by %q", p, got.ApprovedBy)
		}
	}
}

func rejectGate(p workflows.Phase, comment string) func(*programmeFlow, *browserSession) {
	return func(f *programmeFlow, b *browserSession) {
		f.openGate(b, p)
		form := fmt.Sprintf(`#phase-%s form[action="%s/phases/%s/reject"]`, p, f.programmePath(), p)
		b.run(f.t, "say what to rework", chromedp.SendKeys(form+" textarea[name=comment]", comment, chromedp.ByQuery))
		b.submit(f.t, "send "+string(p)+" back", form+" button[type=submit]", "#phase-"+string(p)+" .error")
		f.waitPhase(p, workflows.PhaseInProgress)
		if got := f.phase(p); got.LastRejection != comment {
			f.t.Fatalf("gate %s sent back with %q, want %q", p, got.LastRejection, comment)
		}
		if shown := f.text(b, "#phase-"+string(p)+" .error"); !strings.Contains(shown, comment) {
			f.t.Errorf("the programme page shows %q, not the comment", shown)
		}
	}
}

// --- the lead's selection ---

func (f *programmeFlow) setCriteria(b *browserSession) {
	t := f.t
	editor := `form[action="` + f.selectionPath() + `/criteria-form"]`
	b.openUntil(t, f.url(f.programmePath()), `a[href="`+f.selectionPath()+`"]`, settle)
	b.submit(t, "open the selection", `a[href="`+f.selectionPath()+`"]`, editor)
	rows := [][3]string{
		{"Revenue potential", "annual revenue with us above 1 M", "revenue"},
		{"Strategic fit", "matches our marketing strategy", "fit"},
		{"Growth potential", "expected growth above 10 % a year", "growth"},
		{"Reference value", "named reference in its industry", "reference"},
	}
	var fill []chromedp.Action
	for i, r := range rows {
		field := func(name string) string { return fmt.Sprintf(`%s input[name="criteria[%d].%s"]`, editor, i, name) }
		fill = append(fill, chromedp.SendKeys(field("name"), r[0], chromedp.ByQuery),
			chromedp.SendKeys(field("measure"), r[1], chromedp.ByQuery), chromedp.SendKeys(field("key"), r[2], chromedp.ByQuery))
	}
	fill = append(fill, chromedp.SetValue(editor+` input[name=threshold]`, "2", chromedp.ByQuery))
	b.run(t, "fill in the criteria", fill...)
	b.submit(t, "save the criteria", editor+` button[type=submit]`, `a[href="`+f.selectionPath()+`/scores/import"]`)
	rec := f.record()
	if len(rec.Criteria) != 4 || rec.Programme.Threshold != 2 || rec.Criteria[1].CriterionKey != "fit" || rec.Criteria[3].Measure != rows[3][1] {
		t.Fatalf("criteria recorded = %+v, threshold %d", rec.Criteria, rec.Programme.Threshold)
	}
}

func (f *programmeFlow) importScores(b *browserSession) {
	t := f.t
	file := filepath.Join(t.TempDir(), "scores.csv")
	if err := os.WriteFile(file, []byte(scoresCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	b.submit(t, "open the score import", `a[href="`+f.selectionPath()+`/scores/import"]`, `input[type=file][name=file]`)
	b.run(t, "choose the file", chromedp.SetUploadFiles(`input[type=file][name=file]`, []string{file}, chromedp.ByQuery))
	b.submit(t, "preview", `button[name=action][value=preview]`, `button[name=action][value=import_all]`)
	b.submit(t, "import all", `button[name=action][value=import_all]`, `p[role=status]`)
	scores, err := f.dev.Store.Scores(context.Background(), f.programme)
	if err != nil || len(scores) != 24 {
		t.Fatalf("scores after the import = %d, %v; want 6 customers × 4 criteria", len(scores), err)
	}
	b.submit(t, "back to the selection", `a[href="`+f.selectionPath()+`"]`, `#criteria`)
	var meets int
	b.run(t, "count candidates", chromedp.Evaluate(`document.querySelectorAll("#criteria tr.meets").length`, &meets))
	if meets != 3 {
		t.Errorf("%d customers shown meeting the threshold, want 3", meets)
	}
	// One customer's revenue corrected in its row: its form comes as the
	// row's box opens, and the save brings the lead back to the selection.
	var rowID string
	b.run(t, "find the first row", chromedp.Evaluate(`document.querySelector("#criteria tr[id^=score-]").id`, &rowID))
	box := "#" + rowID + " details"
	form := box + " form.score-row"
	b.run(t, "open the first row's scores",
		chromedp.Click(box+" > summary", chromedp.ByQuery),
		chromedp.WaitVisible(form+" input[name=value_revenue]", chromedp.ByQuery),
		chromedp.SetValue(form+" input[name=value_revenue]", "2.4 M", chromedp.ByQuery))
	b.submit(t, "save the row's scores", form+" button[type=submit]", `p[role=status]`)
	scores, err = f.dev.Store.Scores(context.Background(), f.programme)
	corrected := false
	for _, sc := range scores {
		corrected = corrected || (rowID == fmt.Sprintf("score-%d", sc.CustomerID) && sc.CriterionKey == "revenue" && sc.Value == "2.4 M")
	}
	if err != nil || len(scores) != 24 || !corrected {
		t.Fatalf("scores after the row's save = %+v, %v; want %s's revenue at 2.4 M", scores, err, rowID)
	}
}

func (f *programmeFlow) computeProvisionalList(b *browserSession) {
	compute := `form[action="` + f.selectionPath() + `/compute-form"] button[type=submit]`
	b.openUntil(f.t, f.url(f.selectionPath()), compute, settle)
	b.submit(f.t, "compute the provisional list", compute, `#candidates table`)
	var names []string
	for _, c := range f.record().Candidates {
		names = append(names, c.CustomerName)
	}
	if strings.Join(names, ", ") != strings.Join([]string{helvetia, nordlicht, rheintal}, ", ") {
		f.t.Fatalf("provisional list = %v", names)
	}
}

func (f *programmeFlow) decideCandidates(b *browserSession) {
	decisions := []struct{ customer, decision, reason string }{
		{helvetia, "confirmed", "strategic partner, checked in detail"},
		{nordlicht, "confirmed", "growth in energy trading"},
		{rheintal, "rejected", "no access to its decision makers yet"},
	}
	for i, d := range decisions {
		form := fmt.Sprintf(`form[action="%s/%d/decision"]`, f.selectionPath(), f.customer[d.customer])
		if i == 0 {
			b.openUntil(f.t, f.url(f.selectionPath()), form, settle)
		}
		b.run(f.t, "give the reason", chromedp.SendKeys(form+" input[name=reason]", d.reason, chromedp.ByQuery))
		b.submit(f.t, d.decision+" "+d.customer, form+` button[name=decision][value=`+d.decision+`]`, `#candidates`)
	}
	f.waitFor("three decisions", func() bool {
		for _, c := range f.record().Candidates {
			if c.Decision == "" {
				return false
			}
		}
		return true
	})
	for _, c := range f.record().Candidates {
		for _, d := range decisions {
			if d.customer == c.CustomerName && (c.Decision != d.decision || c.Reason != d.reason) {
				f.t.Errorf("%s decided %s (%s), want %s", c.CustomerName, c.Decision, c.Reason, d.decision)
			}
		}
	}
}

// assignKAMs: Helvetia's KAM is the hierarchy's suggestion, accepted in
// one click, then its deputy; Nordlicht's KAM and deputy are picked.
func (f *programmeFlow) assignKAMs(b *browserSession) {
	t := f.t
	row := func(customer string) string { return fmt.Sprintf("#account-%d", f.customer[customer]) }
	suggestion := row(helvetia) + " form.inline"
	b.openUntil(t, f.url(f.selectionPath()), suggestion+" button[type=submit]", settle)
	var suggested string
	var ok bool
	b.run(t, "read the suggestion", chromedp.AttributeValue(suggestion+" input[name=kam_employee_id]", "value", &suggested, &ok, chromedp.ByQuery))
	if suggested != fmt.Sprint(f.emp["kam3"]) {
		t.Fatalf("suggested KAM for %s = employee %q, want kam3 (%d): her level matches their most senior contact", helvetia, suggested, f.emp["kam3"])
	}
	b.submit(t, "accept the suggestion", suggestion+" button[type=submit]", row(helvetia))
	save := func(customer string, kam, deputy uint) {
		form := row(customer) + " form:not(.inline)"
		var acts []chromedp.Action
		if kam != 0 {
			acts = append(acts, chromedp.SetValue(form+" select[name=kam_employee_id]", fmt.Sprint(kam), chromedp.ByQuery))
		}
		acts = append(acts, chromedp.SetValue(form+" select[name=deputy_employee_id]", fmt.Sprint(deputy), chromedp.ByQuery))
		b.run(t, "choose for "+customer, acts...)
		b.submit(t, "save "+customer, form+" button[type=submit]", row(customer))
	}
	save(helvetia, 0, f.emp["kam2"])
	save(nordlicht, f.emp["kam"], f.emp["kam2"])
	kas, err := f.dev.Store.KeyAccounts(context.Background(), f.programme)
	if err != nil || len(kas) != 2 {
		t.Fatalf("key accounts = %v, %v", kas, err)
	}
	want := map[uint]string{f.customer[helvetia]: "kam3", f.customer[nordlicht]: "kam"}
	for _, ka := range kas {
		who := want[ka.CustomerID]
		if ka.KAMEmployeeID == nil || *ka.KAMEmployeeID != f.emp[who] || ka.DeputyEmployeeID == nil || *ka.DeputyEmployeeID != f.emp["kam2"] {
			t.Fatalf("key account of customer %d: KAM %v deputy %v, want %s and kam2", ka.CustomerID, ka.KAMEmployeeID, ka.DeputyEmployeeID, who)
		}
		for name, id := range f.customer {
			if id == ka.CustomerID {
				f.keyAccount[name] = ka.ID
			}
		}
	}
}

// --- HR: training ---

// sessionStart is the first whole minute at least 50 s ahead: enrolment
// closes when a session starts and attendance opens then.
func sessionStart(now time.Time) time.Time {
	return now.UTC().Add(50 * time.Second).Truncate(time.Minute).Add(time.Minute)
}

func (f *programmeFlow) scheduleTraining(b *browserSession) {
	t := f.t
	ctx := context.Background()
	b.run(t, "open the start page", chromedp.Navigate(f.url("/")))
	b.submit(t, "open training", `a[href="/training"]`, `form[action="/training/courses"]`)
	b.run(t, "describe the course",
		chromedp.SendKeys(`form[action="/training/courses"] input[name=title]`, "KAM Basics", chromedp.ByQuery),
		chromedp.SendKeys(`form[action="/training/courses"] input[name=provider]`, "Sales Academy", chromedp.ByQuery),
		chromedp.Click(`form[action="/training/courses"] input[name=required_for_kams]`, chromedp.ByQuery),
	)
	b.submit(t, "create the course", `form[action="/training/courses"] button[type=submit]`, `form[action="/training/sessions"]`)
	courses, err := f.dev.Store.ListCourses(ctx)
	if err != nil || len(courses) != 1 || !courses[0].RequiredKAM {
		t.Fatalf("courses = %+v, %v; want KAM Basics required for KAMs", courses, err)
	}
	f.course = courses[0].ID
	start := sessionStart(time.Now())
	const local = "2006-01-02T15:04"
	form := `form[action="/training/sessions"]`
	b.run(t, "plan the session",
		chromedp.SetValue(form+` select[name=course_id]`, fmt.Sprint(f.course), chromedp.ByQuery),
		chromedp.SetValue(form+` input[name=starts_at]`, start.In(siteZone(t)).Format(local), chromedp.ByQuery),
		chromedp.SetValue(form+` input[name=ends_at]`, start.Add(8*time.Hour).In(siteZone(t)).Format(local), chromedp.ByQuery),
		chromedp.SendKeys(form+` input[name=place]`, "St. Gallen", chromedp.ByQuery),
	)
	b.submit(t, "schedule the session", form+` button[type=submit]`, `form[action="/training/enrolments"]`)
	sessions, err := f.dev.Store.UpcomingSessions(ctx, time.Now(), false)
	if err != nil || len(sessions) != 1 || !sessions[0].StartsAt.Equal(start) {
		t.Fatalf("sessions = %+v, %v; want one at %s", sessions, err, start)
	}
}

func (f *programmeFlow) enrolKAM(b *browserSession) {
	t := f.t
	form := `form[action="/training/enrolments"]`
	b.openUntil(t, f.url("/training"), form+` select[name=employee_id]`, settle)
	// HR finds the KAM by name: the select narrows to her as typed.
	people, err := f.dev.Store.EmployeesByID(context.Background(), []uint{f.emp["kam3"]})
	if err != nil || people[f.emp["kam3"]].Name == "" {
		t.Fatalf("kam3 = %+v, %v", people, err)
	}
	narrowed := fmt.Sprintf(`(() => { const o = [...document.querySelectorAll('%s select[name=employee_id] option')].filter(o => o.value); return o.length === 1 && o[0].value === "%d"; })()`,
		form, f.emp["kam3"])
	b.run(t, "find the KAM by name",
		chromedp.SendKeys(form+` input[name=find]`, people[f.emp["kam3"]].Name, chromedp.ByQuery),
		chromedp.Poll(narrowed, nil, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(settle)))
	b.run(t, "choose the KAM", chromedp.SetValue(form+` select[name=employee_id]`, fmt.Sprint(f.emp["kam3"]), chromedp.ByQuery))
	// Enrolling lands on the session's page with its participants.
	b.submit(t, "enrol", form+` button[type=submit]`, `#participants`)
	sessions, err := f.dev.Store.UpcomingSessions(context.Background(), time.Now().Add(-time.Hour), false)
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions = %v, %v", sessions, err)
	}
	list, err := f.dev.Store.SessionEnrolments(context.Background(), sessions[0].ID)
	if err != nil || len(list) != 1 || list[0].EmployeeID != f.emp["kam3"] || list[0].Status != store.EnrolmentEnrolled {
		t.Fatalf("enrolments = %+v, %v; want kam3 enrolled", list, err)
	}
	f.enrolment = list[0].ID
}

func (f *programmeFlow) recordTrainingElsewhere(b *browserSession) {
	t := f.t
	form := `form[action^="/training/records"]`
	b.openUntil(t, f.url("/training"), form+` select[name=employee_id]`, settle)
	b.run(t, "fill in the course done elsewhere",
		chromedp.SetValue(form+` select[name=employee_id]`, fmt.Sprint(f.emp["kam"]), chromedp.ByQuery),
		chromedp.SetValue(form+` select[name=course_id]`, fmt.Sprint(f.course), chromedp.ByQuery),
		chromedp.SetValue(form+` input[name=completed_at]`, time.Now().AddDate(0, -3, 0).Format("2006-01-02"), chromedp.ByQuery),
		chromedp.SendKeys(form+` input[name=note]`, "CAS Key Account Management at the university", chromedp.ByQuery),
	)
	b.submit(t, "record the training", form+` button[type=submit]`, "main")
	f.waitFor("the programme counts kam's training", func() bool {
		for _, tr := range f.record().Training {
			if tr.EmployeeID == f.emp["kam"] && tr.Completed {
				return true
			}
		}
		return false
	})
}

// recordAttendance waits for the session to start, then HR records that
// kam3 attended: the last KAM's training completes the phase.
func (f *programmeFlow) recordAttendance(b *browserSession) {
	attended := fmt.Sprintf(`#enrolment-%d button[name=attended][value=true]`, f.enrolment)
	b.openUntil(f.t, f.url("/training"), attended, 2*time.Minute+settle)
	b.submit(f.t, "record attendance", attended, "main")
	f.waitPhase(workflows.PhaseTraining, workflows.PhaseDone)
	if rec := f.record(); rec.Programme.CurrentPhase != string(workflows.PhaseAccountPlans) {
		f.t.Fatalf("after training the programme is in %s", rec.Programme.CurrentPhase)
	}
}

// --- account plans ---

// writePlan is the customer's KAM (who) writing her plan in the editor,
// adding an action row with the form's own button, and submitting it.
func writePlan(customer, who string) func(*programmeFlow, *browserSession) {
	return func(f *programmeFlow, b *browserSession) {
		t := f.t
		account := f.accountPath(customer)
		b.openUntil(t, f.url("/"), `a[href="`+account+`"]`, settle)
		b.submit(t, "open my key account", `a[href="`+account+`"]`, `a[href="`+account+`/plan"]`)
		b.submit(t, "write the plan", `a[href="`+account+`/plan"]`, `#plan-form`)
		email := who + "@" + store.DemoDomain
		goal := "Partner for their " + strings.Fields(customer)[1] + " topics"
		action := func(i int, field string) string {
			return fmt.Sprintf(`#plan-form [name="goals[0].objectives[0].actions[%d].%s"]`, i, field)
		}
		due := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
		b.run(t, "write strategy, goal, objective and action",
			chromedp.SendKeys(`#plan-form textarea[name=strategy]`, "Become their partner for what occupies them now", chromedp.ByQuery),
			chromedp.SendKeys(`#plan-form input[name="goals[0].title"]`, goal, chromedp.ByQuery),
			chromedp.SendKeys(`#plan-form input[name="goals[0].objectives[0].title"]`, "Board contact twice a year", chromedp.ByQuery),
			chromedp.SendKeys(action(0, "title"), "Invite their CEO", chromedp.ByQuery),
			chromedp.SetValue(action(0, "owner_email"), email, chromedp.ByQuery),
			chromedp.SetValue(action(0, "due"), due, chromedp.ByQuery),
		)
		b.submit(t, "add an action row", `#plan-form button[name=op][value="add-action:0.0"]`, action(1, "title"))
		var kept string
		b.run(t, "read the kept goal", chromedp.Value(`#plan-form input[name="goals[0].title"]`, &kept, chromedp.ByQuery))
		if kept != goal {
			t.Fatalf("adding a row lost the goal typed: %q", kept)
		}
		b.run(t, "write the second action",
			chromedp.SendKeys(action(1, "title"), "Workshop with their purchasing team", chromedp.ByQuery),
			chromedp.SetValue(action(1, "owner_email"), email, chromedp.ByQuery),
			chromedp.SetValue(action(1, "due"), due, chromedp.ByQuery),
		)
		b.submit(t, "save and submit", `#plan-form button[name=op][value=submit]`, `h2#plan`)
		plan := f.waitPlan(customer, "submitted")
		if plan.Version != 1 || len(plan.Goals) != 1 || plan.Goals[0].Title != goal || !strings.Contains(plan.Goals[0].Objectives[0].PlannedActions, "Workshop with their purchasing team") {
			t.Fatalf("submitted plan = %+v", plan)
		}
		f.planWritten[who] = goal
	}
}

// waitPlan waits for the customer's newest plan to have status.
func (f *programmeFlow) waitPlan(customer, status string) *store.AccountPlan {
	f.t.Helper()
	var plan *store.AccountPlan
	f.waitFor(customer+"'s plan "+status, func() bool {
		p, err := f.dev.Store.LatestPlan(context.Background(), f.keyAccount[customer])
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			f.t.Fatal(err)
		}
		plan = p
		return p != nil && p.Status == status
	})
	return plan
}

const planComment = "Add a revenue objective"

// sendPlanBack is the committee member deciding from "Plans waiting" on
// the start page.
func (f *programmeFlow) sendPlanBack(b *browserSession) {
	form := `form[action="` + f.accountPath(nordlicht) + `/plan/decision-form"]`
	b.openUntil(f.t, f.url("/"), form, settle)
	b.run(f.t, "say what to rework", chromedp.SendKeys(form+` textarea[name=comment]`, planComment, chromedp.ByQuery))
	b.submit(f.t, "send the plan back", form+` button[name=decision][value=reject]`, `#plans-waiting`)
	plan := f.waitPlan(nordlicht, "rejected")
	if plan.Comment != planComment || plan.DecidedBy != "committee@"+store.DemoDomain {
		f.t.Fatalf("rejected plan = comment %q by %q", plan.Comment, plan.DecidedBy)
	}
}

// revisePlan: the KAM reads the comment on her key account and revises the
// plan from the rejected version.
func (f *programmeFlow) revisePlan(b *browserSession) {
	t := f.t
	account := f.accountPath(nordlicht)
	b.openUntil(t, f.url(account), `a[href="`+account+`/plan"]`, settle)
	var page string
	b.run(t, "read the decision", chromedp.Text(`main`, &page, chromedp.ByQuery))
	if !strings.Contains(page, planComment) {
		t.Errorf("the key-account page does not show the committee's comment")
	}
	b.submit(t, "revise the plan", `a[href="`+account+`/plan"]`, `#plan-form`)
	var goal string
	b.run(t, "read the goal", chromedp.Value(`#plan-form input[name="goals[0].title"]`, &goal, chromedp.ByQuery))
	if goal != f.planWritten["kam"] {
		t.Fatalf("the editor does not start from the rejected plan: goal %q", goal)
	}
	objective := `#plan-form input[name="goals[0].objectives[1].title"]`
	b.submit(t, "add an objective", `#plan-form button[name=op][value="add-objective:0"]`, objective)
	b.run(t, "write the revenue objective", chromedp.SendKeys(objective, "Revenue up 10 % a year", chromedp.ByQuery))
	b.submit(t, "submit the revision", `#plan-form button[name=op][value=submit]`, `h2#plan`)
	plan := f.waitPlan(nordlicht, "submitted")
	if plan.Version != 2 || len(plan.Goals[0].Objectives) != 2 {
		t.Fatalf("revised plan = version %d with %d objectives", plan.Version, len(plan.Goals[0].Objectives))
	}
}

// approvePlanOnAccountPage: the lead follows "Plans waiting" to the key
// account and approves the revised plan there.
func (f *programmeFlow) approvePlanOnAccountPage(b *browserSession) {
	account := f.accountPath(nordlicht)
	link := `#plans-waiting ~ .table-scroll table a[href="` + account + `#plan"]`
	b.openUntil(f.t, f.url("/"), link, settle)
	b.submit(f.t, "open the plan", link, `#plan-decision`)
	b.run(f.t, "comment", chromedp.SendKeys(`#plan-decision textarea[name=comment]`, "Good: the revenue objective is in", chromedp.ByQuery))
	b.submit(f.t, "approve the plan", `#plan-decision button[name=decision][value=approve]`, `h2#plan`)
	plan := f.waitPlan(nordlicht, "approved")
	if plan.DecidedBy != "lead@"+store.DemoDomain {
		f.t.Fatalf("plan approved by %q", plan.DecidedBy)
	}
	f.waitFor("the programme counts the approved plan", func() bool {
		for _, a := range f.record().PlanApprovals {
			if a.CustomerID == f.customer[nordlicht] {
				return true
			}
		}
		return false
	})
}

func (f *programmeFlow) approvePlanFromStartPage(b *browserSession) {
	form := `form[action="` + f.accountPath(helvetia) + `/plan/decision-form"]`
	b.openUntil(f.t, f.url("/"), form, settle)
	b.submit(f.t, "approve the plan", form+` button[name=decision][value=approve]`, `#plans-waiting`)
	if plan := f.waitPlan(helvetia, "approved"); plan.DecidedBy != "committee@"+store.DemoDomain {
		f.t.Fatalf("plan approved by %q", plan.DecidedBy)
	}
	// Every key account's plan is approved: the phase completes by itself.
	f.waitPhase(workflows.PhaseAccountPlans, workflows.PhaseDone)
}

// --- the controller's review ---

var reviewLink = regexp.MustCompile(`^/reviews/(\d+)$`)

func (f *programmeFlow) triggerReview(b *browserSession) {
	t := f.t
	trigger := fmt.Sprintf(`form[action="/reviews/programmes/%d"] button[type=submit]`, f.programme)
	b.run(t, "open the start page", chromedp.Navigate(f.url("/")))
	b.submit(t, "open reviews", `a[href="/reviews"]`, trigger)
	b.submit(t, "trigger a review", trigger, "main")
	// The review is listed once its KPIs are gathered.
	open := `a[href^="/reviews/"]:not([href$=".csv"])`
	b.openUntil(t, f.url("/reviews"), open, settle)
	var href string
	var ok bool
	b.run(t, "read the review's link", chromedp.AttributeValue(open, "href", &href, &ok, chromedp.ByQuery))
	m := reviewLink.FindStringSubmatch(href)
	if m == nil {
		t.Fatalf("review link %q", href)
	}
	id, _ := strconv.Atoi(m[1])
	f.review = uint(id)
	reviews, err := f.dev.Store.ReviewsOfProgramme(context.Background(), f.programme)
	if err != nil || len(reviews) != 1 || reviews[0].ID != f.review || reviews[0].ControllerEmail != "controller@"+store.DemoDomain {
		t.Fatalf("reviews of the programme = %+v, %v", reviews, err)
	}
}

// addMeasure: the controller, told the review is ready, gives Nordlicht's
// KAM a measure.
func (f *programmeFlow) addMeasure(b *browserSession) {
	t := f.t
	// The review takes measures once its workflow holds the KPIs; it tells
	// the controller so, with a message this waits for.
	f.waitFor("the review's ready message", func() bool {
		list, err := f.dev.Store.Notifications(context.Background(), "controller@"+store.DemoDomain, store.Page{Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range list {
			if strings.HasPrefix(n.Subject, "Review ready") {
				return true
			}
		}
		return false
	})
	review := fmt.Sprintf("/reviews/%d", f.review)
	form := `form#add-measure[action^="` + review + `/measures-form"]`
	b.openUntil(t, f.url(review), form, settle)
	b.run(t, "describe the measure",
		chromedp.SendKeys(form+` input[name=title]`, "Call their purchasing head about the margin", chromedp.ByQuery),
		chromedp.SetValue(form+` select[name=customer_id]`, fmt.Sprint(f.customer[nordlicht]), chromedp.ByQuery),
		chromedp.SetValue(form+` select[name=owner_email]`, "kam@"+store.DemoDomain, chromedp.ByQuery),
		chromedp.SetValue(form+` input[name=due]`, time.Now().AddDate(0, 0, 14).Format("2006-01-02"), chromedp.ByQuery),
	)
	b.submit(t, "add the measure", form+` button[type=submit]`, `tr[id^="measure-"]`)
	var id string
	var ok bool
	b.run(t, "read the measure's row", chromedp.AttributeValue(`tr[id^="measure-"]`, "id", &id, &ok, chromedp.ByQuery))
	n, err := strconv.Atoi(strings.TrimPrefix(id, "measure-"))
	if err != nil {
		t.Fatalf("measure row %q", id)
	}
	f.measure = uint(n)
	m, err := f.dev.Store.MeasureByID(context.Background(), f.measure)
	if err != nil || m.OwnerEmail != "kam@"+store.DemoDomain || m.CustomerID == nil || *m.CustomerID != f.customer[nordlicht] {
		t.Fatalf("measure = %+v, %v", m, err)
	}
}

// completeMeasure: the KAM finds the measure in "My work" and marks it done there.
func (f *programmeFlow) completeMeasure(b *browserSession) {
	t := f.t
	done := fmt.Sprintf(`#work form[action="/reviews/%d/measures/%d/done-form"] button[type=submit]`, f.review, f.measure)
	b.run(t, "open the start page", chromedp.Navigate(f.url("/")))
	b.submit(t, "open my work", `a[href="/my-work"]`, `#work`)
	b.openUntil(t, f.url("/my-work"), done, settle)
	b.openConfirm(t, "mark the measure done", "#work", fmt.Sprintf(`form[action="/reviews/%d/measures/%d/done-form"]`, f.review, f.measure))
	b.submit(t, "mark the measure done", done, `#work`)
	if b.has(t, done) {
		t.Error("the done measure is still offered in My work")
	}
	m, err := f.dev.Store.MeasureByID(context.Background(), f.measure)
	if err != nil || m.DoneAt == nil || m.DoneBy != "kam@"+store.DemoDomain {
		t.Fatalf("measure after done = %+v, %v", m, err)
	}
}

func (f *programmeFlow) signOffReview(b *browserSession) {
	t := f.t
	review := fmt.Sprintf("/reviews/%d", f.review)
	form := `form[action="` + review + `/sign-off-form"]`
	b.openUntil(t, f.url(review), form, settle)
	b.openConfirm(t, "sign off", "", form)
	b.run(t, "sum up", chromedp.SendKeys(form+` textarea[name=overall]`, "Both key accounts on plan; Nordlicht's margin followed up", chromedp.ByQuery))
	b.submit(t, "sign off", form+` button[type=submit]`, `h1`)
	f.waitFor("the review signed off", func() bool {
		reviews, err := f.dev.Store.ReviewsOfProgramme(context.Background(), f.programme)
		if err != nil {
			t.Fatal(err)
		}
		return len(reviews) == 1 && reviews[0].SignedOffBy == "controller@"+store.DemoDomain
	})
}

// submitParts is the lead handing in a phase by the parts its result
// needs; a phase sent back shows what was handed in, and only the parts
// given are changed.
func submitParts(p workflows.Phase, parts map[string]string) func(*programmeFlow, *browserSession) {
	return func(f *programmeFlow, b *browserSession) {
		row := "#phase-" + string(p)
		keys := make([]string, 0, len(parts))
		for k := range parts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		field := func(k string) string { return row + ` textarea[name="parts.` + k + `"]` }
		b.openUntil(f.t, f.url(f.programmePath()), field(keys[0]), settle)
		for _, k := range keys {
			b.run(f.t, "write "+k+" of "+string(p), chromedp.SetValue(field(k), parts[k], chromedp.ByQuery))
		}
		b.submit(f.t, "submit "+string(p), row+` form[action$="/phases/`+string(p)+`/submit"] button[type=submit]`, row)
		want := workflows.PhaseDone
		if f.phase(p).Gate {
			want = workflows.PhaseSubmitted
		}
		f.waitPhase(p, want)
		got := f.phase(p)
		for _, k := range keys {
			if !strings.Contains(got.Result, parts[k]) {
				f.t.Fatalf("phase %s result %q lacks %s %q", p, got.Result, k, parts[k])
			}
		}
	}
}

// --- jour fixe: the lead starts one, the KAM gives her input ---

func (f *programmeFlow) startJourFixe(b *browserSession) {
	b.openUntil(f.t, f.url(f.programmePath()), "#jour-fixe-start button[type=submit]", settle)
	b.submit(f.t, "start a jour fixe now", "#jour-fixe-start button[type=submit]", "main")
	f.waitFor("the jour fixe is recorded", func() bool {
		list, err := f.dev.Store.JourFixesOf(context.Background(), f.programme)
		return err == nil && len(list) > 0
	})
}

func (f *programmeFlow) giveJourFixeInput(b *browserSession) {
	list, err := f.dev.Store.JourFixesOf(context.Background(), f.programme)
	if err != nil || len(list) == 0 {
		f.t.Fatalf("jour fixes of the programme: %v, %v", list, err)
	}
	jf := list[0].ID
	form := fmt.Sprintf(`form[action="/jour-fixes/%d/input-form"]`, jf)
	b.openUntil(f.t, f.url(fmt.Sprintf("/jour-fixes/%d", jf)), form+" select[name=satisfaction]", settle)
	b.run(f.t, "fill in the input",
		chromedp.SetValue(form+" select[name=satisfaction]", "4", chromedp.ByQuery),
		chromedp.SetValue(form+" textarea[name=developments]", "New plant in Hamburg", chromedp.ByQuery),
		chromedp.SetValue(form+" textarea[name=risks]", "A competitor offers framework prices", chromedp.ByQuery))
	b.submit(f.t, "give my input", form+" button[type=submit]", "main")
	f.waitFor("the input is recorded", func() bool {
		var n int64
		err := f.dev.Store.DB().Model(&store.JourFixeInput{}).Where("jour_fixe_id = ? AND satisfaction = ? AND risks = ?", jf, 4, "A competitor offers framework prices").Count(&n).Error
		return err == nil && n == 1
	})
}

// --- roll-out: a conflict logged and resolved, staff informed ---

func (f *programmeFlow) logConflict(b *browserSession) {
	b.openUntil(f.t, f.url(f.programmePath()), "#conflict-form input[name=what]", settle)
	b.run(f.t, "describe the conflict",
		chromedp.SetValue("#conflict-form input[name=what]", "Who owns the Nordlicht tender", chromedp.ByQuery),
		chromedp.SetValue("#conflict-form input[name=between]", "field sales and the KAM", chromedp.ByQuery))
	b.submit(f.t, "log the conflict", "#conflict-form button[type=submit]", "main")
	f.waitFor("the conflict is recorded", func() bool {
		rec := f.record()
		return len(rec.Conflicts) == 1 && rec.Conflicts[0].ResolvedAt == nil
	})
}

// rolloutRefused: while the conflict is open the roll-out is not handed
// in; the page says why, and the phase stays in progress.
func (f *programmeFlow) rolloutRefused(b *browserSession) {
	row := "#phase-" + string(workflows.PhaseRollout)
	b.openUntil(f.t, f.url(f.programmePath()), `form[action*="/resolve-form"] textarea[name=resolution]`, settle)
	if !b.has(f.t, "#rollout .warning") && !b.has(f.t, row+" .warning") {
		f.t.Fatal("the programme page does not say what keeps the roll-out back")
	}
	if got := f.phase(workflows.PhaseRollout); got.Status != string(workflows.PhaseInProgress) {
		f.t.Fatalf("roll-out = %s with a conflict open", got.Status)
	}
}

func (f *programmeFlow) resolveConflict(b *browserSession) {
	form := `form[action*="/resolve-form"]`
	b.run(f.t, "describe the resolution", chromedp.SetValue(form+" textarea[name=resolution]", "The KAM leads; field sales joins the bid team", chromedp.ByQuery))
	b.submit(f.t, "record the resolution", form+" button[type=submit]", "main")
	f.waitFor("the conflict is resolved", func() bool {
		rec := f.record()
		return len(rec.Conflicts) == 1 && rec.Conflicts[0].ResolvedAt != nil
	})
}

func (f *programmeFlow) recordBriefing(b *browserSession) {
	b.openUntil(f.t, f.url(f.programmePath()), "#briefing-form input[name=informed_on]", settle)
	b.run(f.t, "describe the briefing",
		chromedp.SetValue("#briefing-form input[name=informed_on]", time.Now().Format("2006-01-02"), chromedp.ByQuery),
		chromedp.SetValue("#briefing-form input[name=other_groups]", "Field sales, Customer service", chromedp.ByQuery),
		chromedp.Click("#briefing-form input[name=key_accounts_named]", chromedp.ByQuery),
		chromedp.SetValue("#briefing-form textarea[name=note]", "Sales meeting: the two key accounts and their KAMs", chromedp.ByQuery))
	b.submit(f.t, "record the briefing", "#briefing-form button[type=submit]", "main")
	f.waitFor("the briefing is recorded", func() bool {
		rec := f.record()
		return len(rec.Briefings) == 1 && rec.Briefings[0].KeyAccountsNamed
	})
}

// --- handover: the lead replaces Helvetia's KAM ---

func (f *programmeFlow) startHandover(b *browserSession) {
	page := f.url(f.accountPath(helvetia))
	b.openUntil(f.t, page, "#handover-start select[name=reason]", settle)
	b.run(f.t, "open the handover form", chromedp.Click(`details:has(#handover-start) > summary`, chromedp.ByQuery))
	b.run(f.t, "give the reason",
		chromedp.SetValue("#handover-start select[name=reason]", workflows.ReasonPersonaNonGrata, chromedp.ByQuery),
		chromedp.SetValue("#handover-start textarea[name=reason_note]", "The customer's new CEO asked for another contact", chromedp.ByQuery))
	b.submit(f.t, "start the handover", "#handover-start button[type=submit]", "main")
	f.waitFor("the handover is recorded", func() bool {
		hs, err := f.dev.Store.HandoversOf(context.Background(), f.keyAccount[helvetia])
		return err == nil && len(hs) == 1 && hs[0].Status == "open"
	})
}

func (f *programmeFlow) finishHandover(b *browserSession) {
	page := f.url(f.accountPath(helvetia))
	accept := "#handover-incoming form.inline button[type=submit]"
	b.openUntil(f.t, page, accept, settle)
	b.submit(f.t, "accept the suggested incoming KAM", accept, "main")
	tick := `form[action*="/tick-form"] button[value=done]`
	for i := 0; ; i++ {
		b.openUntil(f.t, page, "main", settle)
		if !b.has(f.t, tick) {
			hs, _ := f.dev.Store.HandoversOf(context.Background(), f.keyAccount[helvetia])
			if len(hs) == 1 && hs[0].Status != "open" {
				break
			}
			if i > 20 {
				f.t.Fatalf("the handover is %+v and no item can be ticked", hs)
			}
			time.Sleep(500 * time.Millisecond)
			continue
		}
		if i > 20 {
			f.t.Fatal("the handover's checklist does not end")
		}
		b.submit(f.t, "tick a checklist item", tick, "main")
	}
	hs, err := f.dev.Store.HandoversOf(context.Background(), f.keyAccount[helvetia])
	if err != nil || len(hs) != 1 || hs[0].Status != "completed" || hs[0].IncomingEmployeeID == nil {
		f.t.Fatalf("handover after the checklist = %+v, %v", hs, err)
	}
}

// --- the annual workshop: started on demand, a date set, minutes taken ---

func (f *programmeFlow) workshop() store.Workshop {
	ws, err := f.dev.Store.WorkshopsOf(context.Background(), f.keyAccount[nordlicht])
	if err != nil || len(ws) != 1 {
		f.t.Fatalf("workshops of %s = %+v, %v", nordlicht, ws, err)
	}
	return ws[0]
}

func (f *programmeFlow) startWorkshop(b *browserSession) {
	b.openUntil(f.t, f.url(f.accountPath(nordlicht)), "#start-workshop button", settle)
	b.submit(f.t, "start a workshop", "#start-workshop button", "main")
	f.waitFor("the workshop is prepared", func() bool {
		ws, err := f.dev.Store.WorkshopsOf(context.Background(), f.keyAccount[nordlicht])
		return err == nil && len(ws) == 1
	})
}

// setWorkshopDate sets the first day two minutes ahead (the form takes
// whole minutes, in the reader's zone), so the minutes can be taken within
// this test.
func (f *programmeFlow) setWorkshopDate(b *browserSession) {
	w := f.workshop()
	page := f.url(fmt.Sprintf("/workshops/%d", w.ID))
	b.openUntil(f.t, page, "#dates-form input[name=starts_at]", settle)
	f.workshopAt = time.Now().UTC().Add(2 * time.Minute).Truncate(time.Minute)
	b.run(f.t, "give the date and place",
		chromedp.SetValue("#dates-form input[name=starts_at]", f.workshopAt.In(siteZone(f.t)).Format("2006-01-02T15:04"), chromedp.ByQuery),
		chromedp.SetValue("#dates-form input[name=place]", "Hamburg, Nordlicht's head office", chromedp.ByQuery))
	b.submit(f.t, "set the date and invite", "#dates-form button[type=submit]", "main")
	f.waitFor("the workshop date is set", func() bool {
		w := f.workshop()
		return w.StartsAt != nil && w.StartsAt.Equal(f.workshopAt)
	})
}

func (f *programmeFlow) recordWorkshopMinutes(b *browserSession) {
	w := f.workshop()
	form := fmt.Sprintf("#minutes-%d", w.ID)
	time.Sleep(time.Until(f.workshopAt))
	b.openUntil(f.t, f.url(fmt.Sprintf("/workshops/%d", w.ID)), form+" textarea[name=minutes]", settle)
	b.run(f.t, "write the minutes and an agreed action",
		chromedp.SetValue(form+" textarea[name=minutes]", "Their new plant needs a supply concept; we present one.", chromedp.ByQuery),
		chromedp.SetValue(form+` input[name="actions[0].title"]`, "Supply concept for the Hamburg plant", chromedp.ByQuery),
		chromedp.SetValue(form+` select[name="actions[0].owner_email"]`, "kam@"+store.DemoDomain, chromedp.ByQuery),
		chromedp.SetValue(form+` input[name="actions[0].due"]`, time.Now().AddDate(0, 1, 0).Format("2006-01-02"), chromedp.ByQuery))
	b.submit(f.t, "record the minutes", form+" button[value=save]", "main")
	f.waitFor("the minutes and their action are recorded", func() bool {
		acts, err := f.dev.Store.ActionsOf(context.Background(), f.keyAccount[nordlicht])
		if err != nil || f.workshop().MinutesAt == nil {
			return false
		}
		for _, a := range acts {
			if a.Title == "Supply concept for the Hamburg plant" && a.Source == "workshop" && a.OwnerEmail == "kam@"+store.DemoDomain {
				return true
			}
		}
		return false
	})
}
