// Package policy is kamflow's one answer to "may this user do this?": a
// table of named actions, each allowed by roles (on everything) or by a
// relation to the thing acted on (lead of that programme, KAM of that
// account, owner of that action, ...). Admins may do everything.
//
// The web's routes, pages, templates and the notification fan-out ask it;
// workflow validators keep their own checks as the authority on what may
// happen next, and never allow what this table forbids by relation.
package policy

import (
	"context"
	"fmt"
	"strings"

	"github.com/kamflow/kamflow/store"
)

// Action names something a user does.
type Action string

// The actions. Their rules are in Table.
const (
	ActPublic   Action = "public"    // no sign-in needed
	ActSignedIn Action = "signed-in" // any signed-in user: home, own settings, own notifications

	ActProgrammeCreate     Action = "programme.create"
	ActProgrammeRead       Action = "programme.read"
	ActProgrammeSubmit     Action = "programme.submit"
	ActProgrammeDecide     Action = "programme.decide"
	ActProgrammeManage     Action = "programme.manage"
	ActProgrammeCancel     Action = "programme.cancel"
	ActProgrammePlanDecide Action = "programme.plan-approve"
	ActTrainingComplete    Action = "programme.training-complete"
	ActTrainingException   Action = "programme.training-exception"

	ActJourFixeSchedule Action = "jourfixe.schedule"
	ActJourFixeStart    Action = "jourfixe.start"
	ActJourFixeRead     Action = "jourfixe.read"
	ActJourFixeInput    Action = "jourfixe.input"

	ActAccountList    Action = "account.list"
	ActAccountRead    Action = "account.read"
	ActAccountWrite   Action = "account.write"
	ActWorkshopPlan   Action = "workshop.plan"
	ActPlanWrite      Action = "plan.write"
	ActPlanDecide     Action = "plan.decide"
	ActActionComplete Action = "action.complete"
	ActWorkAssign     Action = "work.assign"
	ActHandoverStart  Action = "handover.start"
	ActHandoverChoose Action = "handover.incoming"
	ActHandoverTick   Action = "handover.tick"

	ActReviewManage   Action = "review.manage"
	ActReviewList     Action = "review.list"
	ActReviewRead     Action = "review.read"
	ActReviewReadAll  Action = "review.read-all"
	ActMeasureAssign  Action = "measure.assign"
	ActMeasureDone    Action = "measure.complete"
	ActTrainingManage Action = "training.manage"
	ActCatalogueRead  Action = "training.catalogue"
	ActEnrolmentRead  Action = "enrolment.read"
	ActTrainingRecord Action = "training.records-read"

	ActNotificationOpen Action = "notification.open"

	ActDirectoryRead  Action = "directory.read"
	ActReference      Action = "reference"
	ActCustomerDelete Action = "customer.archive"
	ActPeopleRead     Action = "people.read"
	ActPeopleWrite    Action = "people.write"
	ActAdmin          Action = "admin"
)

// Relation is how a user stands to the thing acted on.
type Relation string

// The relations the policy knows.
const (
	// ProgrammeLead: the user holds the lead role and leads that programme
	// (workflows.ProgrammeState.IsLead).
	ProgrammeLead Relation = "lead of its programme"
	// ProgrammeCommittee: the user holds the committee role and sits on
	// that programme's committee (workflows.ProgrammeState.IsCommittee).
	ProgrammeCommittee Relation = "committee member of its programme"
	// AccountKeeper: the account's KAM, deputy, covering person or the
	// incoming KAM of its running handover (store.WorksOnKeyAccount).
	AccountKeeper Relation = "KAM, deputy, covering or incoming KAM of the account"
	// AccountResponsible: the account's KAM, or its covering person while
	// one covers (store.KeyAccount.Responsible).
	AccountResponsible Relation = "KAM (or covering person) of the account"
	// Owner: the owner of that action or measure.
	Owner Relation = "owner of the action or measure"
	// MeasureOwner: owns a measure of that review.
	MeasureOwner Relation = "owner of one of the review's measures"
	// Participant: asked for input in that jour fixe.
	Participant Relation = "asked for input in the jour fixe"
	// Self: the employee herself (her enrolment, her records).
	Self Relation = "the employee herself"
	// Recipient: the notification is addressed to the user.
	Recipient Relation = "recipient of the notification"
)

