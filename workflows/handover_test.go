package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
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
	var moves []string
	reg(func(ctx context.Context, in workflows.MoveWorkInput) ([]workflows.MovedWork, error) {
		if in.HandoverID != 3 || in.KeyAccountID != 1 || in.FromEmail != "old@example.com" {
			t.Errorf("move = %+v", in)
		}
		moves = append(moves, in.ToEmail+" by "+in.By+"@"+env.Now().Format("01-02"))
		return nil, nil
	}, workflows.ActivityMoveAccountWork)
	reg(func(ctx context.Context, n workflows.Notification) error {
		notices = append(notices, notice{at: env.Now(), n: n})
		return nil
	}, workflows.ActivityNotify)
	reg(func(ctx context.Context, ka uint) ([]string, error) { return nil, nil }, workflows.ActivityRunningWorkshops)

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
	// The KAM left: the cover holds her work from the start; the incoming
	// KAM gets it when "actions moved" is ticked, and anything late on completion.
	wantMoves := "deputy@example.com by kamflow@05-04 new@example.com by deputy@example.com@05-22 new@example.com by kamflow@05-25"
	if strings.Join(moves, " ") != wantMoves || st.WorkMovedTo != "new@example.com" {
		t.Errorf("moves = %s (moved to %q)\nwant    %s", strings.Join(moves, " "), st.WorkMovedTo, wantMoves)
	}
	var kinds []string
	for _, x := range notices {
		if x.n.Link != "/key-accounts/1#handovers" {
			t.Errorf("handover notice %s leads to %q", x.n.IdempotencyKey, x.n.Link)
		}
		kinds = append(kinds, x.n.IdempotencyKey[strings.LastIndex(x.n.IdempotencyKey, "/")+1:]+"@"+x.at.Format("01-02"))
	}
	want := "started@05-04 stalled-1@05-11 escalation-2@05-18 incoming-9@05-20 completed@05-25"
	if strings.Join(kinds, " ") != want {
		t.Errorf("notices = %s\nwant      %s", strings.Join(kinds, " "), want)
	}
}

