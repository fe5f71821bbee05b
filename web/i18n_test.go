package web

import (
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/notice"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// TestGermanCoversTemplates fails when a template text or a vocabulary
// word the templates translate has no German translation.
func TestGermanCoversTemplates(t *testing.T) {
	literal := regexp.MustCompile(`\{\{(?:t ("(?:[^"\\]|\\.)*")\}\}|tf ("(?:[^"\\]|\\.)*"))`)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, n := range names {
		b, _ := fs.ReadFile(templateFS, n)
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			k, err := strconv.Unquote(m[1] + m[2])
			if err != nil {
				t.Fatalf("%s: %s: %v", n, m[0], err)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) < 200 {
		t.Fatalf("found only %d texts; is the pattern still right?", len(keys))
	}
	for _, r := range store.Roles() {
		keys = append(keys, string(r))
	}
	for _, l := range store.HierarchyLevels() {
		keys = append(keys, l.Label())
	}
	for _, p := range workflows.Phases() {
		keys = append(keys, phaseTitle(string(p)))
	}
	for kind, values := range labelValues() {
		for _, v := range values {
			if l := enumLabel(kind, v); strings.Contains(l, "_") {
				t.Errorf("%s %q has the label %q, a raw key", kind, v, l)
			} else {
				keys = append(keys, l)
			}
		}
	}
	keys = append(keys, workflows.WorkshopPlanning, workflows.WorkshopProposed, workflows.WorkshopInvited, workflows.WorkshopMinuted, workflows.WorkshopClosed,
		customerImport.Title, contactImport.Title, "low", "medium", "high")
	for _, p := range workflows.Phases() {
		for _, part := range workflows.ResultParts(p) {
			keys = append(keys, part.Label)
		}
	}
	for _, ch := range workflows.BriefingChannels {
		keys = append(keys, rolloutView{}.ChannelLabel(ch))
	}
	for _, l := range handoverLabels {
		keys = append(keys, l)
	}
	for _, n := range doneNotices {
		keys = append(keys, n)
	}
	keys = append(keys, workflows.AgendaIntro, workflows.AgendaClose, "Staff informed ({1}):", "; key accounts named", "Conflicts: none logged.",
		"Conflicts logged and resolved ({1}):", "{1} (between {2}): {3}", "master data", workflows.NoteOutgoingUnavailable)
	keys = append(keys, workflows.GuidingQuestions()...)
	// The rows written in Go (training_rows.go, list_rows.go, matrix_rows.go,
	// programme_rows.go).
	keys = append(keys, "gate", "submitted by", "· approved by", "Sent back:", "This phase completes by itself when everything it waits for is there.",
		"Who is missing which course", "Not ready yet:", "Not ready yet: see the roll-out record below.", "Roll-out record",
		"The result is composed from the briefings and the conflicts with their resolutions; add notes if you like.", "Notes", "Results", "(optional)",
		"Submit phase", "Approve", approveConsequence, "What to rework", "Reject", "candidate", "Score")
	keys = append(keys, "all key accounts", "held", "collecting input", "required for KAMs", "Participants and waitlist", "Cancel session", "Attended", "No-show",
		"archived", "Restore", "Add contact", "Edit", "Archive", archiveCustomerConsequence, archiveContactConsequence, "{1} of {2} phases",
		"Change or end", "Add a counterpart", "Open the form", "other level than theirs", ", quality", ", last", "no counterpart on this level")
	for _, forms := range eventTexts {
		for _, f := range forms {
			if f.count == 0 {
				keys = append(keys, f.message)
			}
		}
	}
	for _, k := range keys {
		if _, ok := german[k]; !ok {
			t.Errorf("no German for %q", k)
		}
	}
}

func TestLanguageFromAcceptLanguage(t *testing.T) {
	for header, want := range map[string]lang{
		"":                          langEN,
		"de-CH,de;q=0.9,en;q=0.8":   langDE,
		"en-GB, de;q=0.9":           langEN,
		"fr, de;q=0.5, en;q=0.4":    langDE,
		"fr, it":                    langEN,
		"de;q=x, en":                langEN,
		"DE":                        langDE,
		"en;q=0.2, de;q=0.7, *;q=1": langDE,
	} {
		if got := fromAcceptLanguage(header); got != want {
			t.Errorf("Accept-Language %q = %s, want %s", header, got, want)
		}
	}
}

func TestNumbersAndDatesPerLanguage(t *testing.T) {
	day := time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC)
	if got := langDE.formatDate(day); got != "05.03.2026" {
		t.Errorf("German date = %q", got)
	}
	if got := langEN.formatDate(day); got != "5 Mar 2026" {
		t.Errorf("English date = %q", got)
	}
	if langEN.formatDate(time.Time{}) != "" {
		t.Error("zero date not empty")
	}
	cases := []struct {
		l    lang
		v    any
		dec  int
		want string
	}{
		{langEN, int64(4800000), 0, "4,800,000"},
		{langDE, int64(4800000), 0, "4.800.000"},
		{langDE, 18.5, 1, "18,5"},
		{langEN, 18.5, 1, "18.5"},
		{langEN, 22.0, 1, "22"},
		{langDE, -1234.56, 1, "-1.234,6"},
		{langEN, 999, 0, "999"},
		{langEN, -0.01, 1, "0"},
		{langEN, "text", 0, ""},
	}
	for _, c := range cases {
		if got := c.l.formatNumber(c.v, c.dec); got != c.want {
			t.Errorf("%s formatNumber(%v, %d) = %q, want %q", c.l, c.v, c.dec, got, c.want)
		}
	}
}

// Counts take the language's CLDR plural form, with its number format.
func TestPluralsPerLanguage(t *testing.T) {
	for _, c := range []struct {
		l    lang
		n    int
		want string
	}{
		{langEN, 1, "not met for 1 day"}, {langEN, 90, "not met for 90 days"},
		{langDE, 1, "seit 1 Tag nicht getroffen"}, {langDE, 90, "seit 90 Tagen nicht getroffen"},
		{langDE, 1200, "seit 1.200 Tagen nicht getroffen"}, {langEN, 0, "not met for 0 days"},
	} {
		if got := c.l.translateCount("not met for {{.Count}} days", c.n); got != c.want {
			t.Errorf("%s %d = %q, want %q", c.l, c.n, got, c.want)
		}
	}
	// A message without a catalogue entry still shows its count.
	if got := langDE.translateCount("{{.Count}} widgets", 3); got != "3 widgets" {
		t.Errorf("unknown plural = %q", got)
	}
	if langDE.handoverNote(workflows.HandoverSystemActor, workflows.NoteOutgoingUnavailable) != "bisheriger KAM nicht verfügbar" ||
		langDE.handoverNote("lead@example.com", "Done") != "Done" {
		t.Error("handover notes: kamflow's in German, a person's as written")
	}
	if langDE.quote("so") != "„so“" || langEN.quote("so") != "“so”" {
		t.Errorf("quotes = %s %s", langDE.quote("so"), langEN.quote("so"))
	}
	if got := langDE.translateWith("{1} free of {2}", 3, 1200); got != "3 von 1.200 frei" {
		t.Errorf("German seats = %q", got)
	}
	if got := langEN.translateWith("{1} free of {2}", 3, 8); got != "3 free of 8" {
		t.Errorf("English seats = %q", got)
	}
	if got := langDE.translateCount("from {{.Count}} inputs", 1); got != "aus 1 Beitrag" {
		t.Errorf("German inputs = %q", got)
	}
	if got := langDE.translate("Setup"); got != "Projektaufbau" {
		t.Errorf("Setup in German = %q", got)
	}
}

// Texts kamflow wrote itself read in the reader's language; a person's
// text stays as it is.
func TestKamflowTextsInTheReadersLanguage(t *testing.T) {
	agenda := workflows.WorkshopAgenda("Alpenbau AG")
	de := langDE.agenda(agenda)
	for _, want := range []string{"Jahresworkshop mit Alpenbau AG (1,5 Tage)", "1. Was beschäftigt den Kunden zurzeit?", "3. Wie können wir ihn am besten unterstützen?", "Abschluss:"} {
		if !strings.Contains(de, want) {
			t.Errorf("German agenda lacks %q:\n%s", want, de)
		}
	}
	if langEN.agenda(agenda) != agenda {
		t.Error("English agenda changed")
	}
	if edited := agenda + "\n4. Lunch"; langDE.agenda(edited) != edited {
		t.Error("an agenda a person changed is not shown as it is")
	}
	if c, ok := workflows.AgendaCustomer(workflows.WorkshopAgenda("50% Müller: (1.5 days) — x")); !ok || c != "50% Müller: (1.5 days) — x" {
		t.Errorf("customer of an odd name = %q, %v", c, ok)
	}
	names := eventNames{Customers: map[string]string{"1": "Alpenbau AG"}, Employees: map[string]string{"8": "Karla Krüger"}}
	for _, c := range []struct {
		kind, comment, de, en string
	}{
		{workflows.EventSelection, "5 candidates meet at least 2 criteria", "5 Kandidaten erfüllen mindestens 2 Kriterien", "5 candidates meet at least 2 criteria"},
		{workflows.EventSelection, "1 candidates meet at least 2 criteria", "1 Kandidat erfüllt mindestens 2 Kriterien", "1 candidate meets at least 2 criteria"},
		{workflows.EventReminder, "before-168h", "Erinnerung 7 Tage vor dem Termin", "reminder 7 days before the due date"},
		{workflows.EventReminder, "before-24h", "Erinnerung 1 Tag vor dem Termin", "reminder 1 day before the due date"},
		{workflows.EventReminder, "before-36h", "Erinnerung 36 Stunden vor dem Termin", "reminder 36 hours before the due date"},
		{workflows.EventOverdue, "overdue-2", "Überfälligkeitsmeldung Nr. 3", "overdue notice no. 3"},
		{workflows.EventCriteriaSet, "revenue, fit; at least 2 met", "revenue, fit; mindestens 2 erfüllt", "revenue, fit; at least 2 met"},
		{workflows.EventDecided, "Alpenbau AG: confirmed checked: in detail", "Alpenbau AG: bestätigt checked: in detail", "Alpenbau AG: confirmed checked: in detail"},
		{workflows.EventDecided, "Alpenbau AG: rejected ", "Alpenbau AG: zurückgewiesen", "Alpenbau AG: rejected"},
		{workflows.EventAssigned, "customer 3: KAM 7, deputy 0", "Kunde 3: KAM 7, keine Stellvertretung", "customer 3: KAM 7, no deputy"},
		{workflows.EventAssigned, "customer 3: KAM 7, deputy 9", "Kunde 3: KAM 7, Stellvertretung 9", "customer 3: KAM 7, deputy 9"},
		{workflows.EventAssigned, "customer 1: KAM 8, deputy 0", "Kunde Alpenbau AG: KAM Karla Krüger, keine Stellvertretung", "customer Alpenbau AG: KAM Karla Krüger, no deputy"},
		{workflows.EventTrained, "employee 8", "Mitarbeitende/r Karla Krüger", "employee Karla Krüger"},
		{workflows.EventTrained, "employee 4", "Mitarbeitende/r 4", "employee 4"},
		{workflows.EventException, "employee 4: long experience", "Mitarbeitende/r 4: long experience", "employee 4: long experience"},
		{workflows.EventPlanApproved, "customer 3 ", "Kunde 3", "customer 3"},
		{workflows.EventPlanApproved, "customer 3 ambitious", "Kunde 3 ambitious", "customer 3 ambitious"},
		{workflows.EventConflictLogged, "Queue jumps (between sales and production)", "Queue jumps (zwischen sales and production)", "Queue jumps (between sales and production)"},
		{workflows.EventStaffInformed, "2026-03-05, staff_meeting: Sales, Service", "05.03.2026, Mitarbeiterversammlung: Sales, Service", "5 Mar 2026, Staff meeting: Sales, Service"},
		{workflows.EventApproved, "customer 3: KAM 7, deputy 0", "customer 3: KAM 7, deputy 0", "customer 3: KAM 7, deputy 0"},
		{workflows.EventRejected, "rework the goals", "rework the goals", "rework the goals"},
	} {
		if got := langDE.eventComment(store.ProgrammeEvent{Kind: c.kind, Comment: c.comment}, names); got != c.de {
			t.Errorf("German %s %q = %q, want %q", c.kind, c.comment, got, c.de)
		}
		if got := langEN.eventComment(store.ProgrammeEvent{Kind: c.kind, Comment: c.comment}, names); got != c.en {
			t.Errorf("English %s %q = %q, want %q", c.kind, c.comment, got, c.en)
		}
	}
}

// A result kamflow composed reads in the reader's language: the parts'
// labels, the roll-out's record; what people wrote stays as they wrote it.
func TestPhaseResultsInTheReadersLanguage(t *testing.T) {
	setup, err := workflows.ComposeResult(workflows.PhaseSetup, map[string]string{"team": "CEO, CFO", "goals": "Focus", "milestones": "Q3"})
	if err != nil {
		t.Fatal(err)
	}
	want := "Projektteam (Mitglieder der Geschäftsleitung):\nCEO, CFO\n\nZiele der Einführung:\nFocus\n\nMeilensteine und Termine:\nQ3"
	if got := langDE.phaseResult(workflows.ProgrammeState{}, workflows.PhaseSetup, setup); got != want {
		t.Errorf("German set-up result = %q", got)
	}
	if got := langEN.phaseResult(workflows.ProgrammeState{}, workflows.PhaseSetup, setup); got != setup {
		t.Errorf("English set-up result = %q", got)
	}
	if got := langDE.phaseResult(workflows.ProgrammeState{}, workflows.PhaseStrategy, "our own words"); got != "our own words" {
		t.Errorf("plain result = %q", got)
	}
	st := workflows.ProgrammeState{
		Briefings: []workflows.StaffBriefing{{InformedOn: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), Channel: "staff_meeting", Groups: []string{"Sales", "Service"}, KeyAccountsNamed: true}},
		Conflicts: []workflows.RolloutConflict{{What: "Queue", Between: "sales and production", Resolution: "A slot"}},
	}
	rollout := st.RolloutResult("Top-10 list")
	want = "Mitarbeitende informiert (1):\n- 05.03.2026, Mitarbeiterversammlung: Sales, Service; Key Accounts genannt\nErfasste und gelöste Konflikte (1):\n- Queue (zwischen sales and production): A slot\n\nTop-10 list"
	if got := langDE.phaseResult(st, workflows.PhaseRollout, rollout); got != want {
		t.Errorf("German roll-out result = %q, want %q", got, want)
	}
	st.Conflicts = nil
	if got := langDE.phaseResult(st, workflows.PhaseRollout, rollout); got != rollout {
		t.Errorf("a roll-out result its record no longer makes = %q", got)
	}
	if got := langDE.phaseResult(st, workflows.PhaseRollout, st.RolloutResult("")); !strings.Contains(got, "Konflikte: keine erfasst.") {
		t.Errorf("German roll-out result without conflicts = %q", got)
	}
}

