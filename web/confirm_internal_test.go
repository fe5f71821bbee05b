package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

func TestConfirmStepRefusesTyposAndMissingParts(t *testing.T) {
	c, err := newConfirm("action", "/x", "label", "Archive", "consequence", "{{.Count}} gone", "count", 3, "field", "reason", "required", true)
	if err != nil || !c.Counted || c.Count != 3 || c.Field == nil || c.Field.Name != "reason" || !c.Field.Required {
		t.Fatalf("confirm = %+v, %v", c, err)
	}
	if c, _ := newConfirm("action", "/x", "label", "Archive", "consequence", "gone"); c.Field != nil || c.Counted {
		t.Errorf("a plain confirmation has a field or count: %+v", c)
	}
	for _, kv := range [][]any{
		{"action", "/x", "label", "Archive"},
		{"action", "/x", "label", "Archive", "consequence", "gone", "lable", "x"},
		{"action", "/x", "label", "Archive", "consequence", "gone", "count", "3"},
		{"action", "/x", "label"},
		{"action", "javascript:alert(1)", "label", "Archive", "consequence", "gone"},
		{"action", "//elsewhere.example/x", "label", "Archive", "consequence", "gone"},
		{"action", "/x\"><script>", "label", "Archive", "consequence", "gone"},
	} {
		if _, err := newConfirm(kv...); err == nil || !strings.HasPrefix(err.Error(), "confirm:") {
			t.Errorf("newConfirm(%v) = %v", kv, err)
		}
	}
}

// TestConfirmationEscapesAsTemplatesDo: the markup built in Go escapes the
// record's name, the typed value and the translated texts as html/template
// does, in the reader's language.
func TestConfirmationEscapesAsTemplatesDo(t *testing.T) {
	c, err := newConfirm("id", "done-1", "csrf", "tok", "action", "/key-accounts/1/actions/2/done-form?x=1&y=2", "label", "Mark done", "class", "secondary",
		"name", `O'Brien & <Söhne> "1+1"`, "consequence", "The action is recorded as done today and leaves everyone's open work; this cannot be undone.",
		"field", "note", "fieldlabel", "Note", "fieldvalue", `</textarea><script>`, "textarea", true, "maxlength", 10)
	if err != nil {
		t.Fatal(err)
	}
	c.lang = langDE
	want := `<details class="confirm" id="done-1"><summary class="secondary">Als erledigt markieren…</summary>` +
		`<div class="confirm-body" role="group" aria-label="Als erledigt markieren"><p class="consequence"><strong>O&#39;Brien &amp; &lt;Söhne&gt; &#34;1&#43;1&#34;</strong>: `
	got := string(c.HTML())
	if !strings.HasPrefix(got, want) || !strings.Contains(got, `action="/key-accounts/1/actions/2/done-form?x=1&amp;y=2"`) ||
		!strings.Contains(got, `<textarea name="note" rows="3" maxlength="10">&lt;/textarea&gt;&lt;script&gt;</textarea>`) ||
		!strings.Contains(got, `<button type="submit" class="secondary">Als erledigt markieren</button>`) || strings.Contains(got, "<script>") {
		t.Fatalf("confirmation markup:\n%s", got)
	}
	// An input rather than a textarea, the page to go back to, a counted
	// consequence; a step built outside a template speaks English.
	c, err = newConfirm("csrf", "tok", "action", "/training/sessions/3/cancel?from=a+b", "label", "Cancel session", "from", "my-work",
		"consequence", "{{.Count}} people enrolled or waitlisted will be told the session is cancelled.", "count", 2,
		"field", "reason", "fieldlabel", "Reason", "fieldvalue", `"quoted"`, "required", true)
	if err != nil {
		t.Fatal(err)
	}
	got = string(c.HTML())
	for _, part := range []string{`<details class="confirm"><summary class="primary">Cancel session…</summary>`, `action="/training/sessions/3/cancel?from=a&#43;b"`,
		`<input type="hidden" name="from" value="my-work">`, `2 people enrolled or waitlisted`, `<label>Reason <input name="reason" value="&#34;quoted&#34;" required></label>`,
		`<button type="submit">Cancel session</button>`} {
		if !strings.Contains(got, part) {
			t.Errorf("confirmation without %s:\n%s", part, got)
		}
	}
}