// Rule says who may do an action: anyone signed in, holders of any of
// Roles, or anyone standing in any of Relations to the target. Admins
// always may.
type Rule struct {
	Action    Action
	What      string
	Public    bool
	SignedIn  bool
	Roles     []store.Role
	Relations []Relation
}

var (
	lead, committee, hr, controller, kam = store.RoleLead, store.RoleCommittee, store.RoleHR, store.RoleController, store.RoleKAM
)

// Table is the policy, in the order the README shows it.
var Table = []Rule{
	{Action: ActPublic, What: "sign in, health check, static files, API description, calendar feed (by its secret link)", Public: true},
	{Action: ActSignedIn, What: "home page, language, own settings (language, time zone), notifications and calendar link", SignedIn: true},
	{Action: ActNotificationOpen, What: "open a notification or mark it read", Relations: rels(Recipient)},
	{Action: ActProgrammeCreate, What: "create a programme", Roles: roles(lead)},
	{Action: ActProgrammeRead, What: "read a programme: phases, audit trail, selection, review cadence", SignedIn: true},
	{Action: ActProgrammeSubmit, What: "submit a phase's results", Relations: rels(ProgrammeLead)},
	{Action: ActProgrammeDecide, What: "approve or reject a gate", Relations: rels(ProgrammeCommittee)},
	{Action: ActProgrammeManage, What: "pause, resume, re-plan; criteria, scores, selection, assignments; the roll-out's conflicts and briefings", Relations: rels(ProgrammeLead)},
	{Action: ActProgrammeCancel, What: "cancel a programme", Relations: rels(ProgrammeLead, ProgrammeCommittee)},
	{Action: ActProgrammePlanDecide, What: "approve a key account's plan in the programme's plan phase", Relations: rels(ProgrammeLead, ProgrammeCommittee)},
	{Action: ActTrainingComplete, What: "record a KAM's training complete in a programme", Roles: roles(hr)},
	{Action: ActTrainingException, What: "approve a training exception", Relations: rels(ProgrammeCommittee)},
	{Action: ActJourFixeSchedule, What: "set or delete a programme's jour-fixe schedule", Relations: rels(ProgrammeLead)},
	{Action: ActJourFixeStart, What: "start a jour fixe now", Relations: rels(ProgrammeLead)},
	{Action: ActJourFixeRead, What: "read jour fixes (inputs, pictures and summary only of the accounts the reader may read)", SignedIn: true},
	{Action: ActJourFixeInput, What: "give input to a jour fixe", Relations: rels(Participant)},
	{Action: ActAccountList, What: "list key accounts (only those the reader may read)", SignedIn: true},
	{Action: ActAccountRead, What: "read a key account: contact matrix, plan, actions, workshops, handovers, satisfaction", Roles: roles(lead, committee, controller), Relations: rels(AccountKeeper)},
	{Action: ActAccountWrite, What: "write a key account: relationships, workshop month, start this year's workshop", Relations: rels(AccountKeeper, ProgrammeLead)},
	{Action: ActWorkshopPlan, What: "propose workshop dates, choose its participants, record minutes", Relations: rels(AccountResponsible, ProgrammeLead)},
	{Action: ActPlanWrite, What: "write and submit the account plan", Relations: rels(AccountResponsible)},
	{Action: ActPlanDecide, What: "approve or reject an account plan", Relations: rels(ProgrammeLead, ProgrammeCommittee)},
	{Action: ActActionComplete, What: "mark an action done", Relations: rels(Owner, AccountKeeper, ProgrammeLead)},
	{Action: ActWorkAssign, What: "give an action (or an account's measure) to someone else", Relations: rels(AccountKeeper, ProgrammeLead)},
	{Action: ActHandoverStart, What: "start a KAM handover", Relations: rels(ProgrammeLead, ProgrammeCommittee)},
	{Action: ActHandoverChoose, What: "choose the incoming KAM", Relations: rels(ProgrammeLead, ProgrammeCommittee)},
	{Action: ActHandoverTick, What: "tick a handover checklist item", Relations: rels(AccountKeeper, ProgrammeLead, ProgrammeCommittee)},
	{Action: ActReviewManage, What: "reviews: cadence, trigger, findings, measures, sign-off, financials", Roles: roles(controller)},
	{Action: ActReviewList, What: "list a programme's reviews", Roles: roles(controller), Relations: rels(ProgrammeLead, ProgrammeCommittee)},
	{Action: ActReviewRead, What: "read a review report (measure owners: their measures and the accounts they may read)", Roles: roles(controller), Relations: rels(ProgrammeLead, ProgrammeCommittee, MeasureOwner)},
	{Action: ActReviewReadAll, What: "read all of a review report", Roles: roles(controller), Relations: rels(ProgrammeLead, ProgrammeCommittee)},
	{Action: ActMeasureAssign, What: "give a programme-wide measure to someone else", Relations: rels(ProgrammeLead)},
	{Action: ActMeasureDone, What: "mark a measure done", Roles: roles(controller), Relations: rels(Owner)},
	{Action: ActTrainingManage, What: "training: courses, sessions, enrolments, attendance, records", Roles: roles(hr)},
	{Action: ActCatalogueRead, What: "read courses, sessions and who misses training", SignedIn: true},
	{Action: ActEnrolmentRead, What: "read an enrolment", Roles: roles(hr), Relations: rels(Self)},
	{Action: ActTrainingRecord, What: "read an employee's training records", Roles: roles(hr, lead, committee), Relations: rels(Self)},
	{Action: ActDirectoryRead, What: "list employees (API)", SignedIn: true},
	{Action: ActReference, What: "customers and contacts: read, edit, import, export", Roles: roles(lead)},
	{Action: ActCustomerDelete, What: "archive a customer", Roles: roles()},
	{Action: ActPeopleRead, What: "employee list (pages)", Roles: roles(lead, hr)},
	{Action: ActPeopleWrite, What: "edit and archive employees", Roles: roles(hr)},
	{Action: ActAdmin, What: "users, roles and API tokens", Roles: roles()},
}

