package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names shared with the web and worker for the handover workflow.
const (
	HandoverWorkflowName = "Handover"
	QueryHandoverState   = "state"

	UpdateChooseIncoming = "choose_incoming"
	UpdateTickItem       = "tick"

	ActivityStartHandover    = "StartHandover"
	ActivityRecordIncoming   = "RecordIncoming"
	ActivityTickHandoverItem = "TickHandoverItem"
	ActivityCompleteHandover = "CompleteHandover"
	ActivityMoveAccountWork  = "MoveAccountWork"
	// ActivityRunningWorkshops names the key account's workshop workflows
	// that have not closed (this year's, and last year's still tracking
	// its actions).
	ActivityRunningWorkshops = "RunningWorkshops"
)

// changeHandoverMovesWork: the handover gives the outgoing KAM's open
// actions and measures of the account to the cover (when she is
// unavailable), to the incoming KAM when "actions moved" is ticked, and
// again on completion for anything that came to her meanwhile.
const changeHandoverMovesWork = "handover-moves-work"

// changeHandoverSkipItem: a person in the handover may skip an item that
// is not needed, saying why; before, only the workflow skipped (the
// knowledge transfer of a KAM who is gone).
const changeHandoverSkipItem = "handover-skip-item"

// changeHandoverTickAfterStart: a tick accepted while the handover's record
// was still being written waits for it; before, its save named no handover
// and the tick was lost from the record.
const changeHandoverTickAfterStart = "handover-tick-after-start"

// changeHandoverTellsWorkshopsCover: on its start the handover tells the
// account's running workshops that the covering person answers for it
// (SignalResponsibleChanged).
const changeHandoverTellsWorkshopsCover = "handover-tells-workshops-cover"

// changeHandoverTellsWorkshopsIncoming: on completion the handover tells
// the account's running workshops that the incoming KAM answers for it. A
// separate change from the start's, so a handover started before either
// still tells them when it completes.
const changeHandoverTellsWorkshopsIncoming = "handover-tells-workshops-incoming"

// changeHandoverCommitteeActs: the steering committee may choose the
// incoming KAM and tick checklist items as the lead may; before, only
// leads (and the people in the handover) were accepted.
const changeHandoverCommitteeActs = "handover-committee-acts"

// HandoverWorkflowID names a handover of a key account started at a time.
func HandoverWorkflowID(keyAccountID uint, started time.Time) string {
	return "handover-" + strconv.FormatUint(uint64(keyAccountID), 10) + "-" + started.UTC().Format("20060102T150405")
}

// Handover reasons (seed 004).
const (
	ReasonLeft            = "left"
	ReasonRoleChange      = "role_change"
	ReasonPersonaNonGrata = "persona_non_grata"
)

// Checklist items, in the order they usually happen.
const (
	ItemKnowledgeTransfer  = "knowledge_transfer"
	ItemActionsMoved       = "actions_moved"
	ItemRelationshipsMoved = "relationships_moved"
	ItemIntroMeeting       = "intro_meeting"
	ItemCustomerInformed   = "customer_informed"
)

// HandoverItems lists the checklist.
func HandoverItems() []string {
	return []string{ItemKnowledgeTransfer, ItemActionsMoved, ItemRelationshipsMoved, ItemIntroMeeting, ItemCustomerInformed}
}

// HandoverInput starts a handover.
type HandoverInput struct {
	KeyAccountID       uint   `json:"key_account_id"`
	CustomerName       string `json:"customer_name"`
	Reason             string `json:"reason"`
	ReasonNote         string `json:"reason_note"`
	OutgoingEmployeeID uint   `json:"outgoing_employee_id"`
	OutgoingEmail      string `json:"outgoing_email"`
	// OutgoingAvailable is false when the KAM has left or cannot be reached:
	// the knowledge transfer is skipped.
	OutgoingAvailable  bool          `json:"outgoing_available"`
	CoveringEmployeeID uint          `json:"covering_employee_id"`
	CoveringEmail      string        `json:"covering_email"`
	LeadEmail          string        `json:"lead_email"`
	StartedBy          string        `json:"started_by"`
	StallAfter         time.Duration `json:"stall_after,omitempty"`
}

// HandoverItemState is one checklist item.
type HandoverItemState struct {
	Item    string     `json:"item"`
	Done    bool       `json:"done"`
	Skipped bool       `json:"skipped"`
	By      string     `json:"by,omitempty"`
	At      *time.Time `json:"at,omitempty"`
	Note    string     `json:"note,omitempty"`
}

