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

// TestHRRecordsTrainingDoneElsewhereInTheBrowser: HR records a course a
// KAM completed with another provider on the training page; a date in the
// future is refused at its field with what was typed kept.
func TestHRRecordsTrainingDoneElsewhereInTheBrowser(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	course := &store.Course{Title: "KAM Basics", DurationDays: 1, RequiredKAM: true}
	if err := e.dev.Store.SaveCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	hr := signIn(t, e.dev.URL, "hr")
	if code, page := hr.get("/training"); code != 200 || !strings.Contains(page, `action="/training/records`) {
		t.Fatalf("training page = %d without the form for training done elsewhere", code)
	}
	kam := fmt.Sprint(e.emp["kam"])
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	code, page := hr.post("/training/records", url.Values{"csrf": {hr.csrf}, "employee_id": {kam}, "course_id": {fmt.Sprint(course.ID)},
		"completed_at": {tomorrow}, "note": {"CAS at the university"}})
	if code != 422 || !strings.Contains(page, "a completed course has a date in the past") {
		t.Fatalf("future date = %d, want 422 with the reason at the field:\n%s", code, page)
	}
	if !strings.Contains(page, `value="`+tomorrow+`"`) || !strings.Contains(page, `value="CAS at the university"`) ||
		!strings.Contains(page, `value="`+kam+`" selected`) {
		t.Error("the refused form lost what was typed")
	}
	if list, _ := e.dev.Store.TrainingRecordsOf(ctx, e.emp["kam"]); len(list) != 0 {
		t.Fatalf("a refused form recorded %d trainings", len(list))
	}
	hr.get("/training")
	code, loc, page := hr.postLocation("/training/records", url.Values{"csrf": {hr.csrf}, "employee_id": {kam}, "course_id": {fmt.Sprint(course.ID)},
		"completed_at": {"2025-11-20"}, "note": {"CAS at the university"}})
	if code != 303 || loc != "/training?done=training-recorded#record-elsewhere" {
		t.Fatalf("record = %d to %q:\n%s", code, loc, page)
	}
	if _, page = hr.get(loc); !strings.Contains(page, "Training recorded.") {
		t.Errorf("the training page after recording lacks the notice")
	}
	list, err := e.dev.Store.TrainingRecordsOf(ctx, e.emp["kam"])
	if err != nil || len(list) != 1 || list[0].Source != "external" || list[0].RecordedBy != "hr@"+store.DemoDomain ||
		list[0].CompletedAt.Format("2006-01-02") != "2025-11-20" {
		t.Fatalf("records = %+v, %v", list, err)
	}
	// Nobody but HR records training.
	kamUser := signIn(t, e.dev.URL, "kam")
	if code, _ := kamUser.post("/training/records", url.Values{"csrf": {kamUser.csrf}, "employee_id": {kam}, "course_id": {fmt.Sprint(course.ID)}, "completed_at": {"2025-11-20"}}); code != 403 {
		t.Errorf("a KAM recording training = %d, want 403", code)
	}
}