func roles(r ...store.Role) []store.Role { return r }
func rels(r ...Relation) []Relation      { return r }

var byAction = func() map[Action]Rule {
	m := map[Action]Rule{}
	for _, r := range Table {
		if _, dup := m[r.Action]; dup {
			panic("policy: duplicate rule for " + string(r.Action))
		}
		m[r.Action] = r
	}
	return m
}()

// RuleOf returns the action's rule.
func RuleOf(a Action) (Rule, bool) {
	r, ok := byAction[a]
	return r, ok
}

// Target is what an action is done on; the fields that apply are set.
type Target struct {
	ProgrammeID uint
	// LeadEmail, when set, must be the e-mail of the lead of the target's
	// programme, read in this request (a programme route reads it to know
	// the programme exists): the lead check takes it instead of reading it
	// again, and a remembering context keeps that answer for the request.
	// Empty, the policy reads it when it needs it.
	LeadEmail  string
	KeyAccount *store.KeyAccount
	// OwnerEmail is the owner of the action or measure acted on.
	OwnerEmail string
	ReviewID   uint
	JourFixeID uint
	// EmployeeID is the employee acted on (an enrolment's, a record's).
	EmployeeID uint
	// RecipientEmail is the notification's recipient.
	RecipientEmail string
}

func (t Target) programme() uint {
	if t.ProgrammeID == 0 && t.KeyAccount != nil {
		return t.KeyAccount.ProgrammeID
	}
	return t.ProgrammeID
}

// Allows is the rule's answer for a user holding roles and standing in
// relations: the pure part of the policy.
func (r Rule) Allows(signedIn bool, roles []store.Role, relations map[Relation]bool) bool {
	if r.Public {
		return true
	}
	if !signedIn {
		return false
	}
	if r.SignedIn {
		return true
	}
	for _, have := range roles {
		if have == store.RoleAdmin {
			return true
		}
		for _, need := range r.Roles {
			if have == need {
				return true
			}
		}
	}
	for _, rel := range r.Relations {
		if relations[rel] {
			return true
		}
	}
	return false
}

// Possible reports whether u could be allowed the action on some target:
// false answers 403 before the target is even looked up.
func Possible(u *store.User, a Action) bool {
	r, ok := byAction[a]
	if !ok {
		return false
	}
	if u == nil {
		return r.Public
	}
	if r.Allows(true, userRoles(u), nil) {
		return true
	}
	for _, rel := range r.Relations {
		if mayHold(u, rel) {
			return true
		}
	}
	return false
}

