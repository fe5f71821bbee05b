package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestScorePageReadsItsCustomersCriteriaBySeek: on SQLite the criteria
// the page's customers meet are read with one seek per customer in the
// index of met scores by customer (0048), in the order kept, not by
// walking every met score of the programme.
func TestScorePageReadsItsCustomersCriteriaBySeek(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx := t.Context()
	prog, err := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := store.Customer{Name: "Alpha AG"}
	if err := s.CreateCustomer(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if err := s.SetScores(ctx, prog.ID, c.ID, "lead@example.com", []store.ScoreInput{{CriterionKey: "fit", Met: true}}); err != nil {
		t.Fatal(err)
	}
	seen := recordRowReads(t, s)
	if _, _, err := s.ScorePage(ctx, prog.ID, "", store.Page{}); err != nil {
		t.Fatal(err)
	}
	text := sqlitePlan(t, s, lastRead(t, *seen, "customer_scores s"))
	if !strings.Contains(text, "SEARCH s USING COVERING INDEX idx_customer_scores_met_by_customer (programme_id=? AND met=? AND customer_id=?)") ||
		strings.Contains(text, "TEMP B-TREE") {
		t.Errorf("the page's criteria's plan:\n%s\nwant one seek per customer in idx_customer_scores_met_by_customer, no sort", text)
	}
}
