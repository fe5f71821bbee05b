package workflows

import (
	"fmt"
	"strconv"
	"strings"

	"go.temporal.io/sdk/workflow"
)

// Names shared with the web and worker for an account plan's approval.
const (
	PlanWorkflowName = "AccountPlan"
	QueryPlanState   = "state"

	UpdateApproveAccountPlan = "approve"
	UpdateRejectAccountPlan  = "reject"

	ActivitySetPlanStatus      = "SetPlanStatus"
	ActivityReportPlanApproved = "ReportPlanApproved"
)

const planWorkflowIDPrefix = "plan-"

// PlanWorkflowID names the approval of one plan version.
func PlanWorkflowID(keyAccountID uint, version int) string {
	return planWorkflowIDPrefix + strconv.FormatUint(uint64(keyAccountID), 10) + "-v" + strconv.Itoa(version)
}

// PlanInput starts the approval of a submitted plan.
type PlanInput struct {
	KeyAccountID    uint          `json:"key_account_id"`
	PlanID          uint          `json:"plan_id"`
	Version         int           `json:"version"`
	ProgrammeID     uint          `json:"programme_id"`
	CustomerID      uint          `json:"customer_id"`
	CustomerName    string        `json:"customer_name"`
	KAMEmail        string        `json:"kam_email"`
	LeadEmail       string        `json:"lead_email"`
	CommitteeEmails []string      `json:"committee_emails"`
	Actions         []ActionInput `json:"actions"`
}

// PlanDecision approves or rejects a plan.
type PlanDecision struct {
	Actor   Actor  `json:"actor"`
	Comment string `json:"comment"`
}

// PlanStatusInput moves the plan row.
type PlanStatusInput struct {
	PlanID  uint   `json:"plan_id"`
	From    string `json:"from"`
	To      string `json:"to"`
	By      string `json:"by"`
	Comment string `json:"comment"`
}

// PlanApprovedInput tells the programme a key account's plan is approved.
type PlanApprovedInput struct {
	ProgrammeID uint   `json:"programme_id"`
	CustomerID  uint   `json:"customer_id"`
	Actor       Actor  `json:"actor"`
	Comment     string `json:"comment"`
}

// PlanState is the live state of a plan's approval and actions.
type PlanState struct {
	PlanInput
	Status    string          `json:"status"` // submitted, approved, rejected, done
	DecidedBy string          `json:"decided_by,omitempty"`
	Tracked   []TrackedAction `json:"tracked"`
}

type plan struct {
	state   PlanState
	id      string
	version int
	// deciding is set from the first decision on, while it is being saved.
	deciding bool
}

// AccountPlan waits for the lead's or a committee member's decision on a
// KAM's submitted plan; an approved plan counts for the programme's
// account_plans phase and its actions are tracked until done.
func AccountPlan(ctx workflow.Context, in PlanInput) (PlanState, error) {
	p := &plan{id: workflow.GetInfo(ctx).WorkflowExecution.ID, state: PlanState{PlanInput: in, Status: "submitted"}}
	if in.PlanID == 0 || in.KeyAccountID == 0 {
		return p.state, invalid("plan_id", "plan and key account are required")
	}
	if err := workflow.SetQueryHandler(ctx, QueryPlanState, func() (PlanState, error) { return p.state, nil }); err != nil {
		return p.state, err
	}
	if err := registerUpdates(ctx, []updateHandler{
		{UpdateApproveAccountPlan, p.approve, p.validateApprove},
		{UpdateRejectAccountPlan, p.reject, p.validateReject},
		{UpdateCompleteAction, p.completeAction, p.validateCompleteAction},
	}); err != nil {
		return p.state, err
	}
	if err := followOwnerChanges(ctx, func(c OwnerChanged) { changeActionOwner(p.state.Tracked, c) }); err != nil {
		return p.state, err
	}
	approvers := append([]string{in.LeadEmail}, in.CommitteeEmails...)
	if err := p.notify(ctx, "submitted", approvers, "Account plan to approve: "+in.CustomerName,
		fmt.Sprintf("%s submitted version %d of the strategy and action plan for %s.", in.KAMEmail, in.Version, in.CustomerName),
		noticeText(NoticePlanSubmitted, in.CustomerName, in.KAMEmail, intText(in.Version))); err != nil {
		return p.state, err
	}
	for p.state.Status == "submitted" || p.state.Status == "approved" && !allActionsDone(p.state.Tracked) {
		seen := p.version
		changed := func() bool { return p.version != seen }
		now := workflow.Now(ctx)
		i, key, at, ok := nextActionNotice(p.state.Tracked, now)
		if p.state.Status == "submitted" || !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return p.state, err
			}
			continue
		}
		if at.After(now) {
			if _, err := workflow.AwaitWithTimeout(ctx, at.Sub(now), changed); err != nil {
				return p.state, err
			}
			continue
		}
		if err := notifyAction(ctx, p.id, PlanLink(p.state.KeyAccountID), &p.state.Tracked[i], key, []string{in.KAMEmail, in.LeadEmail}); err != nil {
			return p.state, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return p.state, err
	}
	if p.state.Status == "approved" {
		p.state.Status = "done"
	}
	return p.state, nil
}