// TestHandoverItemSkipped: someone in the handover skips an item that is
// not needed, saying why; a skip without a reason is refused. A skipped
// "actions moved" moves nothing then; completion hands the outgoing KAM's
// open work to the incoming KAM all the same.
func TestHandoverItemSkipped(t *testing.T) {
	env := quietEnv(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	env.RegisterWorkflowWithOptions(workflows.Handover, workflow.RegisterOptions{Name: workflows.HandoverWorkflowName})
	var ticks []workflows.TickInput
	var moves []string
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.StartHandoverInput) (uint, error) { return 4, nil }, workflows.ActivityStartHandover)
	reg(func(ctx context.Context, in workflows.IncomingInput) error { return nil }, workflows.ActivityRecordIncoming)
	reg(func(ctx context.Context, in workflows.TickInput) error { ticks = append(ticks, in); return nil }, workflows.ActivityTickHandoverItem)
	reg(func(ctx context.Context, id uint) error { return nil }, workflows.ActivityCompleteHandover)
	reg(func(ctx context.Context, in workflows.MoveWorkInput) ([]workflows.MovedWork, error) {
		moves = append(moves, in.ToEmail+" by "+in.By)
		return nil, nil
	}, workflows.ActivityMoveAccountWork)
	reg(func(ctx context.Context, n workflows.Notification) error { return nil }, workflows.ActivityNotify)
	reg(func(ctx context.Context, ka uint) ([]string, error) { return nil, nil }, workflows.ActivityRunningWorkshops)

	lead := workflows.Actor{Email: "lead@example.com", Roles: []string{"lead"}}
	outgoing := workflows.Actor{Email: "old@example.com", Roles: []string{"kam"}}
	n := 0
	upd := func(at time.Duration, name string, arg any, wantType, wantField string) {
		env.RegisterDelayedCallback(func() {
			n++
			env.UpdateWorkflow(name, "s"+string(rune('a'+n)), &testsuite.TestUpdateCallback{
				OnAccept: func() {
					if wantType != "" {
						t.Errorf("%s %+v accepted, want %s", name, arg, wantType)
					}
				},
				OnReject: func(err error) {
					if typ, _, field, _ := workflows.RejectionOf(err); typ != wantType || field != wantField {
						t.Errorf("%s %+v rejected: %v (field %q), want %s at %q", name, arg, err, field, wantType, wantField)
					}
				},
				OnComplete: func(any, error) {},
			}, arg)
		}, at)
	}
	upd(time.Hour, workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: lead, EmployeeID: 9, Email: "new@example.com"}, "", "")
	upd(2*time.Hour, workflows.UpdateTickItem, workflows.TickRequest{Actor: outgoing, Item: workflows.ItemIntroMeeting, Skip: true, Note: "  "}, workflows.ErrTypeInvalid, "note")
	upd(3*time.Hour, workflows.UpdateTickItem, workflows.TickRequest{Actor: outgoing, Item: workflows.ItemActionsMoved, Skip: true, Note: "no open actions"}, "", "")
	for i, item := range []string{workflows.ItemKnowledgeTransfer, workflows.ItemRelationshipsMoved, workflows.ItemIntroMeeting, workflows.ItemCustomerInformed} {
		upd(day+time.Duration(i)*time.Hour, workflows.UpdateTickItem, workflows.TickRequest{Actor: lead, Item: item, Note: "done"}, "", "")
	}
	env.ExecuteWorkflow(workflows.HandoverWorkflowName, workflows.HandoverInput{
		KeyAccountID: 2, CustomerName: "Nordbahn AG", Reason: workflows.ReasonPersonaNonGrata, OutgoingEmployeeID: 5, OutgoingEmail: outgoing.Email,
		OutgoingAvailable: true, CoveringEmployeeID: 6, CoveringEmail: "deputy@example.com", LeadEmail: lead.Email, StartedBy: lead.Email,
	})
	var st workflows.HandoverState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != "completed" || st.Responsible != 9 {
		t.Fatalf("state = %s, responsible %d", st.Status, st.Responsible)
	}
	if len(ticks) != 5 || ticks[0].Item != workflows.ItemActionsMoved || !ticks[0].Skipped || ticks[0].Note != "no open actions" || ticks[0].By != outgoing.Email {
		t.Fatalf("ticks = %+v, want the skipped \"actions moved\" first, with its reason and who skipped it", ticks)
	}
	for _, tk := range ticks[1:] {
		if tk.Skipped {
			t.Errorf("%s skipped, want done", tk.Item)
		}
	}
	if strings.Join(moves, ";") != "new@example.com by kamflow" {
		t.Errorf("moves = %v, want only completion's move to the incoming KAM", moves)
	}
}

