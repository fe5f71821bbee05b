package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestContactMatrixAndHandoverThroughHTTPAPI records relationships, reads
// the matrix with its gaps (and as CSV), then hands the account from its
// KAM to another without it ever being unattended.
func TestContactMatrixAndHandoverThroughHTTPAPI(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	ctx := context.Background()
	programme := e.runWholeProgramme(t)
	kas, err := e.dev.Store.KeyAccounts(ctx, programme)
	if err != nil {
		t.Fatal(err)
	}
	// The key account with the most contacts; its KAM (kam3) will leave.
	var ka store.KeyAccount
	var cust *store.Customer
	for _, k := range kas {
		c, err := e.dev.Store.Customer(ctx, k.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		if cust == nil || len(c.Contacts) > len(cust.Contacts) {
			ka, cust = k, c
		}
	}
	if *ka.KAMEmployeeID != e.emp["kam3"] || len(cust.Contacts) < 3 {
		t.Fatalf("key account %+v of %s with %d contacts", ka, cust.Name, len(cust.Contacts))
	}
	base := fmt.Sprintf("/key-accounts/%d", ka.ID)
	levels := map[store.HierarchyLevel]store.Contact{}
	for _, c := range cust.Contacts {
		levels[c.HierarchyLevel] = c
	}
	top := levels[store.LevelBoard]
	e.refused(t, 0, 403, "", "kam", "GET", base+"/contact-matrix", nil)
	e.refused(t, 0, 422, "quality", "kam3", "PUT", base+"/relationships", map[string]any{"contact_id": top.ID, "employee_id": e.emp["kam3"], "quality": 9})
	e.refused(t, 0, 422, "contact_id", "kam3", "PUT", base+"/relationships", map[string]any{"contact_id": 99999, "employee_id": e.emp["kam3"], "quality": 3})
	e.refused(t, 0, 422, "last_contact_at", "kam3", "PUT", base+"/relationships", map[string]any{"contact_id": top.ID, "employee_id": e.emp["kam3"], "quality": 3, "last_contact_at": "2999-01-01"})
	recent := time.Now().AddDate(0, 0, -10).Format("2006-01-02")
	// kam3 (management) serves the board contact: a level mismatch; one
	// person carries every relationship: a bow tie.
	e.ok(t, 200, "kam3", "PUT", base+"/relationships", map[string]any{"contact_id": top.ID, "employee_id": e.emp["kam3"], "quality": 4, "last_contact_at": recent, "notes": "<b>likes</b> facts"})
	var second store.Contact
	for _, c := range cust.Contacts {
		if c.ID != top.ID {
			second = c
			break
		}
	}
	e.ok(t, 200, "kam3", "PUT", base+"/relationships", map[string]any{"contact_id": second.ID, "employee_id": e.emp["kam3"], "quality": 2})
	m := e.ok(t, 200, "kam3", "GET", base+"/contact-matrix", nil)
	if m.body["bow_tie"] != true || m.body["kam"].(map[string]any)["id"].(float64) != float64(e.emp["kam3"]) {
		t.Errorf("matrix header = bow_tie %v kam %v", m.body["bow_tie"], m.body["kam"])
	}
	rows := m.body["rows"].([]any)
	if len(rows) != 5 || rows[0].(map[string]any)["level"] != "board" {
		t.Fatalf("rows = %d", len(rows))
	}
	board := rows[0].(map[string]any)
	cp := board["contacts"].([]any)[0].(map[string]any)["counterparts"].([]any)[0].(map[string]any)
	if board["no_counterpart"] != false || cp["level_mismatch"] != true {
		t.Errorf("board row = %v", board)
	}
	gaps := 0
	for _, r := range rows {
		if r.(map[string]any)["no_counterpart"] == true {
			gaps++
		}
	}
	if gaps == 0 {
		t.Error("no level without a counterpart was flagged")
	}
	req, _ := http.NewRequest("GET", e.dev.URL+"/api/v1"+base+"/contact-matrix.csv", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens["lead"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil || len(recs) < 3 || !strings.Contains(string(raw), "level mismatch") || !strings.Contains(string(raw), "untouched") {
		t.Fatalf("csv = %v\n%s", err, raw)
	}

	// The KAM's account page shows the matrix with its gaps.
	kamUI := signIn(t, e.dev.URL, "kam3")
	code, page := kamUI.get(base)
	if code != 200 || !strings.Contains(page, "no counterpart on this level") || !strings.Contains(page, "bow tie") || !strings.Contains(page, `class="mismatch"`) {
		t.Errorf("account page = %d:\n%s", code, page)
	}
	if code, _ := signIn(t, e.dev.URL, "kam").get(base); code != http.StatusForbidden {
		t.Errorf("another KAM's account page = %d, want 403", code)
	}

	// Handover: kam3 left; kam2 (deputy) covers at once; kam takes over.
	e.refused(t, 0, 403, "", "kam3", "POST", base+"/handover", map[string]any{"reason": "left"})
	e.refused(t, 0, 422, "reason", "lead", "POST", base+"/handover", map[string]any{"reason": "bored"})
	e.ok(t, 202, "lead", "POST", base+"/handover", map[string]any{"reason": "left", "reason_note": "moved abroad"})
	responsible := func() uint {
		k, err := e.dev.Store.KeyAccountByID(ctx, ka.ID)
		if err != nil || k.Responsible() == nil {
			t.Fatalf("nobody is responsible for the account: %+v %v", k, err)
		}
		return *k.Responsible()
	}
	waitFor(t, "the deputy covers", func() bool { return responsible() == e.emp["kam2"] })
	e.refused(t, 0, 409, "", "lead", "POST", base+"/handover", map[string]any{"reason": "left"})
	// The KAM left: the workflow skips the knowledge transfer by itself.
	waitFor(t, "the knowledge transfer is skipped", func() bool {
		st := e.call(t, "kam2", "GET", base+"/handover", nil)
		if st.code != 200 {
			return false
		}
		kt := st.body["state"].(map[string]any)["items"].([]any)[0].(map[string]any)
		return kt["item"] == "knowledge_transfer" && kt["skipped"] == true
	})
	e.refused(t, 0, 409, "", "kam2", "POST", base+"/handover/items/intro_meeting", map[string]any{})
	e.refused(t, 0, 422, "employee_id", "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": e.emp["hr"]})
	e.ok(t, 200, "lead", "POST", base+"/handover/incoming", map[string]any{"employee_id": e.emp["kam"]})
	for _, step := range []struct{ who, item string }{{"kam2", "actions_moved"}, {"kam2", "relationships_moved"}, {"kam", "intro_meeting"}, {"kam", "customer_informed"}} {
		if r := responsible(); r != e.emp["kam2"] {
			t.Fatalf("responsible during the handover = %d, want the deputy", r)
		}
		e.ok(t, 200, step.who, "POST", base+"/handover/items/"+step.item, map[string]any{"note": "done"})
	}
	waitFor(t, "kam owns the account", func() bool { return responsible() == e.emp["kam"] })
	k, _ := e.dev.Store.KeyAccountByID(ctx, ka.ID)
	if k.CoveringEmployeeID != nil || *k.KAMEmployeeID != e.emp["kam"] {
		t.Errorf("after the handover = %+v", k)
	}
	rels, err := e.dev.Store.RelationshipsOf(ctx, e.emp["kam3"], ka.CustomerID)
	if err != nil || len(rels) != 0 {
		t.Errorf("the outgoing KAM still has %d open relationships", len(rels))
	}
	e.refused(t, 0, 404, "", "lead", "GET", base+"/handover", nil)
}
