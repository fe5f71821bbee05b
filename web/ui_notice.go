package web

import "github.com/labstack/echo/v4"

// doneNotices are what a form did, named by the ?done= of the page its
// POST redirects to: a fixed key, so no text travels in the URL.
var doneNotices = map[string]string{
	"handover-started":                   "The handover started: the covering person answers for the account from now on.",
	"incoming-chosen":                    "The incoming KAM is chosen and has been told.",
	"item-ticked":                        "The checklist item is ticked.",
	"item-skipped":                       "The checklist item is skipped, with your reason.",
	"schedule-set":                       "The monthly jour fixe is set.",
	"schedule-stopped":                   "The monthly jour fixe is stopped.",
	"jourfixe-started":                   "The jour fixe started: everyone asked has been told.",
	"input-given":                        "Your input is saved; you may change it until the meeting.",
	"relationship":                       "Relationship saved; the contact matrix and its gaps are up to date.",
	"relationship-ended":                 "Relationship ended; it is kept as history.",
	"workshop-preparing":                 "The workshop is being prepared; it appears here in a moment.",
	"read":                               "The message is marked read.",
	"all-read":                           "All your messages are marked read.",
	"settings-saved":                     "Your settings are saved.",
	"phase-approved":                     "The phase is approved; the next phase has started.",
	"programme-completed":                "The last phase is approved: the programme is completed.",
	"programme-cancelled":                "The programme is cancelled; its reminders have stopped.",
	"review-signed-off":                  "The review is signed off; its findings are fixed.",
	"measure-done":                       "The measure is marked done; its reminders have stopped.",
	"action-done":                        "The action is marked done.",
	"customer-archived":                  "The customer is archived and no longer shows in the lists; the archived customers list it, to restore it.",
	"customer-restored":                  "The customer is restored and shows in the lists, the search and the selection again.",
	"contact-archived":                   "The contact is archived and no longer shows in the lists; the archived contacts list it, to restore it.",
	"contact-restored":                   "The contact is restored and shows in the lists and the contact matrix again.",
	"contact-restored-customer-archived": "The contact is restored; it shows in the lists again once its customer, archived too, is restored.",
	"employee-archived":                  "The employee is archived and no longer shows in the lists; the archived employees list them, to restore them.",
	"employee-restored":                  "The employee is restored and can be chosen again.",
	// The programme page's steps.
	"phase-submitted":     "The phase's result is handed in.",
	"gate-approved":       "The gate is approved.",
	"gate-rejected":       "The phase is sent back with your comment.",
	"programme-paused":    "The programme is paused.",
	"programme-resumed":   "The programme runs again.",
	"programme-replanned": "The programme's due dates are changed.",
	"conflict-logged":     "The conflict is logged.",
	"conflict-resolved":   "The conflict is resolved.",
	"briefing-recorded":   "The briefing of staff is recorded.",
	// The review page's steps.
	"findings-recorded": "The findings are recorded.",
	"measure-added":     "The measure is added.",
	// The selection page's steps.
	"candidate-decided":  "The decision on the candidate is recorded.",
	"criteria-set":       "The criteria are set.",
	"scores-saved":       "The scores are saved.",
	"selection-computed": "The provisional list is being computed from the scores; it shows here once done.",
	"kam-assigned":       "The key account's KAM and deputy are saved.",
	// HR's training page.
	"course-created":            "Course created.",
	"session-scheduled":         "Session scheduled.",
	"session-cancelled":         "Session cancelled; the enrolled people are told.",
	"attendance-recorded":       "Attendance recorded: attended.",
	"no-show-recorded":          "Attendance recorded: no-show.",
	"training-recorded":         "Training recorded.",
	"training-recorded-already": "This training was recorded already.",
	"training-confirmed":        "The programme is told: every required course of the KAM is recorded.",
}

// doneNotice is the notice the request's ?done= names, or "".
func doneNotice(c echo.Context) string { return doneNotices[c.QueryParam("done")] }
