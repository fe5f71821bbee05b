package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestSQLiteSearchReadsTheTermsRarestTrigrams: a term's trigrams that every
// customer's name holds ("kun", "und", " 00") are not read; the two held by
// the fewest rows are, and the whole term is still checked on what they
// find. Quotes in a term are a trigram's letters, not FTS5 syntax.
func TestSQLiteSearchReadsTheTermsRarestTrigrams(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx := context.Background()
	for i := range 30 {
		if err := s.CreateCustomer(ctx, &store.Customer{Name: fmt.Sprintf("Kunde %06d AG", i), Industry: "Handel"}); err != nil {
			t.Fatal(err)
		}
	}
	quoted := store.Customer{Name: `Spedition "Nord" Kunde`, Industry: "Logistik"}
	if err := s.CreateCustomer(ctx, &quoted); err != nil {
		t.Fatal(err)
	}
	// "017" is in one name, "001" in eleven (000001, 000010–000019); "000"
	// and the letters of "Kunde" in all of them.
	match, err := store.FTSMatchForTest(s, "customer", "Kunde 000017")
	if err != nil {
		t.Fatal(err)
	}
	if want := `"001" AND "017"`; match != want {
		t.Errorf("FTS5 query for %q = %s, want %s", "Kunde 000017", match, want)
	}
	for q, want := range map[string][]string{
		"Kunde 000017": {"Kunde 000017 AG"},
		"kunde 00001":  {"Kunde 000010 AG", "Kunde 000011 AG", "Kunde 000012 AG", "Kunde 000013 AG", "Kunde 000014 AG", "Kunde 000015 AG", "Kunde 000016 AG", "Kunde 000017 AG", "Kunde 000018 AG", "Kunde 000019 AG"},
		"de 000017 ag": {"Kunde 000017 AG"},
		"0017 AG X":    nil,
		`"nord" ku`:    {`Spedition "Nord" Kunde`},
		`n "n`:         {`Spedition "Nord" Kunde`},
	} {
		got, total, err := s.SearchCustomers(ctx, q, store.Page{Size: 50})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var names []string
		for _, c := range got {
			names = append(names, c.Name)
		}
		if fmt.Sprint(names) != fmt.Sprint(want) || int(total) != len(want) {
			t.Errorf("search %q = %v (total %d), want %v", q, names, total, want)
		}
	}
	if match, err := store.FTSMatchForTest(s, "customer", `"nord" ku`); err != nil || match != `"""no" AND "nor"` {
		t.Errorf(`FTS5 query for "nord" ku = %s, %v; want the first two of its rarest, a quote doubled`, match, err)
	}
}
