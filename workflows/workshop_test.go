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

type accountHarness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	start   time.Time
	notices []notice
	updates []workflows.WorkshopUpdateInput
	people  []workflows.WorkshopParticipantsInput
	saved   []workflows.SaveActionsInput
	done    []uint
	plan    []workflows.PlanStatusInput
	told    []workflows.PlanApprovedInput
	n       int
}

func newAccountHarness(t *testing.T, start time.Time) *accountHarness {
	h := &accountHarness{t: t, env: quietEnv(start), start: start}
	h.env.RegisterWorkflowWithOptions(workflows.Workshop, workflow.RegisterOptions{Name: workflows.WorkshopWorkflowName})
	h.env.RegisterWorkflowWithOptions(workflows.AccountPlan, workflow.RegisterOptions{Name: workflows.PlanWorkflowName})
	reg := func(fn any, name string) { h.env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, n workflows.Notification) error {
		h.notices = append(h.notices, notice{at: h.env.Now(), n: n})
		return nil
	}, workflows.ActivityNotify)
	reg(func(ctx context.Context, in workflows.PrepareWorkshopInput) (workflows.WorkshopPrepared, error) {
		return workflows.WorkshopPrepared{WorkshopID: 4, Ours: []string{"kam@example.com", "ceo@example.com"}, Agenda: workflows.WorkshopAgenda("Alpenbau AG"), LeadEmail: "lead@example.com"}, nil
	}, workflows.ActivityPrepareWorkshop)
	reg(func(ctx context.Context, in workflows.WorkshopUpdateInput) error {
		h.updates = append(h.updates, in)
		return nil
	}, workflows.ActivityUpdateWorkshop)
	reg(func(ctx context.Context, in workflows.WorkshopParticipantsInput) error {
		h.people = append(h.people, in)
		return nil
	}, workflows.ActivitySetWorkshopParticipants)
	reg(func(ctx context.Context, in workflows.SaveActionsInput) ([]uint, error) {
		h.saved = append(h.saved, in)
		ids := make([]uint, len(in.Actions))
		for i := range ids {
			ids[i] = uint(100 + i)
		}
		return ids, nil
	}, workflows.ActivitySaveActions)
	reg(func(ctx context.Context, in workflows.CompleteActionInput) error {
		h.done = append(h.done, in.ActionID)
		return nil
	}, workflows.ActivityCompleteAction)
	reg(func(ctx context.Context, in workflows.PlanStatusInput) error { h.plan = append(h.plan, in); return nil }, workflows.ActivitySetPlanStatus)
	reg(func(ctx context.Context, in workflows.PlanApprovedInput) error {
		h.told = append(h.told, in)
		return nil
	}, workflows.ActivityReportPlanApproved)
	return h
}

func (h *accountHarness) update(at time.Time, name string, arg any, wantType, wantField string) {
	h.env.RegisterDelayedCallback(func() {
		h.n++
		expectUpdate(h.t, h.env, "w"+string(rune('a'+h.n)), name, arg, wantType, wantField)
	}, at.Sub(h.start))
}

func (h *accountHarness) sent() string {
	var out []string
	for _, x := range h.notices {
		out = append(out, x.n.IdempotencyKey[strings.Index(x.n.IdempotencyKey, "/")+1:]+"@"+x.at.Format("01-02"))
	}
	return strings.Join(out, " ")
}

