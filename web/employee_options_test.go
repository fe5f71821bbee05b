package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

var optionRe = regexp.MustCompile(`<option value="(\d+)"( selected)?>([^<]*)</option>`)

// optionsIn lists the employee options (ID → selected) of the select
// named name after marker in page.
func optionsIn(t *testing.T, page, marker string) (ids []string, selected map[string]bool) {
	t.Helper()
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no %q on the page", marker)
	}
	rest := page[i:]
	if j := strings.Index(rest, "</select>"); j >= 0 {
		rest = rest[:j]
	}
	selected = map[string]bool{}
	for _, m := range optionRe.FindAllStringSubmatch(rest, -1) {
		ids = append(ids, m[1])
		if m[2] != "" {
			selected[m[1]] = true
		}
	}
	return ids, selected
}

// TestEmployeePickersFindBeyondTheFirstNames: a company with more staff
// than a select lists. HR's enrol select and the contact matrix's
// counterpart select show a few names and say how many more there are;
// the finder brings any employee, the ones chosen stay chosen, and a
// session's finder leaves out who is in it.
func TestEmployeePickersFindBeyondTheFirstNames(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for i := range 40 {
		e := &store.Employee{Name: fmt.Sprintf("Aaron Staff %02d", i), Email: fmt.Sprintf("staff%02d@example.com", i), HierarchyLevel: store.LevelSpecialist}
		if err := f.store.CreateEmployee(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	zoe := &store.Employee{Name: "Zoe Zimmermann", Email: "zoe@example.com", HierarchyLevel: store.LevelManagement}
	if err := f.store.CreateEmployee(ctx, zoe); err != nil {
		t.Fatal(err)
	}
	course := &store.Course{Title: "KAM Basics", DurationDays: 1, Language: "de"}
	if err := f.store.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	session := &store.TrainingSession{CourseID: course.ID, StartsAt: time.Now().Add(72 * time.Hour), EndsAt: time.Now().Add(80 * time.Hour), Place: "Bern", Capacity: 10}
	if err := f.store.SaveSession(ctx, session); err != nil {
		t.Fatal(err)
	}
	zoeID := fmt.Sprint(zoe.ID)

	f.login("hr@"+store.DemoDomain, store.DemoPassword)
	code, page := f.get("/training")
	if code != http.StatusOK {
		t.Fatalf("training page = %d", code)
	}
	ids, _ := optionsIn(t, page, `multiple size="8"`)
	if len(ids) != 25 || strings.Contains(page, "Zoe Zimmermann") || !regexp.MustCompile(`<option value="" disabled>\d+ more: type a name to find them</option>`).MatchString(page) {
		t.Fatalf("the enrol select lists %d employees (want 25, Zoe not among them, and how many more):\n%s", len(ids), page)
	}
	if !strings.Contains(page, `hx-get="/employee-options"`) {
		t.Fatal("the enrol select has no finder")
	}

	// The finder: Zoe by part of her name; an employee chosen before stays.
	first := ids[0]
	q := url.Values{"field": {"employee_id"}, "multiple": {"1"}, "groups": {"1"}, "find": {"zimmer"}, "employee_id": {first}}
	code, frag := f.get("/employee-options?" + q.Encode())
	got, sel := optionsIn(t, "<select>"+frag, "<select>")
	if code != http.StatusOK || len(got) != 2 || got[0] != first || !sel[first] || got[1] != zoeID || sel[zoeID] || strings.Contains(frag, "more:") {
		t.Fatalf("finding zimmer with %s chosen = %d %v %v:\n%s", first, code, got, sel, frag)
	}
	if !strings.Contains(frag, "Zoe Zimmermann (Management)") || !strings.Contains(frag, `<optgroup label="Other employees">`) {
		t.Errorf("the options lack Zoe's level or their group:\n%s", frag)
	}

	// Once Zoe is in the session (enrolling goes through the training
	// workflow: the browser flow does it), the session's finder leaves
	// her out.
	if _, err := f.store.Enrol(ctx, session.ID, zoe.ID, nil, "hr@"+store.DemoDomain, time.Now()); err != nil {
		t.Fatal(err)
	}
	q = url.Values{"field": {"employee_id"}, "multiple": {"1"}, "groups": {"1"}, "find": {"zoe"}, "session": {fmt.Sprint(session.ID)}}
	if _, frag = f.get("/employee-options?" + q.Encode()); strings.Contains(frag, "Zoe") {
		t.Errorf("the session's finder offers Zoe, who is in it:\n%s", frag)
	}
	_, sessionPage := f.get(fmt.Sprintf("/training/sessions/%d", session.ID))
	if !strings.Contains(sessionPage, `&#34;session&#34;:&#34;`+fmt.Sprint(session.ID)+`&#34;`) {
		t.Errorf("the session page's finder does not name the session:\n%s", sessionPage)
	}

	// A counterpart select's finder: single choice with its blank.
	q = url.Values{"field": {"employee_id"}, "blank": {"— choose —"}, "find": {"Zimmermann"}}
	_, frag = f.get("/employee-options?" + q.Encode())
	if !strings.HasPrefix(frag, `<option value="">— choose —</option><option value="`+zoeID+`">Zoe Zimmermann (Management)</option>`) {
		t.Errorf("counterpart options = %s", frag)
	}
	// A blank the page did not offer is not echoed.
	q.Set("blank", "<b>pick</b>")
	if _, frag = f.get("/employee-options?" + q.Encode()); strings.Contains(frag, "pick") {
		t.Errorf("a request's blank text was echoed: %s", frag)
	}

	// A workshop's finder leaves out who takes part already.
	q = url.Values{"field": {"ours_id"}, "blank": {"— choose —"}, "find": {"Zimmermann"}, "except": {zoeID + ",1"}}
	if code, frag = f.get("/employee-options?" + q.Encode()); code != http.StatusOK || strings.Contains(frag, "Zoe") {
		t.Errorf("except %s = %d %s", zoeID, code, frag)
	}

	// A large staff is counted up to a hundred past those listed: the
	// select says there are over a hundred more.
	for i := range 110 {
		e := &store.Employee{Name: fmt.Sprintf("Berta Staff %03d", i), Email: fmt.Sprintf("berta%03d@example.com", i), HierarchyLevel: store.LevelSpecialist}
		if err := f.store.CreateEmployee(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	q = url.Values{"field": {"employee_id"}, "multiple": {"1"}, "groups": {"1"}}
	if code, frag = f.get("/employee-options?" + q.Encode()); code != http.StatusOK ||
		!strings.Contains(frag, `<option value="" disabled>over 100 more: type a name to find them</option>`) {
		t.Errorf("the options of over 125 employees = %d:\n%s", code, frag)
	}
	q.Set("find", "berta staff 0")
	if _, frag = f.get("/employee-options?" + q.Encode()); !strings.Contains(frag, `<option value="" disabled>75 more: type a name to find them</option>`) {
		t.Errorf("the options of the 100 staff with a 0 = %s", frag)
	}

	// Bad input is refused at its field.
	for _, bad := range []url.Values{
		{"find": {"x"}},
		{"field": {"employee_id"}, "session": {"abc"}},
		{"field": {"employee_id"}, "find": {strings.Repeat("x", 201)}},
		{"field": {"employee_id"}, "except": {"1,x"}},
	} {
		if code, body := f.get("/employee-options?" + bad.Encode()); code != http.StatusUnprocessableEntity {
			t.Errorf("%v = %d, want 422:\n%s", bad, code, body)
		}
	}
	// Who is in a session is HR's to know: a KAM's finder may not ask.
	kam := newFixtureClient(t, f)
	kam.login("kam@"+store.DemoDomain, store.DemoPassword)
	if code, _ := kam.get("/employee-options?field=employee_id&session=" + fmt.Sprint(session.ID)); code != http.StatusForbidden {
		t.Errorf("a KAM asking without a session's people = %d, want 403", code)
	}
	if code, frag := kam.get("/employee-options?field=employee_id&find=zoe"); code != http.StatusOK || !strings.Contains(frag, "Zoe") {
		t.Errorf("a KAM finding a counterpart = %d %s", code, frag)
	}
	// Signed out, nothing is listed.
	anon := newFixtureClient(t, f)
	if code, body := anon.get("/employee-options?field=employee_id"); code == http.StatusOK || strings.Contains(body, "Zoe") {
		t.Errorf("signed out = %d", code)
	}
}