// renderPage executes a page template as render does, in English.
func renderPage(t *testing.T, name string, data any) string {
	t.Helper()
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := p.byLang[langEN][name].Execute(&b, view{CSRF: strings.Repeat("a", 64), User: &userView{Name: "Test", Email: "t@example.com"}, Data: data, Zone: time.UTC}); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	return b.String()
}

// The programme's gate and cancellation, the review's sign-off and its
// measures sit behind confirmations that name the record and count what
// the step ends; no form posts these steps outside a confirmation.
func TestIrreversibleProgrammeAndReviewStepsAskFirst(t *testing.T) {
	now := time.Now()
	page := renderPage(t, "programme.html", &programmePage{ID: 7, IsLead: true, IsCommittee: true, Now: now, State: workflows.ProgrammeState{
		ProgrammeID: 7, Name: "KAM Nord", Status: workflows.StatusActive, CurrentPhase: workflows.PhaseStrategy,
		Phases: []workflows.PhaseState{
			{Phase: workflows.PhaseSetup, Status: workflows.PhaseDone, Due: now},
			{Phase: workflows.PhaseStrategy, Gate: true, Status: workflows.PhaseSubmitted, Due: now},
			{Phase: workflows.PhaseCriteria, Status: workflows.PhasePending, Due: now},
		}}})
	for _, c := range []struct{ box, action, want string }{
		{"approve-strategy", "/programmes/7/phases/strategy/approve", "the next phase starts at once"},
		{"cancel-programme", "/programmes/7/cancel-form", "<strong>KAM Nord</strong>: The programme ends for good with its 2 open phases"},
	} {
		box := boxOf(t, page, c.box, c.action)
		if !strings.Contains(box, c.want) {
			t.Errorf("%s lacks %q:\n%s", c.box, c.want, box)
		}
	}
	if box := boxOf(t, page, "cancel-programme", "/programmes/7/cancel-form"); !strings.Contains(box, `name="reason" value="" required`) {
		t.Errorf("cancelling asks no reason:\n%s", box)
	}

	done := now.Add(-time.Hour)
	r := &store.Review{ID: 3, ProgrammeID: 7, Status: "open",
		Measures: []store.Measure{{ID: 11, ReviewID: 3, Title: "Raise the margin", OwnerEmail: "kam@example.com", Due: now}, {ID: 12, ReviewID: 3, Title: "Old", Due: now, DoneAt: &done}}}
	review := renderPage(t, "review.html", &reviewPage{Open: true, CanEdit: true, Now: now, ProgrammeName: "KAM Nord", Review: r, Groups: measureGroups(r)})
	if box := boxOf(t, review, "sign-off", "/reviews/3/sign-off-form"); !strings.Contains(box, "The 1 open measure stays open") || !strings.Contains(box, `<textarea name="overall"`) {
		t.Errorf("sign-off confirmation:\n%s", box)
	}
	if box := boxOf(t, review, "measure-done-11", "/reviews/3/measures/11/done-form"); !strings.Contains(box, "<strong>Raise the margin</strong>") {
		t.Errorf("measure confirmation:\n%s", box)
	}
}

func boxOf(t *testing.T, page, id, action string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<details class="confirm" id="` + regexp.QuoteMeta(id) + `">(.*?)</details>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(m[1], `action="`+action+`"`) || strings.Count(page, `action="`+action+`"`) != 1 {
		t.Fatalf("no confirmation %s posting to %s alone:\n%s", id, action, page)
	}
	return m[1]
}
