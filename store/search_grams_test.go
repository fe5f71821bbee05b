package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestSearchFindsWhatContainsTheTerm: on both drivers, contact and customer
// search find exactly the rows whose text contains the term, ignoring case,
// for hundreds of terms cut from the rows themselves (in random case, with
// LIKE's wildcards and spaces) and terms found nowhere. On MySQL this checks
// that the trigram postings (migration 0034) never drop a match, also after
// edits and after the postings are rebuilt from the stored rows.
func TestSearchFindsWhatContainsTheTerm(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 16))
		const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.%_@"
		word := func(n int) string {
			b := make([]byte, n)
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			return string(b)
		}
		type row struct{ text, customer string }
		var customers []store.Customer
		for i := range 12 {
			c := store.Customer{Name: fmt.Sprintf("Kunde %d %s", i, word(6)), Industry: word(8)}
			if err := s.CreateCustomer(ctx, &c); err != nil {
				t.Fatal(err)
			}
			customers = append(customers, c)
		}
		contacts := map[uint]*store.Contact{}
		for i := range 120 {
			c := &store.Contact{CustomerID: customers[i%len(customers)].ID, Name: word(4 + rng.IntN(8)), JobTitle: word(rng.IntN(10)),
				Email: strings.ToLower(word(5)) + "@x.example", HierarchyLevel: store.LevelSpecialist}
			if err := s.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
			contacts[c.ID] = c
		}
		customerName := map[uint]string{}
		for _, c := range customers {
			customerName[c.ID] = c.Name
		}
		// What a contact search matches: on SQLite one text of the contact's
		// fields and its customer's name (migration 0012), on MySQL the
		// contact's fields as one text or the customer's name.
		fields := func(c *store.Contact) []string {
			own := c.Name + " " + c.JobTitle + " " + c.Email
			if s.DB().Dialector.Name() == "sqlite" {
				return []string{own + " " + customerName[c.CustomerID]}
			}
			return []string{own, customerName[c.CustomerID]}
		}
		wantContacts := func(q string) []uint {
			lq := strings.ToLower(strings.TrimSpace(q))
			var ids []uint
			for id, c := range contacts {
				for _, f := range fields(c) {
					if strings.Contains(strings.ToLower(f), lq) {
						ids = append(ids, id)
						break
					}
				}
			}
			slices.Sort(ids)
			return ids
		}
		wantCustomers := func(q string) []uint {
			lq := strings.ToLower(strings.TrimSpace(q))
			var ids []uint
			for _, c := range customers {
				if strings.Contains(strings.ToLower(c.Name+" "+c.Industry), lq) {
					ids = append(ids, c.ID)
				}
			}
			slices.Sort(ids)
			return ids
		}
		randomCase := func(q string) string {
			b := []byte(q)
			for i := range b {
				if rng.IntN(2) == 0 {
					b[i] = strings.ToUpper(string(b[i]))[0]
				}
			}
			return string(b)
		}
		terms := func() []string {
			var out []string
			for _, c := range contacts {
				for _, f := range []string{c.Name, c.JobTitle, c.Email, customerName[c.CustomerID]} {
					if len(f) < 3 || rng.IntN(3) != 0 {
						continue
					}
					from := rng.IntN(len(f) - 2)
					to := from + 3 + rng.IntN(min(6, len(f)-from-2))
					out = append(out, randomCase(f[from:to]))
				}
			}
			for range 40 {
				out = append(out, word(3+rng.IntN(4)))
			}
			return append(out, "zzzqqq", "a", "ab", "%", "_x_")
		}
		check := func(stage string) {
			t.Helper()
			matched := 0
			for _, q := range terms() {
				rows, total, err := s.SearchContacts(ctx, q, store.Page{Size: 500})
				if err != nil {
					t.Fatalf("%s: search %q: %v", stage, q, err)
				}
				var got []uint
				for _, r := range rows {
					got = append(got, r.ID)
				}
				slices.Sort(got)
				want := wantContacts(q)
				if !slices.Equal(got, want) || int(total) != len(want) {
					t.Errorf("%s: contact search %q = %v (total %d), want %v", stage, q, got, total, want)
				}
				matched += len(want)
				cs, ctotal, err := s.SearchCustomers(ctx, q, store.Page{Size: 500})
				if err != nil {
					t.Fatalf("%s: customer search %q: %v", stage, q, err)
				}
				var gotC []uint
				for _, c := range cs {
					gotC = append(gotC, c.ID)
				}
				slices.Sort(gotC)
				if wantC := wantCustomers(q); !slices.Equal(gotC, wantC) || int(ctotal) != len(wantC) {
					t.Errorf("%s: customer search %q = %v (total %d), want %v", stage, q, gotC, ctotal, wantC)
				}
			}
			if matched == 0 {
				t.Fatalf("%s: no term matched anything; the test checks nothing", stage)
			}
			if s.DB().Dialector.Name() == "sqlite" {
				gramCountsMatchPostings(t, s, stage)
			}
		}
		check("created")

		// MySQL compares accents as the letter without them, and its
		// collation may compare more (general_ci: ı = i, ß = s). Whatever
		// the database's collation says, the search through the postings
		// finds what a LIKE over every row finds.
		if s.DB().Dialector.Name() == "mysql" {
			c := &store.Contact{CustomerID: customers[0].ID, Name: "Yıldız Özdemir", JobTitle: "Leiterin Straßenbau",
				Email: "cæsar.œuvre@x.example", HierarchyLevel: store.LevelSpecialist}
			if err := s.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, q := range []string{"yildiz", "OZDEMIR", "özdemir", "strasenbau", "strassenbau", "straßenbau", "yıldız öz", "caesar", "cæsar", "oeuvre", "œuvre", "csar"} {
				var like []uint
				if err := s.DB().Raw("SELECT id FROM contacts WHERE id = ? AND CONCAT_WS(' ', name, job_title, email) LIKE ?", c.ID, "%"+q+"%").
					Scan(&like).Error; err != nil {
					t.Fatal(err)
				}
				rows, _, err := s.SearchContacts(ctx, q, store.Page{})
				if err != nil {
					t.Fatal(err)
				}
				got := len(rows) == 1 && rows[0].ID == c.ID
				if got != (len(like) == 1) {
					t.Errorf("search %q finds the contact: %v; LIKE over the rows: %v", q, got, len(like) == 1)
				}
				if got {
					found++
				}
			}
			if found < 3 {
				t.Errorf("only %d terms found the contact; the check says little", found)
			}
			if err := s.DB().Delete(c).Error; err != nil {
				t.Fatal(err)
			}
		}

		// Edits: a third of the contacts and half the customers renamed.
		for id, c := range contacts {
			if id%3 != 0 {
				continue
			}
			c.Name, c.JobTitle = word(6), word(7)
			if err := s.UpdateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		for i := range customers {
			if i%2 == 0 {
				customers[i].Name, customers[i].Industry = fmt.Sprintf("Neu %d %s", i, word(6)), word(5)
				if err := s.UpdateCustomer(ctx, &customers[i]); err != nil {
					t.Fatal(err)
				}
				customerName[customers[i].ID] = customers[i].Name
			}
		}
		for id := range contacts {
			if id%7 == 0 {
				if err := s.DB().Delete(&store.Contact{}, id).Error; err != nil {
					t.Fatal(err)
				}
				delete(contacts, id)
			}
		}
		check("edited")

		if s.DB().Dialector.Name() == "sqlite" {
			// Counts lost (or never kept, for rows loaded with SQL) are
			// counted again by reindex.
			if err := s.DB().Exec("DELETE FROM search_gram_counts").Error; err != nil {
				t.Fatal(err)
			}
			if _, err := s.Reindex(ctx); err != nil {
				t.Fatal(err)
			}
			check("reindexed")
			if err := store.RollbackMigrationForTest(s, "0039_search_gram_counts"); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			check("counted by the migration")
		}

		// The postings built by the migration from stored rows match those
		// kept on every write.
		if err := store.RollbackMigrationForTest(s, "0034_search_grams"); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		check("migrated again")
	})
}

