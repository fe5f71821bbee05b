package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names shared with the web and worker for the jour fixe.
const (
	JourFixeWorkflowName = "JourFixe"
	QueryJourFixeState   = "state"

	UpdateSubmitInput = "submit_input"

	ActivityPrepareJourFixe = "PrepareJourFixe"
	ActivitySaveInput       = "SaveJourFixeInput"
	ActivityPoolJourFixe    = "PoolJourFixe"
	// ActivitySendJourFixePicture sends each participant the picture of
	// only the accounts she may read.
	ActivitySendJourFixePicture = "SendJourFixePicture"
)

// JourFixePictureInput asks for the pooled picture to be sent, per
// participant, with only the accounts she may read.
type JourFixePictureInput struct {
	WorkflowID   string                `json:"workflow_id"`
	JourFixeID   uint                  `json:"jour_fixe_id"`
	ProgrammeID  uint                  `json:"programme_id"`
	Day          string                `json:"day"`
	Participants []JourFixeParticipant `json:"participants"`
}

// changePicturePerReader: the picture goes to each participant with only
// the accounts she may read, instead of the whole summary to everyone.
const changePicturePerReader = "jourfixe-picture-per-reader"

// JourFixeScheduleID is the monthly Schedule of a programme's jour fixe
// (all key accounts) or of one key account's.
func JourFixeScheduleID(programmeID, keyAccountID uint) string {
	id := "jourfixe-schedule-" + strconv.FormatUint(uint64(programmeID), 10)
	if keyAccountID != 0 {
		id += "-" + strconv.FormatUint(uint64(keyAccountID), 10)
	}
	return id
}

// JourFixeWorkflowIDPrefix starts the workflow IDs of those meetings.
func JourFixeWorkflowIDPrefix(programmeID, keyAccountID uint) string {
	return strings.Replace(JourFixeScheduleID(programmeID, keyAccountID), "-schedule", "", 1)
}

// JourFixeInput starts one jour fixe; the meeting is LeadTime after the
// start (default a week), leaving time to collect everyone's input.
type JourFixeInput struct {
	ProgrammeID  uint          `json:"programme_id"`
	KeyAccountID uint          `json:"key_account_id,omitempty"` // 0: all key accounts
	LeadTime     time.Duration `json:"lead_time,omitempty"`
}

// JourFixeParticipant is asked for input on some accounts.
type JourFixeParticipant struct {
	EmployeeID uint   `json:"employee_id"`
	Email      string `json:"email"`
	Accounts   []uint `json:"accounts"`
	Given      []uint `json:"given,omitempty"`
}

// JourFixePrepared is the meeting row and who is asked.
type JourFixePrepared struct {
	JourFixeID   uint                  `json:"jour_fixe_id"`
	Participants []JourFixeParticipant `json:"participants"`
}

// PrepareJourFixeInput asks for the meeting row.
type PrepareJourFixeInput struct {
	WorkflowID   string    `json:"workflow_id"`
	ProgrammeID  uint      `json:"programme_id"`
	KeyAccountID uint      `json:"key_account_id"`
	MeetingAt    time.Time `json:"meeting_at"`
}

// InputRequest is a participant's view of one account.
type InputRequest struct {
	Actor        Actor  `json:"actor"`
	KeyAccountID uint   `json:"key_account_id"`
	Satisfaction int    `json:"satisfaction"`
	Developments string `json:"developments"`
	Needs        string `json:"needs"`
	Risks        string `json:"risks"`
}

// SaveInputInput stores an input.
type SaveInputInput struct {
	JourFixeID uint         `json:"jour_fixe_id"`
	EmployeeID uint         `json:"employee_id"`
	Input      InputRequest `json:"input"`
}

// JourFixeState is the live state of a jour fixe.
type JourFixeState struct {
	JourFixeInput
	JourFixeID   uint                  `json:"jour_fixe_id"`
	MeetingAt    time.Time             `json:"meeting_at"`
	Participants []JourFixeParticipant `json:"participants"`
	Held         bool                  `json:"held"`
	Summary      string                `json:"summary,omitempty"`
}

type jourFixe struct {
	state JourFixeState
	id    string
}