// HandoverState is the live state of a handover.
type HandoverState struct {
	HandoverInput
	HandoverID         uint                `json:"handover_id"`
	Status             string              `json:"status"`
	IncomingEmployeeID uint                `json:"incoming_employee_id,omitempty"`
	IncomingEmail      string              `json:"incoming_email,omitempty"`
	Items              []HandoverItemState `json:"items"`
	// Responsible is who answers for the account now; never zero.
	Responsible  uint      `json:"responsible"`
	LastProgress time.Time `json:"last_progress"`
	Nudges       int       `json:"nudges"`
	// WorkMovedTo holds the outgoing KAM's open actions and measures of
	// the account since the handover last moved them.
	WorkMovedTo string `json:"work_moved_to,omitempty"`
}

// ChooseIncomingRequest names the new KAM (the API checks the employee).
type ChooseIncomingRequest struct {
	Actor      Actor  `json:"actor"`
	EmployeeID uint   `json:"employee_id"`
	Email      string `json:"email"`
}

// TickRequest ticks a checklist item: done, or skipped (not needed for
// this handover) with the reason in Note.
type TickRequest struct {
	Actor Actor  `json:"actor"`
	Item  string `json:"item"`
	Note  string `json:"note"`
	Skip  bool   `json:"skip,omitempty"`
}

// Activity payloads.

// MoveWorkInput moves the outgoing KAM's open work of the account.
type MoveWorkInput struct {
	HandoverID   uint   `json:"handover_id"`
	KeyAccountID uint   `json:"key_account_id"`
	FromEmail    string `json:"from_email"`
	ToEmail      string `json:"to_email"`
	By           string `json:"by"`
}

// MovedWork is an open action or measure the handover gave its owner, and
// the workflow that tracks it.
type MovedWork struct {
	Kind       string `json:"kind"`
	ID         uint   `json:"id"`
	OwnerEmail string `json:"owner_email"`
	WorkflowID string `json:"workflow_id"`
}

// StartHandoverInput records the handover and the cover.
type StartHandoverInput struct {
	WorkflowID string        `json:"workflow_id"`
	Input      HandoverInput `json:"input"`
}

// IncomingInput records the chosen incoming KAM.
type IncomingInput struct {
	HandoverID uint `json:"handover_id"`
	EmployeeID uint `json:"employee_id"`
}

// TickInput records a ticked item.
type TickInput struct {
	HandoverID uint      `json:"handover_id"`
	Item       string    `json:"item"`
	By         string    `json:"by"`
	Note       string    `json:"note"`
	Skipped    bool      `json:"skipped"`
	At         time.Time `json:"at"`
}

type handover struct {
	state   HandoverState
	id      string
	version int
	// committeeActs: the programme's committee may choose the incoming KAM
	// and tick items, as its lead may (changeHandoverCommitteeActs).
	committeeActs bool
}

