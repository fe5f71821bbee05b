package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/kamflow/kamflow/workflows"
)

func TestReviewFindingsMeasuresAndClosing(t *testing.T) {
	rStart := time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
	env := quietEnv(rStart)
	env.RegisterWorkflowWithOptions(workflows.Review, workflow.RegisterOptions{Name: workflows.ReviewWorkflowName})
	var notices []notice
	var findings []workflows.SaveFindingsInput
	var statuses []workflows.ReviewStatusInput
	var done []workflows.MeasureDoneInput
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.GatherInput) (workflows.ReviewGathered, error) {
		return workflows.ReviewGathered{ReviewID: 9, LeadEmail: "lead@example.com", Accounts: []workflows.ReviewAccountKPI{{CustomerID: 11, CustomerName: "Alpenbau"}, {CustomerID: 12, CustomerName: "Nordlicht"}}}, nil
	}, workflows.ActivityGatherReview)
	reg(func(ctx context.Context, n workflows.Notification) error {
		notices = append(notices, notice{at: env.Now(), n: n})
		return nil
	}, workflows.ActivityNotify)
	reg(func(ctx context.Context, in workflows.SaveFindingsInput) error {
		findings = append(findings, in)
		return nil
	}, workflows.ActivitySaveFindings)
	reg(func(ctx context.Context, in workflows.SaveMeasureInput) (uint, error) { return 77, nil }, workflows.ActivitySaveMeasure)
	reg(func(ctx context.Context, in workflows.MeasureDoneInput) error { done = append(done, in); return nil }, workflows.ActivityCompleteMeasure)
	reg(func(ctx context.Context, in workflows.ReviewStatusInput) error {
		statuses = append(statuses, in)
		return nil
	}, workflows.ActivitySetReviewStatus)

	controller := workflows.Actor{Email: "controller@example.com", Roles: []string{"controller"}}
	owner := workflows.Actor{Email: "kam@example.com", Roles: []string{"kam"}}
	due := rStart.Add(10 * day)
	n := 0
	upd := func(at time.Duration, name string, arg any, wantType, wantField string) {
		env.RegisterDelayedCallback(func() {
			n++
			expectUpdate(t, env, "r"+string(rune('a'+n)), name, arg, wantType, wantField)
		}, at)
	}
	h := time.Hour
	upd(1*h, workflows.UpdateRecordFindings, workflows.FindingsRequest{Actor: owner, CustomerID: 11, Text: "x"}, workflows.ErrTypeForbidden, "")
	upd(2*h, workflows.UpdateRecordFindings, workflows.FindingsRequest{Actor: controller, CustomerID: 99, Text: "x"}, workflows.ErrTypeInvalid, "customer_id")
	upd(3*h, workflows.UpdateRecordFindings, workflows.FindingsRequest{Actor: controller, CustomerID: 11, Text: "Margin under plan"}, "", "")
	upd(4*h, workflows.UpdateAddMeasure, workflows.MeasureRequest{Actor: controller, CustomerID: 11, Title: "Renegotiate prices", OwnerEmail: "kam@example.com", Due: rStart.Add(-day)}, workflows.ErrTypeInvalid, "due")
	upd(5*h, workflows.UpdateAddMeasure, workflows.MeasureRequest{Actor: controller, CustomerID: 11, Title: "Renegotiate prices", OwnerEmail: "kam@example.com", Due: due}, "", "")
	upd(6*h, workflows.UpdateSignOff, workflows.SignOffRequest{Actor: controller}, workflows.ErrTypeInvalid, "overall")
	upd(7*h, workflows.UpdateSignOff, workflows.SignOffRequest{Actor: controller, Overall: "Programme on track; one account under margin"}, "", "")
	upd(8*h, workflows.UpdateAddMeasure, workflows.MeasureRequest{Actor: controller, Title: "x", OwnerEmail: "a@b.c", Due: due}, workflows.ErrTypeConflict, "")
	upd(due.Add(8*day).Sub(rStart)-h, workflows.UpdateCompleteMeasure, workflows.MeasureDoneRequest{Actor: owner, MeasureID: 78}, workflows.ErrTypeNotFound, "measure_id")
	upd(due.Add(8*day).Sub(rStart), workflows.UpdateCompleteMeasure, workflows.MeasureDoneRequest{Actor: workflows.Actor{Email: "other@example.com"}, MeasureID: 77}, workflows.ErrTypeForbidden, "")
	upd(due.Add(8*day+h).Sub(rStart), workflows.UpdateCompleteMeasure, workflows.MeasureDoneRequest{Actor: owner, MeasureID: 77}, "", "")
	env.ExecuteWorkflow(workflows.ReviewWorkflowName, workflows.ReviewInput{ProgrammeID: 7, ControllerEmail: controller.Email})

	var st workflows.ReviewState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != workflows.ReviewClosed || st.Overall == "" || !st.Measures[0].Done {
		t.Fatalf("state = %+v", st)
	}
	var got []string
	for _, x := range notices {
		got = append(got, x.n.IdempotencyKey[strings.LastIndex(x.n.IdempotencyKey, "/")+1:]+"@"+x.at.Format("01-02"))
	}
	want := "ready@04-01 assigned@04-01 before@04-08 overdue-0@04-11 overdue-1@04-18"
	if strings.Join(got, " ") != want {
		t.Errorf("notices = %s\nwant      %s", strings.Join(got, " "), want)
	}
	if last := notices[len(notices)-1]; len(last.n.Recipients) != 3 {
		t.Errorf("overdue notice to %v, want owner, controller and lead", last.n.Recipients)
	}
	if len(findings) != 1 || len(done) != 1 || len(statuses) != 2 || statuses[0].Status != workflows.ReviewSignedOff || statuses[1].Status != workflows.ReviewClosed {
		t.Errorf("findings %v, done %v, statuses %+v", findings, done, statuses)
	}
}

