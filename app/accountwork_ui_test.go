package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// postLocation posts a form and returns the status and, for a redirect,
// where it leads.
func (b *browser) postLocation(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// richestAccount is the programme's key account with the most contacts
// (kam3's in the demo data) and its customer.
func (e *apiEnv) richestAccount(t *testing.T, programme uint) (store.KeyAccount, *store.Customer) {
	t.Helper()
	kas, err := e.dev.Store.KeyAccounts(context.Background(), programme)
	if err != nil {
		t.Fatal(err)
	}
	var ka store.KeyAccount
	var cust *store.Customer
	for _, k := range kas {
		c, err := e.dev.Store.Customer(context.Background(), k.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		if cust == nil || len(c.Contacts) > len(cust.Contacts) {
			ka, cust = k, c
		}
	}
	return ka, cust
}

// TestRelationshipsOnTheContactMatrixInTheBrowser: the KAM adds our
// counterpart for a contact (an employee picked from a select, quality,
// last contact), gives the contact to another of our people and ends the
// relationship — each from the contact matrix, which and whose gaps show
// the change after the redirect. A last contact in the future is refused
// at its field with everything typed kept; a KAM of another account gets
// 403 and the committee, who reads the account, sees no form.
func TestRelationshipsOnTheContactMatrixInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programme, _ := e.programmeInTraining(t)
	ka, cust := e.richestAccount(t, programme)
	if *ka.KAMEmployeeID != e.emp["kam3"] || len(cust.Contacts) < 3 {
		t.Fatalf("key account %+v of %s with %d contacts", ka, cust.Name, len(cust.Contacts))
	}
	var top store.Contact
	for _, c := range cust.Contacts {
		if c.HierarchyLevel == store.LevelBoard {
			top = c
		}
	}
	page := fmt.Sprintf("/key-accounts/%d", ka.ID)
	formPath := page + "/relationships-form"
	kam3 := signIn(t, e.dev.URL, "kam3")
	code, body := kam3.get(page)
	topForm := fmt.Sprintf("%s/relationship-form?form=contact-%d", page, top.ID)
	if code != 200 || !strings.Contains(body, `hx-get="`+topForm+`"`) || !strings.Contains(body, "Add a counterpart") ||
		strings.Contains(body, `action="`+formPath+`"`) {
		t.Fatalf("KAM's key-account page = %d without the matrix's boxes to open, or with all their forms:\n%s", code, body)
	}
	gapsBefore := strings.Count(body, "no counterpart on this level")
	// Opening a box fetches its form alone; without JavaScript its link
	// shows the page with that form open.
	code, frag := kam3.fragment(topForm)
	if code != 200 || !strings.Contains(frag, `action="`+formPath+`"`) || !strings.Contains(frag, fmt.Sprintf(`name="contact_id" value="%d"`, top.ID)) ||
		!strings.Contains(frag, `name="employee_id"`) || !strings.Contains(frag, `name="form_token"`) || strings.Contains(frag, "<html") {
		t.Fatalf("the box's form = %d:\n%s", code, frag)
	}
	if code, loc, _ := kam3.getLocation(topForm); code != 303 || loc != fmt.Sprintf("%s?form=contact-%d#form-contact-%d", page, top.ID, top.ID) {
		t.Fatalf("the box's form asked for as a page = %d to %q", code, loc)
	}
	if code, body := kam3.get(fmt.Sprintf("%s?form=contact-%d", page, top.ID)); code != 200 ||
		!strings.Contains(body, fmt.Sprintf(`<details class="relationship" id="form-contact-%d" open>`, top.ID)) || strings.Count(body, `action="`+formPath+`"`) != 1 {
		t.Fatalf("the page with one form open = %d:\n%s", code, body)
	}
	if code, _ := kam3.fragment(page + "/relationship-form?form=rel-999999"); code != http.StatusNotFound {
		t.Errorf("the form of a relationship not on the account = %d, want 404", code)
	}
	if code, body := kam3.fragment(page + "/relationship-form?form=everything"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "contact-&lt;id&gt;") {
		t.Errorf("a form named wrongly = %d, want 422 naming the field:\n%.300s", code, body)
	}

	// A last contact in the future: refused at the field, input kept, nothing saved.
	kam3Emp := strconv.FormatUint(uint64(e.emp["kam3"]), 10)
	form := url.Values{"csrf": {kam3.csrf}, "contact_id": {fmt.Sprint(top.ID)}, "employee_id": {kam3Emp}, "quality": {"4"},
		"last_contact_at": {"2999-01-01"}, "notes": {"likes facts"}, "op": {"save"}}
	code, _, body = kam3.postLocation(formPath, form)
	if code != 422 || !strings.Contains(body, "the last contact cannot be in the future") || !strings.Contains(body, `name="last_contact_at" value="2999-01-01"`) ||
		!strings.Contains(body, `<option value="`+kam3Emp+`" selected>`) || !strings.Contains(body, `<option value="4" selected>`) ||
		!strings.Contains(body, `value="likes facts"`) || !strings.Contains(body, fmt.Sprintf(`<details class="relationship" id="form-contact-%d" open>`, top.ID)) {
		t.Fatalf("future last contact = %d, want 422 at the field with the input kept:\n%s", code, body)
	}
	if rels, _ := e.dev.Store.RelationshipsOf(ctx, e.emp["kam3"], cust.ID); len(rels) != 0 {
		t.Fatalf("a refused relationship was saved: %+v", rels)
	}

	// Added: the matrix shows the counterpart and one gap less.
	recent := time.Now().AddDate(0, 0, -5).Format("2006-01-02")
	form.Set("last_contact_at", recent)
	code, loc, _ := kam3.postLocation(formPath, form)
	if code != 303 || loc != page+"?done=relationship#contacts" {
		t.Fatalf("add counterpart = %d to %q", code, loc)
	}
	_, body = kam3.get(loc)
	if !strings.Contains(body, "Relationship saved") || !strings.Contains(body, "quality 4/5") || strings.Count(body, "no counterpart on this level") != gapsBefore-1 {
		t.Fatalf("after the save the matrix does not show the counterpart (gaps %d → %d):\n%s", gapsBefore, strings.Count(body, "no counterpart on this level"), body)
	}
	rels, err := e.dev.Store.RelationshipsOf(ctx, e.emp["kam3"], cust.ID)
	if err != nil || len(rels) != 1 || rels[0].Quality != 4 || rels[0].LastContactAt == nil || rels[0].Notes != "likes facts" {
		t.Fatalf("saved relationships = %+v, %v", rels, err)
	}
	first := rels[0]

	// Another of our people takes the contact over: the former one ends.
	kamEmp := strconv.FormatUint(uint64(e.emp["kam"]), 10)
	changeForm := fmt.Sprintf("%s/relationship-form?form=rel-%d", page, first.ID)
	if !strings.Contains(body, `hx-get="`+changeForm+`"`) {
		t.Fatalf("the counterpart has no box to change it:\n%s", body)
	}
	if code, frag := kam3.fragment(changeForm); code != 200 || !strings.Contains(frag, fmt.Sprintf(`name="replaces_relationship_id" value="%d"`, first.ID)) ||
		!strings.Contains(frag, `<option value="`+kam3Emp+`" selected>`) || !strings.Contains(frag, `value="likes facts"`) {
		t.Fatalf("the counterpart's change form = %d:\n%s", code, frag)
	}
	code, loc, _ = kam3.postLocation(formPath, url.Values{"csrf": {kam3.csrf}, "contact_id": {fmt.Sprint(top.ID)}, "replaces_relationship_id": {fmt.Sprint(first.ID)},
		"employee_id": {kamEmp}, "quality": {"5"}, "last_contact_at": {recent}, "op": {"save"}})
	if code != 303 || loc != page+"?done=relationship#contacts" {
		t.Fatalf("change counterpart = %d to %q", code, loc)
	}
	if old, _ := e.dev.Store.RelationshipsOf(ctx, e.emp["kam3"], cust.ID); len(old) != 0 {
		t.Errorf("the former counterpart's relationship is still active: %+v", old)
	}
	taken, _ := e.dev.Store.RelationshipsOf(ctx, e.emp["kam"], cust.ID)
	if len(taken) != 1 || taken[0].Quality != 5 || taken[0].ContactID != top.ID {
		t.Fatalf("the new counterpart's relationships = %+v", taken)
	}

	// Ended: the gap is back.
	code, loc, _ = kam3.postLocation(formPath, url.Values{"csrf": {kam3.csrf}, "contact_id": {fmt.Sprint(top.ID)}, "replaces_relationship_id": {fmt.Sprint(taken[0].ID)}, "op": {"end"}})
	if code != 303 || loc != page+"?done=relationship-ended#contacts" {
		t.Fatalf("end = %d to %q", code, loc)
	}
	if _, body = kam3.get(loc); !strings.Contains(body, "Relationship ended") || strings.Count(body, "no counterpart on this level") != gapsBefore {
		t.Errorf("after ending, the matrix does not show the gap again:\n%s", body)
	}
	if left, _ := e.dev.Store.RelationshipsOf(ctx, e.emp["kam"], cust.ID); len(left) != 0 {
		t.Errorf("ended relationship still active: %+v", left)
	}
	// Ending it again: it is no longer there.
	if code, _, body = kam3.postLocation(formPath, url.Values{"csrf": {kam3.csrf}, "contact_id": {fmt.Sprint(top.ID)}, "replaces_relationship_id": {fmt.Sprint(taken[0].ID)}, "op": {"end"}}); code != 404 {
		t.Errorf("ending an ended relationship = %d:\n%.300s", code, body)
	}

	// Who may not: the KAM of another account; the committee reads without forms.
	kam := signIn(t, e.dev.URL, "kam")
	if code, _ := kam.post(formPath, url.Values{"csrf": {kam.csrf}, "contact_id": {fmt.Sprint(top.ID)}, "employee_id": {kamEmp}, "quality": {"3"}}); code != http.StatusForbidden {
		t.Errorf("another account's KAM saving a relationship = %d, want 403", code)
	}
	if code, _ := kam.fragment(topForm); code != http.StatusForbidden {
		t.Errorf("another account's KAM opening a relationship form = %d, want 403", code)
	}
	committee := signIn(t, e.dev.URL, "committee")
	if code, body := committee.get(page); code != 200 || strings.Contains(body, "relationships-form") || strings.Contains(body, "relationship-form") || strings.Contains(body, "Start a workshop") {
		t.Errorf("committee's key-account page = %d with the KAM's forms", code)
	}
	if code, _ := committee.fragment(topForm); code != http.StatusForbidden {
		t.Errorf("the committee opening a relationship form = %d, want 403", code)
	}
}

var workshopLocation = regexp.MustCompile(`^/workshops/(\d+)\?done=started#participants$`)

// TestWorkshopInTheBrowser: the KAM starts this year's workshop from the
// key-account page, proposes three dates (a past one refused at its field,
// input kept), finds "confirm the date" in My work, confirms the customer's
// choice, changes the participants of both sides (the hierarchy-matched
// suggestion marked; removing the last of ours refused), and once it took
// place records the minutes with action rows added and removed by the
// form's buttons. The deputy sees none of the planning forms and is
// refused; another KAM may not open the workshop.
func TestWorkshopInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programme, _ := e.programmeInTraining(t)
	ka, cust := e.richestAccount(t, programme)
	page := fmt.Sprintf("/key-accounts/%d", ka.ID)
	kam3 := signIn(t, e.dev.URL, "kam3")
	if _, body := kam3.get(page); !strings.Contains(body, `action="`+page+`/workshops-form"`) {
		t.Fatalf("no \"Start a workshop\" on the KAM's key-account page:\n%s", body)
	}
	code, loc, body := kam3.postLocation(page+"/workshops-form", url.Values{"csrf": {kam3.csrf}})
	m := workshopLocation.FindStringSubmatch(loc)
	if code != 303 || m == nil {
		t.Fatalf("start a workshop = %d to %q:\n%s", code, loc, body)
	}
	wid, _ := strconv.Atoi(m[1])
	wpage := fmt.Sprintf("/workshops/%d", wid)
	code, body = kam3.get(loc)
	if code != 200 || !strings.Contains(body, "participants are suggested by hierarchy") || !strings.Contains(body, `id="participants-ours"`) ||
		!strings.Contains(body, `id="participants-theirs"`) || !strings.Contains(body, "★ suggested") || !strings.Contains(body, `action="`+wpage+`/dates-form"`) {
		t.Fatalf("workshop page = %d without both sides, the suggestion marked or the dates form:\n%s", code, body)
	}
	if _, body = kam3.get(page); strings.Contains(body, `action="`+page+`/workshops-form"`) || !strings.Contains(body, `href="`+wpage+`"`) {
		t.Errorf("after the start the account page still offers a start or lacks the link to the workshop")
	}

	// The deputy (kam2) sees the workshop without the KAM's forms and is refused.
	deputy := signIn(t, e.dev.URL, "kam2")
	code, body = deputy.get(wpage)
	if code != 200 || strings.Contains(body, "dates-form") || strings.Contains(body, "participants-form") || strings.Contains(body, "Propose dates") {
		t.Errorf("deputy's workshop page = %d with planning controls", code)
	}
	if _, body = deputy.get(page); strings.Contains(body, "Plan the workshop") {
		t.Error("the deputy's key-account page offers \"Plan the workshop\"")
	}
	if code, _ := deputy.post(wpage+"/dates-form", url.Values{"csrf": {deputy.csrf}, "starts_at": {"2099-01-01T09:00"}, "place": {"x"}}); code != http.StatusForbidden {
		t.Errorf("deputy proposing dates = %d, want 403", code)
	}
	if code, _ := signIn(t, e.dev.URL, "kam").get(wpage); code != http.StatusForbidden {
		t.Errorf("another account's KAM opening the workshop = %d, want 403", code)
	}

	// Three dates; a past one is refused at its own field, everything kept.
	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format("2006-01-02") + "T09:00" }
	dates := url.Values{"csrf": {kam3.csrf}, "starts_at": {day(70)}, "alternatives[0]": {""}, "alternatives[1]": {day(-1)}, "place": {"Zürich"}}
	code, _, body = kam3.postLocation(wpage+"/dates-form", dates)
	if code != 422 || !strings.Contains(body, "the workshop starts in the future") || !strings.Contains(body, `name="alternatives[1]" value="`+day(-1)+`"`) ||
		!strings.Contains(body, `name="starts_at" value="`+day(70)+`"`) || !strings.Contains(body, `value="Zürich"`) ||
		strings.Index(body, "the workshop starts in the future") < strings.Index(body, `name="alternatives[1]"`) {
		t.Fatalf("past alternative = %d, want 422 at alternatives[1] with the input kept:\n%s", code, body)
	}
	// The same on a German page: the reason in German at the field.
	kam3de := signInGerman(t, e.dev.URL, "kam3")
	kam3de.get(wpage)
	dates.Set("csrf", kam3de.csrf)
	code, _, body = kam3de.postLocation(wpage+"/dates-form", dates)
	refusedAt(t, "past alternative (German)", code, body, "alternatives[1]", "der Workshop beginnt in der Zukunft (etwa zehn Wochen im Voraus)",
		`name="alternatives[1]" value="`+day(-1)+`"`, `name="starts_at" value="`+day(70)+`"`, `value="Zürich"`)
	dates.Set("csrf", kam3.csrf)
	dates.Set("alternatives[0]", day(77))
	dates.Set("alternatives[1]", day(84))
	if code, loc, _ = kam3.postLocation(wpage+"/dates-form", dates); code != 303 || loc != wpage+"?done=options#dates" {
		t.Fatalf("propose three dates = %d to %q", code, loc)
	}
	w, err := e.dev.Store.WorkshopByID(ctx, uint(wid))
	if err != nil || w.Status != workflows.WorkshopProposed || len(w.Options()) != 3 || w.Place != "Zürich" {
		t.Fatalf("after proposing: %+v, %v", w, err)
	}
	if _, body = kam3.get(loc); strings.Count(body, "Confirm this date and invite") != 3 {
		t.Errorf("the proposed dates lack their confirm buttons:\n%s", body)
	}
	if _, work := kam3.get("/my-work"); !strings.Contains(work, "Confirm the workshop date the customer chose:") || !strings.Contains(work, `href="`+wpage+`#dates"`) {
		t.Errorf("My work lacks the date to confirm:\n%s", work)
	}
	// The customer chose the second.
	code, loc, _ = kam3.postLocation(wpage+"/dates-form", url.Values{"csrf": {kam3.csrf}, "starts_at": {day(77)}, "place": {"Zürich"}})
	if code != 303 || loc != wpage+"?done=invited#dates" {
		t.Fatalf("confirm = %d to %q", code, loc)
	}
	if w, _ = e.dev.Store.WorkshopByID(ctx, uint(wid)); w.Status != workflows.WorkshopInvited || w.StartsAt.In(siteZone(t)).Format("2006-01-02T15:04") != day(77) || len(w.Options()) != 0 {
		t.Fatalf("after confirming: %s from %v, options %v", w.Status, w.StartsAt, w.Options())
	}

	// Participants: ours and theirs added and removed.
	kam2Emp, kam3Emp := e.emp["kam2"], e.emp["kam3"]
	part := func(op string, extra ...string) (int, string, string) {
		t.Helper()
		f := url.Values{"csrf": {kam3.csrf}, "op": {op}}
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		return kam3.postLocation(wpage+"/participants-form", f)
	}
	oursSelect := func(page string) string {
		i := strings.Index(page, `<select name="ours_id"`)
		if i < 0 {
			return ""
		}
		return page[i : i+strings.Index(page[i:], "</select>")]
	}
	_, body = kam3.get(wpage)
	if sel := oursSelect(body); !strings.Contains(sel, fmt.Sprintf(`<option value="%d">`, kam2Emp)) {
		t.Fatalf("our people to add lack kam2:\n%s", sel)
	}
	if code, loc, _ = part("add-ours", "ours_id", fmt.Sprint(kam2Emp)); code != 303 || loc != wpage+"?done=participants#participants" {
		t.Fatalf("add ours = %d to %q", code, loc)
	}
	// Who takes part is neither listed nor found again.
	_, body = kam3.get(wpage)
	if sel := oursSelect(body); sel == "" || strings.Contains(sel, fmt.Sprintf(`<option value="%d"`, kam2Emp)) ||
		!regexp.MustCompile(fmt.Sprintf(`&#34;except&#34;:&#34;[0-9,]*\b%d\b`, kam2Emp)).MatchString(body) {
		t.Errorf("after adding kam2 the select or its finder still offers her:\n%s", body)
	}
	var newContact store.Contact
	taking := map[string]bool{}
	w, _ = e.dev.Store.WorkshopByID(ctx, uint(wid))
	for _, p := range w.Participants {
		taking[p.Side+strconv.Itoa(int(p.PersonID))] = true
	}
	for _, c := range cust.Contacts {
		if !taking["theirs"+strconv.Itoa(int(c.ID))] {
			newContact = c
		}
	}
	if newContact.ID == 0 || !taking["ours"+strconv.Itoa(int(kam2Emp))] {
		t.Fatalf("participants after adding kam2 = %+v", w.Participants)
	}
	if code, _, _ = part("add-theirs", "theirs_id", fmt.Sprint(newContact.ID)); code != 303 {
		t.Fatalf("add theirs = %d", code)
	}
	if _, body = kam3.get(wpage); !strings.Contains(body, newContact.Name) || !strings.Contains(body, fmt.Sprintf(`value="remove:theirs:%d"`, newContact.ID)) {
		t.Errorf("the added contact is not on the page:\n%s", body)
	}
	if code, _, _ = part(fmt.Sprintf("remove:theirs:%d", newContact.ID)); code != 303 {
		t.Fatalf("remove theirs = %d", code)
	}
	// Someone of ours who joins after the invitation gets one.
	invited := false
	notes, _ := e.dev.Store.Notifications(ctx, "kam2@"+store.DemoDomain, store.Page{})
	for _, n := range notes {
		invited = invited || strings.HasPrefix(n.Subject, "Invitation: workshop with")
	}
	if !invited {
		t.Error("kam2, added after the invitation, got no invitation")
	}
	if code, _, _ = part(fmt.Sprintf("remove:ours:%d", kam2Emp)); code != 303 {
		t.Fatalf("remove ours = %d", code)
	}
	w, _ = e.dev.Store.WorkshopByID(ctx, uint(wid))
	ours := 0
	for _, p := range w.Participants {
		if p.Side == "ours" {
			ours++
		}
		if p.Side == "theirs" && p.PersonID == newContact.ID || p.Side == "ours" && p.PersonID == kam2Emp {
			t.Errorf("removed participant still takes part: %+v", p)
		}
	}
	if ours != 1 {
		t.Fatalf("our participants = %+v, want the KAM alone", w.Participants)
	}
	code, _, body = part(fmt.Sprintf("remove:ours:%d", kam3Emp))
	if code != 422 || !strings.Contains(body, "at least one of our people takes part") {
		t.Fatalf("removing the last of ours = %d, want 422:\n%s", code, body)
	}

	// The workshop takes place (moved to a moment from now), then the minutes.
	var start time.Time
	waitFor(t, "the workshop moves", func() bool {
		start = time.Now().Add(3 * time.Second).UTC()
		return e.call(t, "kam3", "POST", wpage+"/dates", map[string]any{"starts_at": start.Format(time.RFC3339Nano), "place": "Zürich"}).code == 200
	})
	time.Sleep(time.Until(start) + 500*time.Millisecond)
	code, body = kam3.get(wpage)
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`id="minutes-%d"`, wid)) || !strings.Contains(body, `name="actions[0].title"`) || strings.Contains(body, "participants-form") {
		t.Fatalf("held workshop's page = %d without the minutes form (or still changing participants):\n%s", code, body)
	}
	kam2Email, kam3Email := "kam2@"+store.DemoDomain, "kam3@"+store.DemoDomain
	due, past := time.Now().AddDate(0, 1, 0).Format("2006-01-02"), time.Now().AddDate(0, 0, -2).Format("2006-01-02")
	minutes := url.Values{"csrf": {kam3.csrf}, "minutes": {"They face new regulation; we offer a briefing."},
		"actions[0].title": {"Regulation briefing"}, "actions[0].owner_email": {kam2Email}, "actions[0].due": {due}}
	send := func(op string) (int, string, string) {
		t.Helper()
		minutes.Set("op", op)
		return kam3.postLocation(wpage+"/minutes-form", minutes)
	}
	code, _, body = send("add-row")
	if code != 200 || !strings.Contains(body, `name="actions[1].title"`) || !strings.Contains(body, `value="Regulation briefing"`) ||
		!strings.Contains(body, `<option value="`+kam2Email+`" selected>`) || !strings.Contains(body, "They face new regulation") {
		t.Fatalf("add row = %d, want a second row and the input kept:\n%s", code, body)
	}
	minutes.Set("actions[1].title", "Scrapped idea")
	code, _, body = send("add-row")
	if code != 200 || !strings.Contains(body, `name="actions[2].title"`) {
		t.Fatalf("third row = %d", code)
	}
	minutes.Set("actions[2].title", "") // the browser sends the blank third row
	code, _, body = send("remove-row:1")
	if code != 200 || strings.Contains(body, "Scrapped idea") || strings.Contains(body, `name="actions[2].title"`) || !strings.Contains(body, `name="actions[1].title"`) {
		t.Fatalf("remove row = %d, want the second row gone:\n%s", code, body)
	}
	minutes.Del("actions[2].title")
	minutes.Set("actions[1].title", "Pilot proposal")
	minutes.Set("actions[1].owner_email", kam3Email)
	minutes.Set("actions[1].due", past)
	code, _, body = send("save")
	if code != 422 || !strings.Contains(body, "the due date must be in the future") || !strings.Contains(body, `name="actions[1].due" type="date" value="`+past+`"`) ||
		!strings.Contains(body, `value="Pilot proposal"`) || !strings.Contains(body, `<option value="`+kam3Email+`" selected>`) || !strings.Contains(body, "They face new regulation") {
		t.Fatalf("past due date = %d, want 422 at the field with the input kept:\n%s", code, body)
	}
	// Long minutes on a German page: a due date in the past, then one that
	// is no date, each refused in German at that row's due field with
	// every typed value kept.
	long := strings.Repeat("Sie stehen vor neuer Regulierung; wir bieten ein Briefing an. ", 300)
	german := url.Values{"csrf": {kam3de.csrf}, "op": {"save"}, "minutes": {long},
		"actions[0].title": {"Regulierungs-Briefing"}, "actions[0].owner_email": {kam2Email}, "actions[0].due": {due},
		"actions[1].title": {"Pilotangebot"}, "actions[1].owner_email": {kam3Email}, "actions[1].due": {past}}
	for bad, msg := range map[string]string{past: "das Fälligkeitsdatum muss in der Zukunft liegen", "nächsten Freitag": "muss ein Datum als JJJJ-MM-TT sein"} {
		german.Set("actions[1].due", bad)
		code, _, body = kam3de.postLocation(wpage+"/minutes-form", german)
		refusedAt(t, "minutes with due "+bad+" (German)", code, body, "actions[1].due", msg,
			long, `value="Regulierungs-Briefing"`, `<option value="`+kam2Email+`" selected>`, `name="actions[0].due" type="date" value="`+due+`"`,
			`value="Pilotangebot"`, `<option value="`+kam3Email+`" selected>`, `name="actions[1].due" type="date" value="`+bad+`"`)
	}
	if acts, _ := e.dev.Store.ActionsFrom(ctx, "workshop", uint(wid)); len(acts) != 0 {
		t.Fatalf("refused minutes saved actions: %+v", acts)
	}
	committee := signIn(t, e.dev.URL, "committee")
	if code, _ := committee.post(wpage+"/minutes-form", url.Values{"csrf": {committee.csrf}, "op": {"save"}}); code != http.StatusForbidden {
		t.Errorf("committee recording minutes = %d, want 403", code)
	}
	minutes.Set("actions[1].due", due)
	if code, loc, body = send("save"); code != 303 || loc != wpage+"?done=minutes#minutes" {
		t.Fatalf("record minutes = %d to %q:\n%s", code, loc, body)
	}
	acts, err := e.dev.Store.ActionsFrom(ctx, "workshop", uint(wid))
	if err != nil || len(acts) != 2 || acts[0].OwnerEmail != kam2Email || acts[1].Title != "Pilot proposal" {
		t.Fatalf("workshop actions = %+v, %v", acts, err)
	}
	if _, body = kam3.get(loc); !strings.Contains(body, "Minutes recorded") || !strings.Contains(body, "Regulation briefing") || strings.Contains(body, fmt.Sprintf(`id="minutes-%d"`, wid)) {
		t.Errorf("after the minutes the page lacks them or still offers the form:\n%s", body)
	}
	if w, _ = e.dev.Store.WorkshopByID(ctx, uint(wid)); w.Status != workflows.WorkshopMinuted || w.MinutesBy != kam3Email {
		t.Errorf("workshop after minutes = %s by %s", w.Status, w.MinutesBy)
	}
}