// mayHold: whether u can stand in rel to anything at all.
func mayHold(u *store.User, rel Relation) bool {
	switch rel {
	case ProgrammeLead:
		return u.HasRole(store.RoleLead)
	case ProgrammeCommittee:
		return u.HasRole(store.RoleCommittee)
	case AccountKeeper, AccountResponsible, Participant, Self:
		return u.EmployeeID != nil
	}
	return true
}

func userRoles(u *store.User) []store.Role {
	out := make([]store.Role, 0, len(u.Roles))
	for _, r := range u.Roles {
		out = append(out, r.Role)
	}
	return out
}

// Policy answers with the relations read from the store.
type Policy struct {
	Store *store.Store
}

// May reports whether u may do a on t.
func (p *Policy) May(ctx context.Context, u *store.User, a Action, t Target) (bool, error) {
	r, ok := byAction[a]
	if !ok {
		return false, fmt.Errorf("policy: no rule for action %q", a)
	}
	if u == nil || r.Allows(true, userRoles(u), nil) {
		return u != nil || r.Public, nil
	}
	for _, rel := range r.Relations {
		if !mayHold(u, rel) {
			continue
		}
		holds, err := p.Holds(ctx, u, rel, t)
		if err != nil || holds {
			return holds, err
		}
	}
	return false, nil
}

// Holds reports whether u stands in rel to t. The relations the store
// answers are asked once per context made by Remembering.
func (p *Policy) Holds(ctx context.Context, u *store.User, rel Relation, t Target) (bool, error) {
	switch rel {
	case ProgrammeLead, ProgrammeCommittee, AccountKeeper, MeasureOwner, Participant:
		return remembered(ctx, questionOf(rel, u.Email, u.EmployeeID, t), func() (bool, error) { return p.holds(ctx, u, rel, t) })
	}
	return p.holds(ctx, u, rel, t)
}

func (p *Policy) holds(ctx context.Context, u *store.User, rel Relation, t Target) (bool, error) {
	switch rel {
	case ProgrammeLead:
		if !u.HasRole(store.RoleLead) || t.programme() == 0 {
			return false, nil
		}
		lead := t.LeadEmail
		if lead == "" {
			var err error
			if lead, err = p.Store.ProgrammeLeadEmail(ctx, t.programme()); err != nil {
				return false, err
			}
		}
		return strings.EqualFold(lead, u.Email), nil
	case ProgrammeCommittee:
		if !u.HasRole(store.RoleCommittee) || t.programme() == 0 {
			return false, nil
		}
		return p.Store.OnCommittee(ctx, t.programme(), u.Email)
	case AccountKeeper:
		if u.EmployeeID == nil || t.KeyAccount == nil {
			return false, nil
		}
		return p.Store.WorksOnKeyAccount(ctx, t.KeyAccount.ID, *u.EmployeeID)
	case AccountResponsible:
		if u.EmployeeID == nil || t.KeyAccount == nil {
			return false, nil
		}
		r := t.KeyAccount.Responsible()
		return r != nil && *r == *u.EmployeeID, nil
	case Owner:
		return t.OwnerEmail != "" && strings.EqualFold(t.OwnerEmail, u.Email), nil
	case MeasureOwner:
		if t.ReviewID == 0 {
			return false, nil
		}
		return p.Store.OwnsMeasureOf(ctx, t.ReviewID, u.Email)
	case Participant:
		if u.EmployeeID == nil || t.JourFixeID == 0 {
			return false, nil
		}
		return p.Store.AskedInJourFixe(ctx, t.JourFixeID, *u.EmployeeID)
	case Self:
		return u.EmployeeID != nil && t.EmployeeID != 0 && *u.EmployeeID == t.EmployeeID, nil
	case Recipient:
		return t.RecipientEmail != "" && strings.EqualFold(t.RecipientEmail, u.Email), nil
	}
	return false, fmt.Errorf("policy: unknown relation %q", rel)
}

// AccountScope is ActAccountRead as a list filter: all accounts, or only
// those the employee keeps (store.KeyAccountFilter.WorkedOnBy); neither
// for a user without an employee record.
func AccountScope(u *store.User) (all bool, employeeID *uint) {
	if byAction[ActAccountRead].Allows(true, userRoles(u), nil) {
		return true, nil
	}
	return false, u.EmployeeID
}

// MayAccount reports whether u may do a on the key account.
func (p *Policy) MayAccount(ctx context.Context, u *store.User, a Action, ka *store.KeyAccount) (bool, error) {
	return p.May(ctx, u, a, Target{KeyAccount: ka})
}
