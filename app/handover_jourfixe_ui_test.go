package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

var suggestedIncoming = regexp.MustCompile(`<input type="hidden" name="employee_id" value="(\d+)">\s*Suggested by hierarchy:`)

// TestHandoverInTheBrowser: the programme's lead starts a handover on the
// key-account page (persona non grata, with a note) — a refusal shows at
// its field with the input kept —, accepts the hierarchy-matched incoming
// KAM in one click; the covering deputy ticks and skips items, the lead
// ticks the rest; the page then shows the finished handover with who did
// what when. The KAM, the committee and a KAM of another account see no
// start form and are refused.
func TestHandoverInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	id, _ := e.programmeInTraining(t)
	ka := e.accountOf(t, id, "kam3") // kam2 is its deputy
	page := fmt.Sprintf("/key-accounts/%d", ka.ID)
	start := page + "/handover-form"

	// Only the programme's lead and steering committee (and an admin) see
	// the start form.
	kam3 := signIn(t, e.dev.URL, "kam3")
	committee := signIn(t, e.dev.URL, "committee")
	if _, body := committee.get(page); !strings.Contains(body, `action="`+start+`"`) {
		t.Error("the programme's committee is not offered the start of a handover")
	}
	for who, b := range map[string]*browser{"kam3": kam3, "controller": signIn(t, e.dev.URL, "controller")} {
		if code, body := b.get(page); code != 200 || strings.Contains(body, `action="`+start+`"`) {
			t.Errorf("%s: key-account page = %d with the start form", who, code)
		}
		if code, _, _ := b.postLocation(start, url.Values{"csrf": {b.csrf}, "reason": {"left"}}); code != 403 {
			t.Errorf("%s starting a handover = %d, want 403", who, code)
		}
	}
	lead := signIn(t, e.dev.URL, "lead")
	code, body := lead.get(page)
	if code != 200 || !strings.Contains(body, `action="`+start+`"`) || !strings.Contains(body, `<option value="persona_non_grata">The KAM is persona non grata with the customer</option>`) {
		t.Fatalf("lead's key-account page = %d without the start form and its reasons:\n%s", code, body)
	}
	// No reason: refused at the field, the note and the cover kept.
	code, _, body = lead.postLocation(start, url.Values{"csrf": {lead.csrf}, "reason_note": {"their CEO asked for someone else"}, "covering_employee_id": {fmt.Sprint(e.emp["kam"])}})
	if code != 422 || !strings.Contains(body, "reason must be") || !strings.Contains(body, ">their CEO asked for someone else</textarea>") ||
		!strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, e.emp["kam"])) {
		t.Fatalf("start without a reason = %d, want 422 at the field with the input kept:\n%s", code, body)
	}
	if _, err := e.dev.Store.OpenHandoverOf(ctx, ka.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused start left a handover: %v", err)
	}
	code, loc, _ := lead.postLocation(start, url.Values{"csrf": {lead.csrf}, "reason": {"persona_non_grata"}, "reason_note": {"their CEO asked for someone else"}})
	if code != 303 || loc != page+"?done=handover-started#handovers" {
		t.Fatalf("start = %d to %q", code, loc)
	}
	var h *store.Handover
	waitFor(t, "the handover is recorded", func() bool {
		var err error
		h, err = e.dev.Store.OpenHandoverOf(ctx, ka.ID)
		return err == nil
	})
	if h.Reason != workflows.ReasonPersonaNonGrata || h.ReasonNote != "their CEO asked for someone else" || h.CoveringEmployeeID != e.emp["kam2"] || h.StartedBy != "lead@"+store.DemoDomain {
		t.Fatalf("handover = %+v, want persona non grata with the note, covered by the deputy", h)
	}
	_, body = lead.get(page + "?done=handover-started")
	if !strings.Contains(body, "The handover started") || strings.Contains(body, `action="`+start+`"`) {
		t.Errorf("after the start the page lacks the notice or still offers a start:\n%s", body)
	}
	// The suggestion is the hierarchy match without the outgoing KAM.
	want, err := e.dev.Store.SuggestIncomingKAM(ctx, ka.CustomerID, e.emp["kam3"])
	if err != nil || want.Employee == nil {
		t.Fatalf("suggestion: %+v %v", want, err)
	}
	m := suggestedIncoming.FindStringSubmatch(body)
	if m == nil || m[1] != fmt.Sprint(want.Employee.ID) {
		t.Fatalf("suggested incoming KAM = %v, want %d:\n%s", m, want.Employee.ID, body)
	}
	// Before the incoming KAM is chosen only the knowledge transfer is tickable.
	tick := func(item string) string { return page + "/handover/items/" + item + "/tick-form" }
	if !strings.Contains(body, `action="`+tick("knowledge_transfer")+`"`) || strings.Contains(body, `action="`+tick("intro_meeting")+`"`) {
		t.Errorf("tick forms before the incoming KAM is chosen are wrong:\n%s", body)
	}
	// The programme's steering committee may steer the handover as the lead
	// does; a controller, who reads key accounts, may not.
	if _, cb := committee.get(page); !strings.Contains(cb, page+"/handover/incoming-form") || !strings.Contains(cb, "their CEO asked for someone else") {
		t.Error("the committee is not offered the choice of the incoming KAM, or does not see the handover")
	}
	controller := signIn(t, e.dev.URL, "controller")
	if _, cb := controller.get(page); strings.Contains(cb, page+"/handover/incoming-form") || !strings.Contains(cb, "their CEO asked for someone else") {
		t.Error("the controller is offered the choice of the incoming KAM, or does not see the handover")
	}
	if code, _, _ := controller.postLocation(page+"/handover/incoming-form", url.Values{"csrf": {controller.csrf}, "employee_id": {m[1]}}); code != 403 {
		t.Errorf("controller choosing = %d, want 403", code)
	}
	// The outgoing KAM cannot come in again: refused at the field.
	code, _, body = lead.postLocation(page+"/handover/incoming-form", url.Values{"csrf": {lead.csrf}, "employee_id": {fmt.Sprint(e.emp["kam3"])}})
	if code != 422 || !strings.Contains(body, "someone other than the outgoing one") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("choosing the outgoing KAM = %d:\n%s", code, body)
	}
	// The suggestion accepted in one click.
	code, loc, _ = lead.postLocation(page+"/handover/incoming-form", url.Values{"csrf": {lead.csrf}, "employee_id": {m[1]}})
	if code != 303 || !strings.HasPrefix(loc, page+"?done=incoming-chosen") {
		t.Fatalf("accept the suggestion = %d to %q", code, loc)
	}
	if h, _ = e.dev.Store.OpenHandoverOf(ctx, ka.ID); h.IncomingEmployeeID == nil || *h.IncomingEmployeeID != want.Employee.ID {
		t.Fatalf("incoming KAM = %v, want %d", h.IncomingEmployeeID, want.Employee.ID)
	}

	// The covering deputy ticks and skips; a skip needs its reason.
	kam2 := signIn(t, e.dev.URL, "kam2")
	_, body = kam2.get(page)
	if !strings.Contains(body, `action="`+tick("intro_meeting")+`"`) || strings.Contains(body, `action="`+start+`"`) || strings.Contains(body, page+"/handover/incoming-form") {
		t.Fatalf("the covering deputy's page: want the tick forms only:\n%s", body)
	}
	code, _, body = kam2.postLocation(tick("actions_moved"), url.Values{"csrf": {kam2.csrf}, "op": {"skip"}, "note": {" "}})
	if code != 422 || !strings.Contains(body, `id="tick-error-actions_moved" role="alert">say why the item is skipped`) {
		t.Fatalf("skip without a reason = %d, want 422 at the item:\n%s", code, body)
	}
	for _, step := range []struct {
		b          *browser
		item, op   string
		note, done string
	}{
		{kam2, "knowledge_transfer", "done", "files and contacts handed over", "item-ticked"},
		{kam2, "actions_moved", "skip", "no open actions", "item-skipped"},
		{lead, "relationships_moved", "done", "counterparts named", "item-ticked"},
		{lead, "intro_meeting", "done", "met their CFO", "item-ticked"},
		{lead, "customer_informed", "done", "letter sent", "item-ticked"},
	} {
		code, loc, body := step.b.postLocation(tick(step.item), url.Values{"csrf": {step.b.csrf}, "op": {step.op}, "note": {step.note}})
		if code != 303 || loc != page+"?done="+step.done+"#handover-item-"+step.item {
			t.Fatalf("%s %s = %d to %q:\n%s", step.op, step.item, code, loc, body)
		}
	}
	waitFor(t, "the handover completes", func() bool {
		_, err := e.dev.Store.OpenHandoverOf(ctx, ka.ID)
		return errors.Is(err, store.ErrNotFound)
	})
	list, err := e.dev.Store.HandoversOf(ctx, ka.ID)
	if err != nil || len(list) != 1 || list[0].Status != "completed" {
		t.Fatalf("handovers = %+v, %v", list, err)
	}
	for _, it := range list[0].Items {
		if it.DoneAt == nil || it.Skipped != (it.Item == workflows.ItemActionsMoved) {
			t.Errorf("item %+v, want done (skipped: only actions moved)", it)
		}
	}
	// Finished: who did what when, on the page of everyone who reads it.
	_, body = committee.get(page)
	if !containsAll(body, "completed", "kam2@"+store.DemoDomain, "files and contacts handed over", "skipped", "no open actions", "lead@"+store.DemoDomain, "letter sent") ||
		strings.Contains(body, `/tick-form"`) {
		t.Errorf("the finished handover is not shown whole, or still offers ticks:\n%s", body)
	}
	// A KAM of another account and HR do not read it, nor tick.
	other := "kam"
	if want.Employee.ID == e.emp["kam"] {
		other = "kam3" // kam came in; kam3 went out and keeps no account of hers here
	}
	for who, b := range map[string]*browser{"other KAM": signIn(t, e.dev.URL, other), "hr": signIn(t, e.dev.URL, "hr")} {
		if code, _ := b.get(page); code != 403 {
			t.Errorf("%s reading the account = %d, want 403", who, code)
		}
		if code, _, _ := b.postLocation(tick("intro_meeting"), url.Values{"csrf": {b.csrf}, "op": {"done"}}); code != 403 {
			t.Errorf("%s ticking = %d, want 403", who, code)
		}
	}
}

