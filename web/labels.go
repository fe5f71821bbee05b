package web

import (
	"fmt"
	"strings"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// Every stored vocabulary value a page shows (statuses, event kinds,
// cadences, languages, roles, decisions) goes through one path: the
// template func label turns the value of a kind into its English label,
// which the catalogue translates like any other text. A value without an
// entry is shown with its underscores as spaces, never as a raw key.

// Label kinds the templates name.
const (
	labelStatus   = "status"
	labelEvent    = "event"
	labelCadence  = "cadence"
	labelLanguage = "language"
	labelRole     = "role"
	labelDecision = "decision"
)

// enumLabels are the English labels of the values whose label is not the
// value itself.
var enumLabels = map[string]map[string]string{
	labelStatus: {
		string(workflows.PhaseInProgress): "in progress", workflows.ReviewSignedOff: "signed off",
		workflows.TrainingNoShow: "no-show", workflows.TrainingSessionCancelled: "session cancelled",
	},
	labelEvent: {
		workflows.EventPhaseStarted: "phase started", workflows.EventPhaseCompleted: "phase completed",
		workflows.EventCriteriaSet: "criteria set", workflows.EventSelection: "selection computed",
		workflows.EventDecided: "candidate decided", workflows.EventAssigned: "KAM assigned",
		workflows.EventTrained: "training completed", workflows.EventException: "training exception",
		workflows.EventPlanApproved: "plan approved", workflows.EventConflictLogged: "conflict logged",
		workflows.EventConflictResolved: "conflict resolved", workflows.EventStaffInformed: "staff informed",
	},
	labelCadence:  {"quarterly": "quarterly", "half_yearly": "half-yearly", "yearly": "yearly"},
	labelLanguage: {"en": "English", "de": "Deutsch", "fr": "French", "it": "Italian", "": "browser"},
	labelRole: {
		string(store.RoleHR): "HR", string(store.RoleKAM): "KAM", "deputy": "deputy",
	},
}

// labelValues lists every value of each kind, for the catalogue's test.
func labelValues() map[string][]string {
	statuses := []string{
		string(workflows.PhasePending), string(workflows.PhaseInProgress), string(workflows.PhaseSubmitted), string(workflows.PhaseDone),
		string(workflows.StatusActive), string(workflows.StatusPaused), string(workflows.StatusCompleted), string(workflows.StatusCancelled),
		workflows.ReviewOpen, workflows.ReviewSignedOff, workflows.ReviewClosed,
		workflows.TrainingEnrolled, workflows.TrainingWaitlisted, workflows.TrainingCompleted, workflows.TrainingNoShow,
		workflows.TrainingCancelled, workflows.TrainingSessionCancelled,
		workflows.WorkshopPlanning, workflows.WorkshopProposed, workflows.WorkshopInvited, workflows.WorkshopMinuted, workflows.WorkshopClosed,
		"draft", "approved", "rejected", "open", "done", "held", "collecting",
	}
	statuses = append(statuses, store.KeyAccountStatuses...)
	events := []string{workflows.EventCreated, workflows.EventPhaseStarted, workflows.EventSubmitted, workflows.EventApproved, workflows.EventRejected,
		workflows.EventPhaseCompleted, workflows.EventPaused, workflows.EventResumed, workflows.EventReplanned, workflows.EventCancelled,
		workflows.EventCompleted, workflows.EventCriteriaSet, workflows.EventSelection, workflows.EventDecided, workflows.EventAssigned,
		workflows.EventTrained, workflows.EventException, workflows.EventPlanApproved, workflows.EventReminder, workflows.EventOverdue,
		workflows.EventConflictLogged, workflows.EventConflictResolved, workflows.EventStaffInformed}
	roles := []string{"deputy", "KAM", "lead", "committee"}
	for _, r := range store.Roles() {
		roles = append(roles, string(r))
	}
	return map[string][]string{
		labelStatus: statuses, labelEvent: events, labelCadence: {"quarterly", "half_yearly", "yearly"},
		labelLanguage: {"en", "de", "fr", "it", ""}, labelRole: roles,
		labelDecision: {workflows.DecisionConfirmed, workflows.DecisionRejected},
	}
}

// enumLabel is the English label of a value of a kind.
func enumLabel(kind string, value any) string {
	v := fmt.Sprint(value)
	if l, ok := enumLabels[kind][v]; ok {
		return l
	}
	return strings.ReplaceAll(v, "_", " ")
}

// label is the value's label in the language.
func (l lang) label(kind string, value any) string {
	return l.translate(enumLabel(kind, value))
}
