package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Activities shared by the workflows that track actions.
const (
	ActivitySaveActions    = "SaveActions"
	ActivityCompleteAction = "CompleteAction"
)

// UpdateCompleteAction marks a tracked action done (owner or KAM).
const UpdateCompleteAction = "complete_action"

// SignalOwnerChanged tells the workflow tracking an action or a measure
// that the database gave it a new owner: reminders go to her from now on
// and she may mark it done.
const SignalOwnerChanged = "owner_changed"

// changeOwnerChanges: tracking workflows apply owner changes.
const changeOwnerChanges = "owner-changes"

// Kinds of tracked work in OwnerChanged.
const (
	WorkAction  = "action"
	WorkMeasure = "measure"
)

// OwnerChanged is the signal's payload.
type OwnerChanged struct {
	Kind       string `json:"kind"`
	ID         uint   `json:"id"`
	OwnerEmail string `json:"owner_email"`
}

// UpdateChangeOwner is the same as SignalOwnerChanged for a caller who
// waits until the workflow has applied it (the reassign route), so a
// "mark done" right after is judged with the new owner.
const UpdateChangeOwner = "change_owner"

// followOwnerChanges applies every owner change signalled or sent as an
// update to the workflow.
func followOwnerChanges(ctx workflow.Context, apply func(OwnerChanged)) error {
	applyChange := func(ctx workflow.Context, c OwnerChanged) {
		if workflow.GetVersion(ctx, changeOwnerChanges, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return
		}
		if strings.Contains(c.OwnerEmail, "@") {
			c.OwnerEmail = strings.ToLower(strings.TrimSpace(c.OwnerEmail))
			apply(c)
		}
	}
	ch := workflow.GetSignalChannel(ctx, SignalOwnerChanged)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var c OwnerChanged
			ch.Receive(ctx, &c)
			applyChange(ctx, c)
		}
	})
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateChangeOwner, func(ctx workflow.Context, c OwnerChanged) error {
		applyChange(ctx, c)
		return nil
	}, workflow.UpdateHandlerOptions{Validator: func(c OwnerChanged) error {
		if !strings.Contains(c.OwnerEmail, "@") {
			return invalid("owner_email", "name the new owner's e-mail")
		}
		return nil
	}})
}

// changeActionOwner gives a tracked action its new owner.
func changeActionOwner(actions []TrackedAction, c OwnerChanged) {
	if a := findAction(actions, c.ID); a != nil && c.Kind == WorkAction {
		a.OwnerEmail = c.OwnerEmail
	}
}

// ActionInput is an action to create: title, owner and due date.
type ActionInput struct {
	Title       string    `json:"title"`
	OwnerEmail  string    `json:"owner_email"`
	Due         time.Time `json:"due"`
	ObjectiveID uint      `json:"objective_id,omitempty"`
}

// TrackedAction is an action a workflow reminds about until it is done.
type TrackedAction struct {
	ID            uint      `json:"id"`
	Title         string    `json:"title"`
	OwnerEmail    string    `json:"owner_email"`
	Due           time.Time `json:"due"`
	Done          bool      `json:"done"`
	RemindersSent []string  `json:"reminders_sent,omitempty"`
}

// SaveActionsInput stores actions once per key prefix.
type SaveActionsInput struct {
	KeyAccountID uint          `json:"key_account_id"`
	Source       string        `json:"source"` // plan or workshop
	SourceID     uint          `json:"source_id"`
	KeyPrefix    string        `json:"key_prefix"`
	Actions      []ActionInput `json:"actions"`
}

