package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/kamflow/kamflow/workflows"
)

// TestHandoverWhenTheOutgoingKAMIsGone: the deputy covers at once, the
// knowledge transfer is skipped, a stalled handover is nudged and then
// escalated, and the account is never without a responsible person.
func TestHandoverWhenTheOutgoingKAMIsGone(t *testing.T) {
	hStart := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	env := quietEnv(hStart)
	env.RegisterWorkflowWithOptions(workflows.Handover, workflow.RegisterOptions{Name: workflows.HandoverWorkflowName})
	var notices []notice
	var ticks []workflows.TickInput
	completed := 0
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.StartHandoverInput) (uint, error) { return 3, nil }, workflows.ActivityStartHandover)
	reg(func(ctx context.Context, in workflows.IncomingInput) error { return nil }, workflows.ActivityRecordIncoming)
	reg(func(ctx context.Context, in workflows.TickInput) error { ticks = append(ticks, in); return nil }, workflows.ActivityTickHandoverItem)
	reg(func(ctx context.Context, id uint) error { completed++; return nil }, workflows.ActivityCompleteHandover)
	reg(func(ctx context.Context, n workflows.Notification) error {
		notices = append(notices, notice{at: env.Now(), n: n})
		return nil
	}, workflows.ActivityNotify)

	lead := workflows.Actor{Email: "lead@example.com", Roles: []string{"lead"}}
	deputy := workflows.Actor{Email: "deputy@example.com", Roles: []string{"kam"}}
	stranger := workflows.Actor{Email: "x@example.com", Roles: []string{"kam"}}
	n := 0
	upd := func(at time.Duration, name string, arg any, wantType string) {
		env.RegisterDelayedCallback(func() {
			n++
			env.UpdateWorkflow(name, "h"+string(rune('a'+n)), &testsuite.TestUpdateCallback{
				OnAccept: func() {
					if wantType != "" {
						t.Errorf("%s %+v accepted, want %s", name, arg, wantType)
					}
				},
				OnReject: func(err error) {
					if typ, _, _, _ := workflows.RejectionOf(err); typ != wantType {
						t.Errorf("%s %+v rejected: %v", name, arg, err)
					}
				},
				OnComplete: func(any, error) {},
			}, arg)
		}, at)
	}
	// The invariant, checked at many moments: someone answers for the account.
	for d := time.Hour; d < 40*day; d += 12 * time.Hour {
		env.RegisterDelayedCallback(func() {
			v, err := env.QueryWorkflow(workflows.QueryHandoverState)
			if err != nil {
				return // closed
			}
			var st workflows.HandoverState
			if err := v.Get(&st); err == nil && st.Responsible == 0 {
				t.Errorf("at %s nobody is responsible for the account", env.Now())
			}
		}, d)
	}
	upd(day, workflows.UpdateTickItem, workflows.TickRequest{Actor: deputy, Item: workflows.ItemIntroMeeting}, workflows.ErrTypeConflict)
	upd(day+time.Hour, workflows.UpdateTickItem, workflows.TickRequest{Actor: deputy, Item: workflows.ItemKnowledgeTransfer}, workflows.ErrTypeConflict)
	upd(day+2*time.Hour, workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: deputy, EmployeeID: 9, Email: "new@example.com"}, workflows.ErrTypeForbidden)
	upd(day+3*time.Hour, workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: lead, EmployeeID: 5, Email: "old@example.com"}, workflows.ErrTypeInvalid)
	// Nothing happens for two weeks after the start: nudge at 7 days, escalation at 14.
	upd(16*day, workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: lead, EmployeeID: 9, Email: "new@example.com"}, "")
	upd(17*day, workflows.UpdateTickItem, workflows.TickRequest{Actor: stranger, Item: workflows.ItemActionsMoved}, workflows.ErrTypeForbidden)
	upd(17*day+time.Hour, workflows.UpdateTickItem, workflows.TickRequest{Actor: deputy, Item: "coffee"}, workflows.ErrTypeInvalid)
	for i, item := range []string{workflows.ItemActionsMoved, workflows.ItemRelationshipsMoved, workflows.ItemIntroMeeting, workflows.ItemCustomerInformed} {
		who := deputy
		if i >= 2 {
			who = workflows.Actor{Email: "new@example.com", Roles: []string{"kam"}}
		}
		upd(18*day+time.Duration(i)*day, workflows.UpdateTickItem, workflows.TickRequest{Actor: who, Item: item, Note: "done"}, "")
	}
	env.ExecuteWorkflow(workflows.HandoverWorkflowName, workflows.HandoverInput{
		KeyAccountID: 1, CustomerName: "Alpenbau AG", Reason: workflows.ReasonLeft, OutgoingEmployeeID: 5, OutgoingEmail: "old@example.com",
		OutgoingAvailable: false, CoveringEmployeeID: 6, CoveringEmail: deputy.Email, LeadEmail: lead.Email, StartedBy: lead.Email,
	})
	var st workflows.HandoverState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != "completed" || st.Responsible != 9 || completed != 1 {
		t.Fatalf("state = %s responsible %d completed %d", st.Status, st.Responsible, completed)
	}
	if len(ticks) != 5 || !ticks[0].Skipped || ticks[0].Item != workflows.ItemKnowledgeTransfer {
		t.Errorf("ticks = %+v", ticks)
	}
	var kinds []string
	for _, x := range notices {
		kinds = append(kinds, x.n.IdempotencyKey[strings.LastIndex(x.n.IdempotencyKey, "/")+1:]+"@"+x.at.Format("01-02"))
	}
	want := "started@05-04 stalled-1@05-11 escalation-2@05-18 incoming-9@05-20 completed@05-25"
	if strings.Join(kinds, " ") != want {
		t.Errorf("notices = %s\nwant      %s", strings.Join(kinds, " "), want)
	}
}