// TestWorkshopFromPlanningToClosedActions: dates asked for weekly until
// proposed, invitation, reminders, minutes due within five working days with
// escalation, then actions reminded until done.
func TestWorkshopFromPlanningToClosedActions(t *testing.T) {
	wStart := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // a Monday
	h := newAccountHarness(t, wStart)
	kam := workflows.Actor{Email: "kam@example.com", Roles: []string{"kam"}}
	other := workflows.Actor{Email: "other@example.com", Roles: []string{"kam"}}
	held := time.Date(2026, 5, 13, 9, 0, 0, 0, time.UTC) // Wednesday, ~10 weeks ahead
	h.update(wStart.Add(9*day), workflows.UpdateProposeDates, workflows.ProposeDatesRequest{Actor: other, StartsAt: held, Place: "Zürich"}, workflows.ErrTypeForbidden, "")
	h.update(wStart.Add(9*day+time.Hour), workflows.UpdateProposeDates, workflows.ProposeDatesRequest{Actor: kam, StartsAt: wStart, Place: "Zürich"}, workflows.ErrTypeInvalid, "starts_at")
	h.update(wStart.Add(10*day), workflows.UpdateRecordMinutes, workflows.MinutesRequest{Actor: kam, Minutes: "x"}, workflows.ErrTypeConflict, "")
	h.update(wStart.Add(10*day+time.Hour), workflows.UpdateProposeDates, workflows.ProposeDatesRequest{Actor: kam, StartsAt: held, Place: "Zürich"}, "", "")
	// Minutes due 5 working days after the end (Thursday 13:00): the next Thursday.
	minutesAt := held.Add(12 * day) // late: after the escalation
	due := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	h.update(minutesAt, workflows.UpdateRecordMinutes, workflows.MinutesRequest{Actor: kam, Minutes: "They face new regulation.", Actions: []workflows.ActionInput{{Title: "x", OwnerEmail: "kam@example.com", Due: held}}}, workflows.ErrTypeInvalid, "actions[0].due")
	h.update(minutesAt.Add(time.Hour), workflows.UpdateRecordMinutes, workflows.MinutesRequest{Actor: kam, Minutes: "They face new regulation.", Actions: []workflows.ActionInput{
		{Title: "Regulation briefing", OwnerEmail: "expert@example.com", Due: due},
		{Title: "Joint pilot proposal", OwnerEmail: "kam@example.com", Due: due.Add(7 * day)},
	}}, "", "")
	h.update(due.Add(-day-time.Hour), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: kam, ActionID: 999}, workflows.ErrTypeNotFound, "action_id")
	h.update(due.Add(-day), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: other, ActionID: 100}, workflows.ErrTypeForbidden, "")
	h.update(due.Add(-day+time.Hour), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: workflows.Actor{Email: "expert@example.com"}, ActionID: 100}, "", "")
	h.update(due.Add(8*day), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: kam, ActionID: 101}, "", "")
	h.env.ExecuteWorkflow(workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: 1, CustomerName: "Alpenbau AG", KAMEmail: kam.Email})

	var st workflows.WorkshopState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != workflows.WorkshopClosed || st.EndsAt.Sub(*st.StartsAt) != 28*time.Hour {
		t.Fatalf("state = %s, %s to %s", st.Status, st.StartsAt, st.EndsAt)
	}
	if md := st.MinutesDue.Format("2006-01-02 Mon"); md != "2026-05-21 Thu" {
		t.Errorf("minutes due = %s, want five working days after the end", md)
	}
	want := "propose-0@03-02 propose-1@03-09 invitation-20260513@03-12 reminder-14d-20260513@04-29 reminder-2d-20260513@05-11 minutes-due@05-21 minutes-escalation-0@05-23 action-100/before@06-12 action-101/before@06-19 action-101/overdue-0@06-22"
	if got := h.sent(); got != want {
		t.Errorf("notices = %s\nwant      %s", got, want)
	}
	if !strings.Contains(st.Agenda, "How can we best support them?") || !strings.Contains(st.Agenda, "not a sales presentation") {
		t.Errorf("agenda = %q", st.Agenda)
	}
	if len(h.saved) != 1 || len(h.done) != 2 {
		t.Errorf("saved %+v done %v", h.saved, h.done)
	}
}

