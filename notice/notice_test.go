package notice

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// noticeKeys are the values of workflows' Notice* constants, read from
// the source so a key added there without a text here fails.
func noticeKeys(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../workflows/notice_text.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Notice") || len(vs.Values) != 1 {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				keys = append(keys, s)
			}
		}
		return true
	})
	if len(keys) < 30 {
		t.Fatalf("found only %d notice keys", len(keys))
	}
	return keys
}

// sample are parameters of every kind, raw vocabulary keys where a kind
// takes them.
var sample = map[kind][]string{
	kindText:    {"Acme"},
	kindDate:    {"2027-03-04"},
	kindMoment:  {"2027-03-04T08:30:00Z", "2027-03-05T12:30:00Z"},
	kindNumber:  {"3"},
	kindPhase:   {"kam_profile"},
	kindReason:  {"role_change"},
	kindItem:    {workflows.HandoverOpenIncoming, "knowledge_transfer", "intro_meeting"},
	kindWhy:     {workflows.TrainingEndedNoShow},
	kindAgenda:  {workflows.WorkshopAgenda("Acme")},
	kindSummary: {store.SummaryOf([]store.AccountPicture{{KeyAccountID: 4, Satisfaction: 3.5, Inputs: 2, Needs: []string{"faster delivery"}, Risks: []string{"price"}}})},
	kindList:    {"Negotiation", "Coaching"},
}

func argsFor(tx text) []string {
	var args []string
	for i := 1; i <= tx.fixed; i++ {
		args = append(args, sample[tx.kinds[i]][0])
	}
	if tx.rest != "" {
		args = append(args, sample[tx.rest]...)
	}
	return args
}

