package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// PrepareJourFixe records the meeting and lists who is asked about what.
func (a *Activities) PrepareJourFixe(ctx context.Context, in workflows.PrepareJourFixeInput) (workflows.JourFixePrepared, error) {
	j := &store.JourFixe{WorkflowID: in.WorkflowID, ProgrammeID: in.ProgrammeID, MeetingAt: in.MeetingAt.UTC()}
	if in.KeyAccountID != 0 {
		id := in.KeyAccountID
		j.KeyAccountID = &id
	}
	people, _, err := a.Store.PrepareJourFixe(ctx, j)
	if err != nil {
		return workflows.JourFixePrepared{}, classify(err)
	}
	out := workflows.JourFixePrepared{JourFixeID: j.ID, Participants: []workflows.JourFixeParticipant{}}
	for _, p := range people {
		out.Participants = append(out.Participants, workflows.JourFixeParticipant{EmployeeID: p.EmployeeID, Email: strings.ToLower(p.Email), Accounts: p.Accounts})
	}
	return out, nil
}

// SaveJourFixeInput stores a participant's view of an account.
func (a *Activities) SaveJourFixeInput(ctx context.Context, in workflows.SaveInputInput) error {
	return classify(a.Store.SaveJourFixeInput(ctx, store.JourFixeInput{JourFixeID: in.JourFixeID, KeyAccountID: in.Input.KeyAccountID, EmployeeID: in.EmployeeID,
		Satisfaction: in.Input.Satisfaction, Developments: strings.TrimSpace(in.Input.Developments), Needs: strings.TrimSpace(in.Input.Needs), Risks: strings.TrimSpace(in.Input.Risks)}))
}

// PoolJourFixe pools the inputs into one picture per account and returns it.
func (a *Activities) PoolJourFixe(ctx context.Context, jourFixeID uint) (string, error) {
	_, summary, err := a.Store.PoolJourFixe(ctx, jourFixeID)
	return summary, classify(err)
}

// SendJourFixePicture sends each participant the pooled picture of only
// the accounts the access policy lets her read (what is said about one
// account reaches only people who may see it). A participant who may read
// none of them gets nothing; a retry sends nobody twice.
func (a *Activities) SendJourFixePicture(ctx context.Context, in workflows.JourFixePictureInput) error {
	pics, _, err := a.Store.PoolJourFixe(ctx, in.JourFixeID)
	if err != nil {
		return classify(err)
	}
	accounts := map[uint]*store.KeyAccount{}
	for _, pic := range pics {
		ka, err := a.Store.KeyAccountByID(ctx, pic.KeyAccountID)
		if err != nil {
			return classify(err)
		}
		accounts[pic.KeyAccountID] = ka
	}
	pol := policy.Policy{Store: a.Store}
	var pid *uint
	if in.ProgrammeID != 0 {
		pid = &in.ProgrammeID
	}
	for _, p := range in.Participants {
		u, err := a.Store.UserByEmail(ctx, p.Email)
		if errors.Is(err, store.ErrNotFound) {
			continue // no sign-in, so nothing she may read
		}
		if err != nil {
			return classify(err)
		}
		var readable []store.AccountPicture
		for _, pic := range pics {
			ok, err := pol.MayAccount(ctx, u, policy.ActAccountRead, accounts[pic.KeyAccountID])
			if err != nil {
				return classify(err)
			}
			if ok {
				readable = append(readable, pic)
			}
		}
		if len(readable) == 0 {
			continue
		}
		key := fmt.Sprintf("%s/picture/%d", in.WorkflowID, p.EmployeeID)
		summary := store.SummaryOf(readable)
		if err := a.Store.EnqueueNotification(ctx, store.NewNotification{Key: key, Recipients: []string{p.Email},
			Subject: "Jour fixe " + in.Day + ": the picture of your key accounts", Body: summary,
			Link: workflows.JourFixeLink(in.JourFixeID), ProgrammeID: pid,
			TextKey: workflows.NoticeJourFixePicture, TextArgs: []string{in.Day, summary}}); err != nil {
			return classify(err)
		}
	}
	return nil
}
