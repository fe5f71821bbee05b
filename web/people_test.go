package web_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

func TestContactsListFormImportExport(t *testing.T) {
	f := newFixture(t, nil)
	f.login("lead@"+store.DemoDomain, store.DemoPassword)
	ctx := context.Background()

	code, page := f.get("/contacts?q=alpenbau")
	if code != 200 || !strings.Contains(page, "Markus Frei") || strings.Contains(page, "Jens Petersen") {
		t.Fatalf("search = %d:\n%s", code, page)
	}
	if code, _ := f.get("/contacts?page=0"); code != http.StatusUnprocessableEntity {
		t.Errorf("page=0 = %d", code)
	}
	if code, _ := f.get("/contacts/new"); code != http.StatusUnprocessableEntity {
		t.Errorf("new contact without customer = %d", code)
	}
	alpenbau, _, _ := f.store.SearchCustomers(ctx, "Alpenbau", store.Page{})
	cid := alpenbau[0].ID
	code, form := f.get("/contacts/new?customer=" + itoa(cid))
	if code != 200 || !strings.Contains(form, "Dr. Anna Berger") {
		t.Fatalf("new contact form = %d", code)
	}
	csrf := csrfOf(t, form)
	before := countContacts(t, f)
	code, body, _ := f.post("/contacts", url.Values{"csrf": {csrf}, "customer": {itoa(cid)}, "name": {""}, "level": {"king"},
		"email": {"not an address"}, "phone": {"call me"}, "reports_to": {"999999"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid contact = %d", code)
	}
	for _, want := range []string{"Enter the person&#39;s name", "Choose a hierarchy level", "Enter an e-mail address", "Enter a phone number", "Choose a contact of the same customer"} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %q", want)
		}
	}
	if countContacts(t, f) != before {
		t.Fatal("an invalid contact was saved")
	}
	boss := regexp.MustCompile(`<option value="(\d+)">Dr. Anna Berger`).FindStringSubmatch(form)
	code, _, hdr := f.post("/contacts", url.Values{"csrf": {csrf}, "customer": {itoa(cid)}, "name": {`<b>Neue</b> Kontakt`}, "level": {"specialist"},
		"email": {"neu@alpenbau.example"}, "phone": {"+41 44 123 45 67"}, "reports_to": {boss[1]}})
	if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/contacts?q=") {
		t.Fatalf("create contact = %d %v", code, hdr)
	}
	_, page = f.get("/contacts?q=neue")
	if strings.Contains(page, "<b>Neue</b>") || !strings.Contains(page, "&lt;b&gt;Neue&lt;/b&gt; Kontakt") {
		t.Fatalf("contact name not escaped:\n%s", page)
	}
	id := regexp.MustCompile(`href="/contacts/(\d+)">&lt;b&gt;Neue`).FindStringSubmatch(page)[1]
	code, body, _ = f.post("/contacts/"+id, url.Values{"csrf": {csrf}, "name": {"Neue Kontakt"}, "level": {"management"}, "reports_to": {id}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a contact of the same customer") {
		t.Fatalf("self as boss = %d", code)
	}
	if code, _, _ = f.post("/contacts/"+id, url.Values{"csrf": {csrf}, "name": {"Nora Neu"}, "job_title": {"Energy manager"}, "level": {"management"}}); code != http.StatusSeeOther {
		t.Fatalf("edit = %d", code)
	}
	if _, page = f.get("/contacts?q=energy+manager"); !strings.Contains(page, "Nora Neu") {
		t.Fatal("edit not saved")
	}

	// Import: one bad customer, one duplicate, one unknown boss; the valid
	// rows may report to a row above them.
	csvText := "customer,name,job_title,level,email,phone,reports_to\n" +
		"Alpenbau AG,Ida Import,Planner,specialist,ida@alpenbau.example,,Markus Frei\n" +
		"Alpenbau AG,Ivo Import,Trainee,assistant,,,Ida Import\n" +
		"Nobody AG,Xaver,,specialist,,,\n" +
		"Alpenbau AG,Tom Weber,,specialist,,,\n" +
		"Alpenbau AG,Yves,,boss,,,Ghost\n"
	code, body, _ = f.post("/contacts/import", url.Values{"csrf": {csrf}, "csv": {csvText}, "action": {"preview"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "2 valid row(s), 3 with errors") {
		t.Fatalf("preview = %d:\n%s", code, body)
	}
	for _, want := range []string{"no active customer with this name", "has a contact with this name", "reports_to: no contact of this customer", "level: Choose a hierarchy level"} {
		if !strings.Contains(body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	before = countContacts(t, f)
	if code, body, _ = f.post("/contacts/import", url.Values{"csrf": {csrf}, "csv": {csvText}, "action": {"import_all"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Nothing was imported") {
		t.Fatalf("import all = %d", code)
	}
	if countContacts(t, f) != before {
		t.Fatal("a file with errors was half imported")
	}
	if code, body, _ = f.post("/contacts/import", url.Values{"csrf": {csrf}, "csv": {csvText}, "action": {"import_valid"}}); code != 200 || !strings.Contains(body, "2 contact(s) imported") {
		t.Fatalf("import valid = %d:\n%s", code, body)
	}
	ivo, _, _ := f.store.SearchContacts(ctx, "Ivo Import", store.Page{})
	if len(ivo) != 1 || ivo[0].ReportsToID == nil {
		t.Fatalf("imported reports-to lost: %+v", ivo)
	}
	code, exported := f.get("/contacts.csv")
	rows, err := csv.NewReader(strings.NewReader(exported)).ReadAll()
	if code != 200 || err != nil || strings.Join(rows[0], ",") != "customer,name,job_title,level,email,phone,reports_to" || len(rows) != countContacts(t, f)+1 {
		t.Fatalf("export = %d, %d rows, %v", code, len(rows), err)
	}
	found := false
	for _, r := range rows {
		found = found || (r[1] == "Ivo Import" && r[6] == "Ida Import")
	}
	if !found {
		t.Error("export lacks the reports-to name")
	}
	if code, _, _ = f.post("/contacts/"+id+"/archive", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther {
		t.Fatalf("archive = %d", code)
	}
	if code, _ = f.get("/contacts/" + id); code != http.StatusNotFound {
		t.Errorf("archived contact form = %d", code)
	}
}

func countContacts(t *testing.T, f *fixture) int {
	t.Helper()
	_, n, err := f.store.SearchContacts(context.Background(), "", store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func itoa(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func TestEmployeesAndUsersAdministration(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	ctx := context.Background()
	_, form := f.get("/employees/new")
	csrf := csrfOf(t, form)
	code, body, _ := f.post("/employees", url.Values{"csrf": {csrf}, "name": {""}, "email": {"x"}, "level": {""}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid employee = %d", code)
	}
	for _, want := range []string{"Enter the person&#39;s name", "Enter an e-mail address", "Choose a hierarchy level"} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %q", want)
		}
	}
	if code, _, _ = f.post("/employees", url.Values{"csrf": {csrf}, "name": {"Eva Neu"}, "email": {"Eva.Neu@Example.com"}, "department": {"Sales"}, "level": {"specialist"}, "kam_qualified": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("create employee = %d", code)
	}
	if code, body, _ = f.post("/employees", url.Values{"csrf": {csrf}, "name": {"Eva Zwei"}, "email": {"eva.neu@example.com"}, "level": {"specialist"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Another employee has this e-mail") {
		t.Fatalf("duplicate employee = %d", code)
	}
	_, page := f.get("/employees?q=eva")
	if !strings.Contains(page, "eva.neu@example.com") {
		t.Fatalf("employee not listed:\n%s", page)
	}

	// A new user with two roles, linked to the employee, in German.
	code, body, _ = f.post("/admin/users", url.Values{"csrf": {csrf}, "email": {"eva.neu@example.com"}, "name": {"Eva"}, "password": {"short"},
		"roles": {"kam", "emperor"}, "language": {"fr"}, "employee_email": {"ghost@example.com"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid user = %d", code)
	}
	for _, want := range []string{"at least 12 characters", "Choose roles from the list", "Choose English, German", "No active employee"} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %q", want)
		}
	}
	if _, err := f.store.UserByEmail(ctx, "eva.neu@example.com"); err == nil {
		t.Fatal("an invalid user was saved")
	}
	code, _, _ = f.post("/admin/users", url.Values{"csrf": {csrf}, "email": {"eva.neu@example.com"}, "name": {"Eva Neu"}, "password": {"a-long-secret"},
		"roles": {"kam", "hr"}, "language": {"de"}, "employee_email": {"eva.neu@example.com"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create user = %d", code)
	}
	eva := newFixtureClient(t, f)
	if code, _ := eva.login("eva.neu@example.com", "a-long-secret"); code != http.StatusSeeOther {
		t.Fatalf("new user cannot sign in: %d", code)
	}
	if _, home := eva.get("/"); !strings.Contains(home, `lang="de"`) || !strings.Contains(home, "Abmelden") {
		t.Errorf("German user sees no German page")
	}
	u, _ := f.store.UserByEmail(ctx, "eva.neu@example.com")
	if u.EmployeeID == nil || len(u.Roles) != 2 {
		t.Fatalf("user = %+v", u)
	}
	// Disabling ends her session at once.
	if code, _, _ = f.post("/admin/users/"+itoa(u.ID), url.Values{"csrf": {csrf}, "name": {"Eva Neu"}, "roles": {"kam"}, "language": {"de"}, "disabled": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("disable = %d", code)
	}
	if code, _ := eva.get("/"); code != http.StatusSeeOther {
		t.Errorf("disabled user still signed in: %d", code)
	}
	// An admin cannot lock themself out.
	me, _ := f.store.UserByEmail(ctx, "admin@"+store.DemoDomain)
	code, body, _ = f.post("/admin/users/"+itoa(me.ID), url.Values{"csrf": {csrf}, "name": {"Admin"}, "roles": {"lead"}, "disabled": {"1"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot take the admin role") || !strings.Contains(body, "cannot disable your own") {
		t.Fatalf("self lock-out = %d", code)
	}
	if _, page = f.get("/admin/users?q=eva"); !strings.Contains(page, "disabled") {
		t.Errorf("user list lacks state:\n%s", page)
	}
	if code, _, _ = f.post("/employees/"+itoa(*u.EmployeeID)+"/archive", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther {
		t.Fatalf("archive employee = %d", code)
	}
}

func TestLanguageFromBrowserAndUserChoice(t *testing.T) {
	f := newFixture(t, nil)
	req, _ := http.NewRequest("GET", f.server.URL+"/login", nil)
	req.Header.Set("Accept-Language", "fr-CH, de-CH;q=0.9, en;q=0.8")
	resp, err := f.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	resp.Body.Close()
	if !strings.Contains(b.String(), "Anmelden") || resp.Header.Get("Content-Language") != "de" {
		t.Fatalf("login page for a German browser is not German")
	}
	f.login("kam@"+store.DemoDomain, store.DemoPassword)
	_, home := f.get("/")
	if !strings.Contains(home, "Sign out") {
		t.Fatal("English default missing")
	}
	csrf := csrfOf(t, home)
	if code, _, _ := f.post("/language", url.Values{"csrf": {csrf}, "language": {"xx"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("unknown language = %d", code)
	}
	code, _, hdr := f.post("/language", url.Values{"csrf": {csrf}, "language": {"de"}, "back": {"//evil.example/"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/" {
		t.Fatalf("language switch = %d → %q", code, hdr.Get("Location"))
	}
	if _, home = f.get("/"); !strings.Contains(home, "Abmelden") || !strings.Contains(home, `lang="de"`) {
		t.Fatalf("German choice not applied")
	}
}

func TestTrainingCourseAndSessionForms(t *testing.T) {
	f := newFixture(t, nil)
	f.login("hr@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/training")
	csrf := csrfOf(t, page)
	if code, body, _ := f.post("/training/courses", url.Values{"csrf": {csrf}, "title": {"KAM Basics"}, "duration_days": {"a day"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "duration_days") {
		t.Fatalf("course with bad days = %d", code)
	}
	if code, body, _ := f.post("/training/courses", url.Values{"csrf": {csrf}, "title": {" "}, "duration_days": {"1"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "title") {
		t.Fatalf("course without title = %d", code)
	}
	if code, body, hdr := f.post("/training/courses", url.Values{"csrf": {csrf}, "title": {"<b>KAM</b> Basics"}, "duration_days": {"1,5"}, "language": {"de"}, "required_for_kams": {"1"}}); code != http.StatusSeeOther || hdr.Get("Location") != "/training?done=course-created#courses" {
		t.Fatalf("create course = %d to %q:\n%s", code, hdr.Get("Location"), body)
	}
	if _, body := f.get("/training?done=course-created"); !strings.Contains(body, "Course created.") {
		t.Errorf("the training page after creating a course lacks its notice")
	}
	if code, body, _ := f.post("/training/courses", url.Values{"csrf": {csrf}, "title": {"<b>KAM</b> Basics"}, "duration_days": {"1"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "a course with this title exists") {
		t.Fatalf("duplicate course = %d", code)
	}
	_, page = f.get("/training")
	if strings.Contains(page, "<b>KAM</b>") || !strings.Contains(page, "&lt;b&gt;KAM&lt;/b&gt; Basics") {
		t.Fatal("course title not escaped")
	}
	course := regexp.MustCompile(`<option value="(\d+)">&lt;b&gt;KAM`).FindStringSubmatch(page)[1]
	start := time.Now().UTC().AddDate(0, 0, 14)
	form := url.Values{"csrf": {csrf}, "course_id": {course}, "starts_at": {start.Format("2006-01-02T15:04")}, "ends_at": {start.Add(-time.Hour).Format("2006-01-02T15:04")}, "place": {"Zürich"}, "capacity": {"8"}}
	if code, body, _ := f.post("/training/sessions", form); code != http.StatusUnprocessableEntity || !strings.Contains(body, "ends_at must be after starts_at") {
		t.Fatalf("session ending before it starts = %d", code)
	}
	form.Set("ends_at", start.Add(8*time.Hour).Format("2006-01-02T15:04"))
	form.Set("capacity", "0")
	if code, body, _ := f.post("/training/sessions", form); code != http.StatusUnprocessableEntity || !strings.Contains(body, "capacity") {
		t.Fatalf("session without seats = %d", code)
	}
	form.Set("capacity", "8")
	if code, body, hdr := f.post("/training/sessions", form); code != http.StatusSeeOther || hdr.Get("Location") != "/training?done=session-scheduled#schedule" {
		t.Fatalf("schedule = %d to %q:\n%s", code, hdr.Get("Location"), body)
	}
	if _, body := f.get("/training?done=session-scheduled"); !strings.Contains(body, "Session scheduled.") || !strings.Contains(body, "8 free of 8") {
		t.Fatalf("the training page after scheduling lacks the notice or the session:\n%s", body)
	}
	_, page = f.get("/training")
	cancel := regexp.MustCompile(`action="(/training/sessions/\d+/cancel)"`).FindStringSubmatch(page)
	if code, _, hdr := f.post(cancel[1], url.Values{"csrf": {csrf}}); code != http.StatusSeeOther || hdr.Get("Location") != "/training?done=session-cancelled" {
		t.Fatalf("cancel = %d to %q", code, hdr.Get("Location"))
	}
	if code, _, _ := f.post(cancel[1], url.Values{"csrf": {csrf}}); code != http.StatusConflict {
		t.Errorf("second cancel = %d", code)
	}
	if code, _, _ := newFixtureClient(t, f).post("/training/courses", url.Values{"title": {"x"}}); code != http.StatusForbidden && code != http.StatusSeeOther {
		t.Errorf("anonymous course = %d", code)
	}
}

func TestNotificationsOutboxAndCalendarLink(t *testing.T) {
	f := newFixture(t, nil)
	now := time.Now().UTC()
	for i, n := range []store.Notification{
		{IdempotencyKey: "a", Recipient: "kam@" + store.DemoDomain, Subject: "Workshop <invitation>", Body: "x", SentAt: &now},
		{IdempotencyKey: "b", Recipient: "lead@" + store.DemoDomain, Subject: "Gate submitted", Body: "x"},
		{IdempotencyKey: "c", Recipient: "kam@" + store.DemoDomain, Subject: "Action overdue", Body: "x", LastError: "smtp: 550 mailbox full", Attempts: 3},
	} {
		if err := f.store.DB().Create(&n).Error; err != nil {
			t.Fatalf("notification %d: %v", i, err)
		}
	}
	f.login("kam@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/notifications")
	if !strings.Contains(page, "Workshop &lt;invitation&gt;") || !strings.Contains(page, "smtp: 550 mailbox full") || strings.Contains(page, "Gate submitted") {
		t.Fatalf("kam's messages:\n%s", page)
	}
	code, page, _ := f.post("/notifications/calendar", url.Values{"csrf": {csrfOf(t, page)}})
	m := regexp.MustCompile(`<code>https?://[^/]+(/calendar/[0-9a-f]+\.ics)</code>`).FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("feed link = %d:\n%s", code, page)
	}
	if code, feed := f.get(m[1]); code != 200 || !strings.Contains(feed, "BEGIN:VCALENDAR") {
		t.Fatalf("feed = %d", code)
	}
	if code, _, _ = f.post("/notifications/calendar/revoke", url.Values{"csrf": {csrfOf(t, page)}}); code != http.StatusSeeOther {
		t.Fatalf("revoke = %d", code)
	}
	if code, _ := f.get(m[1]); code != http.StatusNotFound {
		t.Errorf("revoked feed = %d", code)
	}

	admin := newFixtureClient(t, f)
	admin.login("admin@"+store.DemoDomain, store.DemoPassword)
	if _, page = admin.get("/notifications"); !strings.Contains(page, "Gate submitted") || !strings.Contains(page, "Action overdue") {
		t.Fatalf("admin's outbox lacks messages")
	}
	if _, page = admin.get("/notifications?q=gate"); strings.Contains(page, "Action overdue") || !strings.Contains(page, "Gate submitted") {
		t.Errorf("outbox search")
	}
}

func TestDatabaseOutageAnswers503(t *testing.T) {
	f := newFixture(t, nil)
	f.login("lead@"+store.DemoDomain, store.DemoPassword)
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := f.http.Get(f.server.URL + "/customers")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "The database cannot be reached right now") {
		t.Fatalf("page during an outage = %d %q:\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	req, _ := http.NewRequest("GET", f.server.URL+"/api/v1/programmes", nil)
	req.Header.Set("Authorization", "Bearer kf_0000000000000000000000000000000000000000000000000000000000000000")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"unavailable"`) {
		t.Fatalf("API during an outage = %d:\n%s", resp.StatusCode, body)
	}
}

// TestSessionSchedulingRefusedInGerman: HR on a German page schedules a
// session in the past; the refusal comes back 422 in German at the start
// field, with every other typed value in the form; fixed, it answers 303.
func TestSessionSchedulingRefusedInGerman(t *testing.T) {
	f := newFixture(t, nil)
	f.login("hr@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/training")
	csrf := csrfOf(t, page)
	if code, _, _ := f.post("/language", url.Values{"csrf": {csrf}, "language": {"de"}}); code != http.StatusSeeOther {
		t.Fatalf("language switch = %d", code)
	}
	if code, _, hdr := f.post("/training/courses", url.Values{"csrf": {csrf}, "title": {"KAM Grundlagen"}, "duration_days": {"2"}}); code != http.StatusSeeOther {
		t.Fatalf("create course = %d to %q", code, hdr.Get("Location"))
	}
	_, page = f.get("/training")
	course := regexp.MustCompile(`<option value="(\d+)">KAM Grundlagen`).FindStringSubmatch(page)[1]
	past := time.Now().UTC().AddDate(0, 0, -3)
	form := url.Values{"csrf": {csrf}, "course_id": {course}, "starts_at": {past.Format("2006-01-02T15:04")}, "ends_at": {past.Add(8 * time.Hour).Format("2006-01-02T15:04")},
		"place": {"Bern, Saal 4"}, "capacity": {"9"}, "trainer": {"Frau Keller"}}
	code, body, _ := f.post("/training/sessions", form)
	const german = "ein Termin wird in der Zukunft geplant"
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, german) {
		t.Fatalf("session in the past = %d, want 422 with %q:\n%s", code, german, body)
	}
	at, start := strings.Index(body, german), strings.Index(body, `name="starts_at"`)
	if start < 0 || at < start || at > strings.Index(body, `name="ends_at"`) {
		t.Errorf("the refusal is not at the start field")
	}
	for _, kept := range []string{`value="` + form.Get("starts_at") + `"`, `value="` + form.Get("ends_at") + `"`, `value="Bern, Saal 4"`, `value="9"`, `value="Frau Keller"`,
		`<option value="` + course + `" selected>`} {
		if !strings.Contains(body, kept) {
			t.Errorf("the refused form lost %s", kept)
		}
	}
	if strings.Contains(body, "the request has invalid fields") || strings.Contains(body, "die Anfrage hat ungültige Felder") {
		t.Errorf("the developer's text shows on the page")
	}
	if strings.Contains(body, `name="back" value="/training/sessions"`) {
		t.Errorf("the language switch on the refused page goes to the form's address, which answers no GET")
	}
	soon := time.Now().UTC().AddDate(0, 0, 10)
	form.Set("starts_at", soon.Format("2006-01-02T15:04"))
	form.Set("ends_at", soon.Add(8*time.Hour).Format("2006-01-02T15:04"))
	if code, _, hdr := f.post("/training/sessions", form); code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/training?done=session-scheduled") {
		t.Fatalf("fixed session = %d to %q", code, hdr.Get("Location"))
	}
	if _, body = f.get("/training?done=session-scheduled"); !strings.Contains(body, "Termin geplant.") {
		t.Errorf("the German notice is missing after scheduling")
	}
}