// Comments kamflow keeps by key and parameters read in the reader's
// language; the English comment stands in for a key no form fits.
func TestCommentsByKey(t *testing.T) {
	names := eventNames{Customers: map[string]string{"1": "Alpenbau AG"}, Employees: map[string]string{"8": "Karla Krüger", "9": "Kai Kramer"}}
	for _, c := range []struct {
		key, args, de, en string
	}{
		{workflows.TextSelection, `["3","2"]`, "3 Kandidaten erfüllen mindestens 2 Kriterien", "3 candidates meet at least 2 criteria"},
		{workflows.TextReminderBefore, `["48"]`, "Erinnerung 2 Tage vor dem Termin", "reminder 2 days before the due date"},
		{workflows.TextOverdueNotice, `["0"]`, "Überfälligkeitsmeldung Nr. 1", "overdue notice no. 1"},
		{workflows.TextAssigned, `["1","8","9"]`, "Kunde Alpenbau AG: KAM Karla Krüger, Stellvertretung Kai Kramer", "customer Alpenbau AG: KAM Karla Krüger, deputy Kai Kramer"},
		{workflows.TextAssigned, `["1","8","0"]`, "Kunde Alpenbau AG: KAM Karla Krüger, keine Stellvertretung", "customer Alpenbau AG: KAM Karla Krüger, no deputy"},
		{workflows.TextDecided, `["A (between x): confirmed y","rejected",""]`, "A (between x): confirmed y: zurückgewiesen", "A (between x): confirmed y: rejected"},
		{workflows.TextConflictLogged, `["Queue (between us)","sales"]`, "Queue (between us) (zwischen sales)", "Queue (between us) (between sales)"},
		{workflows.TextStaffInformed, `["2026-03-05","intranet","Sales"]`, "05.03.2026, Intranet: Sales", "5 Mar 2026, Intranet: Sales"},
		{"unknown_key", `["1"]`, "the English comment", "the English comment"},
		{workflows.TextSelection, `not json`, "the English comment", "the English comment"},
	} {
		ev := store.ProgrammeEvent{Kind: "whatever", Comment: "the English comment", CommentKey: c.key, CommentArgs: c.args}
		if got := langDE.eventComment(ev, names); got != c.de {
			t.Errorf("German %s %s = %q, want %q", c.key, c.args, got, c.de)
		}
		if got := langEN.eventComment(ev, names); got != c.en {
			t.Errorf("English %s %s = %q, want %q", c.key, c.args, got, c.en)
		}
	}
}

// TestNotificationsNameThingsAsThePagesDo: the notification catalogue
// (package notice, shared with the mailer) keeps its own German for
// phases and handover items; it must say what the pages say.
func TestNotificationsNameThingsAsThePagesDo(t *testing.T) {
	for _, p := range workflows.Phases() {
		want := langDE.translate(phaseTitle(string(p)))
		subject, _, ok := notice.Render("de", workflows.NoticePhaseDue, []string{"Programm", string(p), "2027-03-04"})
		if !ok || !strings.Contains(subject, want) {
			t.Errorf("phase %s: notification %q, pages say %q", p, subject, want)
		}
	}
	for _, item := range workflows.HandoverItems() {
		want := strings.ToLower(langDE.translate(handoverLabel(item)))
		_, body, ok := notice.Render("de", workflows.NoticeHandoverStalled, []string{"Alpenbau AG", "2027-03-04", item})
		if !ok || !strings.Contains(strings.ToLower(body), want) {
			t.Errorf("handover item %s: notification %q, pages say %q", item, body, want)
		}
	}
}
