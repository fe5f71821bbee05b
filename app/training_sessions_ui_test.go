package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// TestHRWorksASessionInTheBrowser: HR enrols three KAMs at once into a
// one-seat session (one seat, two on the waitlist in order), unenrols one
// (the waitlist moves up), moves one to another session of the course, and
// the API moves another with the same code; refusals show at their field
// with the input kept, and a KAM may do none of it.
func TestHRWorksASessionInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	st := e.dev.Store
	course := &store.Course{Title: "KAM Basics", DurationDays: 1, RequiredKAM: true}
	other := &store.Course{Title: "Negotiation", DurationDays: 1}
	for _, c := range []*store.Course{course, other} {
		if err := st.SaveCourse(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
	small := &store.TrainingSession{CourseID: course.ID, StartsAt: day, EndsAt: day.Add(8 * time.Hour), Place: "St. Gallen", Capacity: 1}
	later := &store.TrainingSession{CourseID: course.ID, StartsAt: day.Add(14 * 24 * time.Hour), EndsAt: day.Add(14*24*time.Hour + 8*time.Hour), Place: "Zürich", Capacity: 5}
	elsewhere := &store.TrainingSession{CourseID: other.ID, StartsAt: day, EndsAt: day.Add(8 * time.Hour), Place: "Bern", Capacity: 5}
	for _, ts := range []*store.TrainingSession{small, later, elsewhere} {
		if err := st.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
	}
	name := func(who string) string {
		emp, err := st.Employee(ctx, e.emp[who])
		if err != nil {
			t.Fatal(err)
		}
		return emp.Name
	}
	id := func(who string) string { return fmt.Sprint(e.emp[who]) }
	smallPage, laterPage := fmt.Sprintf("/training/sessions/%d", small.ID), fmt.Sprintf("/training/sessions/%d", later.ID)
	roster := func(ts *store.TrainingSession) *store.SessionRoster {
		t.Helper()
		r, err := st.SessionRoster(ctx, ts.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	hr := signIn(t, e.dev.URL, "hr")
	if _, page := hr.get("/training"); !strings.Contains(page, `href="`+smallPage+`#participants"`) {
		t.Fatalf("the training page does not link the session's participants:\n%s", page)
	}
	// Several KAMs at once: one seat, then the waitlist in the order chosen.
	enrol := url.Values{"csrf": {hr.csrf}, "session_id": {fmt.Sprint(small.ID)}, "employee_id": {id("kam"), id("kam2"), id("kam3")}}
	code, _ := hr.post("/training/enrolments", enrol)
	if code != http.StatusSeeOther {
		t.Fatalf("enrol three = %d", code)
	}
	r := roster(small)
	if len(r.Enrolled) != 1 || r.Enrolled[0].EmployeeID != e.emp["kam"] || len(r.Waitlist) != 2 || r.Waitlist[0].EmployeeID != e.emp["kam2"] || r.Waitlist[1].EmployeeID != e.emp["kam3"] {
		t.Fatalf("after enrolling three: enrolled %+v, waitlist %+v", r.Enrolled, r.Waitlist)
	}
	seat, first, second := r.Enrolled[0], r.Waitlist[0], r.Waitlist[1]
	_, page := hr.get(smallPage)
	participants := page[strings.Index(page, `id="participants"`):strings.Index(page, `id="waitlist"`)]
	waitlist := page[strings.Index(page, `id="waitlist"`):]
	if !strings.Contains(participants, name("kam")) || strings.Index(waitlist, name("kam2")) > strings.Index(waitlist, name("kam3")) || !strings.Contains(waitlist, name("kam3")) {
		t.Fatalf("session page does not show the seat and the waitlist in order:\n%s", page)
	}
	// The same people again enrol nobody: refused at the field, choice kept.
	hr.get("/training")
	code, page = hr.post("/training/enrolments", url.Values{"csrf": {hr.csrf}, "session_id": {fmt.Sprint(small.ID)}, "employee_id": {id("kam")}})
	if code != http.StatusConflict || !strings.Contains(page, name("kam")+" already enrolled in this session</p>") ||
		!regexp.MustCompile(`<option value="`+id("kam")+`" selected>`).MatchString(page) ||
		!regexp.MustCompile(`<option value="`+fmt.Sprint(small.ID)+`" selected>`).MatchString(page) {
		t.Fatalf("enrolling an enrolled KAM again = %d, want 409 at the field with the choice kept:\n%s", code, page)
	}
	if got := roster(small); len(got.Enrolled)+len(got.Waitlist) != 3 {
		t.Fatalf("the refused form changed the session: %+v", got)
	}

	// Unenrol: the reason is required and stays at the row; then the seat
	// goes to the first on the waitlist.
	hr.get(smallPage)
	cancel := fmt.Sprintf("/training/enrolments/%d/cancel-form", seat.ID)
	code, page = hr.post(cancel, url.Values{"csrf": {hr.csrf}, "reason": {"  "}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "say why the enrolment is cancelled") {
		t.Fatalf("unenrol without a reason = %d:\n%s", code, page)
	}
	if got, _ := st.Enrolment(ctx, seat.ID); got.Status != store.EnrolmentEnrolled {
		t.Fatalf("a refused unenrol changed the enrolment to %s", got.Status)
	}
	if code, _ = hr.post(cancel, url.Values{"csrf": {hr.csrf}, "reason": {"sick leave"}}); code != http.StatusSeeOther {
		t.Fatalf("unenrol = %d", code)
	}
	if got, _ := st.Enrolment(ctx, first.ID); got.Status != store.EnrolmentEnrolled {
		t.Errorf("the first on the waitlist = %s, want enrolled", got.Status)
	}
	if got, _ := st.Enrolment(ctx, seat.ID); got.Status != store.EnrolmentCancelled || got.StatusNote != "sick leave" {
		t.Errorf("unenrolled = %s %q", got.Status, got.StatusNote)
	}

	// Move: only to a session of the same course (refused at the field, the
	// reason kept), then to the later one.
	hr.get(smallPage)
	move := fmt.Sprintf("/training/enrolments/%d/move-form", second.ID)
	code, page = hr.post(move, url.Values{"csrf": {hr.csrf}, "session_id": {fmt.Sprint(elsewhere.ID)}, "reason": {"closer to home"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "choose a session of the same course") || !strings.Contains(page, `value="closer to home"`) {
		t.Fatalf("move to another course's session = %d:\n%s", code, page)
	}
	if code, _ = hr.post(move, url.Values{"csrf": {hr.csrf}, "session_id": {fmt.Sprint(later.ID)}, "reason": {"closer to home"}}); code != http.StatusSeeOther {
		t.Fatalf("move = %d", code)
	}
	moved, err := st.EnrolmentMovedFrom(ctx, second.ID)
	if err != nil || moved.SessionID != later.ID || moved.Status != store.EnrolmentEnrolled {
		t.Fatalf("moved enrolment = %+v, %v", moved, err)
	}
	if got, _ := st.Enrolment(ctx, second.ID); got.Status != store.EnrolmentCancelled || !strings.HasPrefix(got.StatusNote, "moved to KAM Basics on ") || !strings.HasSuffix(got.StatusNote, ": closer to home") {
		t.Errorf("the enrolment moved away = %s %q", got.Status, got.StatusNote)
	}
	if _, page = hr.get(smallPage); !strings.Contains(page, fmt.Sprintf(`href="%s#enrolment-%d"`, laterPage, moved.ID)) {
		t.Errorf("the old session does not link where the enrolment went:\n%s", page)
	}
	if _, page = hr.get(laterPage); !strings.Contains(page, name("kam3")) || !strings.Contains(page, `href="`+smallPage+`"`) {
		t.Errorf("the later session does not show the moved KAM and where she came from:\n%s", page)
	}
	waitClosed(t, e.dev.Client, workflows.TrainingWorkflowID(second.ID))
	waitClosed(t, e.dev.Client, workflows.TrainingWorkflowID(seat.ID))
	reenrol := func(who string) int {
		list, err := st.Notifications(ctx, "hr@"+store.DemoDomain, store.Page{Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range list {
			if strings.HasPrefix(m.Subject, "Re-enrol "+name(who)) {
				n++
			}
		}
		return n
	}
	if reenrol("kam") != 1 || reenrol("kam3") != 0 {
		t.Errorf("re-enrolment requests: unenrolled %d (want 1), moved %d (want 0)", reenrol("kam"), reenrol("kam3"))
	}

	// The API moves with the same code, and a repeat acts once.
	path := fmt.Sprintf("/enrolments/%d/move", first.ID)
	e.refused(t, 0, 403, "", "kam", "POST", path, map[string]any{"session_id": later.ID})
	e.refused(t, 0, 422, "session_id", "hr", "POST", path, map[string]any{"session_id": small.ID})
	one := e.ok(t, 200, "hr", "POST", path, map[string]any{"session_id": later.ID, "reason": "team offsite"})
	again := e.ok(t, 200, "hr", "POST", path, map[string]any{"session_id": later.ID, "reason": "team offsite"})
	if one.body["id"] != again.body["id"] || one.body["moved_from"] != float64(first.ID) || one.body["status"] != store.EnrolmentEnrolled {
		t.Errorf("API move = %v, repeated = %v", one.body, again.body)
	}
	if got := roster(later); len(got.Enrolled) != 2 {
		t.Errorf("later session after two moves: %d enrolled, want 2", len(got.Enrolled))
	}

	// A double click on the session page's enrol form enrols once.
	_, page = hr.get(laterPage)
	enrolForm := fmt.Sprintf("/training/sessions/%d/enrolments-form#participants", later.ID)
	token := formTokenOf(t, page, enrolForm)
	var answers []string
	for range 2 {
		code, loc := hr.postFor(enrolForm, url.Values{"csrf": {hr.csrf}, "form_token": {token}, "employee_id": {id("kam"), id("admin")}})
		answers = append(answers, fmt.Sprint(code, " ", loc))
	}
	if answers[0] != answers[1] || !strings.HasPrefix(answers[0], "303 "+laterPage) {
		t.Errorf("the enrol form sent twice answered %v", answers)
	}
	if got := roster(later); len(got.Enrolled) != 4 {
		t.Errorf("after enrolling two with a double click: %d enrolled, want 4", len(got.Enrolled))
	}

	// Nobody but HR works the session.
	kam := signIn(t, e.dev.URL, "kam")
	if code, _ := kam.get(smallPage); code != http.StatusForbidden {
		t.Errorf("a KAM on the session page = %d, want 403", code)
	}
	if code, _ := kam.post(fmt.Sprintf("/training/sessions/%d/enrolments-form", small.ID), url.Values{"csrf": {kam.csrf}, "employee_id": {id("kam")}}); code != http.StatusForbidden {
		t.Errorf("a KAM enrolling = %d, want 403", code)
	}
	if code, _ := kam.post(fmt.Sprintf("/training/enrolments/%d/move-form", moved.ID), url.Values{"csrf": {kam.csrf}, "session_id": {fmt.Sprint(small.ID)}}); code != http.StatusForbidden {
		t.Errorf("a KAM moving = %d, want 403", code)
	}
	if _, home := kam.get("/"); strings.Contains(home, `href="/training"`) {
		t.Error("a KAM is shown the training page's link")
	}
}

// TestHRStartPageCountsWhatTheProgrammeWaitsFor: a KAM whose every required
// course was recorded before she was assigned still holds up the
// programme's training phase; HR's start page counts her as the programme
// does, and HR confirms her training for the programme from the training
// page, after which both agree she is done.
func TestHRStartPageCountsWhatTheProgrammeWaitsFor(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	course := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "KAM Basics", "duration_days": 1, "required_for_kams": true})
	e.ok(t, 201, "hr", "POST", fmt.Sprintf("/employees/%d/training-records", e.emp["kam"]), map[string]any{"course_id": course.body["id"], "completed_at": "2025-11-20"})
	id, _ := e.programmeInTraining(t)
	waiting := regexp.MustCompile(fmt.Sprintf(`id="waiting-%d-(\d+)"`, id))
	agree := func(want ...uint) {
		t.Helper()
		prog := e.ok(t, 200, "lead", "GET", fmt.Sprintf("/programmes/%d", id), nil)
		var missing []string
		for _, v := range prog.body["missing_training"].([]any) {
			missing = append(missing, fmt.Sprint(v))
		}
		_, home := signIn(t, e.dev.URL, "hr").get("/")
		var shown []string
		for _, m := range waiting.FindAllStringSubmatch(home, -1) {
			shown = append(shown, m[1])
		}
		var wanted []string
		for _, w := range want {
			wanted = append(wanted, fmt.Sprint(w))
		}
		sort.Strings(missing)
		sort.Strings(shown)
		sort.Strings(wanted)
		if fmt.Sprint(missing) != fmt.Sprint(wanted) || fmt.Sprint(shown) != fmt.Sprint(wanted) {
			t.Fatalf("programme waits for %v, HR's start page shows %v; want both %v", missing, shown, wanted)
		}
	}
	agree(e.emp["kam3"], e.emp["kam"])

	hr := signIn(t, e.dev.URL, "hr")
	confirm := fmt.Sprintf("/training/programmes/%d/kams/%d/complete-form", id, e.emp["kam"])
	_, page := hr.get("/training")
	if !strings.Contains(page, `action="`+confirm+`"`) || strings.Contains(page, fmt.Sprintf(`/kams/%d/complete-form`, e.emp["kam3"])) {
		t.Fatalf("the training page should offer the confirmation for kam only:\n%s", page)
	}
	lead := signIn(t, e.dev.URL, "lead")
	if code, _ := lead.post(confirm, url.Values{"csrf": {lead.csrf}}); code != http.StatusForbidden {
		t.Errorf("the lead confirming training = %d, want 403", code)
	}
	if code, _ := hr.post(confirm, url.Values{"csrf": {hr.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("confirm = %d", code)
	}
	agree(e.emp["kam3"])
	// Confirmed already: the programme refuses, and the page says why.
	hr.get("/training")
	if code, page := hr.post(confirm, url.Values{"csrf": {hr.csrf}}); code != http.StatusConflict || !strings.Contains(page, "recorded already") {
		t.Errorf("confirm again = %d:\n%s", code, page)
	}
}
