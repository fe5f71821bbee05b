package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names shared with the web and worker for the training workflow.
const (
	TrainingWorkflowName = "Training"
	QueryTrainingState   = "state"

	// SignalSessionChanged carries a moved or cancelled session (HR edits it).
	SignalSessionChanged = "session_changed"
	// SignalPromoted tells a waitlisted enrolment it has a seat now.
	SignalPromoted = "promoted"

	UpdateAttendance      = "attendance"
	UpdateCancelEnrolment = "cancel_enrolment"

	ActivityRecordEnrolmentStatus    = "RecordEnrolmentStatus"
	ActivityReleaseSeat              = "ReleaseSeat"
	ActivityReportTrainingCompletion = "ReportTrainingCompletion"
	ActivityTrainingDeadline         = "TrainingDeadline"
	ActivityMissingRequiredCourses   = "MissingRequiredCourses"
	ActivityRoleRecipients           = "RoleRecipients"
)

// TrainingWorkflowID is the workflow ID of enrolment id.
func TrainingWorkflowID(enrolmentID uint) string {
	return "training-" + strconv.FormatUint(uint64(enrolmentID), 10)
}

// Training statuses (the same words as the enrolments table).
const (
	TrainingWaitlisted       = "waitlisted"
	TrainingEnrolled         = "enrolled"
	TrainingCompleted        = "completed"
	TrainingNoShow           = "no_show"
	TrainingCancelled        = "cancelled"
	TrainingSessionCancelled = "session_cancelled"
)

// TrainingInput starts the workflow of one enrolment.
type TrainingInput struct {
	EnrolmentID   uint      `json:"enrolment_id"`
	SessionID     uint      `json:"session_id"`
	EmployeeID    uint      `json:"employee_id"`
	EmployeeEmail string    `json:"employee_email"`
	EmployeeName  string    `json:"employee_name"`
	CourseTitle   string    `json:"course_title"`
	Required      bool      `json:"required"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	Place         string    `json:"place"`
	Revision      int       `json:"revision"`
	Waitlisted    bool      `json:"waitlisted"`
	// ProgrammeID is the programme the training serves (0: none); its
	// training due date drives the escalation of a missing required course.
	ProgrammeID uint `json:"programme_id"`
	// Reminders before the start; default 7 days and 1 day.
	Reminders []time.Duration `json:"reminders,omitempty"`
}

// SessionChange is what HR changed about a session.
type SessionChange struct {
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Place     string    `json:"place"`
	Revision  int       `json:"revision"`
	Cancelled bool      `json:"cancelled"`
}

// AttendanceRequest is HR recording whether the employee attended.
type AttendanceRequest struct {
	Actor    Actor  `json:"actor"`
	Attended bool   `json:"attended"`
	Note     string `json:"note"`
}

// EnrolmentCancelRequest withdraws an enrolment (HR).
type EnrolmentCancelRequest struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason"`
	// MovedTo is the enrolment in another session of the course that HR
	// moved this one to (0: a plain cancellation). The training goes on
	// there, so this one asks nobody to re-enrol and escalates nothing.
	MovedTo uint `json:"moved_to,omitempty"`
}

// TrainingState is the live state of an enrolment's workflow.
type TrainingState struct {
	TrainingInput
	Status        string   `json:"status"`
	RemindersSent []string `json:"reminders_sent,omitempty"`
	RecordedBy    string   `json:"recorded_by,omitempty"`
	Escalated     bool     `json:"escalated"`
	// MovedTo is the enrolment this one was moved to, if it was.
	MovedTo uint `json:"moved_to,omitempty"`
}

// Activity payloads.

// EnrolmentStatusInput moves an enrolment's row between statuses.
type EnrolmentStatusInput struct {
	EnrolmentID uint     `json:"enrolment_id"`
	From        []string `json:"from"`
	To          string   `json:"to"`
	By          string   `json:"by"`
	// Note is HR's attendance note or the reason for a cancellation.
	Note string `json:"note,omitempty"`
}

