package workflows

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Activities for selection and assignment.
const (
	ActivityComputeCandidates  = "ComputeCandidates"
	ActivityConfirmKeyAccounts = "ConfirmKeyAccounts"
	ActivityAssignKeyAccount   = "AssignKeyAccount"
)

// changeSelection guards behaviour added with selection and assignment:
// confirming key accounts on the definitive gate and phases that complete
// by themselves. Histories recorded before it replay the old way.
const changeSelection = "selection-and-assignment"

// changePlansThroughPlanWorkflow: approve_plan is accepted only from a
// submitted plan's workflow (PlanApprovalRequest.PlanWorkflowID), so no plan
// counts that no KAM wrote and submitted. Earlier histories took any.
const changePlansThroughPlanWorkflow = "plans-through-plan-workflow"

var criterionKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func (p *programme) registerSelectionHandlers(ctx workflow.Context) error {
	return registerUpdates(ctx, []updateHandler{
		{UpdateSetCriteria, p.setCriteria, p.validateSetCriteria},
		{UpdateComputeSelection, p.computeSelection, p.validateComputeSelection},
		{UpdateDecide, p.decide, p.validateDecide},
		{UpdateAssign, p.assign, p.validateAssign},
		{UpdateTrainingComplete, p.trainingComplete, p.validateTrainingComplete},
		{UpdateTrainingException, p.trainingException, p.validateTrainingException},
		{UpdateApprovePlan, p.approvePlan, p.validateApprovePlan},
	})
}

// requireLeadWork checks the programme is active, phase is current and open
// for work (not waiting for the committee), and the actor is the lead.
func (p *programme) requireLeadWork(a Actor, phase Phase) error {
	if err := p.requireActive(); err != nil {
		return err
	}
	if _, err := p.requireCurrent(phase, PhaseInProgress); err != nil {
		return err
	}
	if !p.isLead(a) {
		return forbidden("only the programme lead does this")
	}
	return nil
}

// --- criteria ---

func (p *programme) validateSetCriteria(r CriteriaRequest) error {
	if err := p.requireLeadWork(r.Actor, PhaseCriteria); err != nil {
		return err
	}
	n := len(r.Criteria)
	if n < 3 || n > 4 {
		return invalid("criteria", fmt.Sprintf("a programme has 3 or 4 criteria, not %d", n))
	}
	seen := map[string]bool{}
	for i, c := range r.Criteria {
		field := fmt.Sprintf("criteria[%d]", i)
		if !criterionKeyRe.MatchString(c.Key) {
			return invalid(field+".key", "key must be lower-case letters, digits or _ (up to 40), starting with a letter")
		}
		if seen[c.Key] {
			return invalid(field+".key", fmt.Sprintf("key %q is used twice", c.Key))
		}
		seen[c.Key] = true
		if strings.TrimSpace(c.Name) == "" || len(c.Name) > 200 {
			return invalid(field+".name", "name is required (up to 200 characters)")
		}
		if strings.TrimSpace(c.Measure) == "" || len(c.Measure) > 1000 {
			return invalid(field+".measure", "say how the criterion is measured (up to 1000 characters)")
		}
	}
	if r.Threshold < 1 || r.Threshold > n {
		return invalid("threshold", fmt.Sprintf("threshold must be between 1 and %d", n))
	}
	return nil
}

func (p *programme) setCriteria(ctx workflow.Context, r CriteriaRequest) (ProgrammeState, error) {
	p.state.Criteria = make([]Criterion, len(r.Criteria))
	for i, c := range r.Criteria {
		p.state.Criteria[i] = Criterion{Key: c.Key, Name: strings.TrimSpace(c.Name), Measure: strings.TrimSpace(c.Measure)}
	}
	p.state.Threshold = r.Threshold
	p.changed()
	keys := make([]string, len(p.state.Criteria))
	for i, c := range p.state.Criteria {
		keys[i] = c.Key
	}
	return p.state, p.recordText(ctx, EventCriteriaSet, PhaseCriteria, r.Actor.Email,
		fmt.Sprintf("%s; at least %d met", strings.Join(keys, ", "), r.Threshold),
		commentText(TextCriteriaSet, strings.Join(keys, ", "), intText(r.Threshold)))
}

// --- provisional selection ---

