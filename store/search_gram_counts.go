package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// SQLite's FTS5 trigram index answers LIKE '%term%' by reading the postings
// of every trigram of the term. A term such as "Kunde 000123" shares "kun",
// "und", "nde" with every customer, so the search reads a posting per row
// of the table whatever it finds. It needs to read only the term's rarest
// trigrams and check the whole term on the few rows they hold; but SQLite
// cannot tell which are rare (fts5vocab counts a trigram by reading its
// postings). search_gram_counts (migration 0039) keeps, per search table,
// how many rows hold each trigram, written by triggers beside the postings.
//
// The counts only choose which trigrams to read: a wrong count makes a
// search slower, never its answer different, because the rows found are
// checked with the same LIKE as before. Grams are cut as lower(substr())
// cuts them, ASCII-folded; FTS5 folds other letters too, so a non-ASCII
// trigram may be counted under another spelling and look rarer than it is.

// Search tables whose trigrams are counted, as search_gram_counts.kind.
const (
	gramKindCustomer = "customer"
	gramKindContact  = "contact"
)

// gramPositions is how many characters of a search text are cut into
// trigrams for the counts: more than a contact's longest text (name, job
// title, e-mail and customer name as the forms bound them). A longer text's
// later trigrams go uncounted, which only makes them look rarer.
const gramPositions = 1024

// gramCountsOf is SQL counting, per trigram, the rows of rows (columns id
// and s, the search text) that hold it. SQLite allows no WITH in a trigger,
// so the characters are numbered by search_gram_positions.
func gramCountsOf(rows string) string {
	return `SELECT gram, COUNT(*) AS n FROM (SELECT DISTINCT t.id, lower(substr(t.s, p.p, 3)) AS gram FROM (` + rows +
		`) t JOIN search_gram_positions p ON p.p <= length(t.s) - 2) GROUP BY gram`
}

// addGramCounts is SQL adding the trigrams of rows to kind's counts.
func addGramCounts(kind, rows string) string {
	return `INSERT INTO search_gram_counts (kind, gram, n) SELECT '` + kind + `', gram, n FROM (` + gramCountsOf(rows) +
		`) WHERE true ON CONFLICT (kind, gram) DO UPDATE SET n = search_gram_counts.n + excluded.n`
}

// subtractGramCounts is SQL taking the trigrams of rows from kind's counts.
func subtractGramCounts(kind, rows string) string {
	return `UPDATE search_gram_counts SET n = search_gram_counts.n - d.n FROM (` + gramCountsOf(rows) +
		`) d WHERE search_gram_counts.kind = '` + kind + `' AND search_gram_counts.gram = d.gram`
}

// Search texts as rows (id, s) for the counts: the same texts as
// contactSearchRows and customerSearchRows put into FTS5 (migration 0012).
const (
	customerGramRows = `SELECT id, COALESCE(name, '') || ' ' || COALESCE(industry, '') AS s FROM customers`
	contactGramRows  = `SELECT c.id AS id, ` + contactSearchText + ` AS s FROM contacts c JOIN customers cu ON cu.id = c.customer_id`
)

// customerGramRow is the customer row r (new or old in a trigger) as (id, s).
func customerGramRow(r string) string {
	return `SELECT ` + r + `.id AS id, COALESCE(` + r + `.name, '') || ' ' || COALESCE(` + r + `.industry, '') AS s`
}

// contactGramRow is the contact row r (new or old in a trigger) as (id, s),
// with its customer's name as stored.
func contactGramRow(r string) string {
	return `SELECT ` + r + `.id AS id, COALESCE(` + r + `.name, '') || ' ' || COALESCE(` + r + `.job_title, '') || ' ' || COALESCE(` + r +
		`.email, '') || ' ' || COALESCE((SELECT name FROM customers WHERE id = ` + r + `.customer_id), '') AS s`
}

// customersContactsGramRows are the contacts of the customer being updated,
// with the customer's name as r (new or old) holds it.
func customersContactsGramRows(r string) string {
	return `SELECT c.id AS id, COALESCE(c.name, '') || ' ' || COALESCE(c.job_title, '') || ' ' || COALESCE(c.email, '') || ' ' || COALESCE(` + r +
		`.name, '') AS s FROM contacts c WHERE c.customer_id = new.id`
}