// A measure counts from the moment it is added: a sign-off while its save
// is still under way must not close the review without it.
func TestReviewMeasureCountsBeforeItIsSaved(t *testing.T) {
	rStart := time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
	env := quietEnv(rStart)
	env.RegisterWorkflowWithOptions(workflows.Review, workflow.RegisterOptions{Name: workflows.ReviewWorkflowName})
	var notices []string
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.GatherInput) (workflows.ReviewGathered, error) {
		return workflows.ReviewGathered{ReviewID: 9, LeadEmail: "lead@example.com", Accounts: []workflows.ReviewAccountKPI{{CustomerID: 11, CustomerName: "Alpenbau"}}}, nil
	}, workflows.ActivityGatherReview)
	reg(func(ctx context.Context, n workflows.Notification) error {
		notices = append(notices, n.IdempotencyKey)
		return nil
	}, workflows.ActivityNotify)
	reg(func(ctx context.Context, in workflows.SaveMeasureInput) (uint, error) { return 0, nil }, workflows.ActivitySaveMeasure)
	reg(func(ctx context.Context, in workflows.MeasureDoneInput) error { return nil }, workflows.ActivityCompleteMeasure)
	reg(func(ctx context.Context, in workflows.ReviewStatusInput) error { return nil }, workflows.ActivitySetReviewStatus)
	// The save takes an hour on the workflow's clock.
	env.OnActivity(workflows.ActivitySaveMeasure, mock.Anything, mock.Anything).Return(uint(77), nil).After(time.Hour)

	controller := workflows.Actor{Email: "controller@example.com", Roles: []string{"controller"}}
	owner := workflows.Actor{Email: "kam@example.com", Roles: []string{"kam"}}
	due := rStart.Add(10 * day)
	h := time.Hour
	at := func(d time.Duration, id, name string, arg any, wantType, wantField string) {
		env.RegisterDelayedCallback(func() { expectUpdate(t, env, id, name, arg, wantType, wantField) }, d)
	}
	at(h, "m", workflows.UpdateAddMeasure, workflows.MeasureRequest{Actor: controller, CustomerID: 11, Title: "Renegotiate prices", OwnerEmail: "kam@example.com", Due: due}, "", "")
	// While the save runs, the measure has no ID to mark done by.
	at(h+10*time.Minute, "d0", workflows.UpdateCompleteMeasure, workflows.MeasureDoneRequest{Actor: controller, MeasureID: 0}, workflows.ErrTypeNotFound, "measure_id")
	at(h+20*time.Minute, "s", workflows.UpdateSignOff, workflows.SignOffRequest{Actor: controller, Overall: "on track"}, "", "")
	at(3*day, "d", workflows.UpdateCompleteMeasure, workflows.MeasureDoneRequest{Actor: owner, MeasureID: 77}, "", "")
	env.ExecuteWorkflow(workflows.ReviewWorkflowName, workflows.ReviewInput{ProgrammeID: 7, ControllerEmail: controller.Email})

	var st workflows.ReviewState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != workflows.ReviewClosed || len(st.Measures) != 1 || st.Measures[0].ID != 77 || !st.Measures[0].Done {
		t.Fatalf("state = %+v; want closed after the measure was done", st)
	}
	for _, n := range notices {
		if strings.Contains(n, "measure-0") {
			t.Errorf("notice for an unsaved measure: %s", n)
		}
	}
}