func (p *programme) validateComputeSelection(r ComputeSelectionRequest) error {
	if err := p.requireLeadWork(r.Actor, PhaseProvisionalSelection); err != nil {
		return err
	}
	if len(p.state.Criteria) == 0 {
		return conflict("the programme has no criteria")
	}
	return nil
}

// changeComputingFirst: compute_selection marks the list as being computed
// before it awaits the candidates, so the provisional selection cannot be
// submitted with the list about to be replaced.
const changeComputingFirst = "programme-computing-state-first"

// computeSelection asks the database which customers meet the threshold;
// it may run again after scores change.
func (p *programme) computeSelection(ctx workflow.Context, r ComputeSelectionRequest) (ProgrammeState, error) {
	if workflow.GetVersion(ctx, changeComputingFirst, workflow.DefaultVersion, 1) != workflow.DefaultVersion {
		p.computing++
		defer func() { p.computing-- }()
	}
	in := ComputeCandidatesInput{ProgrammeID: p.state.ProgrammeID, Threshold: p.state.Threshold}
	for _, c := range p.state.Criteria {
		in.Criteria = append(in.Criteria, c.Key)
	}
	var candidates []Candidate
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityComputeCandidates, in).Get(ctx, &candidates); err != nil {
		return p.state, fmt.Errorf("compute candidates: %w", err)
	}
	p.state.Candidates = candidates
	p.changed()
	comment := fmt.Sprintf("%d candidates meet at least %d criteria", len(candidates), p.state.Threshold)
	return p.state, p.recordText(ctx, EventSelection, PhaseProvisionalSelection, r.Actor.Email, comment,
		commentText(TextSelection, intText(len(candidates)), intText(p.state.Threshold)))
}

// --- definitive selection ---

func (p *programme) candidate(customerID uint) *Candidate {
	for i := range p.state.Candidates {
		if p.state.Candidates[i].CustomerID == customerID {
			return &p.state.Candidates[i]
		}
	}
	return nil
}

func (p *programme) validateDecide(r DecideRequest) error {
	if err := p.requireLeadWork(r.Actor, PhaseDefinitiveSelection); err != nil {
		return err
	}
	if p.candidate(r.CustomerID) == nil {
		return notFound("customer_id", fmt.Sprintf("customer %d is not on the provisional list", r.CustomerID))
	}
	switch r.Decision {
	case DecisionConfirmed:
	case DecisionRejected:
		if strings.TrimSpace(r.Reason) == "" {
			return invalid("reason", "a rejected candidate needs a reason")
		}
	default:
		return invalid("decision", `decision must be "confirmed" or "rejected"`)
	}
	if len(r.Reason) > 2000 {
		return invalid("reason", "reason is longer than 2000 characters")
	}
	return nil
}

func (p *programme) decide(ctx workflow.Context, r DecideRequest) (ProgrammeState, error) {
	c := p.candidate(r.CustomerID)
	c.Decision, c.Reason, c.DecidedBy = r.Decision, strings.TrimSpace(r.Reason), r.Actor.Email
	p.changed()
	return p.state, p.recordText(ctx, EventDecided, PhaseDefinitiveSelection, r.Actor.Email,
		fmt.Sprintf("%s: %s %s", c.CustomerName, r.Decision, c.Reason), commentText(TextDecided, c.CustomerName, r.Decision, c.Reason))
}

// --- responsibilities ---

func (p *programme) isKeyAccount(customerID uint) bool {
	c := p.candidate(customerID)
	return c != nil && c.Decision == DecisionConfirmed
}

func (p *programme) validateAssign(r AssignRequest) error {
	if err := p.requireLeadWork(r.Actor, PhaseResponsibilities); err != nil {
		return err
	}
	if !p.isKeyAccount(r.CustomerID) {
		return notFound("customer_id", fmt.Sprintf("customer %d is not a key account of this programme", r.CustomerID))
	}
	if r.KAMEmployeeID == 0 {
		return invalid("kam_employee_id", "a key account needs a KAM")
	}
	if r.DeputyEmployeeID != 0 && r.DeputyEmployeeID == r.KAMEmployeeID {
		return invalid("deputy_employee_id", "the deputy must be someone other than the KAM")
	}
	return nil
}

