package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/workflow"
)

// The roll-out's record (DOMAIN.md, "Roll-out and communication"; the seed
// article on the rollout method: staff informed in time, conflicts
// recognised and resolved quickly, everyone knowing the top accounts).
const (
	UpdateLogConflict         = "log_conflict"
	UpdateResolveConflict     = "resolve_conflict"
	UpdateRecordStaffInformed = "record_staff_informed"
)

// Projected event kinds of the roll-out's record.
const (
	EventConflictLogged   = "conflict_logged"
	EventConflictResolved = "conflict_resolved"
	EventStaffInformed    = "staff_informed"
)

// changeRolloutRecord: the lead logs conflicts and staff briefings as
// structured records, and the rollout phase is handed in only once every
// conflict is resolved and a briefing named the key accounts; its result
// is composed from them. Programmes started before keep handing the
// roll-out in as text (ProgrammeState.RolloutChecks is false).
const changeRolloutRecord = "rollout-record"

// Bounds of the roll-out's record, so a phase result composed from it and
// every event carrying it stay small.
const (
	maxConflicts      = 100
	maxBriefings      = 50
	maxBriefingGroups = 30
)

// BriefingChannels are the ways staff are informed, as the API and the
// page name them.
var BriefingChannels = []string{"staff_meeting", "team_meetings", "email", "intranet", "training", "other"}

