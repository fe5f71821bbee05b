// Package schedules declares the Temporal Schedules kamflow keeps: their
// specs and the workflow each starts. Activities and the web share them.
package schedules

import (
	"sort"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/workflows"
)

// WorkshopSpec runs the workshop workflow on the 1st of month at 07:00 UTC
// every year; it starts about ten weeks of planning.
func WorkshopSpec(month time.Month) client.ScheduleSpec {
	return client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
		Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}}, Hour: []client.ScheduleRange{{Start: 7}},
		DayOfMonth: []client.ScheduleRange{{Start: 1}}, Month: []client.ScheduleRange{{Start: int(month)}},
		Comment: "annual key-account workshop",
	}}}
}

// WorkshopAction starts the workshop workflow of a key account.
func WorkshopAction(keyAccountID uint, taskQueue string) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID: workflows.WorkshopWorkflowIDPrefix(keyAccountID), Workflow: workflows.WorkshopWorkflowName, TaskQueue: taskQueue,
		Args: []any{workflows.WorkshopInput{KeyAccountID: keyAccountID}},
	}
}

// CadenceStep is the months between reviews of each cadence.
var cadenceStep = map[string]int{"quarterly": 3, "half_yearly": 6, "yearly": 12}

// ValidCadence reports whether c is a known review cadence.
func ValidCadence(c string) bool { _, ok := cadenceStep[c]; return ok }

// ReviewSpec runs a review at 06:00 UTC on the start date's day (at most
// the 28th, so every month has it) in every step-th month from the start.
func ReviewSpec(cadence string, start time.Time) client.ScheduleSpec {
	step := cadenceStep[cadence]
	var months []client.ScheduleRange
	for m := 0; m < 12; m += step {
		months = append(months, client.ScheduleRange{Start: (int(start.Month())-1+m)%12 + 1})
	}
	sort.Slice(months, func(i, j int) bool { return months[i].Start < months[j].Start })
	return client.ScheduleSpec{
		Calendars: []client.ScheduleCalendarSpec{{
			Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}}, Hour: []client.ScheduleRange{{Start: 6}},
			DayOfMonth: []client.ScheduleRange{{Start: min(start.Day(), 28)}}, Month: months,
			Comment: cadence + " controller review",
		}},
		StartAt: start,
	}
}

// NextReviews lists the next n dates a cadence's Schedule runs on after from
// (the same rule as ReviewSpec, for calendars).
func NextReviews(cadence string, start, from time.Time, n int) []time.Time {
	step, ok := cadenceStep[cadence]
	if !ok {
		return nil
	}
	start = start.UTC()
	day := min(start.Day(), 28)
	var out []time.Time
	for k := 0; len(out) < n && k < 1000; k++ {
		d := time.Date(start.Year(), start.Month()+time.Month(k*step), day, 6, 0, 0, 0, time.UTC)
		if !d.Before(start) && d.After(from) {
			out = append(out, d)
		}
	}
	return out
}

// ReviewAction starts a programme's review workflow.
func ReviewAction(programmeID uint, controller, taskQueue string) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID: workflows.ReviewWorkflowIDPrefix(programmeID), Workflow: workflows.ReviewWorkflowName, TaskQueue: taskQueue,
		Args: []any{workflows.ReviewInput{ProgrammeID: programmeID, ControllerEmail: controller}},
	}
}

// JourFixeSpec runs a jour fixe every month on day (1-28) at 07:00 UTC; the
// meeting is a week later.
func JourFixeSpec(day int) client.ScheduleSpec {
	return client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
		Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}}, Hour: []client.ScheduleRange{{Start: 7}},
		DayOfMonth: []client.ScheduleRange{{Start: day}}, Month: []client.ScheduleRange{{Start: 1, End: 12}},
		Comment: "monthly jour fixe (customer conference)",
	}}}
}

// JourFixeAction starts a jour fixe for a programme's key accounts (or one).
func JourFixeAction(programmeID, keyAccountID uint, taskQueue string) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID: workflows.JourFixeWorkflowIDPrefix(programmeID, keyAccountID), Workflow: workflows.JourFixeWorkflowName, TaskQueue: taskQueue,
		Args: []any{workflows.JourFixeInput{ProgrammeID: programmeID, KeyAccountID: keyAccountID}},
	}
}