// TestWorkshopDateOptionsAndParticipants: the KAM proposes up to three
// dates, is reminded weekly to confirm the customer's choice, confirms one
// (the invitation goes out), and changes who takes part on both sides; our
// person who joins after the invitation is invited herself. Bad dates and
// a workshop without any of our people are refused at their field.
func TestWorkshopDateOptionsAndParticipants(t *testing.T) {
	wStart := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // a Monday
	h := newAccountHarness(t, wStart)
	kam := workflows.Actor{Email: "kam@example.com", Roles: []string{"kam"}}
	deputy := workflows.Actor{Email: "deputy@example.com", Roles: []string{"kam"}}
	first := time.Date(2026, 5, 13, 9, 0, 0, 0, time.UTC)
	second, third := first.Add(7*day), first.Add(14*day)
	us := workflows.WorkshopPerson{Side: workflows.SideOurs, PersonID: 1, Name: "Kim KAM", Email: "kam@example.com"}
	ceo := workflows.WorkshopPerson{Side: workflows.SideOurs, PersonID: 2, Name: "Chris CEO", Email: "ceo@example.com"}
	expert := workflows.WorkshopPerson{Side: workflows.SideOurs, PersonID: 3, Name: "Eva Expert", Email: "expert@example.com"}
	theirCEO := workflows.WorkshopPerson{Side: workflows.SideTheirs, PersonID: 7, Name: "Their CEO"}
	theirCFO := workflows.WorkshopPerson{Side: workflows.SideTheirs, PersonID: 8, Name: "Their CFO"}
	dates := func(who workflows.Actor, start time.Time, alts ...time.Time) workflows.ProposeDatesRequest {
		return workflows.ProposeDatesRequest{Actor: who, StartsAt: start, Alternatives: alts, Place: "Zürich"}
	}
	people := func(who workflows.Actor, p ...workflows.WorkshopPerson) workflows.ParticipantsRequest {
		return workflows.ParticipantsRequest{Actor: who, Participants: p}
	}
	at := wStart.Add(day)
	step := func(name string, arg any, wantType, wantField string) {
		h.update(at, name, arg, wantType, wantField)
		at = at.Add(time.Hour)
	}
	step(workflows.UpdateProposeDates, dates(kam, first, second, third, third.Add(day)), workflows.ErrTypeInvalid, "alternatives")
	step(workflows.UpdateProposeDates, dates(kam, first, wStart), workflows.ErrTypeInvalid, "alternatives[0]")
	step(workflows.UpdateProposeDates, dates(kam, first, second, second), workflows.ErrTypeInvalid, "alternatives[1]")
	step(workflows.UpdateProposeDates, dates(deputy, first, second), workflows.ErrTypeForbidden, "")
	step(workflows.UpdateSetParticipants, people(kam, theirCEO), workflows.ErrTypeInvalid, "participants.ours")
	step(workflows.UpdateSetParticipants, people(kam, us, theirCEO, theirCEO), workflows.ErrTypeInvalid, "participants[2].id")
	step(workflows.UpdateSetParticipants, people(deputy, us), workflows.ErrTypeForbidden, "")
	step(workflows.UpdateProposeDates, dates(kam, first, second, third), "", "")
	step(workflows.UpdateSetParticipants, people(kam, us, theirCEO, theirCFO), "", "")
	// Two weeks later the customer has chosen the second date.
	at = wStart.Add(16 * day)
	step(workflows.UpdateProposeDates, dates(kam, second), "", "")
	step(workflows.UpdateProposeDates, dates(kam, second, third), workflows.ErrTypeInvalid, "alternatives")
	step(workflows.UpdateSetParticipants, people(kam, us, expert, theirCFO), "", "")
	at = second.Add(2 * day)
	step(workflows.UpdateSetParticipants, people(kam, us, ceo, theirCFO), workflows.ErrTypeConflict, "")
	step(workflows.UpdateRecordMinutes, workflows.MinutesRequest{Actor: kam, Minutes: "Agreed.", Actions: []workflows.ActionInput{{Title: "Briefing", OwnerEmail: "expert@example.com", Due: second.Add(10 * day)}}}, "", "")
	h.update(second.Add(9*day), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: kam, ActionID: 100}, "", "")
	h.env.ExecuteWorkflow(workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: 1, CustomerName: "Alpenbau AG", KAMEmail: kam.Email})

	var st workflows.WorkshopState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != workflows.WorkshopClosed || !st.StartsAt.Equal(second) || len(st.DateOptions) != 0 {
		t.Fatalf("state = %s from %v with options %v, want closed on the confirmed date", st.Status, st.StartsAt, st.DateOptions)
	}
	if len(st.Participants) != 3 || st.Participants[1].Name != "Eva Expert" || len(st.Ours) != 2 || st.Ours[1] != "expert@example.com" {
		t.Errorf("participants = %+v, ours %v", st.Participants, st.Ours)
	}
	if len(h.people) != 2 || len(h.people[1].Participants) != 3 || h.people[1].WorkshopID != 4 {
		t.Errorf("participants written = %+v", h.people)
	}
	var proposed *workflows.WorkshopUpdateInput
	for i := range h.updates {
		if h.updates[i].Status == workflows.WorkshopProposed {
			proposed = &h.updates[i]
		}
	}
	if proposed == nil || len(proposed.DateOptions) != 3 || !proposed.DateOptions[2].Equal(third) || proposed.Place != "Zürich" {
		t.Errorf("proposed dates written = %+v", proposed)
	}
	// Options, a weekly reminder to confirm, the invitation to those taking
	// part then, and one for the expert who joined after it.
	want := "propose-0@03-02 date-options-20260513T0900-20260520T0900-20260527T0900@03-03 confirm-20260303T1400-0@03-10 confirm-20260303T1400-1@03-17 " +
		"invitation-20260520@03-18 invitation-20260520-expert@example.com@03-18 reminder-14d-20260520@05-06 reminder-2d-20260520@05-18"
	if got := h.sent(); !strings.HasPrefix(got, want) {
		t.Errorf("notices = %s\nwant from %s", got, want)
	}
	for _, n := range h.notices {
		if strings.HasSuffix(n.n.IdempotencyKey, "/invitation-20260520") && strings.Join(n.n.Recipients, " ") != "kam@example.com" {
			t.Errorf("the invitation went to %v, want only those taking part then", n.n.Recipients)
		}
	}
}