func (p *plan) notify(ctx workflow.Context, kind string, to []string, subject, body string, text *NoticeText) error {
	var rcpt []string
	for _, e := range to {
		if e != "" {
			rcpt = append(rcpt, e)
		}
	}
	n := Notification{IdempotencyKey: p.id + "/" + kind, Recipients: rcpt, Subject: subject, Body: body, ProgrammeID: p.state.ProgrammeID,
		Link: PlanLink(p.state.KeyAccountID), Text: text}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

func (p *plan) isApprover(a Actor) bool {
	if a.has("lead") && strings.EqualFold(a.Email, p.state.LeadEmail) {
		return true
	}
	if a.has("committee") {
		for _, e := range p.state.CommitteeEmails {
			if strings.EqualFold(e, a.Email) {
				return true
			}
		}
	}
	return false
}

func (p *plan) validateDecision(d PlanDecision, commentRequired bool) error {
	if !p.isApprover(d.Actor) {
		return forbidden("only the programme lead or a committee member decides on account plans")
	}
	if p.deciding || p.state.Status != "submitted" {
		return conflict("the plan is decided already")
	}
	if commentRequired && strings.TrimSpace(d.Comment) == "" {
		return invalid("comment", "say what the KAM should rework")
	}
	return nil
}

func (p *plan) validateApprove(d PlanDecision) error { return p.validateDecision(d, false) }
func (p *plan) validateReject(d PlanDecision) error  { return p.validateDecision(d, true) }

func (p *plan) setStatus(ctx workflow.Context, to string, d PlanDecision) error {
	in := PlanStatusInput{PlanID: p.state.PlanID, From: "submitted", To: to, By: d.Actor.Email, Comment: strings.TrimSpace(d.Comment)}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySetPlanStatus, in).Get(ctx, nil)
}

func (p *plan) approve(ctx workflow.Context, d PlanDecision) (PlanState, error) {
	// The status changes once the actions are saved, so the workflow never
	// sees an approved plan without its actions.
	p.deciding = true
	if err := p.setStatus(ctx, "approved", d); err != nil {
		return p.state, err
	}
	tracked, err := saveActions(ctx, SaveActionsInput{KeyAccountID: p.state.KeyAccountID, Source: "plan", SourceID: p.state.PlanID, KeyPrefix: p.id, Actions: p.state.Actions})
	if err != nil {
		return p.state, err
	}
	p.state.Tracked, p.state.Status, p.state.DecidedBy = tracked, "approved", d.Actor.Email
	p.version++
	rin := PlanApprovedInput{ProgrammeID: p.state.ProgrammeID, CustomerID: p.state.CustomerID, Actor: d.Actor, Comment: d.Comment}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityReportPlanApproved, rin).Get(ctx, nil); err != nil {
		return p.state, fmt.Errorf("report approval: %w", err)
	}
	return p.state, p.notify(ctx, "approved", []string{p.state.KAMEmail}, "Account plan approved: "+p.state.CustomerName,
		fmt.Sprintf("%s approved your plan for %s. %s", d.Actor.Email, p.state.CustomerName, strings.TrimSpace(d.Comment)),
		noticeText(NoticePlanApproved, p.state.CustomerName, d.Actor.Email, strings.TrimSpace(d.Comment)))
}

func (p *plan) reject(ctx workflow.Context, d PlanDecision) (PlanState, error) {
	p.deciding = true
	if err := p.setStatus(ctx, "rejected", d); err != nil {
		return p.state, err
	}
	p.state.Status, p.state.DecidedBy = "rejected", d.Actor.Email
	p.version++
	return p.state, p.notify(ctx, "rejected", []string{p.state.KAMEmail}, "Account plan sent back: "+p.state.CustomerName,
		fmt.Sprintf("%s sent your plan for %s back: %s", d.Actor.Email, p.state.CustomerName, strings.TrimSpace(d.Comment)),
		noticeText(NoticePlanRejected, p.state.CustomerName, d.Actor.Email, strings.TrimSpace(d.Comment)))
}

func (p *plan) validateCompleteAction(r CompleteActionRequest) error {
	if p.state.Status != "approved" {
		return conflict("actions are tracked once the plan is approved")
	}
	return validateCompleteAction(p.state.Tracked, r, strings.EqualFold(r.Actor.Email, p.state.KAMEmail))
}

func (p *plan) completeAction(ctx workflow.Context, r CompleteActionRequest) (PlanState, error) {
	p.version++
	return p.state, completeAction(ctx, p.state.Tracked, r)
}