// CompletionInput reports a completed course to the programmes of the KAM.
type CompletionInput struct {
	EmployeeID uint   `json:"employee_id"`
	Actor      Actor  `json:"actor"`
	Course     string `json:"course"`
}

// Deadline is a programme's training due date and its lead.
type Deadline struct {
	Due       time.Time `json:"due"`
	LeadEmail string    `json:"lead_email"`
}

type training struct {
	state TrainingState
	// version counts changes from signals and updates; the loop waits on it.
	version int
}

// Training is the workflow of one enrolment: invitation, reminders,
// waitlist promotion, moved or cancelled sessions, attendance, and the
// escalation of a required course that is still missing.
func Training(ctx workflow.Context, in TrainingInput) (TrainingState, error) {
	t := &training{}
	if err := t.setup(ctx, in); err != nil {
		return t.state, err
	}
	return t.run(ctx)
}

func (t *training) setup(ctx workflow.Context, in TrainingInput) error {
	if in.EnrolmentID == 0 || in.EmployeeEmail == "" || in.StartsAt.IsZero() {
		return invalid("input", "enrolment_id, employee_email and starts_at are required")
	}
	if len(in.Reminders) == 0 {
		in.Reminders = []time.Duration{7 * 24 * time.Hour, 24 * time.Hour}
	}
	t.state = TrainingState{TrainingInput: in, Status: TrainingEnrolled}
	if in.Waitlisted {
		t.state.Status = TrainingWaitlisted
	}
	if err := workflow.SetQueryHandler(ctx, QueryTrainingState, func() (TrainingState, error) { return t.state, nil }); err != nil {
		return fmt.Errorf("register query: %w", err)
	}
	if err := registerUpdates(ctx, []updateHandler{
		{UpdateAttendance, t.attendance, t.validateAttendance},
		{UpdateCancelEnrolment, t.cancel, t.validateCancel},
	}); err != nil {
		return err
	}
	changes := workflow.GetSignalChannel(ctx, SignalSessionChanged)
	promoted := workflow.GetSignalChannel(ctx, SignalPromoted)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			sel := workflow.NewSelector(ctx)
			sel.AddReceive(changes, func(c workflow.ReceiveChannel, _ bool) {
				var ch SessionChange
				c.Receive(ctx, &ch)
				t.sessionChanged(ch)
			})
			sel.AddReceive(promoted, func(c workflow.ReceiveChannel, _ bool) {
				c.Receive(ctx, nil)
				if t.state.Status == TrainingWaitlisted {
					t.state.Status = TrainingEnrolled
					t.version++
				}
			})
			sel.Select(ctx)
		}
	})
	return nil
}

func (t *training) sessionChanged(ch SessionChange) {
	if ch.Revision <= t.state.Revision {
		return // an older or repeated change
	}
	t.state.Revision = ch.Revision
	if ch.Cancelled {
		if t.state.Status == TrainingEnrolled || t.state.Status == TrainingWaitlisted {
			t.state.Status = TrainingSessionCancelled
		}
	} else {
		t.state.StartsAt, t.state.EndsAt, t.state.Place = ch.StartsAt, ch.EndsAt, ch.Place
	}
	t.version++
}

func (t *training) open() bool {
	return t.state.Status == TrainingEnrolled || t.state.Status == TrainingWaitlisted
}

