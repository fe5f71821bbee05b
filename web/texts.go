package web

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kamflow/kamflow/notice"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// Texts kamflow writes itself — the workshop agenda, the comments of its
// own audit-trail entries — are stored as kamflow wrote them, in English.
// A page recognises them by their key (the agenda's form, the event's
// kind and the comment's form), takes their parameters out and writes them
// in the reader's language. Text a person wrote is shown as it is.

// agenda writes an agenda kamflow proposed in the language (package
// notice holds its German, for the notifications too).
func (l lang) agenda(text string) string { return notice.Agenda(string(l), text) }

// eventText is a form of a comment kamflow writes, by its key: the English
// message with {1}, {2}… for the parameters; count, when set, is the
// parameter a plural counts.
type eventText struct {
	message string
	count   int
	// divide, when set, divides the count; the form fits only a count it
	// divides (hours as days).
	divide int
	// when, when set, says whether the form fits the parameters.
	when func(args []string) bool
	// labels name the parameters that are not shown as they are, by kind.
	labels map[int]string
}

// Parameter kinds of kamflow's comments besides the labels' kinds.
const (
	labelChannel  = "channel"
	labelDate     = "date"
	labelCustomer = "customer"
	labelEmployee = "employee"
)

// eventTexts are the forms of each comment key, the first that fits wins.
var eventTexts = map[string][]eventText{
	workflows.TextReminderBefore: {
		{message: "reminder {{.Count}} days before the due date", count: 1, divide: 24},
		{message: "reminder {{.Count}} hours before the due date", count: 1},
	},
	workflows.TextOverdueNotice: {{message: "overdue notice no. {1}", labels: map[int]string{1: labelOrdinal}}},
	workflows.TextCriteriaSet:   {{message: "{1}; at least {2} met"}},
	workflows.TextSelection:     {{message: "{{.Count}} candidates meet at least {2} criteria", count: 1}},
	workflows.TextDecided:       {{message: "{1}: {2} {3}", labels: map[int]string{2: labelDecision}}},
	workflows.TextAssigned: {
		{message: "customer {1}: KAM {2}, no deputy", when: func(a []string) bool { return len(a) == 3 && a[2] == "0" }, labels: map[int]string{1: labelCustomer, 2: labelEmployee}},
		{message: "customer {1}: KAM {2}, deputy {3}", labels: map[int]string{1: labelCustomer, 2: labelEmployee, 3: labelEmployee}},
	},
	workflows.TextTrained:        {{message: "employee {1}", labels: map[int]string{1: labelEmployee}}},
	workflows.TextException:      {{message: "employee {1}: {2}", labels: map[int]string{1: labelEmployee}}},
	workflows.TextPlanApproved:   {{message: "customer {1} {2}", labels: map[int]string{1: labelCustomer}}},
	workflows.TextConflictLogged: {{message: "{1} (between {2})"}},
	workflows.TextStaffInformed:  {{message: "{1}, {2}: {3}", labels: map[int]string{1: labelDate, 2: labelChannel}}},
}

// labelOrdinal is a notice's number counted from 0, shown from 1.
const labelOrdinal = "ordinal"

// oldComment is how an event kind's comment was written before its key
// and parameters were kept (migration 0027): a pattern that takes the
// parameters out of the English text, and the key they belong to.
type oldComment struct {
	pattern *regexp.Regexp
	key     string
}

