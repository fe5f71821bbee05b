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

func TestJourFixeAsksRemindsAndPools(t *testing.T) {
	jStart := time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC)
	env := quietEnv(jStart)
	env.RegisterWorkflowWithOptions(workflows.JourFixe, workflow.RegisterOptions{Name: workflows.JourFixeWorkflowName})
	var notices []notice
	var saved []workflows.SaveInputInput
	pooled := 0
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.PrepareJourFixeInput) (workflows.JourFixePrepared, error) {
		if !in.MeetingAt.Equal(jStart.Add(7 * day)) {
			t.Errorf("meeting at %s", in.MeetingAt)
		}
		return workflows.JourFixePrepared{JourFixeID: 8, Participants: []workflows.JourFixeParticipant{
			{EmployeeID: 1, Email: "kam@example.com", Accounts: []uint{10, 11}},
			{EmployeeID: 2, Email: "sec@example.com", Accounts: []uint{10}},
		}}, nil
	}, workflows.ActivityPrepareJourFixe)
	reg(func(ctx context.Context, in workflows.SaveInputInput) error { saved = append(saved, in); return nil }, workflows.ActivitySaveInput)
	reg(func(ctx context.Context, id uint) (string, error) {
		pooled++
		return "Key account 10: satisfaction 4.5", nil
	}, workflows.ActivityPoolJourFixe)
	reg(func(ctx context.Context, n workflows.Notification) error {
		notices = append(notices, notice{at: env.Now(), n: n})
		return nil
	}, workflows.ActivityNotify)
	var pictures []workflows.JourFixePictureInput
	reg(func(ctx context.Context, in workflows.JourFixePictureInput) error {
		pictures = append(pictures, in)
		notices = append(notices, notice{at: env.Now(), n: workflows.Notification{IdempotencyKey: in.WorkflowID + "/picture"}})
		return nil
	}, workflows.ActivitySendJourFixePicture)
	n := 0
	upd := func(at time.Duration, arg workflows.InputRequest, wantType, wantField string) {
		env.RegisterDelayedCallback(func() {
			n++
			expectUpdate(t, env, "j"+string(rune('a'+n)), workflows.UpdateSubmitInput, arg, wantType, wantField)
		}, at)
	}
	kamA := workflows.Actor{Email: "kam@example.com"}
	secA := workflows.Actor{Email: "sec@example.com"}
	upd(day, workflows.InputRequest{Actor: workflows.Actor{Email: "x@example.com"}, KeyAccountID: 10, Satisfaction: 3}, workflows.ErrTypeForbidden, "")
	upd(day+time.Hour, workflows.InputRequest{Actor: secA, KeyAccountID: 11, Satisfaction: 3}, workflows.ErrTypeInvalid, "key_account_id")
	upd(day+2*time.Hour, workflows.InputRequest{Actor: secA, KeyAccountID: 10, Satisfaction: 6}, workflows.ErrTypeInvalid, "satisfaction")
	upd(2*day, workflows.InputRequest{Actor: secA, KeyAccountID: 10, Satisfaction: 5, Needs: "faster invoices"}, "", "")
	upd(3*day, workflows.InputRequest{Actor: kamA, KeyAccountID: 10, Satisfaction: 4}, "", "")
	upd(8*day, workflows.InputRequest{Actor: kamA, KeyAccountID: 11, Satisfaction: 4}, workflows.ErrTypeConflict, "")
	env.ExecuteWorkflow(workflows.JourFixeWorkflowName, workflows.JourFixeInput{ProgrammeID: 7})
	var st workflows.JourFixeState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if !st.Held || pooled != 1 || len(saved) != 2 || !strings.Contains(st.Summary, "satisfaction") {
		t.Fatalf("state = %+v pooled %d saved %d", st, pooled, len(saved))
	}
	var got []string
	for _, x := range notices {
		got = append(got, x.n.IdempotencyKey[strings.LastIndex(x.n.IdempotencyKey, "/")+1:]+"@"+x.at.Format("01-02"))
	}
	// Only kam still owes input (account 11) two days before the meeting.
	if want := "ask-1@07-01 ask-2@07-01 remind-1@07-06 picture@07-08"; strings.Join(got, " ") != want {
		t.Errorf("notices = %s\nwant      %s", strings.Join(got, " "), want)
	}
	// The picture goes per participant (the activity filters by what each
	// may read), not as one summary to everyone.
	if len(pictures) != 1 || pictures[0].JourFixeID != 8 || len(pictures[0].Participants) != 2 || pictures[0].Day != "2026-07-08" {
		t.Errorf("picture requests = %+v", pictures)
	}
}

// An input counts as given from the moment it is accepted: the reminder
// that falls while its save runs does not ask for it.
func TestJourFixeInputCountsBeforeItIsSaved(t *testing.T) {
	jStart := time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC)
	env := quietEnv(jStart)
	env.RegisterWorkflowWithOptions(workflows.JourFixe, workflow.RegisterOptions{Name: workflows.JourFixeWorkflowName})
	var reminded []string
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.PrepareJourFixeInput) (workflows.JourFixePrepared, error) {
		return workflows.JourFixePrepared{JourFixeID: 8, Participants: []workflows.JourFixeParticipant{{EmployeeID: 1, Email: "kam@example.com", Accounts: []uint{10}}}}, nil
	}, workflows.ActivityPrepareJourFixe)
	reg(func(ctx context.Context, in workflows.SaveInputInput) error { return nil }, workflows.ActivitySaveInput)
	reg(func(ctx context.Context, id uint) (string, error) { return "pooled", nil }, workflows.ActivityPoolJourFixe)
	reg(func(ctx context.Context, in workflows.JourFixePictureInput) error { return nil }, workflows.ActivitySendJourFixePicture)
	reg(func(ctx context.Context, n workflows.Notification) error {
		if strings.Contains(n.IdempotencyKey, "/remind-") {
			reminded = append(reminded, n.IdempotencyKey)
		}
		return nil
	}, workflows.ActivityNotify)
	// The save takes two hours on the workflow's clock; the reminder (two
	// days before the meeting) falls within them.
	env.OnActivity(workflows.ActivitySaveInput, mock.Anything, mock.Anything).Return(nil).After(2 * time.Hour)
	env.RegisterDelayedCallback(func() {
		expectUpdate(t, env, "in", workflows.UpdateSubmitInput, workflows.InputRequest{Actor: workflows.Actor{Email: "kam@example.com"}, KeyAccountID: 10, Satisfaction: 4}, "", "")
	}, 5*day-time.Hour)
	env.ExecuteWorkflow(workflows.JourFixeWorkflowName, workflows.JourFixeInput{ProgrammeID: 7})
	var st workflows.JourFixeState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if len(reminded) != 0 || len(st.Participants[0].Given) != 1 {
		t.Fatalf("reminders %v, given %v; want no reminder for the input being saved", reminded, st.Participants[0].Given)
	}
}