func (t *training) run(ctx workflow.Context) (TrainingState, error) {
	invited := -1 // revision the current invitation was sent for
	announcedWaitlist := false
	for t.open() {
		seen := t.version
		changed := func() bool { return t.version != seen }
		switch t.state.Status {
		case TrainingWaitlisted:
			if !announcedWaitlist {
				announcedWaitlist = true
				if err := t.notifyEmployee(ctx, "waitlist", fmt.Sprintf("Waitlist: %s on %s", t.state.CourseTitle, t.day()),
					fmt.Sprintf("The session of %q on %s is full; you are on its waitlist and get a seat as soon as one frees up.", t.state.CourseTitle, t.day()),
					noticeText(NoticeTrainingWaitlist, t.state.CourseTitle, momentArg(t.state.StartsAt))); err != nil {
					return t.state, err
				}
			}
			if err := workflow.Await(ctx, changed); err != nil {
				return t.state, err
			}
			continue
		case TrainingEnrolled:
			if invited != t.state.Revision {
				subject, body, textKey := "Invitation: "+t.state.CourseTitle+" on "+t.day(), t.invitationText(), NoticeTrainingInvitation
				if invited >= 0 {
					subject, body, textKey = "Moved: "+t.state.CourseTitle+" now on "+t.day(), "The session has moved. "+t.invitationText(), NoticeTrainingMoved
				}
				text := noticeText(textKey, t.state.CourseTitle, momentArg(t.state.StartsAt), momentArg(t.state.EndsAt), t.state.Place)
				if err := t.notifyEmployee(ctx, "invitation", subject, body, text); err != nil {
					return t.state, err
				}
				invited = t.state.Revision
			}
		}
		now := workflow.Now(ctx)
		next, key, ok := t.nextReminder(now)
		if !ok {
			// Everything sent; wait for attendance, a change or a cancellation.
			if err := workflow.Await(ctx, changed); err != nil {
				return t.state, err
			}
			continue
		}
		if !next.After(now) {
			t.state.RemindersSent = append(t.state.RemindersSent, t.revKey(key))
			if strings.HasPrefix(key, "attendance") {
				if err := t.notifyHR(ctx, key, fmt.Sprintf("Record attendance: %s on %s", t.state.CourseTitle, t.day()),
					fmt.Sprintf("Please record whether %s attended %q on %s.", t.state.EmployeeName, t.state.CourseTitle, t.day()),
					noticeText(NoticeTrainingAttendance, t.state.CourseTitle, momentArg(t.state.StartsAt), t.state.EmployeeName)); err != nil {
					return t.state, err
				}
				continue
			}
			if err := t.notifyEmployee(ctx, key, fmt.Sprintf("Reminder: %s on %s", t.state.CourseTitle, t.day()),
				fmt.Sprintf("Reminder: %q starts on %s at %s (%s).", t.state.CourseTitle, t.day(), t.state.StartsAt.Format("15:04 MST"), t.state.Place),
				noticeText(NoticeTrainingReminder, t.state.CourseTitle, momentArg(t.state.StartsAt), t.state.Place)); err != nil {
				return t.state, err
			}
			continue
		}
		if _, err := workflow.AwaitWithTimeout(ctx, next.Sub(now), changed); err != nil {
			return t.state, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return t.state, err
	}
	switch t.state.Status {
	case TrainingSessionCancelled:
		if err := t.record(ctx, []string{TrainingEnrolled, TrainingWaitlisted}, TrainingCancelled, "session cancelled", ""); err != nil {
			return t.state, err
		}
		if err := t.askReEnrolment(ctx, TrainingEndedCancelled); err != nil {
			return t.state, err
		}
	}
	if t.state.Status != TrainingCompleted && t.state.MovedTo == 0 {
		return t.state, t.escalateIfStillMissing(ctx)
	}
	return t.state, nil
}

// nextReminder returns the next notice for the current revision: reminders
// before the start, then one to HR to record attendance two days after the end.
func (t *training) nextReminder(now time.Time) (time.Time, string, bool) {
	sent := map[string]bool{}
	for _, k := range t.state.RemindersSent {
		sent[k] = true
	}
	var best time.Time
	bestKey := ""
	for _, b := range t.state.Reminders {
		key := "before-" + strconv.FormatInt(int64(b/time.Hour), 10) + "h"
		at := t.state.StartsAt.Add(-b)
		// A reminder whose time passed before the enrolment (or a move) is
		// not sent late; the invitation said it all.
		if sent[t.revKey(key)] || !t.state.StartsAt.After(now) || at.Before(now.Add(-time.Hour)) {
			continue
		}
		if bestKey == "" || at.Before(best) {
			best, bestKey = at, key
		}
	}
	if bestKey != "" {
		return best, bestKey, true
	}
	if key := "attendance"; !sent[t.revKey(key)] {
		return t.state.EndsAt.Add(48 * time.Hour), key, true
	}
	return time.Time{}, "", false
}

// revKey ties a reminder to the session's revision: a moved session gets
// its reminders anew.
func (t *training) revKey(key string) string { return key + "@rev" + strconv.Itoa(t.state.Revision) }

func (t *training) day() string { return t.state.StartsAt.Format("2006-01-02") }

func (t *training) invitationText() string {
	return fmt.Sprintf("You are enrolled in %q from %s to %s, %s.", t.state.CourseTitle,
		t.state.StartsAt.Format("2006-01-02 15:04 MST"), t.state.EndsAt.Format("2006-01-02 15:04 MST"), t.state.Place)
}

func (t *training) key(kind string) string {
	return fmt.Sprintf("training-%d/%s/rev%d", t.state.EnrolmentID, kind, t.state.Revision)
}

func (t *training) notifyEmployee(ctx workflow.Context, kind, subject, body string, text *NoticeText) error {
	n := Notification{IdempotencyKey: t.key(kind), Recipients: []string{t.state.EmployeeEmail}, Subject: subject, Body: body, Link: MyWorkLink, Text: text}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

// notifyHR sends to every HR user (and extra recipients).
func (t *training) notifyHR(ctx workflow.Context, kind, subject, body string, text *NoticeText, extra ...string) error {
	var hr []string
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityRoleRecipients, "hr").Get(ctx, &hr); err != nil {
		return fmt.Errorf("HR recipients: %w", err)
	}
	to := append(hr, extra...)
	if len(to) == 0 {
		return nil
	}
	n := Notification{IdempotencyKey: t.key(kind), Recipients: to, Subject: subject, Body: body, ProgrammeID: t.state.ProgrammeID,
		Link: TrainingSessionLink(t.state.SessionID), Text: text}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

func (t *training) record(ctx workflow.Context, from []string, to, by, note string) error {
	in := EnrolmentStatusInput{EnrolmentID: t.state.EnrolmentID, From: from, To: to, By: by, Note: note}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityRecordEnrolmentStatus, in).Get(ctx, nil)
}

func (t *training) askReEnrolment(ctx workflow.Context, why string) error {
	return t.notifyHR(ctx, "re-enrol", fmt.Sprintf("Re-enrol %s: %s", t.state.EmployeeName, t.state.CourseTitle),
		fmt.Sprintf("%s's enrolment in %q on %s ended without completion (%s). Please enrol them in another session.",
			t.state.EmployeeName, t.state.CourseTitle, t.day(), why),
		noticeText(NoticeTrainingReEnrol, t.state.EmployeeName, t.state.CourseTitle, momentArg(t.state.StartsAt), why))
}

// escalateIfStillMissing waits until 30 days before the programme's training
// due date and tells HR and the lead if a required course is still missing.
func (t *training) escalateIfStillMissing(ctx workflow.Context) error {
	if !t.state.Required || t.state.ProgrammeID == 0 {
		return nil
	}
	var d Deadline
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityTrainingDeadline, t.state.ProgrammeID).Get(ctx, &d); err != nil {
		return fmt.Errorf("training deadline: %w", err)
	}
	if at := d.Due.Add(-30 * 24 * time.Hour); at.After(workflow.Now(ctx)) {
		if err := workflow.Sleep(ctx, at.Sub(workflow.Now(ctx))); err != nil {
			return err
		}
	}
	var missing []string
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityMissingRequiredCourses, t.state.EmployeeID).Get(ctx, &missing); err != nil {
		return fmt.Errorf("missing courses: %w", err)
	}
	if len(missing) == 0 {
		return nil
	}
	t.state.Escalated = true
	return t.notifyHR(ctx, "escalation", fmt.Sprintf("Escalation: %s still lacks required training", t.state.EmployeeName),
		fmt.Sprintf("%s still has to complete %s; the programme's training phase is due on %s.",
			t.state.EmployeeName, strings.Join(missing, ", "), d.Due.Format("2006-01-02")),
		noticeText(NoticeTrainingEscalation, append([]string{t.state.EmployeeName, dateArg(d.Due)}, missing...)...), d.LeadEmail)
}