func TestAccountPlanApprovalReachesTheProgrammeAndTracksActions(t *testing.T) {
	pStart := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	h := newAccountHarness(t, pStart)
	in := workflows.PlanInput{KeyAccountID: 1, PlanID: 2, Version: 1, ProgrammeID: 7, CustomerID: 11, CustomerName: "Alpenbau", KAMEmail: "kam@example.com",
		LeadEmail: lead.Email, CommitteeEmails: []string{committee.Email},
		Actions: []workflows.ActionInput{{Title: "Map decision makers", OwnerEmail: "kam@example.com", Due: pStart.Add(30 * day)}}}
	h.update(pStart.Add(day), workflows.UpdateApproveAccountPlan, workflows.PlanDecision{Actor: kam}, workflows.ErrTypeForbidden, "")
	h.update(pStart.Add(day+time.Hour), workflows.UpdateRejectAccountPlan, workflows.PlanDecision{Actor: committee}, workflows.ErrTypeInvalid, "comment")
	h.update(pStart.Add(day+2*time.Hour), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: kam, ActionID: 100}, workflows.ErrTypeConflict, "")
	h.update(pStart.Add(2*day), workflows.UpdateApproveAccountPlan, workflows.PlanDecision{Actor: committee, Comment: "good"}, "", "")
	h.update(pStart.Add(3*day), workflows.UpdateApproveAccountPlan, workflows.PlanDecision{Actor: lead}, workflows.ErrTypeConflict, "")
	h.update(pStart.Add(35*day), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: workflows.Actor{Email: "kam@example.com"}, ActionID: 100}, "", "")
	h.env.ExecuteWorkflow(workflows.PlanWorkflowName, in)
	var st workflows.PlanState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != "done" || st.DecidedBy != committee.Email {
		t.Fatalf("state = %+v", st)
	}
	if len(h.told) != 1 || h.told[0].CustomerID != 11 || len(h.plan) != 1 || h.plan[0].To != "approved" {
		t.Errorf("told %+v, plan %+v", h.told, h.plan)
	}
	want := "submitted@09-01 approved@09-03 action-100/before@09-28 action-100/overdue-0@10-01"
	if got := h.sent(); got != want {
		t.Errorf("notices = %s\nwant      %s", got, want)
	}
}