// Handover replaces a key account's KAM without the account ever being
// unattended: the covering person answers for it from the first moment
// until the incoming KAM takes over when the checklist is done.
func Handover(ctx workflow.Context, in HandoverInput) (HandoverState, error) {
	h := &handover{id: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if in.KeyAccountID == 0 || in.OutgoingEmployeeID == 0 || in.CoveringEmployeeID == 0 || in.CoveringEmployeeID == in.OutgoingEmployeeID {
		return h.state, invalid("input", "key account, outgoing KAM and a different covering person are required")
	}
	if in.StallAfter == 0 {
		in.StallAfter = 7 * 24 * time.Hour
	}
	h.state = HandoverState{HandoverInput: in, Status: "open", Responsible: in.CoveringEmployeeID, LastProgress: workflow.Now(ctx)}
	for _, it := range HandoverItems() {
		h.state.Items = append(h.state.Items, HandoverItemState{Item: it})
	}
	h.committeeActs = workflow.GetVersion(ctx, changeHandoverCommitteeActs, workflow.DefaultVersion, 1) == 1
	if err := workflow.SetQueryHandler(ctx, QueryHandoverState, func() (HandoverState, error) { return h.state, nil }); err != nil {
		return h.state, err
	}
	if err := registerUpdates(ctx, []updateHandler{
		{UpdateChooseIncoming, h.chooseIncoming, h.validateChoose},
		{UpdateTickItem, h.tick, h.validateTick},
	}); err != nil {
		return h.state, err
	}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityStartHandover, StartHandoverInput{WorkflowID: h.id, Input: in}).Get(ctx, &h.state.HandoverID); err != nil {
		return h.state, fmt.Errorf("start handover: %w", err)
	}
	h.version++
	if workflow.GetVersion(ctx, changeHandoverTellsWorkshopsCover, workflow.DefaultVersion, 1) == 1 {
		if err := h.tellWorkshops(ctx, in.CoveringEmail); err != nil {
			return h.state, err
		}
	}
	if err := h.notify(ctx, "started", []string{in.CoveringEmail, in.LeadEmail}, "Handover: "+in.CustomerName,
		fmt.Sprintf("The KAM of %s is being replaced (%s). %s covers the account from now on until the new KAM takes over.", in.CustomerName, strings.ReplaceAll(in.Reason, "_", " "), in.CoveringEmail),
		noticeText(NoticeHandoverStarted, in.CustomerName, in.Reason, in.CoveringEmail)); err != nil {
		return h.state, err
	}
	if !in.OutgoingAvailable {
		if err := h.record(ctx, ItemKnowledgeTransfer, HandoverSystemActor, NoteOutgoingUnavailable, true); err != nil {
			return h.state, err
		}
		// Her reminders would reach nobody: the cover holds her open work
		// until the incoming KAM takes it.
		if h.movesWork(ctx) {
			if err := h.moveWork(ctx, in.CoveringEmail, "kamflow"); err != nil {
				return h.state, err
			}
		}
	}
	for !h.finished() {
		seen := h.version
		changed := func() bool { return h.version != seen }
		// Nudge after StallAfter without progress, escalate after twice that.
		at := h.state.LastProgress.Add(time.Duration(h.state.Nudges+1) * in.StallAfter)
		now := workflow.Now(ctx)
		if at.After(now) {
			if _, err := workflow.AwaitWithTimeout(ctx, at.Sub(now), changed); err != nil {
				return h.state, err
			}
			continue
		}
		h.state.Nudges++
		kind, subject, textKey := "stalled", "Handover stalls: "+in.CustomerName, NoticeHandoverStalled
		to := []string{in.CoveringEmail, in.LeadEmail}
		if h.state.Nudges >= 2 {
			kind, subject, textKey = "escalation", "Escalation: handover of "+in.CustomerName+" stalls", NoticeHandoverEscalation
		}
		if h.state.IncomingEmail != "" {
			to = append(to, h.state.IncomingEmail)
		}
		if err := h.notify(ctx, kind+"-"+strconv.Itoa(h.state.Nudges), to, subject,
			fmt.Sprintf("Nothing moved in the handover of %s since %s. Open: %s.", in.CustomerName, h.state.LastProgress.Format("2006-01-02"), strings.Join(h.open(), ", ")),
			noticeText(textKey, append([]string{in.CustomerName, dateArg(h.state.LastProgress)}, h.openKeys()...)...)); err != nil {
			return h.state, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return h.state, err
	}
	// Work that came to the outgoing KAM after the tick goes along too.
	if h.movesWork(ctx) {
		if err := h.moveWork(ctx, h.state.IncomingEmail, "kamflow"); err != nil {
			return h.state, err
		}
	}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityCompleteHandover, h.state.HandoverID).Get(ctx, nil); err != nil {
		return h.state, fmt.Errorf("complete handover: %w", err)
	}
	h.state.Status, h.state.Responsible = "completed", h.state.IncomingEmployeeID
	if workflow.GetVersion(ctx, changeHandoverTellsWorkshopsIncoming, workflow.DefaultVersion, 1) == 1 {
		if err := h.tellWorkshops(ctx, h.state.IncomingEmail); err != nil {
			return h.state, err
		}
	}
	return h.state, h.notify(ctx, "completed", []string{h.state.IncomingEmail, in.LeadEmail, in.CoveringEmail}, "Handover done: "+in.CustomerName,
		fmt.Sprintf("%s is now the KAM of %s.", h.state.IncomingEmail, in.CustomerName),
		noticeText(NoticeHandoverCompleted, in.CustomerName, h.state.IncomingEmail))
}

func (h *handover) finished() bool {
	return h.state.IncomingEmployeeID != 0 && len(h.open()) == 0
}