// JourFixe asks everyone with a relationship to the accounts for their view
// (satisfaction, developments, needs, risks), reminds the missing two days
// before the meeting, and pools the inputs into one picture per account.
func JourFixe(ctx workflow.Context, in JourFixeInput) (JourFixeState, error) {
	j := &jourFixe{id: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if in.ProgrammeID == 0 {
		return j.state, invalid("programme_id", "programme_id is required")
	}
	if in.LeadTime <= 0 {
		in.LeadTime = 7 * 24 * time.Hour
	}
	j.state = JourFixeState{JourFixeInput: in, MeetingAt: workflow.Now(ctx).Add(in.LeadTime)}
	if err := workflow.SetQueryHandler(ctx, QueryJourFixeState, func() (JourFixeState, error) { return j.state, nil }); err != nil {
		return j.state, err
	}
	if err := registerUpdates(ctx, []updateHandler{{UpdateSubmitInput, j.submit, j.validateSubmit}}); err != nil {
		return j.state, err
	}
	var prep JourFixePrepared
	pin := PrepareJourFixeInput{WorkflowID: j.id, ProgrammeID: in.ProgrammeID, KeyAccountID: in.KeyAccountID, MeetingAt: j.state.MeetingAt}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityPrepareJourFixe, pin).Get(ctx, &prep); err != nil {
		return j.state, fmt.Errorf("prepare jour fixe: %w", err)
	}
	j.state.JourFixeID, j.state.Participants = prep.JourFixeID, prep.Participants
	day := j.state.MeetingAt.Format("2006-01-02")
	for _, p := range j.state.Participants {
		if err := j.notify(ctx, fmt.Sprintf("ask-%d", p.EmployeeID), []string{p.Email}, "Jour fixe on "+day+": your view of your key accounts",
			fmt.Sprintf("Before the customer conference on %s, please give your view of %d key account(s): satisfaction (1-5), developments, needs and risks.", day, len(p.Accounts)),
			noticeText(NoticeJourFixeAsk, day, intText(len(p.Accounts)))); err != nil {
			return j.state, err
		}
	}
	if remind := j.state.MeetingAt.Add(-2 * 24 * time.Hour); remind.After(workflow.Now(ctx)) {
		if err := workflow.Sleep(ctx, remind.Sub(workflow.Now(ctx))); err != nil {
			return j.state, err
		}
		for _, p := range j.state.Participants {
			if len(p.Given) < len(p.Accounts) {
				if err := j.notify(ctx, fmt.Sprintf("remind-%d", p.EmployeeID), []string{p.Email}, "Reminder: your input for the jour fixe on "+day,
					fmt.Sprintf("%d of your %d key accounts still lack your view.", len(p.Accounts)-len(p.Given), len(p.Accounts)),
					noticeText(NoticeJourFixeRemind, day, intText(len(p.Accounts)-len(p.Given)), intText(len(p.Accounts)))); err != nil {
					return j.state, err
				}
			}
		}
	}
	if err := workflow.Sleep(ctx, j.state.MeetingAt.Sub(workflow.Now(ctx))); err != nil {
		return j.state, err
	}
	j.state.Held = true
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return j.state, err
	}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityPoolJourFixe, j.state.JourFixeID).Get(ctx, &j.state.Summary); err != nil {
		return j.state, fmt.Errorf("pool jour fixe: %w", err)
	}
	if workflow.GetVersion(ctx, changePicturePerReader, workflow.DefaultVersion, 1) == 1 {
		in := JourFixePictureInput{WorkflowID: j.id, JourFixeID: j.state.JourFixeID, ProgrammeID: j.state.ProgrammeID, Day: day, Participants: j.state.Participants}
		return j.state, workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySendJourFixePicture, in).Get(ctx, nil)
	}
	var to []string
	for _, p := range j.state.Participants {
		to = append(to, p.Email)
	}
	return j.state, j.notify(ctx, "picture", to, "Jour fixe "+day+": the picture of your key accounts", j.state.Summary,
		noticeText(NoticeJourFixePicture, day, j.state.Summary))
}

func (j *jourFixe) notify(ctx workflow.Context, kind string, to []string, subject, body string, text *NoticeText) error {
	if len(to) == 0 {
		return nil
	}
	n := Notification{IdempotencyKey: j.id + "/" + kind, Recipients: to, Subject: subject, Body: body, ProgrammeID: j.state.ProgrammeID,
		Link: JourFixeLink(j.state.JourFixeID), Text: text}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

func (j *jourFixe) participant(email string) *JourFixeParticipant {
	for i := range j.state.Participants {
		if strings.EqualFold(j.state.Participants[i].Email, email) {
			return &j.state.Participants[i]
		}
	}
	return nil
}

func (j *jourFixe) validateSubmit(r InputRequest) error {
	if j.state.Held {
		return conflict("the jour fixe took place")
	}
	p := j.participant(r.Actor.Email)
	if p == nil {
		return forbidden("you are not asked for input in this jour fixe")
	}
	asked := false
	for _, a := range p.Accounts {
		asked = asked || a == r.KeyAccountID
	}
	if !asked {
		return invalid("key_account_id", fmt.Sprintf("key account %d is not one of yours in this jour fixe", r.KeyAccountID))
	}
	if r.Satisfaction < 1 || r.Satisfaction > 5 {
		return invalid("satisfaction", "satisfaction is 1 (very unhappy) to 5 (very happy)")
	}
	for _, f := range []struct{ name, v string }{{"developments", r.Developments}, {"needs", r.Needs}, {"risks", r.Risks}} {
		if len(f.v) > 5000 {
			return invalid(f.name, f.name+" is longer than 5000 characters")
		}
	}
	return nil
}

// changeInputFirst: submit counts the input as given before it awaits the
// save, so a reminder meanwhile does not ask for it again.
const changeInputFirst = "jourfixe-input-state-first"

func (j *jourFixe) submit(ctx workflow.Context, r InputRequest) (JourFixeState, error) {
	p := j.participant(r.Actor.Email)
	in := SaveInputInput{JourFixeID: j.state.JourFixeID, EmployeeID: p.EmployeeID, Input: r}
	seen := false
	for _, g := range p.Given {
		seen = seen || g == r.KeyAccountID
	}
	if workflow.GetVersion(ctx, changeInputFirst, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySaveInput, in).Get(ctx, nil); err != nil {
			return j.state, err
		}
		if !seen {
			p.Given = append(p.Given, r.KeyAccountID)
		}
		return j.state, nil
	}
	if !seen {
		p.Given = append(p.Given, r.KeyAccountID)
	}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySaveInput, in).Get(ctx, nil); err != nil {
		if !seen {
			// Not saved: the account still lacks this participant's view.
			for i, g := range p.Given {
				if g == r.KeyAccountID {
					p.Given = append(p.Given[:i], p.Given[i+1:]...)
					break
				}
			}
		}
		return j.state, err
	}
	return j.state, nil
}