// TestJourFixeInTheBrowser: the programme's lead sets and stops the
// monthly jour fixe and starts one now from the programme page (refusals
// at their field, input kept); KAMs find the request in My work and give
// their input per account on the jour fixe's page (a refusal at its field,
// input kept); each reader sees the pooled picture of only the accounts she
// may read; others get no forms and 403.
func TestJourFixeInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	id, _ := e.programmeInTraining(t)
	p := fmt.Sprintf("/programmes/%d", id)
	kaOf3, kaOfKam := e.accountOf(t, id, "kam3"), e.accountOf(t, id, "kam") // kam2 is deputy of both

	lead := signIn(t, e.dev.URL, "lead")
	code, body := lead.get(p)
	if code != 200 || !strings.Contains(body, `id="jour-fixe-schedule"`) || !strings.Contains(body, `id="jour-fixe-start"`) || !strings.Contains(body, "No jour fixe yet.") {
		t.Fatalf("lead's programme page = %d without the jour-fixe forms:\n%s", code, body)
	}
	kam3 := signIn(t, e.dev.URL, "kam3")
	for who, b := range map[string]*browser{"kam3": kam3, "committee": signIn(t, e.dev.URL, "committee")} {
		if _, page := b.get(p); !strings.Contains(page, `id="jour-fixe"`) || strings.Contains(page, `id="jour-fixe-schedule"`) || strings.Contains(page, `id="jour-fixe-start"`) {
			t.Errorf("%s: programme page without the jour-fixe section or with the lead's forms", who)
		}
		if code, _, _ := b.postLocation(p+"/jour-fixe-schedule-form", url.Values{"csrf": {b.csrf}, "day_of_month": {"5"}}); code != 403 {
			t.Errorf("%s setting the schedule = %d, want 403", who, code)
		}
		if code, _, _ := b.postLocation(p+"/jour-fixes-form", url.Values{"csrf": {b.csrf}}); code != 403 {
			t.Errorf("%s starting a jour fixe = %d, want 403", who, code)
		}
	}

	// The monthly schedule: a day no month lacks.
	code, _, body = lead.postLocation(p+"/jour-fixe-schedule-form", url.Values{"csrf": {lead.csrf}, "day_of_month": {"31"}, "key_account_id": {fmt.Sprint(kaOf3.ID)}})
	if code != 422 || !strings.Contains(body, "day_of_month is 1 to 28") || !strings.Contains(body, `name="day_of_month" min="1" max="28" step="1" required value="31"`) ||
		!strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, kaOf3.ID)) {
		t.Fatalf("day 31 = %d, want 422 at the field with the input kept:\n%s", code, body)
	}
	code, loc, _ := lead.postLocation(p+"/jour-fixe-schedule-form", url.Values{"csrf": {lead.csrf}, "day_of_month": {"5"}})
	if code != 303 || loc != p+"?done=schedule-set#jour-fixe" {
		t.Fatalf("set the schedule = %d to %q", code, loc)
	}
	if s, err := e.dev.Store.JourFixeSchedulesOf(ctx, id); err != nil || len(s) != 1 || s[0].DayOfMonth != 5 || s[0].KeyAccountID != 0 {
		t.Fatalf("schedules = %+v, %v", s, err)
	}
	if d, err := e.dev.Client.ScheduleClient().GetHandle(ctx, workflows.JourFixeScheduleID(id, 0)).Describe(ctx); err != nil || d.Schedule.Spec.Calendars[0].DayOfMonth[0].Start != 5 {
		t.Fatalf("the Temporal schedule: %v", err)
	}
	_, body = lead.get(p + "?done=schedule-set")
	if !containsAll(body, "The monthly jour fixe is set.", `<td class="num">5</td><td>all key accounts</td>`, p+"/jour-fixe-schedule/stop-form") {
		t.Errorf("the page does not show the schedule with its stop button:\n%s", body)
	}
	if code, loc, _ = lead.postLocation(p+"/jour-fixe-schedule/stop-form", url.Values{"csrf": {lead.csrf}, "key_account_id": {""}}); code != 303 || loc != p+"?done=schedule-stopped#jour-fixe" {
		t.Fatalf("stop = %d to %q", code, loc)
	}
	if s, _ := e.dev.Store.JourFixeSchedulesOf(ctx, id); len(s) != 0 {
		t.Errorf("schedules after stopping = %+v", s)
	}
	if _, err := e.dev.Client.ScheduleClient().GetHandle(ctx, workflows.JourFixeScheduleID(id, 0)).Describe(ctx); err == nil {
		t.Error("the Temporal schedule survived stopping")
	}

	// A jour fixe now: a meeting in the past is refused at its field.
	past := time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04")
	code, _, body = lead.postLocation(p+"/jour-fixes-form", url.Values{"csrf": {lead.csrf}, "meeting_at": {past}})
	if code != 422 || !strings.Contains(body, "the meeting is within the next three months") || !strings.Contains(body, `name="meeting_at" value="`+past+`"`) {
		t.Fatalf("a meeting in the past = %d:\n%s", code, body)
	}
	code, loc, _ = lead.postLocation(p+"/jour-fixes-form", url.Values{"csrf": {lead.csrf}, "meeting_at": {""}})
	if code != 303 || !strings.Contains(loc, "done=jourfixe-started") {
		t.Fatalf("start = %d to %q", code, loc)
	}
	var jf store.JourFixe
	waitFor(t, "the jour fixe asks for input", func() bool {
		list, _ := e.dev.Store.JourFixesOf(ctx, id)
		if len(list) == 1 {
			jf = list[0]
		}
		return jf.ID != 0
	})
	jp := fmt.Sprintf("/jour-fixes/%d", jf.ID)
	if _, body = lead.get(p); !strings.Contains(body, `href="`+jp+`"`) {
		t.Errorf("the programme page does not list the jour fixe:\n%s", body)
	}

	// kam3 finds the request in My work and gives her input there.
	input := func(ka uint) string { return fmt.Sprintf("%s#input-%d", jp, ka) }
	if _, work := kam3.get("/my-work"); !strings.Contains(work, `href="`+input(kaOf3.ID)+`"`) {
		t.Fatalf("kam3's My work lacks the link to her input:\n%s", work)
	}
	code, body = kam3.get(jp)
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`id="input-%d"`, kaOf3.ID)) || strings.Contains(body, fmt.Sprintf(`id="input-%d"`, kaOfKam.ID)) {
		t.Fatalf("kam3's jour-fixe page = %d, want a form for her account only:\n%s", code, body)
	}
	form := url.Values{"csrf": {kam3.csrf}, "key_account_id": {fmt.Sprint(kaOf3.ID)}, "satisfaction": {""}, "developments": {"new CFO since May"}, "needs": {"faster invoices"}}
	code, _, body = kam3.postLocation(jp+"/input-form", form)
	if code != 422 || !strings.Contains(body, "choose the satisfaction") || !strings.Contains(body, ">new CFO since May</textarea>") || !strings.Contains(body, ">faster invoices</textarea>") {
		t.Fatalf("input without satisfaction = %d, want 422 at the field with the input kept:\n%s", code, body)
	}
	form.Set("satisfaction", "4")
	if code, loc, _ = kam3.postLocation(jp+"/input-form", form); code != 303 || loc != fmt.Sprintf("%s?done=input-given#input-%d", jp, kaOf3.ID) {
		t.Fatalf("input = %d to %q", code, loc)
	}
	kam2 := signIn(t, e.dev.URL, "kam2")
	if code, _, body = kam2.postLocation(jp+"/input-form", url.Values{"csrf": {kam2.csrf}, "key_account_id": {fmt.Sprint(kaOfKam.ID)}, "satisfaction": {"2"},
		"risks": {"competitor offers lower prices"}}); code != 303 {
		t.Fatalf("kam2's input = %d:\n%s", code, body)
	}
	r, err := e.dev.Store.JourFixeRecordByID(ctx, jf.ID)
	if err != nil || len(r.Inputs) != 2 {
		t.Fatalf("inputs = %+v, %v", r, err)
	}

	// Each reader sees the picture of the accounts she may read only.
	_, body = kam3.get(jp + "?done=input-given")
	if !containsAll(body, "new CFO since May", "Your input is saved", `<option value="4" selected>`, "Change my input") || strings.Contains(body, "competitor offers lower prices") {
		t.Errorf("kam3 sees another account's input, or not her own:\n%s", body)
	}
	kam := signIn(t, e.dev.URL, "kam")
	if _, body = kam.get(jp); !strings.Contains(body, "competitor offers lower prices") || strings.Contains(body, "new CFO since May") {
		t.Errorf("kam's picture is wrong:\n%s", body)
	}
	if _, body = lead.get(jp); !containsAll(body, "competitor offers lower prices", "new CFO since May", "faster invoices") {
		t.Errorf("the lead does not see the whole picture:\n%s", body)
	}
	hr := signIn(t, e.dev.URL, "hr")
	if code, body = hr.get(jp); code != 200 || strings.Contains(body, "competitor offers lower prices") || strings.Contains(body, "new CFO since May") || strings.Contains(body, "/input-form") {
		t.Errorf("hr's jour-fixe page = %d shows an account's input or a form:\n%s", code, body)
	}
	if code, _, _ = hr.postLocation(jp+"/input-form", url.Values{"csrf": {hr.csrf}, "key_account_id": {fmt.Sprint(kaOf3.ID)}, "satisfaction": {"1"}}); code != 403 {
		t.Errorf("hr giving input = %d, want 403", code)
	}
}
