package workflows

import (
	"strconv"
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
	ProgrammeID     uint            `json:"programme_id"`
	Name            string          `json:"name"`
	LeadEmail       string          `json:"lead_email"`
	CommitteeEmails []string        `json:"committee_emails"`
	StartDate       time.Time       `json:"start_date"`
	Plan            []PhaseDue      `json:"plan,omitempty"` // empty: DefaultPlan
	Reminders       ReminderPolicy  `json:"reminders"`
	Resume          *ProgrammeState `json:"resume,omitempty"`
}

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
	EventReminder       = "reminder"
	EventOverdue        = "overdue"
)

// ProgrammeEvent is one transition, written to the DB by an activity.
type ProgrammeEvent struct {
	ProgrammeID  uint            `json:"programme_id"`
	Seq          int             `json:"seq"`
	Kind         string          `json:"kind"`
	Phase        Phase           `json:"phase,omitempty"`
	Actor        string          `json:"actor,omitempty"`
	Comment      string          `json:"comment,omitempty"`
	At           time.Time       `json:"at"`
	Name         string          `json:"name"`
	LeadEmail    string          `json:"lead_email"`
	StartDate    time.Time       `json:"start_date"`
	Status       ProgrammeStatus `json:"status"`
	CurrentPhase Phase           `json:"current_phase"`
	// Phases is the plan after the event, so milestones stay current.
	Phases []PhaseState `json:"phases"`
}

// Notification is one message for the outbox.
type Notification struct {
	IdempotencyKey string   `json:"idempotency_key"`
	Recipients     []string `json:"recipients"`
	Subject        string   `json:"subject"`
	Body           string   `json:"body"`
	ProgrammeID    uint     `json:"programme_id"`
}