func (p *programme) assign(ctx workflow.Context, r AssignRequest) (ProgrammeState, error) {
	a := Assignment{CustomerID: r.CustomerID, KAMEmployeeID: r.KAMEmployeeID, DeputyEmployeeID: r.DeputyEmployeeID, AssignedBy: r.Actor.Email}
	if cur := p.state.Assignment(r.CustomerID); cur != nil {
		*cur = a
	} else {
		p.state.Assignments = append(p.state.Assignments, a)
	}
	p.changed()
	in := AssignmentInput{ProgrammeID: p.state.ProgrammeID, Assignment: a}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityAssignKeyAccount, in).Get(ctx, nil); err != nil {
		return p.state, fmt.Errorf("assign key account: %w", err)
	}
	return p.state, p.recordText(ctx, EventAssigned, PhaseResponsibilities, r.Actor.Email,
		fmt.Sprintf("customer %d: KAM %d, deputy %d", r.CustomerID, r.KAMEmployeeID, r.DeputyEmployeeID),
		commentText(TextAssigned, uintText(r.CustomerID), uintText(r.KAMEmployeeID), uintText(r.DeputyEmployeeID)))
}

// --- training ---

func (p *programme) isAssignedKAM(employeeID uint) bool {
	for _, a := range p.state.Assignments {
		if a.KAMEmployeeID == employeeID {
			return true
		}
	}
	return false
}

func (p *programme) validateTrainingRecord(a Actor, employeeID uint, role, who string) error {
	if err := p.requireActive(); err != nil {
		return err
	}
	if phaseIndex(p.state.CurrentPhase) < phaseIndex(PhaseResponsibilities) {
		return conflict("training is recorded once KAMs are assigned")
	}
	if role == "committee" && !p.isCommittee(a) || role == "hr" && !a.has("hr") {
		return forbidden("only " + who + " records this")
	}
	if !p.isAssignedKAM(employeeID) {
		return notFound("employee_id", fmt.Sprintf("employee %d is not an assigned KAM of this programme", employeeID))
	}
	return nil
}

func (p *programme) validateTrainingComplete(r TrainingRequest) error {
	if err := p.validateTrainingRecord(r.Actor, r.EmployeeID, "hr", "HR"); err != nil {
		return err
	}
	for _, t := range p.state.Training {
		if t.EmployeeID == r.EmployeeID && t.Completed {
			return conflict(fmt.Sprintf("employee %d's training is recorded already", r.EmployeeID))
		}
	}
	return nil
}

func (p *programme) validateTrainingException(r TrainingRequest) error {
	if err := p.validateTrainingRecord(r.Actor, r.EmployeeID, "committee", "a member of this programme's steering committee"); err != nil {
		return err
	}
	if strings.TrimSpace(r.Note) == "" {
		return invalid("note", "say why the exception is granted")
	}
	return nil
}

func (p *programme) training(employeeID uint) *KAMTraining {
	for i := range p.state.Training {
		if p.state.Training[i].EmployeeID == employeeID {
			return &p.state.Training[i]
		}
	}
	p.state.Training = append(p.state.Training, KAMTraining{EmployeeID: employeeID})
	return &p.state.Training[len(p.state.Training)-1]
}

func (p *programme) trainingComplete(ctx workflow.Context, r TrainingRequest) (ProgrammeState, error) {
	t := p.training(r.EmployeeID)
	t.Completed, t.Note, t.By = true, strings.TrimSpace(r.Note), r.Actor.Email
	p.changed()
	if err := p.recordWith(ctx, EventTrained, PhaseTraining, r.Actor.Email, fmt.Sprintf("employee %d", r.EmployeeID),
		&TrainingEventFact{EmployeeID: r.EmployeeID, Note: t.Note}, commentText(TextTrained, uintText(r.EmployeeID))); err != nil {
		return p.state, err
	}
	return p.state, p.completeWhenDone(ctx)
}

