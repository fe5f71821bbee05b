package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
)

// signals records the workflow signals the web sends; any other call to
// Temporal panics (the embedded nil client).
type signals struct {
	client.Client
	mu  sync.Mutex
	ids []string
}

func (s *signals) SignalWorkflow(_ context.Context, workflowID, _, name string, _ any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, workflowID+" "+name)
	return nil
}

func (s *signals) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// confirmBox is the disclosure that holds the real form of an
// irreversible step: its consequence and the form posting to action.
func confirmBox(t *testing.T, page, id, action string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<details class="confirm" id="` + regexp.QuoteMeta(id) + `">(.*?)</details>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no confirmation %q on the page:\n%s", id, page)
	}
	if !strings.Contains(m[1], `action="`+action+`"`) {
		t.Fatalf("confirmation %q does not post to %s:\n%s", id, action, m[1])
	}
	if n := strings.Count(page, `action="`+action+`"`); n != 1 {
		t.Fatalf("%d forms post to %s; only the one in the confirmation may", n, action)
	}
	return m[1]
}

// tokenIn is the one-time form token of the box's form.
func tokenIn(t *testing.T, box string) url.Values {
	t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"><input type="hidden" name="form_token" value="([0-9a-f]{64})">`).FindStringSubmatch(box)
	if m == nil {
		t.Fatalf("no csrf and form token in:\n%s", box)
	}
	return url.Values{"csrf": {m[1]}, "form_token": {m[2]}}
}

// The admin archives a customer through its confirmation, finds it in the
// archived list and restores it; a lead (who may edit customers but not
// archive them) may not restore. The POST is the real action: it works
// without the disclosure having been opened (there is nothing to open
// without a browser), and a replay of its form token acts once.
func TestArchiveConfirmedFoundAndRestored(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	ctx := context.Background()
	list, _, err := f.store.SearchCustomers(ctx, "Alpenbau", store.Page{})
	if err != nil || len(list) != 1 {
		t.Fatalf("Alpenbau: %v %v", list, err)
	}
	cu := list[0]
	id := itoa(cu.ID)

	code, page := f.get("/customers")
	if code != 200 {
		t.Fatalf("/customers = %d", code)
	}
	box := confirmBox(t, page, "archive-customer-"+id, "/customers/"+id+"/archive")
	for _, want := range []string{"<strong>Alpenbau AG</strong>", "leaves the lists, the search and the selection", "restored from the archived customers", "close this box"} {
		if !strings.Contains(box, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, box)
		}
	}
	// The customer's page counts its key accounts.
	_, overview := f.get("/customers/" + id)
	if box := confirmBox(t, overview, "archive-customer", "/customers/"+id+"/archive"); !regexp.MustCompile(`its \d+ key account`).MatchString(box) {
		t.Errorf("customer page's confirmation names no count:\n%s", box)
	}

	form := tokenIn(t, box)
	code, _, hdr := f.post("/customers/"+id+"/archive", form)
	if code != http.StatusSeeOther || hdr.Get("Location") != "/customers?done=customer-archived" {
		t.Fatalf("archive = %d %v", code, hdr)
	}
	archived, err := f.store.Customer(ctx, cu.ID)
	if err != nil || archived.ArchivedAt == nil {
		t.Fatalf("not archived: %v", err)
	}
	if code, _, hdr = f.post("/customers/"+id+"/archive", form); code != http.StatusSeeOther || hdr.Get("Location") != "/customers?done=customer-archived" {
		t.Fatalf("replayed archive = %d %v", code, hdr)
	}
	if again, _ := f.store.Customer(ctx, cu.ID); !again.ArchivedAt.Equal(*archived.ArchivedAt) {
		t.Error("the replayed form archived again")
	}
	_, page = f.get("/customers?done=customer-archived")
	if strings.Contains(page, ">Alpenbau AG<") || !strings.Contains(page, "The customer is archived") || !strings.Contains(page, `href="/customers?archived=1"`) {
		t.Fatalf("list after archiving:\n%s", page)
	}

	// The archived list finds it, searches within the archive and restores.
	_, page = f.get("/customers?archived=1&q=alpen")
	if !strings.Contains(page, "Archived customers") || !strings.Contains(page, ">Alpenbau AG<") || !strings.Contains(page, `action="/customers/`+id+`/restore"`) ||
		!strings.Contains(page, `name="archived" value="1"`) {
		t.Fatalf("archived list:\n%s", page)
	}
	if strings.Contains(page, "Stadtwerke") || strings.Contains(page, `/archive"`) {
		t.Error("the archived list shows active customers or archive buttons")
	}
	if _, page = f.get("/customers?archived=1&q=stadtwerke"); !strings.Contains(page, "No customer matches") {
		t.Error("an active customer is found among the archived")
	}
	if _, overview = f.get("/customers/" + id); !strings.Contains(overview, `action="/customers/`+id+`/restore"`) || strings.Contains(overview, `/archive"`) {
		t.Errorf("archived customer's page offers no restore:\n%s", overview)
	}

	lead := newFixtureClient(t, f)
	lead.login("lead@"+store.DemoDomain, store.DemoPassword)
	_, leadPage := lead.get("/customers?archived=1")
	if strings.Contains(leadPage, "/restore\"") {
		t.Error("the lead is offered Restore")
	}
	if code, _, _ := lead.post("/customers/"+id+"/restore", url.Values{"csrf": {csrfOf(t, leadPage)}}); code != http.StatusForbidden {
		t.Fatalf("lead restores = %d", code)
	}

	code, _, hdr = f.post("/customers/"+id+"/restore", url.Values{"csrf": {csrfOf(t, page)}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/customers/"+id+"?done=customer-restored" {
		t.Fatalf("restore = %d %v", code, hdr)
	}
	if back, _ := f.store.Customer(ctx, cu.ID); back.ArchivedAt != nil {
		t.Fatal("still archived after restore")
	}
	_, overview = f.get("/customers/" + id + "?done=customer-restored")
	if !strings.Contains(overview, "The customer is restored") || strings.Contains(overview, "badge archived") {
		t.Errorf("page after restore contradicts the notice:\n%s", overview)
	}
	if _, page = f.get("/customers?q=alpen"); !strings.Contains(page, ">Alpenbau AG<") {
		t.Error("restored customer not listed")
	}
	if code, _, _ = f.post("/customers/"+id+"/restore", url.Values{"csrf": {csrfOf(t, page)}}); code != http.StatusNotFound {
		t.Errorf("restoring an active customer = %d", code)
	}
}