// rawKey is a stored vocabulary value (a word with an underscore).
var rawKey = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b`)

// englishWords must not appear in a German notification.
var englishWords = regexp.MustCompile(`\b(the|of|is|your|due|on|Reminder|Invitation|Escalation|Handover|Action|Measure|Please|Key account|satisfaction|Needs|Risks|What|Close|Annual|choose|knowledge|left|did not)\b`)

func TestEveryKeyInEnglishAndGerman(t *testing.T) {
	for _, key := range noticeKeys(t) {
		tx, ok := texts[key]
		if !ok {
			t.Errorf("%s: no text in the catalogue", key)
			continue
		}
		args := argsFor(tx)
		enS, enB, ok := Render("en", key, args)
		if !ok {
			t.Errorf("%s: English does not render %q", key, args)
			continue
		}
		deS, deB, ok := Render("de", key, args)
		if !ok {
			t.Errorf("%s: German does not render %q", key, args)
			continue
		}
		for lang, s := range map[string]string{"en subject": enS, "en body": enB, "de subject": deS, "de body": deB} {
			if strings.TrimSpace(s) == "" || strings.Contains(s, "{") {
				t.Errorf("%s %s = %q: empty or a placeholder left", key, lang, s)
			}
			if m := rawKey.FindString(s); m != "" {
				t.Errorf("%s %s shows the raw key %q: %q", key, lang, m, s)
			}
		}
		if enS == deS && enB == deB {
			t.Errorf("%s: German is the English", key)
		}
		if m := englishWords.FindString(deS + "\n" + deB); m != "" {
			t.Errorf("%s: English %q in German: %q / %q", key, m, deS, deB)
		}
		if strings.Contains(deS+deB+enS+enB, "2027-03-04") {
			t.Errorf("%s: a date not written as the language writes it: %q / %q", key, deS, deB)
		}
	}
	keys := noticeKeys(t)
	for key := range texts {
		if !contains(keys, key) {
			t.Errorf("catalogue text %q has no key in workflows", key)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestEnumsDatesAndPlurals(t *testing.T) {
	cases := []struct {
		lang, key string
		args      []string
		want      []string // in subject + "\n" + body
	}{
		{"de", workflows.NoticeHandoverStarted, []string{"Acme", "role_change", "c@x.test"}, []string{"Übergabe: Acme", "Grund: der KAM hat die Rolle gewechselt", "c@x.test vertritt"}},
		{"en", workflows.NoticeHandoverStarted, []string{"Acme", "persona_non_grata", "c@x.test"}, []string{"persona non grata with the customer"}},
		{"de", workflows.NoticeHandoverStalled, []string{"Acme", "2027-01-02", workflows.HandoverOpenIncoming, "customer_informed"}, []string{"seit dem 02.01.2027", "Offen: neuen KAM bestimmen, Kunde informiert."}},
		{"de", workflows.NoticePhaseOverdue, []string{"KAM 2027", "kam_profile", "2027-05-31", "lead@x.test"}, []string{"Phase KAM-Profil ist überfällig (fällig am 31.05.2027)", "„KAM-Profil“", "„KAM 2027“"}},
		{"en", workflows.NoticePhaseDue, []string{"KAM 2027", "account_plans", "2027-05-31"}, []string{"phase Account plans is due on 31 May 2027"}},
		{"en", workflows.NoticeJourFixeAsk, []string{"2027-01-02", "1"}, []string{"your view of 1 key account:"}},
		{"en", workflows.NoticeJourFixeAsk, []string{"2027-01-02", "3"}, []string{"your view of 3 key accounts:"}},
		{"de", workflows.NoticeJourFixeAsk, []string{"2027-01-02", "1"}, []string{"Jour fixe am 02.01.2027", "zu 1 Key Account ab"}},
		{"de", workflows.NoticeJourFixeAsk, []string{"2027-01-02", "1200"}, []string{"zu 1.200 Key Accounts ab"}},
		{"en", workflows.NoticeJourFixeRemind, []string{"2027-01-02", "1", "4"}, []string{"1 of your 4 key accounts still lacks your view."}},
		{"en", workflows.NoticeReviewReady, []string{"KAM 2027", "2"}, []string{"Review ready: KAM 2027", "KPIs of 2 key accounts"}},
		{"de", workflows.NoticeReviewReady, []string{"KAM 2027", "1"}, []string{"Review bereit: KAM 2027", "von 1 Key Account sind"}},
		{"de", workflows.NoticeTrainingReEnrol, []string{"Eva", "Coaching", "2027-03-04T08:30:00Z", workflows.TrainingEndedCancelled}, []string{"(der Termin wurde abgesagt)", "am 04.03.2027"}},
		{"de", workflows.NoticeTrainingReEnrol, []string{"Eva", "Coaching", "2027-03-04T08:30:00Z", "krank"}, []string{"(krank)"}},
		{"de", workflows.NoticeTrainingReminder, []string{"Coaching", "2027-03-04T08:30:00Z", "Raum 3"}, []string{"beginnt am 04.03.2027 um 08:30 UTC (Raum 3)"}},
		{"de", workflows.NoticeWorkshopPlan, []string{"Acme", workflows.WorkshopAgenda("Acme")}, []string{"Jahresworkshop mit Acme (1,5 Tage)", "1. Was beschäftigt den Kunden zurzeit?", "Abschluss:"}},
		{"de", workflows.NoticeWorkshopPlan, []string{"Acme", "Our own agenda"}, []string{"\n\nOur own agenda"}},
		{"de", workflows.NoticeWorkshopConfirm, []string{"Acme", "2027-03-04T08:30:00Z", "2027-03-11T08:30:00Z"}, []string{":\n- 04.03.2027 08:30 UTC\n- 11.03.2027 08:30 UTC\n\nBestätigen"}},
		{"de", workflows.NoticeJourFixePicture, []string{"2027-01-02", "Key account 4: satisfaction 3.5 from 1 inputs\n  Needs: faster delivery\n"},
			[]string{"Key Account 4: Zufriedenheit 3,5 aus 1 Beitrag\n  Bedürfnisse: faster delivery\n"}},
		{"en", workflows.NoticeJourFixePicture, []string{"2027-01-02", "Key account 4: satisfaction 3.5 from 2 inputs\n"}, []string{"Key account 4: satisfaction 3.5 from 2 inputs"}},
		{"de", workflows.NoticeTrainingEscalation, []string{"Eva", "2027-06-30", "Negotiation", "Coaching"}, []string{"muss noch Negotiation, Coaching abschliessen", "am 30.06.2027 fällig"}},
	}
	for _, c := range cases {
		s, b, ok := Render(c.lang, c.key, c.args)
		if !ok {
			t.Errorf("%s %s %q: not rendered", c.lang, c.key, c.args)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(s+"\n"+b, w) {
				t.Errorf("%s %s: %q lacks %q", c.lang, c.key, s+"\n"+b, w)
			}
		}
	}
}

func TestMomentsInTheReadersZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	s, b, ok := RenderIn("de", berlin, workflows.NoticeTrainingInvitation, []string{"Coaching", "2027-03-04T23:30:00Z", "2027-03-05T08:00:00Z", "Raum 3"})
	if !ok || s != "Einladung: Coaching am 05.03.2027" || !strings.Contains(b, "vom 05.03.2027 00:30 CET bis 05.03.2027 09:00 CET, Raum 3") {
		t.Errorf("in Berlin: %v %q / %q", ok, s, b)
	}
}

func TestUnknownKeyOrParametersFallBack(t *testing.T) {
	if _, _, ok := Render("de", "no_such_key", nil); ok {
		t.Error("an unknown key rendered")
	}
	if _, _, ok := Render("de", workflows.NoticePhaseDue, []string{"KAM 2027", "setup"}); ok {
		t.Error("too few parameters rendered")
	}
	if _, _, ok := Render("de", workflows.NoticePhaseDue, []string{"KAM 2027", "setup", "31 May"}); ok {
		t.Error("a date that is no date rendered")
	}
	if _, _, ok := Render("de", workflows.NoticePhaseDue, []string{"KAM 2027", "setup", "2027-05-31", "extra"}); ok {
		t.Error("too many parameters rendered")
	}
	old := store.Notification{Subject: "Old subject", Body: "Old body"}
	if s, b := Notification("de", nil, old); s != "Old subject" || b != "Old body" {
		t.Errorf("a row without key = %q / %q, want its English", s, b)
	}
	unknown := store.Notification{Subject: "Old subject", Body: "Old body", TextKey: "gone", TextArgs: `["x"]`}
	if s, b := Notification("de", nil, unknown); s != "Old subject" || b != "Old body" {
		t.Errorf("an unknown key = %q / %q, want its English", s, b)
	}
	broken := store.Notification{Subject: "Old subject", Body: "Old body", TextKey: workflows.NoticeHandoverCompleted, TextArgs: `not json`}
	if s, _ := Notification("de", nil, broken); s != "Old subject" {
		t.Errorf("unreadable parameters = %q, want the English", s)
	}
	keyed := store.Notification{Subject: "Handover done: Acme", TextKey: workflows.NoticeHandoverCompleted, TextArgs: `["Acme","new@x.test"]`}
	if s, b := Notification("de", nil, keyed); s != "Übergabe abgeschlossen: Acme" || b != "new@x.test ist jetzt KAM von Acme." {
		t.Errorf("keyed row in German = %q / %q", s, b)
	}
	if s, _ := Notification("fr", nil, keyed); s != "Handover done: Acme" {
		t.Errorf("another language = %q, want English", s)
	}
}