// CompleteActionInput marks an action done in the DB.
type CompleteActionInput struct {
	ActionID uint      `json:"action_id"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// CompleteActionRequest is the update payload.
type CompleteActionRequest struct {
	Actor    Actor `json:"actor"`
	ActionID uint  `json:"action_id"`
}

// validateActions checks actions to create.
func validateActions(actions []ActionInput, now time.Time) error {
	if len(actions) > 100 {
		return invalid("actions", "at most 100 actions at once")
	}
	for i, a := range actions {
		f := fmt.Sprintf("actions[%d]", i)
		switch {
		case strings.TrimSpace(a.Title) == "" || len(a.Title) > 300:
			return invalid(f+".title", "title is required (up to 300 characters)")
		case !strings.Contains(a.OwnerEmail, "@"):
			return invalid(f+".owner_email", "every action needs an owner")
		case !a.Due.After(now):
			return invalid(f+".due", "the due date must be in the future")
		}
	}
	return nil
}

// saveActions stores actions and returns them ready to track.
func saveActions(ctx workflow.Context, in SaveActionsInput) ([]TrackedAction, error) {
	var ids []uint
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivitySaveActions, in).Get(ctx, &ids); err != nil {
		return nil, fmt.Errorf("save actions: %w", err)
	}
	out := make([]TrackedAction, len(in.Actions))
	for i, a := range in.Actions {
		out[i] = TrackedAction{ID: ids[i], Title: strings.TrimSpace(a.Title), OwnerEmail: strings.ToLower(strings.TrimSpace(a.OwnerEmail)), Due: a.Due}
	}
	return out, nil
}

func allActionsDone(actions []TrackedAction) bool {
	for _, a := range actions {
		if !a.Done {
			return false
		}
	}
	return true
}

// nextActionNotice: 3 days before an open action's due date to its owner,
// at the due date (and weekly after) an overdue notice.
func nextActionNotice(actions []TrackedAction, now time.Time) (int, string, time.Time, bool) {
	best, bestKey, bestAt := -1, "", time.Time{}
	for i := range actions {
		a := &actions[i]
		if a.Done {
			continue
		}
		sent := map[string]bool{}
		for _, k := range a.RemindersSent {
			sent[k] = true
		}
		key, at := "before", a.Due.Add(-3*24*time.Hour)
		if sent[key] || now.After(a.Due) {
			n := 0
			for sent["overdue-"+strconv.Itoa(n)] {
				n++
			}
			if passed := int(now.Sub(a.Due) / (7 * 24 * time.Hour)); now.After(a.Due) && passed > n {
				n = passed
			}
			key, at = "overdue-"+strconv.Itoa(n), a.Due.Add(time.Duration(n)*7*24*time.Hour)
		}
		if best < 0 || at.Before(bestAt) {
			best, bestKey, bestAt = i, key, at
		}
	}
	return best, bestKey, bestAt, best >= 0
}

func findAction(actions []TrackedAction, id uint) *TrackedAction {
	for i := range actions {
		if actions[i].ID == id {
			return &actions[i]
		}
	}
	return nil
}

// validateCompleteAction: the owner, or someone allowed by extra, marks it done.
func validateCompleteAction(actions []TrackedAction, r CompleteActionRequest, allowed bool) error {
	a := findAction(actions, r.ActionID)
	if a == nil {
		return notFound("action_id", fmt.Sprintf("no action %d here", r.ActionID))
	}
	if !allowed && !strings.EqualFold(r.Actor.Email, a.OwnerEmail) {
		return forbidden("only the action's owner or the KAM marks it done")
	}
	if a.Done {
		return conflict("the action is done already")
	}
	return nil
}

func completeAction(ctx workflow.Context, actions []TrackedAction, r CompleteActionRequest) error {
	a := findAction(actions, r.ActionID)
	a.Done = true
	in := CompleteActionInput{ActionID: a.ID, By: r.Actor.Email, At: workflow.Now(ctx)}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityCompleteAction, in).Get(ctx, nil)
}

// notifyAction sends an action reminder or overdue notice.
func notifyAction(ctx workflow.Context, keyPrefix, link string, a *TrackedAction, key string, escalateTo []string) error {
	a.RemindersSent = append(a.RemindersSent, key)
	to := []string{a.OwnerEmail}
	subject := fmt.Sprintf("Action due %s: %s", a.Due.Format("2006-01-02"), a.Title)
	textKey := NoticeActionDue
	if strings.HasPrefix(key, "overdue") {
		for _, e := range escalateTo {
			if e != "" {
				to = append(to, e)
			}
		}
		subject = fmt.Sprintf("Action overdue since %s: %s", a.Due.Format("2006-01-02"), a.Title)
		textKey = NoticeActionOverdue
	}
	n := Notification{IdempotencyKey: fmt.Sprintf("%s/action-%d/%s", keyPrefix, a.ID, key), Recipients: to, Subject: subject,
		Body: fmt.Sprintf("The action %q (owner %s) is due on %s.", a.Title, a.OwnerEmail, a.Due.Format("2006-01-02")), Link: link,
		Text: noticeText(textKey, a.Title, a.OwnerEmail, dateArg(a.Due))}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}
