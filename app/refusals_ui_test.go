package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/store"
)

// acceptGerman asks for German pages, as a browser set to German does.
type acceptGerman struct{ next http.RoundTripper }

func (a acceptGerman) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", "de-CH, de;q=0.9, en;q=0.5")
	return a.next.RoundTrip(r)
}

// signInGerman signs who in with a browser that asks for German.
func signInGerman(t *testing.T, base, who string) *browser {
	t.Helper()
	b := signIn(t, base, who)
	b.c.Transport = acceptGerman{http.DefaultTransport}
	if _, home := b.get("/"); !strings.Contains(home, `lang="de"`) {
		t.Fatalf("%s's page is not German", who)
	}
	return b
}

// refusedAt checks a refused form's page: 422, msg (German) right at the
// input named field — after it and before the form's next input — no
// developer text, and each of kept (typed values as the page writes them)
// still in the form.
func refusedAt(t *testing.T, what string, code int, body, field, msg string, kept ...string) {
	t.Helper()
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("%s = %d, want 422:\n%s", what, code, body)
	}
	at := strings.Index(body, `name="`+field+`"`)
	if at < 0 {
		t.Fatalf("%s: no input %s on the page:\n%s", what, field, body)
	}
	rest := body[at+len(field)+7:]
	if next := regexp.MustCompile(`name="[a-z_]+[^"]*"`).FindStringIndex(rest); next != nil {
		rest = rest[:next[0]]
	}
	if !strings.Contains(rest, msg) {
		t.Errorf("%s: %q is not at the input %s:\n%s", what, msg, field, body)
	}
	for _, dev := range []string{"the request has invalid fields", "die Anfrage hat ungültige Felder", field + ":"} {
		if strings.Contains(body, dev) {
			t.Errorf("%s: the page shows the developer's %q", what, dev)
		}
	}
	for _, k := range kept {
		if !strings.Contains(body, k) {
			t.Errorf("%s: the refused form lost %s", what, k)
		}
	}
}

// TestPhaseSubmitAndCandidateDecisionRefusedInGerman: on German pages the
// lead hands in the set-up phase by its parts with one required part
// blank, and rejects a candidate without a reason; each refusal comes back
// 422 in German at its input with everything typed kept, and once fixed
// the step answers 303 to the page with its notice.
func TestPhaseSubmitAndCandidateDecisionRefusedInGerman(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	lead := signInGerman(t, e.dev.URL, "lead")

	r := e.ok(t, 201, "lead", "POST", "/programmes", map[string]any{"name": "KAM-Einführung Muster AG", "committee_emails": []string{"committee@" + store.DemoDomain}, "start_date": "2026-01-05"})
	fresh := fmt.Sprintf("/programmes/%d", uint(r.body["id"].(float64)))
	waitFor(t, "the programme's first phase", func() bool {
		_, page := lead.get(fresh)
		return strings.Contains(page, `name="parts.team"`)
	})
	setup := url.Values{"csrf": {lead.csrf}, "parts.team": {"Geschäftsleitung, Leiterin Verkauf"}, "parts.goals": {" "},
		"parts.milestones": {"Auswahl bis Juni, Roll-out bis Januar"}, "parts.notes": {"Protokoll der Kick-off-Sitzung folgt"}}
	code, body := lead.post(fresh+"/phases/setup/submit", setup)
	refusedAt(t, "set-up without goals", code, body, "parts.goals", "beschreiben Sie diesen Teil des Ergebnisses: Ziele der Einführung",
		"Geschäftsleitung, Leiterin Verkauf", "Auswahl bis Juni, Roll-out bis Januar", "Protokoll der Kick-off-Sitzung folgt")
	setup.Set("parts.goals", "Zehn Key Accounts mit je einem KAM")
	code, loc, _ := lead.postLocation(fresh+"/phases/setup/submit", setup)
	if code != http.StatusSeeOther || loc != fresh+"?done=phase-submitted#phase-setup" {
		t.Fatalf("set-up handed in = %d to %q", code, loc)
	}
	if _, page := lead.get(loc); !strings.Contains(page, "Das Ergebnis der Phase ist eingereicht.") {
		t.Errorf("the page after handing in lacks the German notice")
	}

	id := e.programmeInDefinitiveSelection(t)
	selection := fmt.Sprintf("/programmes/%d/selection", id)
	_, page := lead.get(selection)
	m := regexp.MustCompile(`action="(/programmes/\d+/selection/(\d+)/decision)"`).FindAllStringSubmatch(page, -1)
	if len(m) < 2 {
		t.Fatalf("no candidates to decide on:\n%s", page)
	}
	decide, other := m[0][1], m[1][1]
	code, body = lead.post(decide, url.Values{"csrf": {lead.csrf}, "decision": {"rejected"}, "reason": {"  "}})
	refusedAt(t, "rejected without a reason", code, body, "reason", "ein abgelehnter Kandidat braucht eine Begründung")
	if strings.Count(body, "ein abgelehnter Kandidat braucht eine Begründung") != 1 || strings.Index(body, `action="`+decide+`"`) > strings.Index(body, "ein abgelehnter Kandidat") ||
		strings.Index(body, `action="`+other+`"`) < strings.Index(body, "ein abgelehnter Kandidat") {
		t.Errorf("the refusal is not at the refused candidate's row alone")
	}
	long := strings.Repeat("Kein Zugang zu den Entscheidern. ", 70)
	code, body = lead.post(decide, url.Values{"csrf": {lead.csrf}, "decision": {"rejected"}, "reason": {long}})
	refusedAt(t, "a reason too long", code, body, "reason", "der Grund ist länger als 2000 Zeichen", `value="`+long+`"`)
	code, loc, _ = lead.postLocation(decide, url.Values{"csrf": {lead.csrf}, "decision": {"rejected"}, "reason": {"Kein Zugang zu den Entscheidern"}})
	if code != http.StatusSeeOther || loc != selection+"?done=candidate-decided#candidates" {
		t.Fatalf("rejected with a reason = %d to %q", code, loc)
	}
	if _, page = lead.get(loc); !strings.Contains(page, "Die Entscheidung über den Kandidaten ist erfasst.") || !strings.Contains(page, "Kein Zugang zu den Entscheidern") {
		t.Errorf("the selection page after the decision lacks the notice or the reason")
	}
}
