package workflows

import (
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Names the web and worker share with the programme workflow.
const (
	ProgrammeWorkflowName = "Programme"
	QueryProgrammeState   = "state"

	UpdateSubmit  = "submit"
	UpdateApprove = "approve"
	UpdateReject  = "reject"
	UpdatePause   = "pause"
	UpdateResume  = "resume"
	UpdateCancel  = "cancel"
	UpdateReplan  = "replan"

	// Selection and assignment steps.
	UpdateSetCriteria       = "set_criteria"
	UpdateComputeSelection  = "compute_selection"
	UpdateDecide            = "decide"
	UpdateAssign            = "assign"
	UpdateTrainingComplete  = "training_complete"
	UpdateTrainingException = "training_exception"
	UpdateApprovePlan       = "approve_plan"
)

// Search attributes a programme keeps current so lists can filter on them.
var (
	SearchAttrStatus = temporal.NewSearchAttributeKeyKeyword("KamflowStatus")
	SearchAttrPhase  = temporal.NewSearchAttributeKeyKeyword("KamflowPhase")
	SearchAttrLead   = temporal.NewSearchAttributeKeyKeyword("KamflowLead")
)

// SearchAttributes lists every custom search attribute kamflow's workflows
// use, for registration on the namespace.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		SearchAttrStatus.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchAttrPhase.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchAttrLead.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

// ProgrammeWorkflowID is the workflow ID of programme id.
func ProgrammeWorkflowID(id uint) string { return "programme-" + strconv.FormatUint(uint64(id), 10) }

// Phase is a stable key of one step of a KAM introduction.
type Phase string

// The phases in order (DOMAIN.md, "The programme").
const (
	PhaseSetup                Phase = "setup"
	PhaseStrategy             Phase = "strategy"
	PhaseCriteria             Phase = "criteria"
	PhaseKAMProfile           Phase = "kam_profile"
	PhaseProvisionalSelection Phase = "provisional_selection"
	PhaseDefinitiveSelection  Phase = "definitive_selection"
	PhaseResponsibilities     Phase = "responsibilities"
	PhaseTraining             Phase = "training"
	PhaseAccountPlans         Phase = "account_plans"
	PhaseRollout              Phase = "rollout"
	PhaseReviews              Phase = "reviews"
)

// phaseDef is a phase's place in the default plan.
type phaseDef struct {
	key Phase
	// gate: the steering committee must approve the submitted results.
	gate bool
	// monthsFromStart is the default due date, spreading the introduction
	// over about two years with reviews running on to month 30.
	monthsFromStart int
}

var phaseDefs = []phaseDef{
	{PhaseSetup, false, 1},
	{PhaseStrategy, true, 4},
	{PhaseCriteria, true, 6},
	{PhaseKAMProfile, false, 8},
	{PhaseProvisionalSelection, false, 9},
	{PhaseDefinitiveSelection, true, 11},
	{PhaseResponsibilities, true, 13},
	{PhaseTraining, false, 18},
	{PhaseAccountPlans, false, 21},
	{PhaseRollout, false, 24},
	// The committee closes the programme after the first reviews.
	{PhaseReviews, true, 30},
}

// Phases lists the phase keys in order.
func Phases() []Phase {
	out := make([]Phase, len(phaseDefs))
	for i, d := range phaseDefs {
		out[i] = d.key
	}
	return out
}

// IsGate reports whether p needs the steering committee's approval.
func (p Phase) IsGate() bool {
	for _, d := range phaseDefs {
		if d.key == p {
			return d.gate
		}
	}
	return false
}

// Valid reports whether p is a known phase.
func (p Phase) Valid() bool { return phaseIndex(p) >= 0 }

func phaseIndex(p Phase) int {
	for i, d := range phaseDefs {
		if d.key == p {
			return i
		}
	}
	return -1
}

// DefaultPlan returns each phase's default due date for a programme
// starting on start.
func DefaultPlan(start time.Time) []PhaseDue {
	out := make([]PhaseDue, len(phaseDefs))
	for i, d := range phaseDefs {
		out[i] = PhaseDue{Phase: d.key, Due: start.AddDate(0, d.monthsFromStart, 0)}
	}
	return out
}

// ProgrammeStatus is the life-cycle state of a programme.
type ProgrammeStatus string

// Programme statuses.
const (
	StatusActive    ProgrammeStatus = "active"
	StatusPaused    ProgrammeStatus = "paused"
	StatusCompleted ProgrammeStatus = "completed"
	StatusCancelled ProgrammeStatus = "cancelled"
)

// PhaseStatus is where one phase stands.
type PhaseStatus string

// Phase statuses.
const (
	PhasePending    PhaseStatus = "pending"
	PhaseInProgress PhaseStatus = "in_progress"
	PhaseSubmitted  PhaseStatus = "submitted" // waiting for the committee
	PhaseDone       PhaseStatus = "done"
)

// Actor is the authenticated person behind an update; the web fills it from
// the session or API token, never from the request body.
type Actor struct {
	Email string   `json:"email"`
	Roles []string `json:"roles"`
}

func (a Actor) has(role string) bool {
	for _, r := range a.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// PhaseDue sets one phase's due date.
type PhaseDue struct {
	Phase Phase     `json:"phase"`
	Due   time.Time `json:"due"`
}

// ProgrammeInput starts a programme. Resume is set only by continue-as-new.
type ProgrammeInput struct {
	ProgrammeID     uint           `json:"programme_id"`
	Name            string         `json:"name"`
	LeadEmail       string         `json:"lead_email"`
	CommitteeEmails []string       `json:"committee_emails"`
	StartDate       time.Time      `json:"start_date"`
	Plan            []PhaseDue     `json:"plan,omitempty"` // empty: DefaultPlan
	Reminders       ReminderPolicy `json:"reminders"`
	// FocusLimit warns when the provisional list is longer (default 10:
	// an SME's CEO personally handles the top 5-10 accounts).
	FocusLimit int             `json:"focus_limit,omitempty"`
	Resume     *ProgrammeState `json:"resume,omitempty"`
	// HistoryLimit is the history length after which this run continues as
	// new at the next phase boundary (default 5000); tests and golden
	// histories lower it to see a resume in seconds.
	HistoryLimit int `json:"history_limit,omitempty"`
}

// DefaultFocusLimit is the provisional list length above which kamflow warns.
const DefaultFocusLimit = 10

// ReminderPolicy says when people are reminded of due dates.
type ReminderPolicy struct {
	// Before lists how long before a due date the responsible person is reminded.
	Before []time.Duration `json:"before"`
	// OverdueEvery repeats the overdue notice to lead and committee.
	OverdueEvery time.Duration `json:"overdue_every"`
}

// DefaultReminders: 14 and 2 days before, then weekly once overdue.
func DefaultReminders() ReminderPolicy {
	return ReminderPolicy{Before: []time.Duration{14 * 24 * time.Hour, 2 * 24 * time.Hour}, OverdueEvery: 7 * 24 * time.Hour}
}

// PhaseState is the live state of one phase.
type PhaseState struct {
	Phase       Phase       `json:"phase"`
	Gate        bool        `json:"gate"`
	Status      PhaseStatus `json:"status"`
	Due         time.Time   `json:"due"`
	Responsible string      `json:"responsible"`
	StartedAt   *time.Time  `json:"started_at,omitempty"`
	Result      string      `json:"result,omitempty"`
	SubmittedBy string      `json:"submitted_by,omitempty"`
	SubmittedAt *time.Time  `json:"submitted_at,omitempty"`
	ApprovedBy  string      `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time  `json:"approved_at,omitempty"`
	// LastRejection is the committee's latest reason for sending it back.
	LastRejection string     `json:"last_rejection,omitempty"`
	CompletedAt   *time.Time `json:"completed_at,omitempty"`
	// RemindersSent holds the keys of reminders already sent for Due.
	RemindersSent []string `json:"reminders_sent,omitempty"`
}

// ProgrammeState is everything the programme workflow knows; the state
// query returns it and continue-as-new carries it over whole.
type ProgrammeState struct {
	ProgrammeID     uint            `json:"programme_id"`
	Name            string          `json:"name"`
	LeadEmail       string          `json:"lead_email"`
	CommitteeEmails []string        `json:"committee_emails"`
	StartDate       time.Time       `json:"start_date"`
	Reminders       ReminderPolicy  `json:"reminders"`
	Status          ProgrammeStatus `json:"status"`
	CurrentPhase    Phase           `json:"current_phase"`
	Phases          []PhaseState    `json:"phases"`
	PausedAt        *time.Time      `json:"paused_at,omitempty"`
	CancelReason    string          `json:"cancel_reason,omitempty"`
	// EventSeq numbers projected events; with ProgrammeID it is the
	// idempotency key of each audit row.
	EventSeq int `json:"event_seq"`

	FocusLimit int         `json:"focus_limit"`
	Criteria   []Criterion `json:"criteria,omitempty"`
	// Threshold is how many criteria a customer must meet.
	Threshold   int           `json:"threshold,omitempty"`
	Candidates  []Candidate   `json:"candidates,omitempty"`
	Assignments []Assignment  `json:"assignments,omitempty"`
	Training    []KAMTraining `json:"training,omitempty"`
	// PlansApproved lists key accounts (customer IDs) whose plan is approved.
	PlansApproved []uint `json:"plans_approved,omitempty"`
	// PreSelection marks a programme running the code from before selection
	// and assignment (changeSelection's default version): its phases are
	// handed in as they were then, without the prerequisites of submitPrerequisite.
	PreSelection bool `json:"pre_selection,omitempty"`

	// RolloutChecks: the rollout phase is handed in once staff are informed
	// and every logged conflict is resolved (see changeRolloutRecord);
	// programmes started before hand it in as text.
	RolloutChecks bool              `json:"rollout_checks,omitempty"`
	Conflicts     []RolloutConflict `json:"conflicts,omitempty"`
	Briefings     []StaffBriefing   `json:"briefings,omitempty"`
}

// Criterion is one rule a customer must meet to be a key account.
type Criterion struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Measure string `json:"measure"`
}

// Decisions on provisional candidates.
const (
	DecisionConfirmed = "confirmed"
	DecisionRejected  = "rejected"
)

// Candidate is a customer on the provisional list.
type Candidate struct {
	CustomerID   uint     `json:"customer_id"`
	CustomerName string   `json:"customer_name"`
	Met          []string `json:"met"`
	Decision     string   `json:"decision,omitempty"`
	Reason       string   `json:"reason,omitempty"`
	DecidedBy    string   `json:"decided_by,omitempty"`
}

// Assignment names a key account's KAM and deputy.
type Assignment struct {
	CustomerID       uint   `json:"customer_id"`
	KAMEmployeeID    uint   `json:"kam_employee_id"`
	DeputyEmployeeID uint   `json:"deputy_employee_id,omitempty"`
	AssignedBy       string `json:"assigned_by"`
}

// KAMTraining is an assigned KAM's training standing.
type KAMTraining struct {
	EmployeeID uint   `json:"employee_id"`
	Completed  bool   `json:"completed"`
	Exception  bool   `json:"exception"`
	Note       string `json:"note,omitempty"`
	By         string `json:"by"`
}

// DefaultThreshold is how many criteria a key account must meet unless the
// programme says otherwise (DOMAIN.md: at least 2).
const DefaultThreshold = 2

// IsLead reports whether a is this programme's lead.
func (s *ProgrammeState) IsLead(a Actor) bool {
	return a.has("lead") && strings.EqualFold(a.Email, s.LeadEmail)
}

// IsCommittee reports whether a sits on this programme's steering committee.
func (s *ProgrammeState) IsCommittee(a Actor) bool {
	if !a.has("committee") {
		return false
	}
	for _, e := range s.CommitteeEmails {
		if strings.EqualFold(e, a.Email) {
			return true
		}
	}
	return false
}

// KeyAccounts returns the confirmed candidates' customer IDs in list order.
func (s *ProgrammeState) KeyAccounts() []uint {
	var out []uint
	for _, c := range s.Candidates {
		if c.Decision == DecisionConfirmed {
			out = append(out, c.CustomerID)
		}
	}
	return out
}

// Assignment returns the assignment of a key account, if any.
func (s *ProgrammeState) Assignment(customerID uint) *Assignment {
	for i := range s.Assignments {
		if s.Assignments[i].CustomerID == customerID {
			return &s.Assignments[i]
		}
	}
	return nil
}

// MissingTraining lists assigned KAMs (employee IDs, in assignment order)
// who have neither completed training nor an approved exception.
func (s *ProgrammeState) MissingTraining() []uint {
	var out []uint
	seen := map[uint]bool{}
	for _, a := range s.Assignments {
		if seen[a.KAMEmployeeID] {
			continue
		}
		seen[a.KAMEmployeeID] = true
		done := false
		for _, t := range s.Training {
			if t.EmployeeID == a.KAMEmployeeID && (t.Completed || t.Exception) {
				done = true
			}
		}
		if !done {
			out = append(out, a.KAMEmployeeID)
		}
	}
	return out
}

// Payloads of the selection and assignment updates.

// CriteriaRequest sets the programme's criteria and threshold.
type CriteriaRequest struct {
	Actor     Actor       `json:"actor"`
	Criteria  []Criterion `json:"criteria"`
	Threshold int         `json:"threshold"`
}

// ComputeSelectionRequest (re)computes the provisional list from the scores.
type ComputeSelectionRequest struct {
	Actor Actor `json:"actor"`
}

// DecideRequest confirms or rejects one candidate.
type DecideRequest struct {
	Actor      Actor  `json:"actor"`
	CustomerID uint   `json:"customer_id"`
	Decision   string `json:"decision"`
	Reason     string `json:"reason"`
}

// AssignRequest names a key account's KAM and deputy. The API checks the
// employees exist before sending it; the workflow checks its own rules.
type AssignRequest struct {
	Actor            Actor `json:"actor"`
	CustomerID       uint  `json:"customer_id"`
	KAMEmployeeID    uint  `json:"kam_employee_id"`
	DeputyEmployeeID uint  `json:"deputy_employee_id"`
}

// TrainingRequest records a KAM's completed training or an exception.
type TrainingRequest struct {
	Actor      Actor  `json:"actor"`
	EmployeeID uint   `json:"employee_id"`
	Note       string `json:"note"`
}

// PlanApprovalRequest approves one key account's strategy and action plan.
type PlanApprovalRequest struct {
	Actor      Actor  `json:"actor"`
	CustomerID uint   `json:"customer_id"`
	Comment    string `json:"comment"`
	// PlanWorkflowID names the plan workflow whose approval this reports;
	// only such reports count (see changePlansThroughPlanWorkflow).
	PlanWorkflowID string `json:"plan_workflow_id,omitempty"`
}

// Activity payloads for selection.

// ComputeCandidatesInput asks which customers meet the threshold.
type ComputeCandidatesInput struct {
	ProgrammeID uint     `json:"programme_id"`
	Criteria    []string `json:"criteria"`
	Threshold   int      `json:"threshold"`
}

// KeyAccountsInput confirms customers as key accounts.
type KeyAccountsInput struct {
	ProgrammeID uint      `json:"programme_id"`
	CustomerIDs []uint    `json:"customer_ids"`
	At          time.Time `json:"at"`
}

// AssignmentInput writes a key account's KAM and deputy.
type AssignmentInput struct {
	ProgrammeID uint       `json:"programme_id"`
	Assignment  Assignment `json:"assignment"`
}

// Phase returns the state of phase p.
func (s *ProgrammeState) Phase(p Phase) *PhaseState {
	for i := range s.Phases {
		if s.Phases[i].Phase == p {
			return &s.Phases[i]
		}
	}
	return nil
}

// Update payloads.

// SubmitRequest hands in a phase's results.
type SubmitRequest struct {
	Actor  Actor  `json:"actor"`
	Phase  Phase  `json:"phase"`
	Result string `json:"result"`
}

// DecisionRequest approves or rejects a submitted gate phase.
type DecisionRequest struct {
	Actor   Actor  `json:"actor"`
	Phase   Phase  `json:"phase"`
	Comment string `json:"comment"`
}

// LifecycleRequest pauses, resumes or cancels a programme.
type LifecycleRequest struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason"`
}

// ReplanRequest shifts all open due dates by ShiftDays and/or sets some.
type ReplanRequest struct {
	Actor     Actor      `json:"actor"`
	ShiftDays int        `json:"shift_days"`
	Set       []PhaseDue `json:"set"`
	Reason    string     `json:"reason"`
}

// Projected event kinds (also the audit trail's vocabulary).
const (
	EventCreated        = "created"
	EventPhaseStarted   = "phase_started"
	EventSubmitted      = "submitted"
	EventApproved       = "approved"
	EventRejected       = "rejected"
	EventPhaseCompleted = "phase_completed"
	EventPaused         = "paused"
	EventResumed        = "resumed"
	EventReplanned      = "replanned"
	EventCancelled      = "cancelled"
	EventCompleted      = "completed"
	EventCriteriaSet    = "criteria_set"
	EventSelection      = "selection_computed"
	EventDecided        = "candidate_decided"
	EventAssigned       = "kam_assigned"
	EventTrained        = "training_completed"
	EventException      = "training_exception"
	EventPlanApproved   = "plan_approved"
	EventReminder       = "reminder"
	EventOverdue        = "overdue"
)

// ProgrammeEvent is one transition, written to the DB by an activity.
type ProgrammeEvent struct {
	ProgrammeID uint   `json:"programme_id"`
	Seq         int    `json:"seq"`
	Kind        string `json:"kind"`
	Phase       Phase  `json:"phase,omitempty"`
	Actor       string `json:"actor,omitempty"`
	Comment     string `json:"comment,omitempty"`
	// Text is a comment kamflow wrote, by key and parameters.
	Text         *CommentText    `json:"text,omitempty"`
	At           time.Time       `json:"at"`
	Name         string          `json:"name"`
	LeadEmail    string          `json:"lead_email"`
	StartDate    time.Time       `json:"start_date"`
	Status       ProgrammeStatus `json:"status"`
	CurrentPhase Phase           `json:"current_phase"`
	// CommitteeEmails lets lists find the approvals waiting for someone.
	CommitteeEmails []string `json:"committee_emails,omitempty"`
	// Phases holds the phases that changed since the previous event (every
	// phase in the first event of a run). Events recorded before deltas
	// carry every phase; both apply the same way.
	Phases []PhaseState `json:"phases"`

	// The rest of the state a page shows, each only when it changed, so an
	// event stays small however long the phase results are.
	FocusLimit   int        `json:"focus_limit,omitempty"`
	PausedAt     *time.Time `json:"paused_at,omitempty"`
	CancelReason string     `json:"cancel_reason,omitempty"`
	// Criteria, when set, replaces the programme's criteria and threshold.
	Criteria  []Criterion `json:"criteria,omitempty"`
	Threshold int         `json:"threshold,omitempty"`
	// Candidates lists candidates that changed; CandidatesReplaced says the
	// list was computed anew and these are all of it.
	Candidates         []Candidate   `json:"candidates,omitempty"`
	CandidatesReplaced bool          `json:"candidates_replaced,omitempty"`
	Assignments        []Assignment  `json:"assignments,omitempty"`
	Training           []KAMTraining `json:"training,omitempty"`
	// PlansApproved lists key accounts whose plan was approved with this event.
	PlansApproved []uint `json:"plans_approved,omitempty"`
	// Full says the event carries the whole state (the first of a run, or a
	// resync): lists it omits are empty.
	Full bool `json:"full,omitempty"`
	// RolloutChecks is the programme's RolloutChecks; Conflicts lists the
	// conflicts logged or resolved since the previous event, Briefings the
	// briefings recorded since (all of either when Full).
	RolloutChecks bool              `json:"rollout_checks,omitempty"`
	Conflicts     []RolloutConflict `json:"conflicts,omitempty"`
	Briefings     []StaffBriefing   `json:"briefings,omitempty"`
	// TrainingFact is set on training_completed and training_exception:
	// the KAM's training record or exception is written with the event.
	TrainingFact *TrainingEventFact `json:"training_fact,omitempty"`
}

// TrainingEventFact is what a training event says about one KAM.
type TrainingEventFact struct {
	EmployeeID uint   `json:"employee_id"`
	Exception  bool   `json:"exception,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Notification is one message for the outbox.
type Notification struct {
	IdempotencyKey string   `json:"idempotency_key"`
	Recipients     []string `json:"recipients"`
	Subject        string   `json:"subject"`
	Body           string   `json:"body"`
	ProgrammeID    uint     `json:"programme_id"`
	// Link is the page in kamflow the message is about (see links.go).
	Link string `json:"link,omitempty"`
	// Text is the message by key and parameters, for its reader's
	// language; Subject and Body are its English.
	Text *NoticeText `json:"text,omitempty"`
}