// gramCountTriggers keep search_gram_counts with the postings of 0012's
// triggers, on the same events.
var gramCountTriggers = []struct{ name, sql string }{
	{"search_gram_counts_customer_insert", `AFTER INSERT ON customers BEGIN ` +
		addGramCounts(gramKindCustomer, customerGramRow("new")) + `; END`},
	{"search_gram_counts_customer_update", `AFTER UPDATE OF name, industry ON customers BEGIN ` +
		subtractGramCounts(gramKindCustomer, customerGramRow("old")) + `; ` +
		addGramCounts(gramKindCustomer, customerGramRow("new")) + `; END`},
	// A customer's name is part of its contacts' search text.
	{"search_gram_counts_customer_rename", `AFTER UPDATE OF name ON customers WHEN old.name IS NOT new.name BEGIN ` +
		subtractGramCounts(gramKindContact, customersContactsGramRows("old")) + `; ` +
		addGramCounts(gramKindContact, customersContactsGramRows("new")) + `; END`},
	{"search_gram_counts_customer_delete", `AFTER DELETE ON customers BEGIN ` +
		subtractGramCounts(gramKindCustomer, customerGramRow("old")) + `; END`},
	{"search_gram_counts_contact_insert", `AFTER INSERT ON contacts BEGIN ` +
		addGramCounts(gramKindContact, contactGramRow("new")) + `; END`},
	{"search_gram_counts_contact_update", `AFTER UPDATE OF name, job_title, email, customer_id ON contacts BEGIN ` +
		subtractGramCounts(gramKindContact, contactGramRow("old")) + `; ` +
		addGramCounts(gramKindContact, contactGramRow("new")) + `; END`},
	{"search_gram_counts_contact_delete", `AFTER DELETE ON contacts BEGIN ` +
		subtractGramCounts(gramKindContact, contactGramRow("old")) + `; END`},
}

// countAllGrams is SQL that counts every stored row's trigrams afresh
// (migration 0039, Reindex).
var countAllGrams = []string{
	`DELETE FROM search_gram_counts`,
	addGramCounts(gramKindCustomer, customerGramRows),
	addGramCounts(gramKindContact, contactGramRows),
}

// rarestGramsToRead is how many of a term's trigrams a search reads the
// postings of; LIKE checks the whole term on the rows they hold.
const rarestGramsToRead = 2

// ftsMatching returns SQL for the rows of kind's FTS5 search table whose
// text LIKE pattern finds, as the derived table m (column id), and its
// arguments. FTS5 reads only the postings of ftsMatch's rarest trigrams;
// LIKE checks each row they hold, with a unary plus that keeps it from
// FTS5 (which would read every trigram's postings for it). A search drives
// from these rows: SQLite would otherwise walk the whole table in the
// page's order and look each row up among them.
func (s *Store) ftsMatching(ctx context.Context, kind, q, pattern string) (string, []any, error) {
	match, err := s.ftsMatch(ctx, kind, q)
	if err != nil {
		return "", nil, err
	}
	return "(SELECT rowid AS id FROM " + kind + "_search WHERE search_text MATCH ? AND +search_text LIKE ?) m", []any{match, pattern}, nil
}

// ftsMatch returns the FTS5 query for the search term q (three characters
// or more, as indexedTerm allows) in kind's search table: its rarest trigrams by the kept counts, in
// the order they appear in the term, each as a quoted phrase. A trigram
// never counted is taken as held by no row, and so read first.
func (s *Store) ftsMatch(ctx context.Context, kind, q string) (string, error) {
	grams := termGrams(strings.ToLower(strings.TrimSpace(q)))
	if len(grams) > rarestGramsToRead {
		var counts []struct {
			Gram string
			N    int64
		}
		err := s.db.WithContext(ctx).Raw(`SELECT gram, n FROM search_gram_counts WHERE kind = ? AND gram IN ?`, kind, grams).
			Scan(&counts).Error
		if err != nil {
			return "", translate(err, "search")
		}
		held := make(map[string]int64, len(counts))
		for _, c := range counts {
			held[c.Gram] = c.N
		}
		byRarity := slices.Clone(grams)
		slices.SortStableFunc(byRarity, func(a, b string) int { return cmp.Compare(held[a], held[b]) })
		rarest := byRarity[:rarestGramsToRead]
		grams = slices.DeleteFunc(grams, func(g string) bool { return !slices.Contains(rarest, g) })
	}
	phrases := make([]string, len(grams))
	for i, g := range grams {
		phrases[i] = `"` + strings.ReplaceAll(g, `"`, `""`) + `"`
	}
	return strings.Join(phrases, " AND "), nil
}

// termGrams returns the distinct trigrams of term in the order they first
// appear, cut by characters as substr() cuts them.
func termGrams(term string) []string {
	var starts []int
	for i := range term {
		starts = append(starts, i)
	}
	starts = append(starts, len(term))
	var out []string
	for i := 0; i+3 < len(starts); i++ {
		if g := term[starts[i]:starts[i+3]]; !slices.Contains(out, g) && utf8.ValidString(g) {
			out = append(out, g)
		}
	}
	return out
}