func (p *programme) trainingException(ctx workflow.Context, r TrainingRequest) (ProgrammeState, error) {
	t := p.training(r.EmployeeID)
	t.Exception, t.Note, t.By = true, strings.TrimSpace(r.Note), r.Actor.Email
	p.changed()
	if err := p.recordWith(ctx, EventException, PhaseTraining, r.Actor.Email, fmt.Sprintf("employee %d: %s", r.EmployeeID, t.Note),
		&TrainingEventFact{EmployeeID: r.EmployeeID, Exception: true, Note: t.Note}, commentText(TextException, uintText(r.EmployeeID), t.Note)); err != nil {
		return p.state, err
	}
	return p.state, p.completeWhenDone(ctx)
}

// --- account plans ---

func (p *programme) validateApprovePlan(r PlanApprovalRequest) error {
	if err := p.requireActive(); err != nil {
		return err
	}
	if _, err := p.requireCurrent(PhaseAccountPlans, PhaseInProgress); err != nil {
		return err
	}
	if !p.isLead(r.Actor) && !p.isCommittee(r.Actor) {
		return forbidden("only the programme lead or a committee member approves account plans")
	}
	if !p.isKeyAccount(r.CustomerID) {
		return notFound("customer_id", fmt.Sprintf("customer %d is not a key account of this programme", r.CustomerID))
	}
	for _, id := range p.state.PlansApproved {
		if id == r.CustomerID {
			return conflict("this account plan is approved already")
		}
	}
	if p.plansThroughPlanWorkflow && !strings.HasPrefix(r.PlanWorkflowID, planWorkflowIDPrefix) {
		return conflict("no submitted plan of this key account was approved: its KAM writes and submits the plan, then the lead or a committee member decides on it")
	}
	return nil
}

func (p *programme) approvePlan(ctx workflow.Context, r PlanApprovalRequest) (ProgrammeState, error) {
	p.state.PlansApproved = append(p.state.PlansApproved, r.CustomerID)
	p.changed()
	if err := p.recordText(ctx, EventPlanApproved, PhaseAccountPlans, r.Actor.Email,
		fmt.Sprintf("customer %d %s", r.CustomerID, strings.TrimSpace(r.Comment)),
		commentText(TextPlanApproved, uintText(r.CustomerID), strings.TrimSpace(r.Comment))); err != nil {
		return p.state, err
	}
	return p.state, p.completeWhenDone(ctx)
}

// MissingPlans lists the key accounts (customer IDs) whose plan is not
// approved yet.
func (s *ProgrammeState) MissingPlans() []uint {
	var out []uint
	for _, id := range s.KeyAccounts() {
		approved := false
		for _, a := range s.PlansApproved {
			approved = approved || a == id
		}
		if !approved {
			out = append(out, id)
		}
	}
	return out
}

// completeWhenDone closes training and account_plans by themselves once
// everything they wait for is there (possibly both in a row).
func (p *programme) completeWhenDone(ctx workflow.Context) error {
	for p.state.Status == StatusActive {
		ph := p.state.Phase(p.state.CurrentPhase)
		done := false
		switch ph.Phase {
		case PhaseTraining:
			done = len(p.state.MissingTraining()) == 0
		case PhaseAccountPlans:
			done = len(p.state.MissingPlans()) == 0
		}
		if !done || ph.Status != PhaseInProgress {
			return nil
		}
		p.completePhase(ctx, ph)
		if err := p.announceProgress(ctx); err != nil {
			return err
		}
	}
	return nil
}

// selectionEnabled reports whether this execution runs the selection
// behaviour (recorded once as a version marker).
func selectionEnabled(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changeSelection, workflow.DefaultVersion, 1) == 1
}

// afterGate runs what a gate's approval triggers beyond moving on.
func (p *programme) afterGate(ctx workflow.Context, phase Phase) error {
	if !selectionEnabled(ctx) {
		p.state.PreSelection = true
		return nil
	}
	if phase == PhaseDefinitiveSelection {
		in := KeyAccountsInput{ProgrammeID: p.state.ProgrammeID, CustomerIDs: p.state.KeyAccounts(), At: workflow.Now(ctx)}
		if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityConfirmKeyAccounts, in).Get(ctx, nil); err != nil {
			return fmt.Errorf("confirm key accounts: %w", err)
		}
	}
	return p.completeWhenDone(ctx)
}

// CompletesByItself reports whether phase ends without being handed in:
// training and account plans complete when everything they wait for is
// there, and SubmitHindrances refuses to take them (programmes from
// before selection hand them in as any other phase).
func (s *ProgrammeState) CompletesByItself(phase Phase) bool {
	return !s.PreSelection && (phase == PhaseTraining || phase == PhaseAccountPlans)
}