// Contacts and employees archive behind the same confirmation and come
// back from their archived lists; a KAM may restore neither.
func TestContactsAndEmployeesRestore(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	hr := newFixtureClient(t, f)
	hr.login("hr@"+store.DemoDomain, store.DemoPassword)
	emps, _, err := f.store.SearchEmployees(ctx, "", store.Page{})
	if err != nil || len(emps) == 0 {
		t.Fatal(err)
	}
	e := emps[0]
	eid := itoa(e.ID)
	_, page := hr.get("/employees")
	box := confirmBox(t, page, "archive-employee-"+eid, "/employees/"+eid+"/archive")
	if !strings.Contains(box, "<strong>"+e.Name+"</strong>") || !strings.Contains(box, "can no longer be chosen") {
		t.Errorf("employee confirmation:\n%s", box)
	}
	if code, _, hdr := hr.post("/employees/"+eid+"/archive", tokenIn(t, box)); code != http.StatusSeeOther || hdr.Get("Location") != "/employees?done=employee-archived" {
		t.Fatalf("archive employee = %d %v", code, hdr)
	}
	_, page = hr.get("/employees?archived=1")
	if !strings.Contains(page, `action="/employees/`+eid+`/restore"`) {
		t.Fatalf("archived employees:\n%s", page)
	}
	kam := newFixtureClient(t, f)
	kam.login("kam@"+store.DemoDomain, store.DemoPassword)
	_, kpage := kam.get("/my-work")
	if code, _, _ := kam.post("/employees/"+eid+"/restore", url.Values{"csrf": {csrfOf(t, kpage)}}); code != http.StatusForbidden {
		t.Errorf("kam restores an employee = %d", code)
	}
	if code, _, _ := kam.post("/contacts/1/restore", url.Values{"csrf": {csrfOf(t, kpage)}}); code != http.StatusForbidden {
		t.Errorf("kam restores a contact = %d", code)
	}
	code, _, hdr := hr.post("/employees/"+eid+"/restore", url.Values{"csrf": {csrfOf(t, page)}})
	if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/employees?done=employee-restored&q=") {
		t.Fatalf("restore employee = %d %v", code, hdr)
	}
	if _, page = hr.get(hdr.Get("Location")); !strings.Contains(page, "The employee is restored") || !strings.Contains(page, e.Name) {
		t.Errorf("after restoring the employee:\n%s", page)
	}

	lead := newFixtureClient(t, f)
	lead.login("lead@"+store.DemoDomain, store.DemoPassword)
	_, page = lead.get("/contacts?q=markus")
	cid := regexp.MustCompile(`id="archive-contact-(\d+)"`).FindStringSubmatch(page)
	if cid == nil {
		t.Fatalf("no contact to archive:\n%s", page)
	}
	box = confirmBox(t, page, "archive-contact-"+cid[1], "/contacts/"+cid[1]+"/archive")
	if !strings.Contains(box, "Markus Frei (Alpenbau AG)") || !strings.Contains(box, "reports to no one") {
		t.Errorf("contact confirmation:\n%s", box)
	}
	if code, _, _ := lead.post("/contacts/"+cid[1]+"/archive", tokenIn(t, box)); code != http.StatusSeeOther {
		t.Fatalf("archive contact = %d", code)
	}
	if _, page = lead.get("/contacts?archived=1&q=markus"); !strings.Contains(page, `action="/contacts/`+cid[1]+`/restore"`) {
		t.Fatalf("archived contacts:\n%s", page)
	}
	code, _, hdr = lead.post("/contacts/"+cid[1]+"/restore", url.Values{"csrf": {csrfOf(t, page)}})
	if code != http.StatusSeeOther {
		t.Fatalf("restore contact = %d", code)
	}
	if _, page = lead.get(hdr.Get("Location")); !strings.Contains(page, "The contact is restored and shows in the lists") || !strings.Contains(page, "Markus Frei") {
		t.Errorf("after restoring the contact:\n%s", page)
	}

	// A contact whose customer is archived too comes back out of sight:
	// the notice says so instead of promising it in the lists.
	if err := f.store.ArchiveContact(ctx, uint(atoi(t, cid[1])), time.Now()); err != nil {
		t.Fatal(err)
	}
	co, err := f.store.Contact(ctx, uint(atoi(t, cid[1])))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.ArchiveCustomer(ctx, co.CustomerID, time.Now()); err != nil {
		t.Fatal(err)
	}
	code, _, hdr = lead.post("/contacts/"+cid[1]+"/restore", url.Values{"csrf": {csrfOf(t, page)}})
	if code != http.StatusSeeOther {
		t.Fatalf("restore contact of an archived customer = %d", code)
	}
	if _, page = lead.get(hdr.Get("Location")); !strings.Contains(page, "once its customer, archived too, is restored") || strings.Contains(page, ">Markus Frei<") {
		t.Errorf("after restoring the contact of an archived customer:\n%s", page)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Cancelling a session says beforehand how many people will be told, and
// afterwards how many are being told; in German too.
func TestCancelSessionConfirmationCountsWhoIsTold(t *testing.T) {
	told := &signals{}
	f := newFixture(t, told)
	ctx := context.Background()
	course := &store.Course{Title: "Negotiation", DurationDays: 1}
	if err := f.store.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().AddDate(0, 0, 20).Truncate(time.Hour)
	ts := &store.TrainingSession{CourseID: course.ID, StartsAt: start, EndsAt: start.Add(8 * time.Hour), Place: "Bern", Capacity: 1}
	if err := f.store.SaveSession(ctx, ts); err != nil {
		t.Fatal(err)
	}
	emps, _, _ := f.store.SearchEmployees(ctx, "", store.Page{})
	for _, e := range emps[:2] { // one enrolled, one waitlisted
		if _, err := f.store.Enrol(ctx, ts.ID, e.ID, nil, "hr@"+store.DemoDomain, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	hr := newFixtureClient(t, f)
	hr.login("hr@"+store.DemoDomain, store.DemoPassword)
	sid := itoa(ts.ID)
	_, page := hr.get("/training")
	box := confirmBox(t, page, "cancel-session-"+sid, "/training/sessions/"+sid+"/cancel")
	if !strings.Contains(box, "<strong>Negotiation, ") || !strings.Contains(box, "2 people enrolled or waitlisted will be told the session is cancelled") {
		t.Fatalf("session confirmation:\n%s", box)
	}
	_, _, _ = hr.post("/language", url.Values{"csrf": {csrfOf(t, page)}, "language": {"de"}, "back": {"/training"}})
	_, dePage := hr.get("/training")
	if box := confirmBox(t, dePage, "cancel-session-"+sid, "/training/sessions/"+sid+"/cancel"); !strings.Contains(box, "2 angemeldete oder wartende Personen erfahren, dass der Termin abgesagt ist") {
		t.Fatalf("German confirmation:\n%s", box)
	}
	_, _, _ = hr.post("/language", url.Values{"csrf": {csrfOf(t, dePage)}, "language": {"en"}, "back": {"/training"}})

	form := tokenIn(t, box)
	code, _, h := hr.post("/training/sessions/"+sid+"/cancel", form)
	if code != http.StatusSeeOther {
		t.Fatalf("cancel = %d, want 303 back to the page", code)
	}
	_, body := hr.get(h.Get("Location"))
	if !strings.Contains(body, "Session cancelled; the enrolled people are told.") {
		t.Fatalf("the page after cancelling:\n%s", body)
	}
	if strings.Contains(body, `id="cancel-session-`+sid+`"`) {
		t.Error("the cancelled session is still offered for cancelling")
	}
	if sent := told.sent(); len(sent) != 2 {
		t.Errorf("signals after cancelling = %v, want the 2 enrolments told", sent)
	}
	// The same form again is answered as before, not a second cancel.
	if code, _, _ = hr.post("/training/sessions/"+sid+"/cancel", form); code != http.StatusSeeOther {
		t.Errorf("replayed cancel = %d", code)
	}
	if sent := told.sent(); len(sent) != 2 {
		t.Errorf("the replayed form told again: %v", sent)
	}
	if code, _, _ = hr.post("/training/sessions/"+sid+"/cancel", url.Values{"csrf": form["csrf"]}); code != http.StatusConflict {
		t.Errorf("a new cancel of the cancelled session = %d", code)
	}
}