func (h *handover) open() []string {
	var out []string
	if h.state.IncomingEmployeeID == 0 {
		out = append(out, "choose the incoming KAM")
	}
	for _, it := range h.state.Items {
		if !it.Done {
			out = append(out, strings.ReplaceAll(it.Item, "_", " "))
		}
	}
	return out
}

// openKeys is open by key: HandoverOpenIncoming and the open items.
func (h *handover) openKeys() []string {
	var out []string
	if h.state.IncomingEmployeeID == 0 {
		out = append(out, HandoverOpenIncoming)
	}
	for _, it := range h.state.Items {
		if !it.Done {
			out = append(out, it.Item)
		}
	}
	return out
}

func (h *handover) item(name string) *HandoverItemState {
	for i := range h.state.Items {
		if h.state.Items[i].Item == name {
			return &h.state.Items[i]
		}
	}
	return nil
}

func (h *handover) notify(ctx workflow.Context, kind string, to []string, subject, body string, text *NoticeText) error {
	var rcpt []string
	for _, e := range to {
		if e != "" {
			rcpt = append(rcpt, e)
		}
	}
	n := Notification{IdempotencyKey: h.id + "/" + kind, Recipients: rcpt, Subject: subject, Body: body, Link: KeyAccountLink(h.state.KeyAccountID, "handovers"), Text: text}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

func (h *handover) record(ctx workflow.Context, item, by, note string, skipped bool) error {
	return h.recordAfterStart(ctx, false, item, by, note, skipped)
}

// recordAfterStart ticks the item in the state at once and saves it; with
// waitsForStart the save waits until the handover's own record exists.
func (h *handover) recordAfterStart(ctx workflow.Context, waitsForStart bool, item, by, note string, skipped bool) error {
	it := h.item(item)
	now := workflow.Now(ctx)
	it.Done, it.Skipped, it.By, it.At, it.Note = true, skipped, by, &now, note
	h.state.LastProgress, h.state.Nudges = now, 0
	h.version++
	if waitsForStart {
		if err := workflow.Await(ctx, func() bool { return h.state.HandoverID != 0 }); err != nil {
			return err
		}
	}
	in := TickInput{HandoverID: h.state.HandoverID, Item: item, By: by, Note: note, Skipped: skipped, At: now}
	return workflow.ExecuteActivity(withActivityOptions(ctx), ActivityTickHandoverItem, in).Get(ctx, nil)
}

// leads says whether the actor steers the handover: a lead or an admin,
// and the steering committee once committeeActs. Which programme's lead
// or committee is the web's policy; here only the role counts.
func (h *handover) leads(a Actor) bool {
	return a.has("lead") || a.has("admin") || (h.committeeActs && a.has("committee"))
}

func (h *handover) validateChoose(r ChooseIncomingRequest) error {
	if !h.leads(r.Actor) {
		return forbidden("only a programme lead or the steering committee chooses the incoming KAM")
	}
	if h.state.HandoverID == 0 {
		return conflict("the handover is still starting")
	}
	if r.EmployeeID == 0 || !strings.Contains(r.Email, "@") {
		return invalid("employee_id", "name the incoming KAM")
	}
	if r.EmployeeID == h.state.OutgoingEmployeeID {
		return invalid("employee_id", "the incoming KAM must be someone other than the outgoing one")
	}
	if h.finished() {
		return conflict("the handover is done")
	}
	return nil
}

func (h *handover) chooseIncoming(ctx workflow.Context, r ChooseIncomingRequest) (HandoverState, error) {
	h.state.IncomingEmployeeID, h.state.IncomingEmail = r.EmployeeID, strings.ToLower(r.Email)
	h.state.LastProgress, h.state.Nudges = workflow.Now(ctx), 0
	h.version++
	in := IncomingInput{HandoverID: h.state.HandoverID, EmployeeID: r.EmployeeID}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityRecordIncoming, in).Get(ctx, nil); err != nil {
		return h.state, err
	}
	// Another incoming KAM after the work moved: it follows her.
	if h.item(ItemActionsMoved).Done && h.movesWork(ctx) {
		if err := h.moveWork(ctx, h.state.IncomingEmail, r.Actor.Email); err != nil {
			return h.state, err
		}
	}
	return h.state, h.notify(ctx, "incoming-"+strconv.FormatUint(uint64(r.EmployeeID), 10), []string{r.Email}, "You take over "+h.state.CustomerName,
		fmt.Sprintf("You become the KAM of %s. %s covers the account until the handover checklist is done.", h.state.CustomerName, h.state.CoveringEmail),
		noticeText(NoticeHandoverIncoming, h.state.CustomerName, h.state.CoveringEmail))
}

