package notice

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/kamflow/kamflow/workflows"
)

// form is a notification's subject and body in one language, with {1},
// {2}… for the parameters ({1:q} quoted; a moment's {1:day}, {1:time}) and
// {rest} for the list of the parameters past the fixed ones. bodyOne is
// the body for a count of one (CLDR's "one"), when the key counts.
type form struct {
	subject, body, bodyOne string
}

// text is a key's parameters and forms.
type text struct {
	fixed int          // the parameters the key takes before the rest
	kinds map[int]kind // how parameter n is shown; none: as given
	rest  kind         // the kind of the parameters past fixed; "": none
	count int          // parameter n is the count that picks the body's form
	en    form
	de    form
}

var (
	dateAt3   = map[int]kind{3: kindDate}
	phaseText = map[int]kind{2: kindPhase}
)

// texts are kamflow's notifications by key (see workflows' Notice*).
var texts = map[string]text{
	workflows.NoticePhaseDue: {fixed: 3, kinds: map[int]kind{2: kindPhase, 3: kindDate},
		en: form{subject: "{1}: phase {2} is due on {3}", body: "Reminder: the phase {2:q} of the KAM programme {1:q} is due on {3}."},
		de: form{subject: "{1}: Phase {2} ist am {3} fällig", body: "Erinnerung: Die Phase {2:q} des KAM-Programms {1:q} ist am {3} fällig."}},
	workflows.NoticePhaseOverdue: {fixed: 4, kinds: map[int]kind{2: kindPhase, 3: kindDate},
		en: form{subject: "{1}: phase {2} is overdue (due {3})", body: "The phase {2:q} of the KAM programme {1:q} was due on {3} and is not finished. Responsible: {4}."},
		de: form{subject: "{1}: Phase {2} ist überfällig (fällig am {3})", body: "Die Phase {2:q} des KAM-Programms {1:q} war am {3} fällig und ist nicht abgeschlossen. Verantwortlich: {4}."}},
	workflows.NoticePhaseSubmitted: {fixed: 3, kinds: phaseText,
		en: form{subject: "{1}: phase {2} waits for your approval", body: "{3} submitted the results of phase {2:q} of the KAM programme {1:q}. Please approve or reject them."},
		de: form{subject: "{1}: Phase {2} wartet auf Ihre Freigabe", body: "{3} hat die Ergebnisse der Phase {2:q} des KAM-Programms {1:q} eingereicht. Bitte geben Sie sie frei oder weisen Sie sie zurück."}},
	workflows.NoticePhaseRejected: {fixed: 4, kinds: phaseText,
		en: form{subject: "{1}: phase {2} was sent back", body: "{3} rejected the results of phase {2:q}: {4}"},
		de: form{subject: "{1}: Phase {2} wurde zurückgewiesen", body: "{3} hat die Ergebnisse der Phase {2:q} zurückgewiesen: {4}"}},

	workflows.NoticeActionDue: {fixed: 3, kinds: dateAt3,
		en: form{subject: "Action due {3}: {1}", body: "The action {1:q} (owner {2}) is due on {3}."},
		de: form{subject: "Massnahme fällig am {3}: {1}", body: "Die Massnahme {1:q} (verantwortlich: {2}) ist am {3} fällig."}},
	workflows.NoticeActionOverdue: {fixed: 3, kinds: dateAt3,
		en: form{subject: "Action overdue since {3}: {1}", body: "The action {1:q} (owner {2}) was due on {3} and is still open."},
		de: form{subject: "Massnahme überfällig seit {3}: {1}", body: "Die Massnahme {1:q} (verantwortlich: {2}) war am {3} fällig und ist noch offen."}},

	workflows.NoticeHandoverStarted: {fixed: 3, kinds: map[int]kind{2: kindReason},
		en: form{subject: "Handover: {1}", body: "The KAM of {1} is being replaced (reason: {2}). {3} covers the account from now on until the new KAM takes over."},
		de: form{subject: "Übergabe: {1}", body: "Der KAM von {1} wird ersetzt (Grund: {2}). {3} vertritt den Account ab sofort, bis der neue KAM übernimmt."}},
	workflows.NoticeHandoverStalled: {fixed: 2, kinds: map[int]kind{2: kindDate}, rest: kindItem,
		en: form{subject: "Handover stalls: {1}", body: "Nothing moved in the handover of {1} since {2}. Open: {rest}."},
		de: form{subject: "Übergabe stockt: {1}", body: "In der Übergabe von {1} hat sich seit dem {2} nichts bewegt. Offen: {rest}."}},
	workflows.NoticeHandoverEscalation: {fixed: 2, kinds: map[int]kind{2: kindDate}, rest: kindItem,
		en: form{subject: "Escalation: handover of {1} stalls", body: "Nothing moved in the handover of {1} since {2}. Open: {rest}."},
		de: form{subject: "Eskalation: Übergabe von {1} stockt", body: "In der Übergabe von {1} hat sich seit dem {2} nichts bewegt. Offen: {rest}."}},
	workflows.NoticeHandoverIncoming: {fixed: 2,
		en: form{subject: "You take over {1}", body: "You become the KAM of {1}. {2} covers the account until the handover checklist is done."},
		de: form{subject: "Sie übernehmen {1}", body: "Sie werden KAM von {1}. {2} vertritt den Account, bis die Übergabe-Checkliste erledigt ist."}},
	workflows.NoticeHandoverCompleted: {fixed: 2,
		en: form{subject: "Handover done: {1}", body: "{2} is now the KAM of {1}."},
		de: form{subject: "Übergabe abgeschlossen: {1}", body: "{2} ist jetzt KAM von {1}."}},

	workflows.NoticeJourFixeAsk: {fixed: 2, kinds: map[int]kind{1: kindDate, 2: kindNumber}, count: 2,
		en: form{subject: "Jour fixe on {1}: your view of your key accounts",
			bodyOne: "Before the customer conference on {1}, please give your view of {2} key account: satisfaction (1–5), developments, needs and risks.",
			body:    "Before the customer conference on {1}, please give your view of {2} key accounts: satisfaction (1–5), developments, needs and risks."},
		de: form{subject: "Jour fixe am {1}: Ihre Einschätzung Ihrer Key Accounts",
			bodyOne: "Bitte geben Sie vor der Kundenkonferenz am {1} Ihre Einschätzung zu {2} Key Account ab: Zufriedenheit (1–5), Entwicklungen, Bedürfnisse und Risiken.",
			body:    "Bitte geben Sie vor der Kundenkonferenz am {1} Ihre Einschätzung zu {2} Key Accounts ab: Zufriedenheit (1–5), Entwicklungen, Bedürfnisse und Risiken."}},
	workflows.NoticeJourFixeRemind: {fixed: 3, kinds: map[int]kind{1: kindDate, 2: kindNumber, 3: kindNumber}, count: 2,
		en: form{subject: "Reminder: your input for the jour fixe on {1}",
			bodyOne: "{2} of your {3} key accounts still lacks your view.", body: "{2} of your {3} key accounts still lack your view."},
		de: form{subject: "Erinnerung: Ihr Beitrag zum Jour fixe am {1}",
			bodyOne: "Für {2} Ihrer {3} Key Accounts fehlt noch Ihre Einschätzung.", body: "Für {2} Ihrer {3} Key Accounts fehlt noch Ihre Einschätzung."}},
	workflows.NoticeJourFixePicture: {fixed: 2, kinds: map[int]kind{1: kindDate, 2: kindSummary},
		en: form{subject: "Jour fixe {1}: the picture of your key accounts", body: "{2}"},
		de: form{subject: "Jour fixe {1}: das Bild Ihrer Key Accounts", body: "{2}"}},

	workflows.NoticePlanSubmitted: {fixed: 3, kinds: map[int]kind{3: kindNumber},
		en: form{subject: "Account plan to approve: {1}", body: "{2} submitted version {3} of the strategy and action plan for {1}."},
		de: form{subject: "Account-Plan zur Freigabe: {1}", body: "{2} hat Version {3} der Strategie und des Massnahmenplans für {1} eingereicht."}},
	workflows.NoticePlanApproved: {fixed: 3,
		en: form{subject: "Account plan approved: {1}", body: "{2} approved your plan for {1}. {3}"},
		de: form{subject: "Account-Plan freigegeben: {1}", body: "{2} hat Ihren Plan für {1} freigegeben. {3}"}},
	workflows.NoticePlanRejected: {fixed: 3,
		en: form{subject: "Account plan sent back: {1}", body: "{2} sent your plan for {1} back: {3}"},
		de: form{subject: "Account-Plan zurückgewiesen: {1}", body: "{2} hat Ihren Plan für {1} zurückgewiesen: {3}"}},

	workflows.NoticeReviewReady: {fixed: 2, kinds: map[int]kind{2: kindNumber}, count: 2,
		en: form{subject: "Review ready: {1}",
			bodyOne: "The KPIs of {2} key account are gathered. Record findings and optimisation measures, then sign the review off.",
			body:    "The KPIs of {2} key accounts are gathered. Record findings and optimisation measures, then sign the review off."},
		de: form{subject: "Review bereit: {1}",
			bodyOne: "Die Kennzahlen von {2} Key Account sind gesammelt. Erfassen Sie Erkenntnisse und Optimierungsmassnahmen und zeichnen Sie das Review dann ab.",
			body:    "Die Kennzahlen von {2} Key Accounts sind gesammelt. Erfassen Sie Erkenntnisse und Optimierungsmassnahmen und zeichnen Sie das Review dann ab."}},
	workflows.NoticeMeasureDue: {fixed: 3, kinds: dateAt3,
		en: form{subject: "Measure due {3}: {1}", body: "Optimisation measure {1:q} (owner {2}) from a controller review is due on {3}."},
		de: form{subject: "Optimierungsmassnahme fällig am {3}: {1}", body: "Die Optimierungsmassnahme {1:q} (verantwortlich: {2}) aus einem Controlling-Review ist am {3} fällig."}},
	workflows.NoticeMeasureOverdue: {fixed: 3, kinds: dateAt3,
		en: form{subject: "Measure overdue since {3}: {1}", body: "Optimisation measure {1:q} (owner {2}) from a controller review was due on {3} and is still open."},
		de: form{subject: "Optimierungsmassnahme überfällig seit {3}: {1}", body: "Die Optimierungsmassnahme {1:q} (verantwortlich: {2}) aus einem Controlling-Review war am {3} fällig und ist noch offen."}},
	workflows.NoticeMeasureAssigned: {fixed: 2, kinds: map[int]kind{2: kindDate},
		en: form{subject: "New optimisation measure: {1}", body: "A controller review gave you the measure {1:q}, due on {2}."},
		de: form{subject: "Neue Optimierungsmassnahme: {1}", body: "Ein Controlling-Review hat Ihnen die Massnahme {1:q} übertragen, fällig am {2}."}},

	workflows.NoticeWorkshopPlan: {fixed: 2, kinds: map[int]kind{2: kindAgenda},
		en: form{subject: "Plan the annual workshop with {1}", body: "Please propose dates for this year's 1.5-day workshop with {1}, about ten weeks ahead.\n\n{2}"},
		de: form{subject: "Jahresworkshop mit {1} planen", body: "Bitte schlagen Sie Termine für den diesjährigen Workshop (1,5 Tage) mit {1} vor, etwa zehn Wochen im Voraus.\n\n{2}"}},
	workflows.NoticeWorkshopConfirm: {fixed: 1, rest: kindMoment,
		en: form{subject: "Confirm the workshop date with {1}", body: "The customer chooses one of the proposed dates for the workshop with {1}:\n{rest}\n\nConfirm it in kamflow to send the invitation."},
		de: form{subject: "Workshop-Termin mit {1} bestätigen", body: "Der Kunde wählt einen der vorgeschlagenen Termine für den Workshop mit {1}:\n{rest}\n\nBestätigen Sie ihn in kamflow, damit die Einladung verschickt wird."}},
	workflows.NoticeWorkshopReminder: {fixed: 4, kinds: map[int]kind{2: kindMoment, 4: kindAgenda},
		en: form{subject: "Reminder: workshop with {1} on {2:day}", body: "The annual workshop with {1} starts on {2} ({3}).\n\n{4}"},
		de: form{subject: "Erinnerung: Workshop mit {1} am {2:day}", body: "Der Jahresworkshop mit {1} beginnt am {2} ({3}).\n\n{4}"}},
	workflows.NoticeWorkshopMinutesDue: {fixed: 2, kinds: map[int]kind{2: kindDate},
		en: form{subject: "Minutes due: workshop with {1}", body: "The minutes of the workshop held on {2} are due today. Record them with every agreed item as an action."},
		de: form{subject: "Protokoll fällig: Workshop mit {1}", body: "Das Protokoll des Workshops vom {2} ist heute fällig. Erfassen Sie es mit jedem vereinbarten Punkt als Massnahme."}},
	workflows.NoticeWorkshopMinutesEscalation: {fixed: 3, kinds: map[int]kind{2: kindDate, 3: kindDate},
		en: form{subject: "Escalation: workshop minutes missing ({1})", body: "The minutes of the workshop with {1} held on {2} were due on {3} and are still missing."},
		de: form{subject: "Eskalation: Workshop-Protokoll fehlt ({1})", body: "Das Protokoll des Workshops mit {1} vom {2} war am {3} fällig und fehlt noch."}},
	workflows.NoticeWorkshopInvitation: {fixed: 5, kinds: map[int]kind{2: kindMoment, 3: kindMoment, 5: kindAgenda},
		en: form{subject: "Invitation: workshop with {1} on {2:day}", body: "You are invited to the annual 1.5-day workshop with {1} from {2} to {3} at {4}.\n\n{5}"},
		de: form{subject: "Einladung: Workshop mit {1} am {2:day}", body: "Sie sind zum Jahresworkshop (1,5 Tage) mit {1} eingeladen: vom {2} bis {3}, Ort: {4}.\n\n{5}"}},
	workflows.NoticeWorkshopDatesProposed: {fixed: 3, kinds: map[int]kind{3: kindAgenda}, rest: kindMoment,
		en: form{subject: "Dates proposed: workshop with {1}", body: "These dates for the annual 1.5-day workshop with {1} went to the customer, at {2}:\n{rest}\n\nPlease keep them free until one is confirmed.\n\n{3}"},
		de: form{subject: "Termine vorgeschlagen: Workshop mit {1}", body: "Diese Termine für den Jahresworkshop (1,5 Tage) mit {1}, Ort: {2}, gingen an den Kunden:\n{rest}\n\nBitte halten Sie sie frei, bis einer bestätigt ist.\n\n{3}"}},

	workflows.NoticeTrainingWaitlist: {fixed: 2, kinds: map[int]kind{2: kindMoment},
		en: form{subject: "Waitlist: {1} on {2:day}", body: "The session of {1:q} on {2:day} is full; you are on its waitlist and get a seat as soon as one frees up."},
		de: form{subject: "Warteliste: {1} am {2:day}", body: "Der Termin von {1:q} am {2:day} ist ausgebucht; Sie stehen auf der Warteliste und erhalten einen Platz, sobald einer frei wird."}},
	workflows.NoticeTrainingInvitation: {fixed: 4, kinds: map[int]kind{2: kindMoment, 3: kindMoment},
		en: form{subject: "Invitation: {1} on {2:day}", body: "You are enrolled in {1:q} from {2} to {3}, {4}."},
		de: form{subject: "Einladung: {1} am {2:day}", body: "Sie sind für {1:q} angemeldet: vom {2} bis {3}, {4}."}},
	workflows.NoticeTrainingMoved: {fixed: 4, kinds: map[int]kind{2: kindMoment, 3: kindMoment},
		en: form{subject: "Moved: {1} now on {2:day}", body: "The session has moved. You are enrolled in {1:q} from {2} to {3}, {4}."},
		de: form{subject: "Verschoben: {1} jetzt am {2:day}", body: "Der Termin wurde verschoben. Sie sind für {1:q} angemeldet: vom {2} bis {3}, {4}."}},
	workflows.NoticeTrainingAttendance: {fixed: 3, kinds: map[int]kind{2: kindMoment},
		en: form{subject: "Record attendance: {1} on {2:day}", body: "Please record whether {3} attended {1:q} on {2:day}."},
		de: form{subject: "Teilnahme erfassen: {1} am {2:day}", body: "Bitte erfassen Sie, ob {3} an {1:q} am {2:day} teilgenommen hat."}},
	workflows.NoticeTrainingReminder: {fixed: 3, kinds: map[int]kind{2: kindMoment},
		en: form{subject: "Reminder: {1} on {2:day}", body: "Reminder: {1:q} starts on {2:day} at {2:time} ({3})."},
		de: form{subject: "Erinnerung: {1} am {2:day}", body: "Erinnerung: {1:q} beginnt am {2:day} um {2:time} ({3})."}},
	workflows.NoticeTrainingReEnrol: {fixed: 4, kinds: map[int]kind{3: kindMoment, 4: kindWhy},
		en: form{subject: "Re-enrol {1}: {2}", body: "{1}'s enrolment in {2:q} on {3:day} ended without completion ({4}). Please enrol them in another session."},
		de: form{subject: "Neu anmelden: {1} für {2}", body: "Die Anmeldung von {1} für {2:q} am {3:day} endete ohne Abschluss ({4}). Bitte melden Sie die Person für einen anderen Termin an."}},
	workflows.NoticeTrainingEscalation: {fixed: 2, kinds: map[int]kind{2: kindDate}, rest: kindList,
		en: form{subject: "Escalation: {1} still lacks required training", body: "{1} still has to complete {rest}; the programme's training phase is due on {2}."},
		de: form{subject: "Eskalation: {1} fehlt noch eine Pflichtschulung", body: "{1} muss noch {rest} abschliessen; die Schulungsphase des Programms ist am {2} fällig."}},
}