// TestHandoverTickWhileItsRecordIsWritten: a tick accepted while the
// handover's own record is still being saved is kept, and saved under that
// record once it exists (it was once saved under no handover and lost).
func TestHandoverTickWhileItsRecordIsWritten(t *testing.T) {
	env := quietEnv(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	env.RegisterWorkflowWithOptions(workflows.Handover, workflow.RegisterOptions{Name: workflows.HandoverWorkflowName})
	var ticks []workflows.TickInput
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.StartHandoverInput) (uint, error) { return 0, nil }, workflows.ActivityStartHandover)
	reg(func(ctx context.Context, in workflows.IncomingInput) error { return nil }, workflows.ActivityRecordIncoming)
	reg(func(ctx context.Context, in workflows.TickInput) error { ticks = append(ticks, in); return nil }, workflows.ActivityTickHandoverItem)
	reg(func(ctx context.Context, id uint) error { return nil }, workflows.ActivityCompleteHandover)
	reg(func(ctx context.Context, in workflows.MoveWorkInput) ([]workflows.MovedWork, error) { return nil, nil }, workflows.ActivityMoveAccountWork)
	reg(func(ctx context.Context, n workflows.Notification) error { return nil }, workflows.ActivityNotify)
	reg(func(ctx context.Context, ka uint) ([]string, error) { return nil, nil }, workflows.ActivityRunningWorkshops)
	// The handover's record takes two hours to save; a tick comes after one.
	env.OnActivity(workflows.ActivityStartHandover, mock.Anything, mock.Anything).Return(uint(7), nil).After(2 * time.Hour)

	lead := workflows.Actor{Email: "lead@example.com", Roles: []string{"lead"}}
	outgoing := workflows.Actor{Email: "old@example.com", Roles: []string{"kam"}}
	var early workflows.HandoverState
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateTickItem, "early", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { t.Errorf("early tick rejected: %v", err) },
			OnComplete: func(v any, err error) {
				if err != nil {
					t.Errorf("early tick: %v", err)
				}
				early, _ = v.(workflows.HandoverState)
			},
		}, workflows.TickRequest{Actor: outgoing, Item: workflows.ItemKnowledgeTransfer, Note: "account memo handed over"})
	}, time.Hour)
	n := 0
	upd := func(at time.Duration, name string, arg any) {
		env.RegisterDelayedCallback(func() {
			n++
			env.UpdateWorkflow(name, "t"+string(rune('a'+n)), &testsuite.TestUpdateCallback{
				OnAccept:   func() {},
				OnReject:   func(err error) { t.Errorf("%s %+v rejected: %v", name, arg, err) },
				OnComplete: func(any, error) {},
			}, arg)
		}, at)
	}
	upd(day, workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: lead, EmployeeID: 9, Email: "new@example.com"})
	for i, item := range []string{workflows.ItemActionsMoved, workflows.ItemRelationshipsMoved, workflows.ItemIntroMeeting, workflows.ItemCustomerInformed} {
		upd(2*day+time.Duration(i)*time.Hour, workflows.UpdateTickItem, workflows.TickRequest{Actor: lead, Item: item, Note: "done"})
	}
	env.ExecuteWorkflow(workflows.HandoverWorkflowName, workflows.HandoverInput{
		KeyAccountID: 3, CustomerName: "Südwerk GmbH", Reason: workflows.ReasonRoleChange, OutgoingEmployeeID: 5, OutgoingEmail: outgoing.Email,
		OutgoingAvailable: true, CoveringEmployeeID: 6, CoveringEmail: "deputy@example.com", LeadEmail: lead.Email, StartedBy: lead.Email,
	})
	var st workflows.HandoverState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != "completed" || len(ticks) != 5 {
		t.Fatalf("state = %s with %d ticks saved", st.Status, len(ticks))
	}
	first := ticks[0]
	if first.Item != workflows.ItemKnowledgeTransfer || first.HandoverID != 7 || first.By != outgoing.Email || first.Note != "account memo handed over" {
		t.Errorf("early tick saved as %+v, want knowledge transfer by %s under handover 7", first, outgoing.Email)
	}
	if early.HandoverID != 7 || !early.Items[0].Done {
		t.Errorf("early tick answered %+v, want the ticked state of handover 7", early)
	}
	for _, tk := range ticks {
		if tk.HandoverID != 7 {
			t.Errorf("tick %s saved under handover %d, want 7", tk.Item, tk.HandoverID)
		}
	}
}

