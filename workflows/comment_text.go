package workflows

import (
	"strconv"
	"strings"
)

// CommentText is a comment kamflow writes into a programme's audit trail,
// by key and parameters, so a page writes it in its reader's language. The
// event's Comment keeps the English text for the API.
type CommentText struct {
	Key  string   `json:"key"`
	Args []string `json:"args,omitempty"`
}

// Keys of kamflow's audit-trail comments, with the Args each takes.
const (
	TextReminderBefore = "reminder_before" // hours before the due date
	TextOverdueNotice  = "overdue_notice"  // the notice's number, from 0
	TextCriteriaSet    = "criteria_set"    // the criteria's keys ("a, b"), the threshold
	TextSelection      = "selection"       // the number of candidates, the threshold
	TextDecided        = "decided"         // customer name, decision, reason
	TextAssigned       = "assigned"        // customer ID, the KAM's and the deputy's employee IDs (0: none)
	TextTrained        = "trained"         // employee ID
	TextException      = "exception"       // employee ID, note
	TextPlanApproved   = "plan_approved"   // customer ID, comment
	TextConflictLogged = "conflict_logged" // what, between whom
	TextStaffInformed  = "staff_informed"  // date (YYYY-MM-DD), channel, groups ("a, b")
)

// A checklist item kamflow ticks itself names it as who did, with a note
// pages translate.
const (
	HandoverSystemActor     = "kamflow"
	NoteOutgoingUnavailable = "outgoing KAM unavailable"
)

func commentText(key string, args ...string) *CommentText { return &CommentText{Key: key, Args: args} }

// reminderText is the comment of a reminder's or an overdue notice's event.
func reminderText(key string) *CommentText {
	if h, ok := strings.CutPrefix(key, "before-"); ok {
		return commentText(TextReminderBefore, strings.TrimSuffix(h, "h"))
	}
	if n, ok := strings.CutPrefix(key, "overdue-"); ok {
		return commentText(TextOverdueNotice, n)
	}
	return nil
}

func uintText(n uint) string { return strconv.FormatUint(uint64(n), 10) }
func intText(n int) string   { return strconv.Itoa(n) }