// labels are the vocabulary values the notifications name, in English
// and German (the pages' words for them).
var labels = map[kind]map[string][2]string{
	kindPhase: {
		string(workflows.PhaseSetup): {"Setup", "Projektaufbau"}, string(workflows.PhaseStrategy): {"Strategy", "Strategie"},
		string(workflows.PhaseCriteria): {"Criteria", "Kriterien"}, string(workflows.PhaseKAMProfile): {"KAM profile", "KAM-Profil"},
		string(workflows.PhaseProvisionalSelection): {"Provisional selection", "Provisorische Auswahl"},
		string(workflows.PhaseDefinitiveSelection):  {"Definitive selection", "Definitive Auswahl"},
		string(workflows.PhaseResponsibilities):     {"Responsibilities", "Verantwortlichkeiten"},
		string(workflows.PhaseTraining):             {"Training", "Schulung"}, string(workflows.PhaseAccountPlans): {"Account plans", "Account-Pläne"},
		string(workflows.PhaseRollout): {"Rollout", "Roll-out"}, string(workflows.PhaseReviews): {"Reviews", "Reviews"},
	},
	kindReason: {
		workflows.ReasonLeft:            {"the KAM left the company", "der KAM hat das Unternehmen verlassen"},
		workflows.ReasonRoleChange:      {"the KAM changed roles", "der KAM hat die Rolle gewechselt"},
		workflows.ReasonPersonaNonGrata: {"the KAM is persona non grata with the customer", "der KAM ist beim Kunden Persona non grata"},
	},
	kindItem: {
		workflows.HandoverOpenIncoming:   {"choose the incoming KAM", "neuen KAM bestimmen"},
		workflows.ItemKnowledgeTransfer:  {"knowledge transfer", "Wissensübergabe"},
		workflows.ItemActionsMoved:       {"actions moved", "Massnahmen übertragen"},
		workflows.ItemRelationshipsMoved: {"relationships moved", "Beziehungen übertragen"},
		workflows.ItemIntroMeeting:       {"introduction meeting with the customer", "Vorstellungstermin beim Kunden"},
		workflows.ItemCustomerInformed:   {"customer informed", "Kunde informiert"},
	},
	kindWhy: {
		workflows.TrainingEndedCancelled: {workflows.TrainingEndedCancelled, "der Termin wurde abgesagt"},
		workflows.TrainingEndedNoShow:    {workflows.TrainingEndedNoShow, "nicht teilgenommen"},
	},
}