// TestHandoverTellsTheAccountsWorkshops: the handover tells the account's
// running workshops who answers for it — the cover right after the start is
// recorded, the incoming KAM once the account is hers — and a workshop that
// is gone (closed meanwhile, or never there) does not stop the handover.
func TestHandoverTellsTheAccountsWorkshops(t *testing.T) {
	env := quietEnv(time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC))
	env.RegisterWorkflowWithOptions(workflows.Handover, workflow.RegisterOptions{Name: workflows.HandoverWorkflowName})
	var steps []string
	step := func(s string) { steps = append(steps, s+"@"+env.Now().Format("01-02")) }
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in workflows.StartHandoverInput) (uint, error) { step("start"); return 5, nil }, workflows.ActivityStartHandover)
	reg(func(ctx context.Context, in workflows.IncomingInput) error { return nil }, workflows.ActivityRecordIncoming)
	reg(func(ctx context.Context, in workflows.TickInput) error { return nil }, workflows.ActivityTickHandoverItem)
	reg(func(ctx context.Context, id uint) error { step("complete"); return nil }, workflows.ActivityCompleteHandover)
	reg(func(ctx context.Context, in workflows.MoveWorkInput) ([]workflows.MovedWork, error) { return nil, nil }, workflows.ActivityMoveAccountWork)
	reg(func(ctx context.Context, n workflows.Notification) error { return nil }, workflows.ActivityNotify)
	reg(func(ctx context.Context, ka uint) ([]string, error) {
		if ka != 4 {
			t.Errorf("running workshops asked for key account %d, want 4", ka)
		}
		step("lookup")
		return []string{"workshop-4-2025", "workshop-4-2026"}, nil
	}, workflows.ActivityRunningWorkshops)
	// Last year's workshop closed after the lookup; this year's runs.
	env.OnSignalExternalWorkflow("default-test-namespace", "workshop-4-2025", "", workflows.SignalResponsibleChanged, mock.Anything).
		Return(&temporal.UnknownExternalWorkflowExecutionError{})
	var told []string
	env.OnSignalExternalWorkflow("default-test-namespace", "workshop-4-2026", "", workflows.SignalResponsibleChanged, mock.Anything).
		Return(func(namespace, workflowID, runID, signalName string, arg any) error {
			told = append(told, arg.(workflows.ResponsibleChanged).Email)
			return nil
		})

	lead := workflows.Actor{Email: "lead@example.com", Roles: []string{"lead"}}
	n := 0
	upd := func(at time.Duration, name string, arg any) {
		env.RegisterDelayedCallback(func() {
			n++
			env.UpdateWorkflow(name, "w"+string(rune('a'+n)), &testsuite.TestUpdateCallback{
				OnAccept:   func() {},
				OnReject:   func(err error) { t.Errorf("%s %+v rejected: %v", name, arg, err) },
				OnComplete: func(any, error) {},
			}, arg)
		}, at)
	}
	upd(day, workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: lead, EmployeeID: 9, Email: "New@example.com"})
	for i, item := range workflows.HandoverItems() {
		upd(2*day+time.Duration(i)*time.Hour, workflows.UpdateTickItem, workflows.TickRequest{Actor: lead, Item: item, Note: "done"})
	}
	env.ExecuteWorkflow(workflows.HandoverWorkflowName, workflows.HandoverInput{
		KeyAccountID: 4, CustomerName: "Seetal AG", Reason: workflows.ReasonRoleChange, OutgoingEmployeeID: 5, OutgoingEmail: "old@example.com",
		OutgoingAvailable: true, CoveringEmployeeID: 6, CoveringEmail: "deputy@example.com", LeadEmail: lead.Email, StartedBy: lead.Email,
	})
	var st workflows.HandoverState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != "completed" || st.Responsible != 9 {
		t.Fatalf("state = %s, responsible %d", st.Status, st.Responsible)
	}
	// Each lookup comes after the store made the person responsible.
	if got := strings.Join(steps, " "); got != "start@08-03 lookup@08-03 complete@08-05 lookup@08-05" {
		t.Errorf("steps = %s", got)
	}
	if got := strings.Join(told, " "); got != "deputy@example.com new@example.com" {
		t.Errorf("this year's workshop was told %q, want the cover, then the incoming KAM", got)
	}
	env.AssertExpectations(t)
}