// RolloutConflict is a conflict the roll-out ran into (a goal or interest
// conflict between departments, people or a key account's and other
// customers' demands) and how it was resolved.
type RolloutConflict struct {
	ID         int        `json:"id"`
	What       string     `json:"what"`
	Between    string     `json:"between"`
	LoggedBy   string     `json:"logged_by"`
	LoggedAt   time.Time  `json:"logged_at"`
	Resolution string     `json:"resolution,omitempty"`
	ResolvedBy string     `json:"resolved_by,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// Open reports whether the conflict waits for its resolution.
func (c RolloutConflict) Open() bool { return c.ResolvedAt == nil }

// StaffBriefing records that staff were informed: when, how, which groups,
// and whether the key accounts were named.
type StaffBriefing struct {
	ID               int       `json:"id"`
	InformedOn       time.Time `json:"informed_on"`
	Channel          string    `json:"channel"`
	Groups           []string  `json:"groups"`
	KeyAccountsNamed bool      `json:"key_accounts_named"`
	Note             string    `json:"note,omitempty"`
	RecordedBy       string    `json:"recorded_by"`
	RecordedAt       time.Time `json:"recorded_at"`
}

// ConflictRequest logs a conflict: what it is about and between whom.
type ConflictRequest struct {
	Actor   Actor  `json:"actor"`
	What    string `json:"what"`
	Between string `json:"between"`
}

// ResolveConflictRequest records how a logged conflict was resolved.
type ResolveConflictRequest struct {
	Actor      Actor  `json:"actor"`
	ConflictID int    `json:"conflict_id"`
	Resolution string `json:"resolution"`
}

// StaffInformedRequest records a briefing of staff.
type StaffInformedRequest struct {
	Actor            Actor     `json:"actor"`
	InformedOn       time.Time `json:"informed_on"`
	Channel          string    `json:"channel"`
	Groups           []string  `json:"groups"`
	KeyAccountsNamed bool      `json:"key_accounts_named"`
	Note             string    `json:"note"`
}

func (p *programme) registerRolloutHandlers(ctx workflow.Context) error {
	return registerUpdates(ctx, []updateHandler{
		{UpdateLogConflict, p.logConflict, p.validateLogConflict},
		{UpdateResolveConflict, p.resolveConflict, p.validateResolveConflict},
		{UpdateRecordStaffInformed, p.recordStaffInformed, p.validateStaffInformed},
	})
}

// composesResult reports whether the submitted result of phase is composed
// from its structured record (typed text is kept as notes).
func (p *programme) composesResult(phase Phase) bool {
	return phase == PhaseRollout && p.state.RolloutChecks
}

// requireRolloutWork lets the lead record the roll-out while it runs.
func (p *programme) requireRolloutWork(a Actor) error {
	if err := p.requireLeadWork(a, PhaseRollout); err != nil {
		return err
	}
	if !p.state.RolloutChecks {
		return conflict("this programme started before conflicts and briefings were recorded: describe them in the roll-out's result")
	}
	return nil
}

// textField checks a required text of up to max characters; empty says
// what to enter.
func textField(field, value, empty string, max int) error {
	v := strings.TrimSpace(value)
	if v == "" {
		return invalid(field, empty)
	}
	if utf8.RuneCountInString(v) > max {
		return invalid(field, fmt.Sprintf("%s is longer than %d characters", field, max))
	}
	return nil
}

func (p *programme) validateLogConflict(r ConflictRequest) error {
	if err := p.requireRolloutWork(r.Actor); err != nil {
		return err
	}
	if err := textField("what", r.What, "say what the conflict is about", 500); err != nil {
		return err
	}
	if err := textField("between", r.Between, "say between whom the conflict is", 300); err != nil {
		return err
	}
	if len(p.state.Conflicts) >= maxConflicts {
		return conflict(fmt.Sprintf("a roll-out records at most %d conflicts", maxConflicts))
	}
	return nil
}

func (p *programme) logConflict(ctx workflow.Context, r ConflictRequest) (ProgrammeState, error) {
	c := RolloutConflict{
		ID: len(p.state.Conflicts) + 1, What: strings.TrimSpace(r.What), Between: strings.TrimSpace(r.Between),
		LoggedBy: r.Actor.Email, LoggedAt: workflow.Now(ctx),
	}
	p.state.Conflicts = append(p.state.Conflicts, c)
	p.changed()
	return p.state, p.recordText(ctx, EventConflictLogged, PhaseRollout, r.Actor.Email, fmt.Sprintf("%s (between %s)", c.What, c.Between),
		commentText(TextConflictLogged, c.What, c.Between))
}

// Conflict returns the logged conflict id, if any.
func (s *ProgrammeState) Conflict(id int) *RolloutConflict {
	for i := range s.Conflicts {
		if s.Conflicts[i].ID == id {
			return &s.Conflicts[i]
		}
	}
	return nil
}

func (p *programme) validateResolveConflict(r ResolveConflictRequest) error {
	if err := p.requireRolloutWork(r.Actor); err != nil {
		return err
	}
	c := p.state.Conflict(r.ConflictID)
	if c == nil {
		return notFound("conflict_id", fmt.Sprintf("conflict %d is not logged in this programme", r.ConflictID))
	}
	if !c.Open() {
		return conflict(fmt.Sprintf("conflict %d is resolved already", r.ConflictID))
	}
	return textField("resolution", r.Resolution, "say how the conflict was resolved", 2000)
}

func (p *programme) resolveConflict(ctx workflow.Context, r ResolveConflictRequest) (ProgrammeState, error) {
	c := p.state.Conflict(r.ConflictID)
	now := workflow.Now(ctx)
	c.Resolution, c.ResolvedBy, c.ResolvedAt = strings.TrimSpace(r.Resolution), r.Actor.Email, &now
	p.changed()
	return p.state, p.record(ctx, EventConflictResolved, PhaseRollout, r.Actor.Email, fmt.Sprintf("%s: %s", c.What, c.Resolution))
}

// briefingGroups trims the groups and drops empty and repeated ones.
func briefingGroups(in []string) []string {
	var out []string
	for _, g := range in {
		g = strings.TrimSpace(g)
		if g != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, g) }) {
			out = append(out, g)
		}
	}
	return out
}

func (p *programme) validateStaffInformed(ctx workflow.Context, r StaffInformedRequest) error {
	if err := p.requireRolloutWork(r.Actor); err != nil {
		return err
	}
	switch {
	case r.InformedOn.IsZero():
		return invalid("informed_on", "say when staff were informed")
	case r.InformedOn.After(workflow.Now(ctx)):
		return invalid("informed_on", "record a briefing once it has happened: the date is in the future")
	case r.InformedOn.Before(p.state.StartDate.AddDate(0, 0, -1)):
		return invalid("informed_on", "the date is before the programme started")
	}
	if !slices.Contains(BriefingChannels, r.Channel) {
		return invalid("channel", "choose how staff were informed: "+strings.Join(BriefingChannels, ", "))
	}
	groups := briefingGroups(r.Groups)
	switch {
	case len(groups) == 0:
		return invalid("groups", "name the groups of staff that were informed")
	case len(groups) > maxBriefingGroups:
		return invalid("groups", fmt.Sprintf("name at most %d groups", maxBriefingGroups))
	}
	for i, g := range groups {
		if utf8.RuneCountInString(g) > 100 {
			return invalid(fmt.Sprintf("groups[%d]", i), "a group's name is longer than 100 characters")
		}
	}
	if utf8.RuneCountInString(strings.TrimSpace(r.Note)) > 2000 {
		return invalid("note", "the note is longer than 2000 characters")
	}
	if len(p.state.Briefings) >= maxBriefings {
		return conflict(fmt.Sprintf("a roll-out records at most %d briefings", maxBriefings))
	}
	return nil
}

func (p *programme) recordStaffInformed(ctx workflow.Context, r StaffInformedRequest) (ProgrammeState, error) {
	b := StaffBriefing{
		ID: len(p.state.Briefings) + 1, InformedOn: r.InformedOn.UTC(), Channel: r.Channel, Groups: briefingGroups(r.Groups),
		KeyAccountsNamed: r.KeyAccountsNamed, Note: strings.TrimSpace(r.Note), RecordedBy: r.Actor.Email, RecordedAt: workflow.Now(ctx),
	}
	p.state.Briefings = append(p.state.Briefings, b)
	p.changed()
	return p.state, p.recordText(ctx, EventStaffInformed, PhaseRollout, r.Actor.Email,
		fmt.Sprintf("%s, %s: %s", b.InformedOn.Format("2006-01-02"), b.Channel, strings.Join(b.Groups, ", ")),
		commentText(TextStaffInformed, b.InformedOn.Format("2006-01-02"), b.Channel, strings.Join(b.Groups, ", ")))
}

// rolloutHindrances: every logged conflict resolved, staff informed, and
// the key accounts named to them.
func (s *ProgrammeState) rolloutHindrances() []SubmitHindrance {
	if !s.RolloutChecks {
		return nil
	}
	var out []SubmitHindrance
	for i, c := range s.Conflicts {
		if c.Open() {
			out = append(out, SubmitHindrance{Field: fmt.Sprintf("conflicts[%d].resolution", i),
				Reason: fmt.Sprintf("the conflict %q is open: record how it was resolved first", c.What)})
		}
	}
	named := false
	for _, b := range s.Briefings {
		named = named || b.KeyAccountsNamed
	}
	switch {
	case len(s.Briefings) == 0:
		out = append(out, SubmitHindrance{Field: "briefings", Reason: "staff are not informed yet: record when and how which groups were informed first"})
	case !named:
		out = append(out, SubmitHindrance{Field: "briefings", Reason: "no briefing named the key accounts yet: everyone should know the top accounts"})
	}
	return out
}

// RolloutResult is the rollout phase's result composed from its record:
// the briefings, the conflicts with their resolutions, then the lead's
// notes. It is cut at the length a result may have.
func (s *ProgrammeState) RolloutResult(notes string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Staff informed (%d):\n", len(s.Briefings))
	for _, br := range s.Briefings {
		fmt.Fprintf(&b, "- %s, %s: %s", br.InformedOn.Format("2006-01-02"), strings.ReplaceAll(br.Channel, "_", " "), strings.Join(br.Groups, ", "))
		if br.KeyAccountsNamed {
			b.WriteString("; key accounts named")
		}
		b.WriteString("\n")
	}
	if len(s.Conflicts) == 0 {
		b.WriteString("Conflicts: none logged.\n")
	} else {
		fmt.Fprintf(&b, "Conflicts logged and resolved (%d):\n", len(s.Conflicts))
		for _, c := range s.Conflicts {
			fmt.Fprintf(&b, "- %s (between %s): %s\n", c.What, c.Between, c.Resolution)
		}
	}
	if notes = strings.TrimSpace(notes); notes != "" {
		b.WriteString("\n" + notes)
	}
	out := strings.TrimSpace(b.String())
	if utf8.RuneCountInString(out) > maxResultLen {
		out = string([]rune(out)[:maxResultLen-1]) + "…"
	}
	return out
}