var oldComments = map[string][]oldComment{
	workflows.EventReminder:       {{regexp.MustCompile(`^before-(\d+)h$`), workflows.TextReminderBefore}},
	workflows.EventOverdue:        {{regexp.MustCompile(`^overdue-(\d+)$`), workflows.TextOverdueNotice}},
	workflows.EventCriteriaSet:    {{regexp.MustCompile(`(?s)^(.*); at least (\d+) met$`), workflows.TextCriteriaSet}},
	workflows.EventSelection:      {{regexp.MustCompile(`^(\d+) candidates meet at least (\d+) criteria$`), workflows.TextSelection}},
	workflows.EventDecided:        {{regexp.MustCompile(`(?s)^(.*?): (confirmed|rejected) ?(.*)$`), workflows.TextDecided}},
	workflows.EventAssigned:       {{regexp.MustCompile(`^customer (\d+): KAM (\d+), deputy (\d+)$`), workflows.TextAssigned}},
	workflows.EventTrained:        {{regexp.MustCompile(`^employee (\d+)$`), workflows.TextTrained}},
	workflows.EventException:      {{regexp.MustCompile(`(?s)^employee (\d+): (.*)$`), workflows.TextException}},
	workflows.EventPlanApproved:   {{regexp.MustCompile(`(?s)^customer (\d+) ?(.*)$`), workflows.TextPlanApproved}},
	workflows.EventConflictLogged: {{regexp.MustCompile(`(?s)^(.*) \(between (.*)\)$`), workflows.TextConflictLogged}},
	workflows.EventStaffInformed:  {{regexp.MustCompile(`(?s)^(\d{4}-\d{2}-\d{2}), ([a-z_]+): (.*)$`), workflows.TextStaffInformed}},
}

// eventNames are the names of the customers and employees a programme's
// audit-trail comments name by their IDs.
type eventNames struct {
	Customers map[string]string
	Employees map[string]string
}

// eventNames collects the names the shown comments name: the programme's
// candidates (in its state already), and the employees the entries name,
// read for these entries only: a programme names hundreds of KAMs,
// deputies and trained people over the years.
func (s *Server) eventNames(ctx context.Context, st workflows.ProgrammeState, events []store.ProgrammeEvent) (eventNames, error) {
	n := eventNames{Customers: map[string]string{}, Employees: map[string]string{}}
	for _, c := range st.Candidates {
		n.Customers[strconv.FormatUint(uint64(c.CustomerID), 10)] = c.CustomerName
	}
	ids := employeesNamed(events)
	if len(ids) == 0 {
		return n, nil
	}
	employees, err := s.opts.Store.EmployeesByID(ctx, ids)
	if err != nil {
		return n, serverError(err)
	}
	for id, e := range employees {
		n.Employees[strconv.FormatUint(uint64(id), 10)] = e.Name
	}
	return n, nil
}

// employeesNamed are the IDs of the employees the entries' comments name,
// by the parameters their texts show as an employee.
func employeesNamed(events []store.ProgrammeEvent) []uint {
	var ids []uint
	add := func(key string, args []string) {
		for _, f := range eventTexts[key] {
			for i, kind := range f.labels {
				if kind != labelEmployee || i < 1 || i > len(args) {
					continue
				}
				if id, err := strconv.ParseUint(args[i-1], 10, 64); err == nil && id > 0 {
					ids = append(ids, uint(id))
				}
			}
		}
	}
	for _, ev := range events {
		if ev.CommentKey != "" {
			var args []string
			if ev.CommentArgs != "" && json.Unmarshal([]byte(ev.CommentArgs), &args) == nil {
				add(ev.CommentKey, args)
			}
			continue
		}
		for _, o := range oldComments[ev.Kind] {
			if m := o.pattern.FindStringSubmatch(ev.Comment); m != nil {
				add(o.key, m[1:])
			}
		}
	}
	return ids
}

// eventComment writes the comment of an audit-trail entry in the language:
// one kamflow wrote from its key and parameters (customers and people by
// name where known), an older one of kamflow's from the parameters its
// text gives, any other as it is.
func (l lang) eventComment(ev store.ProgrammeEvent, names eventNames) string {
	if ev.CommentKey != "" {
		var args []string
		if ev.CommentArgs != "" {
			if err := json.Unmarshal([]byte(ev.CommentArgs), &args); err != nil {
				return ev.Comment
			}
		}
		if out, ok := l.commentText(ev.CommentKey, args, names); ok {
			return out
		}
		return ev.Comment
	}
	for _, o := range oldComments[ev.Kind] {
		if m := o.pattern.FindStringSubmatch(ev.Comment); m != nil {
			if out, ok := l.commentText(o.key, m[1:], names); ok {
				return out
			}
		}
	}
	return ev.Comment
}