// scheduledWorkshop runs a workshop as its Schedule starts it (key account
// only) with prep as the preparation's answer, for a week.
func scheduledWorkshop(t *testing.T, prep workflows.WorkshopPrepared) (workflows.WorkshopState, []workflows.Notification) {
	t.Helper()
	start := time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)
	env := quietEnv(start)
	env.RegisterWorkflowWithOptions(workflows.Workshop, workflow.RegisterOptions{Name: workflows.WorkshopWorkflowName})
	var sent []workflows.Notification
	env.RegisterActivityWithOptions(func(ctx context.Context, n workflows.Notification) error { sent = append(sent, n); return nil }, activity.RegisterOptions{Name: workflows.ActivityNotify})
	env.RegisterActivityWithOptions(func(ctx context.Context, in workflows.PrepareWorkshopInput) (workflows.WorkshopPrepared, error) {
		if in.Year != 2026 || in.KeyAccountID != 1 {
			t.Errorf("prepare input = %+v", in)
		}
		return prep, nil
	}, activity.RegisterOptions{Name: workflows.ActivityPrepareWorkshop})
	env.RegisterActivityWithOptions(func(ctx context.Context, in workflows.WorkshopUpdateInput) error { return nil }, activity.RegisterOptions{Name: workflows.ActivityUpdateWorkshop})
	env.RegisterDelayedCallback(func() {
		if _, err := env.QueryWorkflow(workflows.QueryWorkshopState); err == nil {
			env.CancelWorkflow()
		}
	}, 3*day)
	env.ExecuteWorkflow(workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: 1})
	var st workflows.WorkshopState
	if err := env.GetWorkflowResult(&st); err != nil && !temporal.IsCanceledError(err) {
		t.Fatal(err)
	}
	if v, err := env.QueryWorkflow(workflows.QueryWorkshopState); err == nil {
		_ = v.Get(&st)
	}
	return st, sent
}

// TestScheduledWorkshopNamesTheCustomer: a Schedule's start carries only the
// key account; the notices name the customer from preparation.
func TestScheduledWorkshopNamesTheCustomer(t *testing.T) {
	st, sent := scheduledWorkshop(t, workflows.WorkshopPrepared{WorkshopID: 4, Ours: []string{"kam@example.com"}, Agenda: workflows.WorkshopAgenda("Alpenbau AG"),
		KAMEmail: "kam@example.com", LeadEmail: "lead@example.com", CustomerName: "Alpenbau AG"})
	if st.Status != workflows.WorkshopPlanning || st.CustomerName != "Alpenbau AG" {
		t.Errorf("state = %s for %q", st.Status, st.CustomerName)
	}
	if len(sent) == 0 || sent[0].Subject != "Plan the annual workshop with Alpenbau AG" || !strings.Contains(sent[0].Body, "workshop with Alpenbau AG") {
		t.Fatalf("first notice = %+v", sent)
	}
}

// TestSecondWorkshopOfTheYearEndsQuietly: when this year's workshop is
// another workflow's, the start ends at once without notices.
func TestSecondWorkshopOfTheYearEndsQuietly(t *testing.T) {
	st, sent := scheduledWorkshop(t, workflows.WorkshopPrepared{WorkshopID: 4, Duplicate: true, CustomerName: "Alpenbau AG", Ours: []string{}})
	if st.Status != workflows.WorkshopDuplicate || st.WorkshopID != 4 {
		t.Errorf("state = %+v, want a duplicate pointing at workshop 4", st)
	}
	if len(sent) != 0 {
		t.Errorf("a duplicate start sent %+v", sent)
	}
}

// recipients lists who got the notice whose key ends with kind.
func (h *accountHarness) recipients(kind string) string {
	for _, x := range h.notices {
		if strings.HasSuffix(x.n.IdempotencyKey, "/"+kind) {
			return strings.Join(x.n.Recipients, " ")
		}
	}
	return "(not sent)"
}

// signal sends a signal to the workflow at a moment.
func (h *accountHarness) signal(at time.Time, name string, arg any) {
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(name, arg) }, at.Sub(h.start))
}