func (h *handover) validateTick(r TickRequest) error {
	it := h.item(r.Item)
	if it == nil {
		return invalid("item", "item must be one of "+strings.Join(HandoverItems(), ", "))
	}
	if it.Done {
		return conflict(fmt.Sprintf("%s is ticked already", r.Item))
	}
	involved := h.leads(r.Actor)
	for _, e := range []string{h.state.CoveringEmail, h.state.IncomingEmail, h.state.OutgoingEmail} {
		involved = involved || (e != "" && strings.EqualFold(e, r.Actor.Email))
	}
	if !involved {
		return forbidden("only the people in this handover, a lead or the steering committee tick its checklist")
	}
	if r.Item != ItemKnowledgeTransfer && h.state.IncomingEmployeeID == 0 {
		return conflict("choose the incoming KAM first")
	}
	if len(r.Note) > 5000 {
		return invalid("note", "note is longer than 5000 characters")
	}
	if r.Skip && strings.TrimSpace(r.Note) == "" {
		return invalid("note", "say why the item is skipped")
	}
	return nil
}

func (h *handover) tick(ctx workflow.Context, r TickRequest) (HandoverState, error) {
	// A worker without skipping ticked a skip as done; its history replays so.
	skipped := r.Skip && workflow.GetVersion(ctx, changeHandoverSkipItem, workflow.DefaultVersion, 1) == 1
	waitsForStart := workflow.GetVersion(ctx, changeHandoverTickAfterStart, workflow.DefaultVersion, 1) == 1
	if err := h.recordAfterStart(ctx, waitsForStart, r.Item, r.Actor.Email, strings.TrimSpace(r.Note), skipped); err != nil {
		return h.state, err
	}
	// Skipped "actions moved": nothing moves now; completion still moves
	// whatever the outgoing KAM holds to the incoming one.
	if r.Item == ItemActionsMoved && !skipped && h.movesWork(ctx) {
		return h.state, h.moveWork(ctx, h.state.IncomingEmail, r.Actor.Email)
	}
	return h.state, nil
}

func (h *handover) movesWork(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changeHandoverMovesWork, workflow.DefaultVersion, 1) == 1
}

// moveWork gives the outgoing KAM's open actions and measures of the
// account (and what this handover gave someone before) to the e-mail, then
// tells the workflows tracking them, so reminders follow the new owner.
func (h *handover) moveWork(ctx workflow.Context, to, by string) error {
	if to == "" {
		return nil
	}
	in := MoveWorkInput{HandoverID: h.state.HandoverID, KeyAccountID: h.state.KeyAccountID, FromEmail: h.state.OutgoingEmail, ToEmail: to, By: by}
	var moved []MovedWork
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityMoveAccountWork, in).Get(ctx, &moved); err != nil {
		return fmt.Errorf("move open work: %w", err)
	}
	h.state.WorkMovedTo = to
	sent := make([]workflow.Future, 0, len(moved))
	for _, m := range moved {
		if m.WorkflowID == "" {
			continue
		}
		sent = append(sent, workflow.SignalExternalWorkflow(ctx, m.WorkflowID, "", SignalOwnerChanged, OwnerChanged{Kind: m.Kind, ID: m.ID, OwnerEmail: m.OwnerEmail}))
	}
	for _, f := range sent {
		// A tracking workflow that closed has nothing left to remind of.
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Info("owner change not delivered", "err", err)
		}
	}
	return nil
}

// tellWorkshops tells the account's running workshops who answers for the
// account now, after the store says so (a workshop prepared later reads it
// there). A workshop that closed or is gone meanwhile needs no telling.
func (h *handover) tellWorkshops(ctx workflow.Context, email string) error {
	if !strings.Contains(email, "@") {
		return nil
	}
	var ids []string
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), ActivityRunningWorkshops, h.state.KeyAccountID).Get(ctx, &ids); err != nil {
		return fmt.Errorf("find running workshops: %w", err)
	}
	sent := make([]workflow.Future, 0, len(ids))
	for _, id := range ids {
		sent = append(sent, workflow.SignalExternalWorkflow(ctx, id, "", SignalResponsibleChanged, ResponsibleChanged{Email: email}))
	}
	for i, f := range sent {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Info("responsible change not delivered", "workflow_id", ids[i], "err", err)
		}
	}
	return nil
}