// TestReviewMeasureFollowsItsNewOwner: after an owner change the reminders
// go to the new owner, who marks the measure done; the former owner may not.
func TestReviewMeasureFollowsItsNewOwner(t *testing.T) {
	rStart := time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
	env := quietEnv(rStart)
	env.RegisterWorkflowWithOptions(workflows.Review, workflow.RegisterOptions{Name: workflows.ReviewWorkflowName})
	var notices []notice
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.GatherInput) (workflows.ReviewGathered, error) {
		return workflows.ReviewGathered{ReviewID: 9, LeadEmail: "lead@example.com", Accounts: []workflows.ReviewAccountKPI{{CustomerID: 11, CustomerName: "Alpenbau"}}}, nil
	}, workflows.ActivityGatherReview)
	reg(func(ctx context.Context, n workflows.Notification) error {
		notices = append(notices, notice{at: env.Now(), n: n})
		return nil
	}, workflows.ActivityNotify)
	reg(func(ctx context.Context, in workflows.SaveMeasureInput) (uint, error) { return 77, nil }, workflows.ActivitySaveMeasure)
	reg(func(ctx context.Context, in workflows.MeasureDoneInput) error { return nil }, workflows.ActivityCompleteMeasure)
	reg(func(ctx context.Context, in workflows.ReviewStatusInput) error { return nil }, workflows.ActivitySetReviewStatus)

	controller := workflows.Actor{Email: "controller@example.com", Roles: []string{"controller"}}
	due := rStart.Add(10 * day)
	n := 0
	upd := func(at time.Duration, name string, arg any, wantType string) {
		env.RegisterDelayedCallback(func() {
			n++
			expectUpdate(t, env, "o"+string(rune('a'+n)), name, arg, wantType, "")
		}, at)
	}
	upd(time.Hour, workflows.UpdateAddMeasure, workflows.MeasureRequest{Actor: controller, CustomerID: 11, Title: "Renegotiate", OwnerEmail: "old@example.com", Due: due}, "")
	upd(2*time.Hour, workflows.UpdateSignOff, workflows.SignOffRequest{Actor: controller, Overall: "ok"}, "")
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalOwnerChanged, workflows.OwnerChanged{Kind: workflows.WorkAction, ID: 77, OwnerEmail: "wrong@example.com"})
		env.SignalWorkflow(workflows.SignalOwnerChanged, workflows.OwnerChanged{Kind: workflows.WorkMeasure, ID: 77, OwnerEmail: "New@example.com"})
	}, 2*day)
	upd(due.Add(day).Sub(rStart), workflows.UpdateCompleteMeasure, workflows.MeasureDoneRequest{Actor: workflows.Actor{Email: "old@example.com"}, MeasureID: 77}, workflows.ErrTypeForbidden)
	upd(due.Add(day+time.Hour).Sub(rStart), workflows.UpdateCompleteMeasure, workflows.MeasureDoneRequest{Actor: workflows.Actor{Email: "new@example.com"}, MeasureID: 77}, "")
	env.ExecuteWorkflow(workflows.ReviewWorkflowName, workflows.ReviewInput{ProgrammeID: 7, ControllerEmail: controller.Email})
	var st workflows.ReviewState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != workflows.ReviewClosed || st.Measures[0].OwnerEmail != "new@example.com" {
		t.Fatalf("state = %+v", st)
	}
	var got []string
	for _, x := range notices {
		if k := x.n.IdempotencyKey; strings.Contains(k, "/measure-77/") {
			got = append(got, k[strings.LastIndex(k, "/")+1:]+" to "+x.n.Recipients[0])
		}
	}
	want := "assigned to old@example.com, before to new@example.com, overdue-0 to new@example.com"
	if strings.Join(got, ", ") != want {
		t.Errorf("measure notices = %s\nwant             %s", strings.Join(got, ", "), want)
	}
}
