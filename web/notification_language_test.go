package web_test

import (
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// TestNotificationsInTheReadersLanguage: a message kamflow keeps by key
// reads German for a reader who chose German (dates, phases and reasons
// too), English for one who chose English; one kept only in English
// (queued before) stays as it was.
func TestNotificationsInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	kam, lead := "kam@"+store.DemoDomain, "lead@"+store.DemoDomain
	for _, n := range []store.NewNotification{
		{Key: "handover", Recipients: []string{kam, lead}, Subject: "Handover: Acme", Body: "The KAM of Acme is being replaced (role change).",
			TextKey: workflows.NoticeHandoverStarted, TextArgs: []string{"Acme", workflows.ReasonRoleChange, "cover@example.com"}},
		{Key: "phase", Recipients: []string{kam, lead}, Subject: "KAM 2027: phase kam_profile is due on 2027-05-31", Body: "x",
			TextKey: workflows.NoticePhaseDue, TextArgs: []string{"KAM 2027", string(workflows.PhaseKAMProfile), "2027-05-31"}},
		{Key: "old", Recipients: []string{kam}, Subject: "Queued before in English", Body: "Old body"},
	} {
		if err := f.store.EnqueueNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	u, err := f.store.UserByEmail(ctx, kam)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetUserSettings(ctx, u.ID, "de", ""); err != nil {
		t.Fatal(err)
	}
	f.login(kam, store.DemoPassword)
	_, page := f.get("/notifications")
	for _, want := range []string{"Übergabe: Acme", "Der KAM von Acme wird ersetzt (Grund: der KAM hat die Rolle gewechselt).",
		"KAM 2027: Phase KAM-Profil ist am 31.05.2027 fällig", "Queued before in English", "Old body"} {
		if !strings.Contains(page, want) {
			t.Errorf("German page lacks %q", want)
		}
	}
	for _, raw := range []string{"role_change", "kam_profile", "2027-05-31", "Handover: Acme", "being replaced"} {
		if strings.Contains(page, raw) {
			t.Errorf("German page shows %q", raw)
		}
	}

	lu, err := f.store.UserByEmail(ctx, lead)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetUserSettings(ctx, lu.ID, "en", ""); err != nil {
		t.Fatal(err)
	}
	f.http.Jar, _ = cookiejar.New(nil) // signed out
	f.login(lead, store.DemoPassword)
	_, page = f.get("/notifications")
	for _, want := range []string{"Handover: Acme", "(reason: the KAM changed roles)", "KAM 2027: phase KAM profile is due on 31 May 2027"} {
		if !strings.Contains(page, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
}
