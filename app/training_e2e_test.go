package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTrainingThroughHTTPAPI: HR keeps courses and sessions, enrols KAMs
// (one waitlisted, promoted when a seat frees), records attendance, and the
// completed required course reaches the programme's training phase.
func TestTrainingThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	id, _ := e.programmeInTraining(t)
	p := fmt.Sprintf("/programmes/%d", id)

	course := map[string]any{"title": "KAM Basics", "provider": "FHS St. Gallen", "duration_days": 1.5, "required_for_kams": true, "language": "de"}
	e.refused(t, 0, 403, "", "kam", "POST", "/courses", course)
	e.refused(t, 0, 422, "duration_days", "hr", "POST", "/courses", map[string]any{"title": "x", "duration_days": 0})
	c := e.ok(t, 201, "hr", "POST", "/courses", course)
	e.refused(t, 0, 422, "title", "hr", "POST", "/courses", course)
	courseID := c.body["id"].(float64)

	if _, home := signIn(t, e.dev.URL, "hr").get("/"); !strings.Contains(home, "still missing required training") || !strings.Contains(home, "KAM Basics") {
		t.Errorf("HR home lacks the missing training:\n%s", home)
	}
	missing := e.ok(t, 200, "hr", "GET", "/training/missing", nil)
	if n := len(missing.body["items"].([]any)); n != 2 {
		t.Fatalf("KAMs missing the required course = %d, want 2: %s", n, missing.raw)
	}

	// Far enough ahead for the enrolments below even on a loaded machine.
	start := time.Now().Add(15 * time.Second).UTC()
	sess := map[string]any{"course_id": courseID, "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(12 * time.Hour).Format(time.RFC3339), "place": "St. Gallen", "capacity": 1}
	e.refused(t, 0, 422, "ends_at", "hr", "POST", "/sessions", map[string]any{"course_id": courseID, "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(-time.Hour).Format(time.RFC3339), "capacity": 1})
	e.refused(t, 0, 422, "course_id", "hr", "POST", "/sessions", map[string]any{"course_id": 999, "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339), "capacity": 1})
	s := e.ok(t, 201, "hr", "POST", "/sessions", sess)
	sid := int(s.body["id"].(float64))

	first := e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": e.emp["kam2"]})
	second := e.ok(t, 201, "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": e.emp["kam"], "programme_id": id})
	if first.body["status"] != "enrolled" || second.body["status"] != "waitlisted" {
		t.Fatalf("statuses = %v, %v; want enrolled then waitlisted", first.body["status"], second.body["status"])
	}
	e.refused(t, 0, 409, "", "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": e.emp["kam"]})
	e.refused(t, 0, 422, "employee_id", "hr", "POST", fmt.Sprintf("/sessions/%d/enrolments", sid), map[string]any{"employee_id": 9999})
	free := e.ok(t, 200, "kam", "GET", "/sessions?free=true", nil)
	if len(free.body["items"].([]any)) != 0 {
		t.Errorf("a full session is listed with free seats: %s", free.raw)
	}

	firstID, secondID := int(first.body["id"].(float64)), int(second.body["id"].(float64))
	e.refused(t, 0, 422, "reason", "hr", "POST", fmt.Sprintf("/enrolments/%d/cancel", firstID), map[string]any{})
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("/enrolments/%d/cancel", firstID), map[string]any{"reason": "sick leave"})
	waitFor(t, "waitlisted enrolment promoted", func() bool {
		return e.ok(t, 200, "hr", "GET", fmt.Sprintf("/enrolments/%d", secondID), nil).body["status"] == "enrolled"
	})
	e.refused(t, 0, 409, "", "hr", "POST", fmt.Sprintf("/enrolments/%d/attendance", secondID), map[string]any{"attended": true})
	time.Sleep(time.Until(start) + 500*time.Millisecond)
	e.refused(t, 0, 422, "attended", "hr", "POST", fmt.Sprintf("/enrolments/%d/attendance", secondID), map[string]any{})
	e.refused(t, 0, 403, "", "kam", "POST", fmt.Sprintf("/enrolments/%d/attendance", secondID), map[string]any{"attended": true})
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("/enrolments/%d/attendance", secondID), map[string]any{"attended": true})
	e.refused(t, 0, 409, "", "hr", "POST", fmt.Sprintf("/enrolments/%d/attendance", secondID), map[string]any{"attended": true})

	// The completion reached the programme: kam is trained, kam3 is not.
	waitFor(t, "training completion reaches the programme", func() bool {
		st := e.ok(t, 200, "lead", "GET", p, nil)
		m := st.body["missing_training"].([]any)
		return len(m) == 1 && uint(m[0].(float64)) == e.emp["kam3"]
	})
	missing = e.ok(t, 200, "hr", "GET", "/training/missing", nil)
	if items := missing.body["items"].([]any); len(items) != 1 || uint(items[0].(map[string]any)["employee_id"].(float64)) != e.emp["kam3"] {
		t.Errorf("missing after completion = %s", missing.raw)
	}
	st := e.ok(t, 200, "committee", "POST", fmt.Sprintf("%s/training/%d/exception", p, e.emp["kam3"]), map[string]string{"note": "experienced"})
	if st.body["current_phase"] != "account_plans" {
		t.Errorf("after the exception the programme is in %v, want account_plans", st.body["current_phase"])
	}
}