// plurals are the catalogue's other texts with a count: one, other.
var plurals = []struct {
	id     string
	en, de [2]string
}{
	{id: "summary.account",
		en: [2]string{"Key account {1}: satisfaction {2} from {3} input", "Key account {1}: satisfaction {2} from {3} inputs"},
		de: [2]string{"Key Account {1}: Zufriedenheit {2} aus {3} Beitrag", "Key Account {1}: Zufriedenheit {2} aus {3} Beiträgen"}},
}

// agendaDE is the German of kamflow's agenda (workflows.WorkshopAgenda).
var agendaDE = map[string]string{
	workflows.AgendaIntro:                             "Jahresworkshop mit %s (1,5 Tage) — zur Agenda des Kunden, keine Verkaufspräsentation.",
	"What occupies the customer now?":                 "Was beschäftigt den Kunden zurzeit?",
	"What challenges does their business model face?": "Vor welchen Herausforderungen steht sein Geschäftsmodell?",
	"How can we best support them?":                   "Wie können wir ihn am besten unterstützen?",
	workflows.AgendaClose:                             "Abschluss: Vereinbarte Punkte werden Massnahmen mit verantwortlicher Person und Termin.",
}

// The lines of a jour fixe's picture as store.SummaryOf writes them.
var (
	summaryAccount = regexp.MustCompile(`^Key account (\d+): satisfaction (\d+(?:\.\d+)?) from (\d+) inputs$`)
	summaryPart    = regexp.MustCompile(`^(\s+)(Developments|Needs|Risks): (.*)$`)
	summaryParts   = map[string][2]string{"Developments": {"Developments", "Entwicklungen"}, "Needs": {"Needs", "Bedürfnisse"}, "Risks": {"Risks", "Risiken"}}
)

// summary writes a jour fixe's pooled picture in the language, line by
// line; a line it does not know (a person's words running on) is kept.
func (l lang) summary(s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if m := summaryAccount.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[3])
			sat := m[2]
			if l == German {
				sat = strings.Replace(sat, ".", ",", 1)
			}
			lines[i] = strings.NewReplacer("{1}", m[1], "{2}", sat, "{3}", l.number(n)).Replace(l.localize("summary.account", n))
		} else if m := summaryPart.FindStringSubmatch(line); m != nil {
			label := summaryParts[m[2]][0]
			if l == German {
				label = summaryParts[m[2]][1]
			}
			lines[i] = m[1] + label + ": " + m[3]
		}
	}
	return strings.Join(lines, "\n")
}
