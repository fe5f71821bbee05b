package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

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
