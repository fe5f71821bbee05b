package web

import (
	"slices"
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// TestEmployeesNamedAreThoseTheShownEntriesName: the audit trail reads the
// names of the employees its shown entries name — by key and parameters
// or in an older entry's words — and no one else.
func TestEmployeesNamedAreThoseTheShownEntriesName(t *testing.T) {
	events := []store.ProgrammeEvent{
		{Kind: workflows.EventAssigned, CommentKey: workflows.TextAssigned, CommentArgs: `["7","11","12"]`},
		{Kind: workflows.EventAssigned, CommentKey: workflows.TextAssigned, CommentArgs: `["8","13","0"]`},
		{Kind: workflows.EventTrained, Comment: "employee 14"},
		{Kind: workflows.EventException, CommentKey: workflows.TextException, CommentArgs: `["15","on leave"]`},
		{Kind: workflows.EventCriteriaSet, CommentKey: workflows.TextCriteriaSet, CommentArgs: `["revenue","2"]`},
		{Kind: workflows.EventReminder, Comment: "before-48h"},
		{Kind: workflows.EventAssigned, CommentKey: workflows.TextAssigned, CommentArgs: `not json`},
	}
	got := employeesNamed(events)
	slices.Sort(got)
	got = slices.Compact(got)
	if want := []uint{11, 12, 13, 14, 15}; !slices.Equal(got, want) {
		t.Errorf("employees named = %v; want %v (KAMs, deputies, the trained and the excepted; no customer, no count)", got, want)
	}
	if got := employeesNamed(nil); len(got) != 0 {
		t.Errorf("no entries name %v", got)
	}
}