// commentText writes a comment by its key and parameters in the language;
// false when no form of the key fits them.
func (l lang) commentText(key string, args []string, names eventNames) (string, bool) {
	for _, f := range eventTexts[key] {
		if f.when != nil && !f.when(args) {
			continue
		}
		msg := l.translate(f.message)
		if f.count > 0 {
			if f.count > len(args) {
				continue
			}
			n, err := strconv.Atoi(args[f.count-1])
			if err != nil {
				continue
			}
			if f.divide > 0 {
				if n%f.divide != 0 {
					continue
				}
				n /= f.divide
			}
			msg = l.translateCount(f.message, n)
		}
		pairs := make([]string, 0, 2*len(args))
		for i, v := range args {
			switch f.labels[i+1] {
			case labelChannel:
				v = l.translate(rolloutView{}.ChannelLabel(v))
			case labelCustomer:
				if n, ok := names.Customers[v]; ok {
					v = n
				}
			case labelEmployee:
				if n, ok := names.Employees[v]; ok {
					v = n
				}
			case labelDate:
				if d, err := time.Parse(time.DateOnly, v); err == nil {
					v = l.formatDate(d)
				}
			case labelOrdinal:
				if n, err := strconv.Atoi(v); err == nil {
					v = strconv.Itoa(n + 1)
				}
			case "":
			default:
				v = l.label(f.labels[i+1], v)
			}
			pairs = append(pairs, "{"+strconv.Itoa(i+1)+"}", v)
		}
		return strings.TrimSpace(strings.NewReplacer(pairs...).Replace(msg)), true
	}
	return "", false
}

// phaseResult writes a phase's result in the language where kamflow
// composed it: the parts under their labels, the roll-out's record.
// A result written as plain text is shown as it is.
func (l lang) phaseResult(st workflows.ProgrammeState, phase workflows.Phase, result string) string {
	if l == langEN || result == "" {
		return result
	}
	if phase == workflows.PhaseRollout {
		return l.rolloutResult(st, result)
	}
	parts := workflows.ParseResult(phase, result)
	if composed, err := workflows.ComposeResult(phase, parts); err != nil || composed != result {
		return result
	}
	var b strings.Builder
	for _, p := range workflows.ResultParts(phase) {
		if v := parts[p.Key]; v != "" {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(l.translate(p.Label) + ":\n" + v)
		}
	}
	return b.String()
}

// rolloutResult writes the roll-out's result the programme composed from
// its record (and the lead's notes after it) in the language.
func (l lang) rolloutResult(st workflows.ProgrammeState, result string) string {
	base := st.RolloutResult("")
	notes, ok := strings.CutPrefix(result, base)
	if !ok || st.RolloutResult(notes) != result {
		return result
	}
	var b strings.Builder
	b.WriteString(strings.Replace(l.translate("Staff informed ({1}):"), "{1}", strconv.Itoa(len(st.Briefings)), 1) + "\n")
	for _, br := range st.Briefings {
		b.WriteString("- " + l.formatDate(br.InformedOn) + ", " + l.translate(rolloutView{}.ChannelLabel(br.Channel)) + ": " + strings.Join(br.Groups, ", "))
		if br.KeyAccountsNamed {
			b.WriteString(l.translate("; key accounts named"))
		}
		b.WriteString("\n")
	}
	if len(st.Conflicts) == 0 {
		b.WriteString(l.translate("Conflicts: none logged.") + "\n")
	} else {
		b.WriteString(strings.Replace(l.translate("Conflicts logged and resolved ({1}):"), "{1}", strconv.Itoa(len(st.Conflicts)), 1) + "\n")
		for _, c := range st.Conflicts {
			b.WriteString("- " + strings.NewReplacer("{1}", c.What, "{2}", c.Between, "{3}", c.Resolution).Replace(l.translate("{1} (between {2}): {3}")) + "\n")
		}
	}
	return strings.TrimSpace(b.String()) + notes
}

// handoverNote is a handover checklist item's note: kamflow's own in the
// language, a person's as written.
func (l lang) handoverNote(by, note string) string {
	if by == workflows.HandoverSystemActor {
		return l.translate(note)
	}
	return note
}