// TestWorkshopFollowsTheResponsiblePerson: a handover's cover, then the
// incoming KAM, are signalled as responsible for the account; from each
// signal the reminders go to that person and the workshop accepts her
// planning and minutes, and no longer the KAM she replaced. A lead still
// plans; an action's owner still marks it done; a signal without an
// address changes nothing.
func TestWorkshopFollowsTheResponsiblePerson(t *testing.T) {
	wStart := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // a Monday
	h := newAccountHarness(t, wStart)
	old := workflows.Actor{Email: "kam@example.com", Roles: []string{"kam"}}
	cover := workflows.Actor{Email: "deputy@example.com", Roles: []string{"kam"}}
	incoming := workflows.Actor{Email: "new@example.com", Roles: []string{"kam"}}
	held := time.Date(2026, 5, 13, 9, 0, 0, 0, time.UTC)
	dates := func(who workflows.Actor) workflows.ProposeDatesRequest {
		return workflows.ProposeDatesRequest{Actor: who, StartsAt: held, Place: "Zürich"}
	}
	people := func(who workflows.Actor) workflows.ParticipantsRequest {
		return workflows.ParticipantsRequest{Actor: who, Participants: []workflows.WorkshopPerson{
			{Side: workflows.SideOurs, PersonID: 2, Name: "Chris CEO", Email: "ceo@example.com"}, {Side: workflows.SideTheirs, PersonID: 7, Name: "Their CEO"}}}
	}
	// Before any signal the KAM plans; the cover may not.
	h.update(wStart.Add(day), workflows.UpdateSetParticipants, people(cover), workflows.ErrTypeForbidden, "")
	// The handover starts: the cover answers for the account.
	h.signal(wStart.Add(2*day), workflows.SignalResponsibleChanged, workflows.ResponsibleChanged{Email: cover.Email})
	h.update(wStart.Add(2*day+time.Hour), workflows.UpdateProposeDates, dates(old), workflows.ErrTypeForbidden, "")
	h.update(wStart.Add(2*day+2*time.Hour), workflows.UpdateSetParticipants, people(cover), "", "")
	h.signal(wStart.Add(3*day), workflows.SignalResponsibleChanged, workflows.ResponsibleChanged{Email: "nobody"})
	h.update(wStart.Add(3*day+time.Hour), workflows.UpdateSetParticipants, people(cover), "", "")
	// The handover completes: the incoming KAM takes over.
	h.signal(wStart.Add(8*day), workflows.SignalResponsibleChanged, workflows.ResponsibleChanged{Email: " New@Example.com "})
	h.update(wStart.Add(8*day+time.Hour), workflows.UpdateProposeDates, dates(cover), workflows.ErrTypeForbidden, "")
	h.update(wStart.Add(8*day+2*time.Hour), workflows.UpdateProposeDates, dates(old), workflows.ErrTypeForbidden, "")
	h.update(wStart.Add(8*day+3*time.Hour), workflows.UpdateProposeDates, dates(incoming), "", "")
	h.update(wStart.Add(8*day+4*time.Hour), workflows.UpdateProposeDates, workflows.ProposeDatesRequest{Actor: lead, StartsAt: held, Place: "Basel"}, "", "")
	minutes := func(who workflows.Actor) workflows.MinutesRequest {
		return workflows.MinutesRequest{Actor: who, Minutes: "Agreed.", Actions: []workflows.ActionInput{{Title: "Briefing", OwnerEmail: "expert@example.com", Due: held.Add(30 * day)}}}
	}
	late := held.Add(12 * day) // after the minutes' due date and escalation
	h.update(late, workflows.UpdateRecordMinutes, minutes(old), workflows.ErrTypeForbidden, "")
	h.update(late.Add(time.Hour), workflows.UpdateRecordMinutes, minutes(cover), workflows.ErrTypeForbidden, "")
	h.update(late.Add(2*time.Hour), workflows.UpdateRecordMinutes, minutes(incoming), "", "")
	h.update(late.Add(3*time.Hour), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: old, ActionID: 100}, workflows.ErrTypeForbidden, "")
	h.update(late.Add(4*time.Hour), workflows.UpdateCompleteAction, workflows.CompleteActionRequest{Actor: workflows.Actor{Email: "expert@example.com"}, ActionID: 100}, "", "")
	h.env.ExecuteWorkflow(workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: 1, CustomerName: "Alpenbau AG", KAMEmail: old.Email})

	var st workflows.WorkshopState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != workflows.WorkshopClosed || st.KAMEmail != incoming.Email || st.Place != "Basel" {
		t.Fatalf("state = %s, responsible %q at %q; want closed, the incoming KAM, the lead's place", st.Status, st.KAMEmail, st.Place)
	}
	want := map[string]string{
		"propose-0":            old.Email,
		"propose-1":            cover.Email,
		"invitation-20260513":  "new@example.com ceo@example.com",
		"reminder-2d-20260513": "new@example.com ceo@example.com",
		"minutes-due":          incoming.Email,
		"minutes-escalation-0": "new@example.com lead@example.com",
	}
	for kind, to := range want {
		if got := h.recipients(kind); got != to {
			t.Errorf("%s went to %q, want %q", kind, got, to)
		}
	}
	if got := h.sent(); !strings.HasPrefix(got, "propose-0@03-02 propose-1@03-09 invitation-20260513@03-10") {
		t.Errorf("notices = %s", got)
	}
}