// gramCountsMatchPostings checks, on SQLite, that search_gram_counts says
// for every trigram as many rows as FTS5's own postings hold (fts5vocab),
// for both search tables.
func gramCountsMatchPostings(t *testing.T, s *store.Store, stage string) {
	t.Helper()
	for _, table := range []struct{ kind, fts string }{{"customer", "customer_search"}, {"contact", "contact_search"}} {
		type count struct {
			Gram string
			N    int64
		}
		var kept, postings []count
		if err := s.DB().Raw("SELECT gram, n FROM search_gram_counts WHERE kind = ? AND n > 0 ORDER BY gram", table.kind).Scan(&kept).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB().Exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp." + table.fts + "_vocab USING fts5vocab(main, " + table.fts + ", 'row')").Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB().Raw("SELECT term AS gram, doc AS n FROM temp." + table.fts + "_vocab ORDER BY term").Scan(&postings).Error; err != nil {
			t.Fatal(err)
		}
		if len(postings) < 50 {
			t.Fatalf("%s: %s has %d trigrams; the check says little", stage, table.fts, len(postings))
		}
		if !slices.Equal(kept, postings) {
			keptBy := map[string]int64{}
			for _, c := range kept {
				keptBy[c.Gram] = c.N
			}
			wrong := 0
			for _, p := range postings {
				if keptBy[p.Gram] != p.N && wrong < 5 {
					t.Errorf("%s: %s trigram %q: counted %d rows, postings hold %d", stage, table.kind, p.Gram, keptBy[p.Gram], p.N)
					wrong++
				}
			}
			t.Errorf("%s: %s: %d trigrams counted, %d in the postings", stage, table.kind, len(kept), len(postings))
		}
	}
}