// TestTrainingRecordsThroughHTTPAPI: HR's confirmation in a programme, a
// course recorded as done elsewhere (past date) and the committee's
// exception all count for GET /training/missing; a cancelled programme
// makes nobody missing.
func TestTrainingRecordsThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	id, _ := e.programmeInTraining(t)
	p := fmt.Sprintf("/programmes/%d", id)
	missingOf := func() []uint {
		t.Helper()
		var ids []uint
		for _, it := range e.ok(t, 200, "hr", "GET", "/training/missing", nil).body["items"].([]any) {
			ids = append(ids, uint(it.(map[string]any)["employee_id"].(float64)))
		}
		return ids
	}
	c1 := e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "KAM Basics", "duration_days": 1, "required_for_kams": true}).body["id"]
	if got := missingOf(); len(got) != 2 {
		t.Fatalf("missing = %v, want both KAMs", got)
	}
	e.ok(t, 200, "hr", "POST", fmt.Sprintf("%s/training/%d/complete", p, e.emp["kam"]), map[string]string{"note": "CAS KAM"})
	if got := missingOf(); len(got) != 1 || got[0] != e.emp["kam3"] {
		t.Fatalf("missing after HR's confirmation = %v, want only kam3 (%d)", got, e.emp["kam3"])
	}

	rec := fmt.Sprintf("/employees/%d/training-records", e.emp["kam3"])
	e.refused(t, 0, 422, "completed_at", "hr", "POST", rec, map[string]any{"course_id": c1, "completed_at": time.Now().AddDate(0, 0, 2).Format("2006-01-02")})
	e.refused(t, 0, 422, "completed_at", "hr", "POST", rec, map[string]any{"course_id": c1, "completed_at": "last May"})
	e.refused(t, 0, 422, "course_id", "hr", "POST", rec, map[string]any{"course_id": 9999, "completed_at": "2024-05-02"})
	e.refused(t, 0, 422, "course_id", "hr", "POST", rec, map[string]any{"completed_at": "2024-05-02"})
	e.refused(t, 0, 403, "", "kam3", "POST", rec, map[string]any{"course_id": c1, "completed_at": "2024-05-02"})
	e.refused(t, 0, 404, "", "hr", "POST", "/employees/99999/training-records", map[string]any{"course_id": c1, "completed_at": "2024-05-02"})
	r := e.ok(t, 201, "hr", "POST", rec, map[string]any{"course_id": c1, "completed_at": "2024-05-02", "note": "FHS St. Gallen, certificate on file"})
	if told := r.body["programmes_told"].([]any); len(told) != 1 || uint(told[0].(float64)) != id {
		t.Errorf("programmes told = %v, want %d", told, id)
	}
	if again := e.ok(t, 200, "hr", "POST", rec, map[string]any{"course_id": c1, "completed_at": "2024-05-02"}); again.body["id"] != r.body["id"] {
		t.Errorf("the same record twice made two: %v, %v", again.body["id"], r.body["id"])
	}
	if list := e.ok(t, 200, "lead", "GET", rec, nil).body["items"].([]any); len(list) != 1 || list[0].(map[string]any)["source"] != "external" {
		t.Errorf("kam3's records = %v", list)
	}
	if got := missingOf(); len(got) != 0 {
		t.Fatalf("missing after the external record = %v", got)
	}
	if st := e.ok(t, 200, "lead", "GET", p, nil); st.body["current_phase"] != "account_plans" {
		t.Errorf("after both KAMs' training the programme is in %v, want account_plans", st.body["current_phase"])
	}

	// A newly required course: both miss it until kam3 is excused and the
	// programme is cancelled.
	e.ok(t, 201, "hr", "POST", "/courses", map[string]any{"title": "Negotiation", "duration_days": 1, "required_for_kams": true})
	if got := missingOf(); len(got) != 2 {
		t.Fatalf("missing the new course = %v, want both", got)
	}
	e.ok(t, 200, "committee", "POST", fmt.Sprintf("%s/training/%d/exception", p, e.emp["kam3"]), map[string]string{"note": "negotiates for us for 20 years"})
	if got := missingOf(); len(got) != 1 || got[0] != e.emp["kam"] {
		t.Fatalf("missing after kam3's exception = %v, want only kam (%d)", got, e.emp["kam"])
	}
	e.ok(t, 200, "lead", "POST", p+"/cancel", map[string]string{"reason": "merged into another programme"})
	waitFor(t, "the cancelled programme makes nobody missing", func() bool { return len(missingOf()) == 0 })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	// Generous: tests run two at a time beside other packages' tests.
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