// TestWorkshopToldBeforeItsPreparationAnswers: the responsible person
// signalled while the preparation (which read the account earlier) is
// still running stays responsible; the preparation's KAM does not return.
func TestWorkshopToldBeforeItsPreparationAnswers(t *testing.T) {
	wStart := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	h := newAccountHarness(t, wStart)
	h.env.OnActivity(workflows.ActivityPrepareWorkshop, mock.Anything, mock.Anything).Return(workflows.WorkshopPrepared{WorkshopID: 4, Ours: []string{"ceo@example.com"},
		Agenda: workflows.WorkshopAgenda("Alpenbau AG"), KAMEmail: "kam@example.com", LeadEmail: "lead@example.com"}, nil).After(time.Hour)
	h.signal(wStart.Add(30*time.Minute), workflows.SignalResponsibleChanged, workflows.ResponsibleChanged{Email: "deputy@example.com"})
	h.update(wStart.Add(2*time.Hour), workflows.UpdateProposeDates, workflows.ProposeDatesRequest{Actor: kam, StartsAt: wStart.Add(70 * day), Place: "Zürich"}, workflows.ErrTypeForbidden, "")
	h.env.RegisterDelayedCallback(func() { h.env.CancelWorkflow() }, 3*day)
	h.env.ExecuteWorkflow(workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: 1, CustomerName: "Alpenbau AG"})
	if err := h.env.GetWorkflowError(); err != nil && !temporal.IsCanceledError(err) {
		t.Fatal(err)
	}
	if got := h.recipients("propose-0"); got != "deputy@example.com" {
		t.Errorf("the first reminder went to %q, want the person signalled", got)
	}
}

// TestWorkshopUpdatesBeforeItsPreparationWait: dates or participants sent
// while the workshop is still being prepared are rejected as not ready,
// whoever sends them (the web sends them again a moment later), not
// refused as if the KAM were someone else; once prepared, the KAM's pass.
func TestWorkshopUpdatesBeforeItsPreparationWait(t *testing.T) {
	wStart := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	h := newAccountHarness(t, wStart)
	kam := workflows.Actor{Email: "kam@example.com", Roles: []string{"kam"}}
	lead := workflows.Actor{Email: "lead@example.com", Roles: []string{"lead"}}
	h.env.OnActivity(workflows.ActivityPrepareWorkshop, mock.Anything, mock.Anything).Return(workflows.WorkshopPrepared{WorkshopID: 4, Ours: []string{"ceo@example.com"},
		Agenda: workflows.WorkshopAgenda("Alpenbau AG"), KAMEmail: "kam@example.com", LeadEmail: "lead@example.com"}, nil).After(time.Hour)
	dates := workflows.ProposeDatesRequest{Actor: kam, StartsAt: wStart.Add(70 * day), Place: "Zürich"}
	h.update(wStart.Add(10*time.Minute), workflows.UpdateProposeDates, dates, workflows.ErrTypeNotReady, "")
	h.update(wStart.Add(20*time.Minute), workflows.UpdateSetParticipants, workflows.ParticipantsRequest{Actor: lead}, workflows.ErrTypeNotReady, "")
	h.update(wStart.Add(2*time.Hour), workflows.UpdateProposeDates, dates, "", "")
	h.env.RegisterDelayedCallback(func() { h.env.CancelWorkflow() }, 3*day)
	h.env.ExecuteWorkflow(workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: 1, CustomerName: "Alpenbau AG"})
	if err := h.env.GetWorkflowError(); err != nil && !temporal.IsCanceledError(err) {
		t.Fatal(err)
	}
	if len(h.updates) == 0 || h.updates[len(h.updates)-1].Place != "Zürich" {
		t.Errorf("the KAM's dates after preparation were not saved: %+v", h.updates)
	}
}