func (t *training) validateAttendance(ctx workflow.Context, r AttendanceRequest) error {
	if !r.Actor.has("hr") && !r.Actor.has("admin") {
		return forbidden("only HR records attendance")
	}
	if t.state.Status != TrainingEnrolled {
		return conflict(fmt.Sprintf("the enrolment is %s", t.state.Status))
	}
	if workflow.Now(ctx).Before(t.state.StartsAt) {
		return conflict("attendance is recorded once the session has started")
	}
	if len(r.Note) > 2000 {
		return invalid("note", "note is longer than 2000 characters")
	}
	return nil
}

// attendance closes the enrolment; a completed required course reaches the
// programmes the KAM serves.
func (t *training) attendance(ctx workflow.Context, r AttendanceRequest) (TrainingState, error) {
	to := TrainingNoShow
	if r.Attended {
		to = TrainingCompleted
	}
	t.state.Status, t.state.RecordedBy = to, r.Actor.Email
	t.version++
	if err := t.record(ctx, []string{TrainingEnrolled}, to, r.Actor.Email, r.Note); err != nil {
		return t.state, err
	}
	if !r.Attended {
		return t.state, t.askReEnrolment(ctx, TrainingEndedNoShow)
	}
	if t.state.Required {
		in := CompletionInput{EmployeeID: t.state.EmployeeID, Actor: r.Actor, Course: t.state.CourseTitle}
		if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityReportTrainingCompletion, in).Get(ctx, nil); err != nil {
			return t.state, fmt.Errorf("report completion: %w", err)
		}
	}
	return t.state, nil
}