// SubmitHindrance is one thing that keeps a phase from being handed in:
// why, and the field of the page or request it concerns ("" when it
// concerns the phase as a whole).
type SubmitHindrance struct {
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// SubmitHindrances lists what keeps phase from being handed in, by the
// state alone: the submit validator refuses with the first, and pages show
// them all before the lead tries. Programmes on the code from before
// selection have none.
func (s *ProgrammeState) SubmitHindrances(phase Phase) []SubmitHindrance {
	if s.PreSelection {
		return nil
	}
	whole := func(format string, args ...any) []SubmitHindrance {
		return []SubmitHindrance{{Reason: fmt.Sprintf(format, args...)}}
	}
	switch phase {
	case PhaseCriteria:
		if len(s.Criteria) == 0 {
			return whole("set 3 or 4 criteria and the threshold first")
		}
	case PhaseProvisionalSelection:
		if len(s.Candidates) == 0 {
			return whole("compute the provisional list first; no customer meets the threshold yet")
		}
	case PhaseDefinitiveSelection:
		confirmed := 0
		for _, c := range s.Candidates {
			if c.Decision == "" {
				return whole("%s is undecided: confirm or reject every candidate first", c.CustomerName)
			}
			if c.Decision == DecisionConfirmed {
				confirmed++
			}
		}
		if confirmed == 0 {
			return whole("confirm at least one key account")
		}
	case PhaseResponsibilities:
		for _, id := range s.KeyAccounts() {
			if s.Assignment(id) == nil {
				return whole("key account %d has no KAM yet", id)
			}
		}
	case PhaseTraining:
		return whole("training completes by itself when every assigned KAM has completed it or has an exception (%d missing)", len(s.MissingTraining()))
	case PhaseAccountPlans:
		return whole("account plans complete by themselves when every key account's plan is approved (%d missing)", len(s.MissingPlans()))
	case PhaseRollout:
		return s.rolloutHindrances()
	}
	return nil
}

// LaterLists names the lists of a programme's state that its later phases
// fill: the assignments, the KAMs' training and the approved plans. A
// programme in its second year has one of each per key account.
type LaterLists struct {
	Assignments, Training, PlanApprovals bool
}

// ListsJudgedAt names the later lists SubmitHindrances(phase) reads, so a
// page showing the current phase's hindrances reads no other; the rest of
// the state (phases, criteria, candidates, conflicts, briefings) it reads
// whole. TestListsJudgedAtAreAllTheHindrancesRead holds the two together.
func ListsJudgedAt(phase Phase) LaterLists {
	switch phase {
	case PhaseResponsibilities:
		return LaterLists{Assignments: true}
	case PhaseTraining:
		return LaterLists{Assignments: true, Training: true}
	case PhaseAccountPlans:
		return LaterLists{PlanApprovals: true}
	}
	return LaterLists{}
}

// Warnings lists what a lead should look at, computed from the state.
func (s *ProgrammeState) Warnings(now time.Time) []string {
	var out []string
	limit := s.FocusLimit
	if limit == 0 {
		limit = DefaultFocusLimit
	}
	if n := len(s.Candidates); n > limit {
		out = append(out, fmt.Sprintf("The provisional list has %d accounts, more than the focus limit of %d: start with few key accounts.", n, limit))
	}
	if len(s.Criteria) > 0 {
		revenueOnly := true
		for _, c := range s.Criteria {
			text := strings.ToLower(c.Key + " " + c.Name)
			if !strings.Contains(text, "revenue") && !strings.Contains(text, "umsatz") && !strings.Contains(text, "turnover") && !strings.Contains(text, "sales") {
				revenueOnly = false
			}
		}
		if revenueOnly {
			out = append(out, "All criteria are about revenue: consider strategic fit, growth potential, reference value or relationship too.")
		}
	}
	if s.Status == StatusActive {
		if ph := s.Phase(s.CurrentPhase); ph != nil && now.After(ph.Due) {
			out = append(out, fmt.Sprintf("Phase %s is overdue since %s.", ph.Phase, ph.Due.Format("2006-01-02")))
		}
	}
	return out
}