// TestHandoverSteeredByTheCommittee: the steering committee chooses the
// incoming KAM and ticks items as a lead does; a handover begun before
// that change (its version says so) still refuses the committee.
func TestHandoverSteeredByTheCommittee(t *testing.T) {
	committee := workflows.Actor{Email: "board@example.com", Roles: []string{"committee"}}
	for _, tc := range []struct {
		name     string
		old      bool
		wantType string
	}{{"now", false, ""}, {"begun before", true, workflows.ErrTypeForbidden}} {
		t.Run(tc.name, func(t *testing.T) {
			env := quietEnv(time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC))
			env.RegisterWorkflowWithOptions(workflows.Handover, workflow.RegisterOptions{Name: workflows.HandoverWorkflowName})
			reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
			reg(func(ctx context.Context, in workflows.StartHandoverInput) (uint, error) { return 8, nil }, workflows.ActivityStartHandover)
			reg(func(ctx context.Context, in workflows.IncomingInput) error { return nil }, workflows.ActivityRecordIncoming)
			reg(func(ctx context.Context, in workflows.TickInput) error { return nil }, workflows.ActivityTickHandoverItem)
			reg(func(ctx context.Context, id uint) error { return nil }, workflows.ActivityCompleteHandover)
			reg(func(ctx context.Context, in workflows.MoveWorkInput) ([]workflows.MovedWork, error) { return nil, nil }, workflows.ActivityMoveAccountWork)
			reg(func(ctx context.Context, ka uint) ([]string, error) { return nil, nil }, workflows.ActivityRunningWorkshops)
			reg(func(ctx context.Context, n workflows.Notification) error { return nil }, workflows.ActivityNotify)
			if tc.old {
				env.OnGetVersion("handover-committee-acts", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			steps := []struct {
				name string
				arg  any
			}{{workflows.UpdateChooseIncoming, workflows.ChooseIncomingRequest{Actor: committee, EmployeeID: 9, Email: "new@example.com"}}}
			for _, item := range workflows.HandoverItems() {
				steps = append(steps, struct {
					name string
					arg  any
				}{workflows.UpdateTickItem, workflows.TickRequest{Actor: committee, Item: item, Note: "done"}})
			}
			for i, st := range steps {
				env.RegisterDelayedCallback(func() {
					env.UpdateWorkflow(st.name, "c"+string(rune('a'+i)), &testsuite.TestUpdateCallback{
						OnAccept: func() {
							if tc.wantType != "" {
								t.Errorf("%s by the committee accepted, want %s", st.name, tc.wantType)
							}
						},
						OnReject: func(err error) {
							typ, _, _, _ := workflows.RejectionOf(err)
							if typ != tc.wantType || tc.wantType == "" {
								t.Errorf("%s by the committee rejected: %v, want %q", st.name, err, tc.wantType)
							}
						},
						OnComplete: func(any, error) {},
					}, st.arg)
				}, time.Hour+time.Duration(i)*time.Hour)
			}
			if tc.old {
				// Nobody else steps in: the handover stays open; end the test after a day.
				env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 2*day)
			}
			env.ExecuteWorkflow(workflows.HandoverWorkflowName, workflows.HandoverInput{
				KeyAccountID: 4, CustomerName: "Ostsee Logistik", Reason: workflows.ReasonRoleChange, OutgoingEmployeeID: 5, OutgoingEmail: "old@example.com",
				OutgoingAvailable: true, CoveringEmployeeID: 6, CoveringEmail: "deputy@example.com", LeadEmail: "lead@example.com", StartedBy: committee.Email,
			})
			if tc.old {
				return
			}
			var st workflows.HandoverState
			if err := env.GetWorkflowResult(&st); err != nil {
				t.Fatal(err)
			}
			if st.Status != "completed" || st.Responsible != 9 {
				t.Errorf("state = %s, responsible %d; want completed by the committee's steps", st.Status, st.Responsible)
			}
		})
	}
}