func (t *training) validateCancel(r EnrolmentCancelRequest) error {
	if !r.Actor.has("hr") && !r.Actor.has("admin") {
		return forbidden("only HR cancels enrolments")
	}
	if !t.open() {
		return conflict(fmt.Sprintf("the enrolment is %s", t.state.Status))
	}
	if strings.TrimSpace(r.Reason) == "" {
		return invalid("reason", "say why the enrolment is cancelled")
	}
	if r.MovedTo == t.state.EnrolmentID && r.MovedTo != 0 {
		return invalid("moved_to", "an enrolment is not moved to itself")
	}
	return nil
}

// changeEnrolmentMove: a cancellation that moves the enrolment to another
// session (EnrolmentCancelRequest.MovedTo) leaves the re-enrolment request
// and the escalation to the enrolment it moved to. Histories from before
// carry no move, so only a move asks for the version.
const changeEnrolmentMove = "training-enrolment-move"

// cancel frees the seat for the first on the waitlist.
func (t *training) cancel(ctx workflow.Context, r EnrolmentCancelRequest) (TrainingState, error) {
	wasEnrolled := t.state.Status == TrainingEnrolled
	if r.MovedTo != 0 && workflow.GetVersion(ctx, changeEnrolmentMove, workflow.DefaultVersion, 1) == 1 {
		t.state.MovedTo = r.MovedTo
	}
	t.state.Status, t.state.RecordedBy = TrainingCancelled, r.Actor.Email
	t.version++
	if err := t.record(ctx, []string{TrainingEnrolled, TrainingWaitlisted}, TrainingCancelled, r.Actor.Email, r.Reason); err != nil {
		return t.state, err
	}
	if wasEnrolled {
		var promoted uint
		if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityReleaseSeat, t.state.SessionID).Get(ctx, &promoted); err != nil {
			return t.state, fmt.Errorf("release seat: %w", err)
		}
		if promoted != 0 {
			// The promoted enrolment's row is enrolled already; its workflow
			// learns it here. A closed workflow needs no telling.
			_ = workflow.SignalExternalWorkflow(ctx, TrainingWorkflowID(promoted), "", SignalPromoted, nil).Get(ctx, nil)
		}
	}
	if t.state.MovedTo != 0 {
		return t.state, nil
	}
	return t.state, t.askReEnrolment(ctx, strings.TrimSpace(r.Reason))
}
