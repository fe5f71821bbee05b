package store

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// MySQL has no trigram index (FULLTEXT matches words, MariaDB has no ngram
// parser), so a "contains" search there would read every row. contact_grams
// and customer_grams (migration 0034) keep, per row, the trigrams of the
// text a search matches; a search reads the postings of its term's rarest
// trigram and checks only those rows with the same LIKE the scan would
// run. The index is a prefilter: it may offer too many rows, never too few,
// as long as folding maps together whatever the collation compares equal.
//
// Only trigrams of three ASCII characters (after folding) are kept, and a
// term that folds to anything else is matched by the scan: that keeps the
// gram a small integer and the fold safe for the letters people type.

// gramProbeCap bounds how many postings of each of a term's trigrams are
// counted to find the rarest: a trigram with more is common enough that
// which one drives the search hardly matters.
const gramProbeCap = 2000

// foldRune maps r to what utf8mb4_general_ci compares it as, near enough
// for a prefilter: lower case, accents dropped ("Ü" → "u"), ß as s.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return unicode.ToLower(r)
	}
	if r == 'ß' || r == 'ẞ' {
		return 's'
	}
	base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
	return unicode.ToLower(base)
}

// trigrams returns the distinct ASCII trigrams of text as folded, sorted,
// each packed into 21 bits.
func trigrams(text string) []uint32 {
	var window [3]rune
	n := 0
	var out []uint32
	for _, r := range text {
		window[0], window[1], window[2] = window[1], window[2], foldRune(r)
		n++
		if n < 3 || window[0] >= utf8.RuneSelf || window[1] >= utf8.RuneSelf || window[2] >= utf8.RuneSelf {
			continue
		}
		out = append(out, uint32(window[0])<<14|uint32(window[1])<<7|uint32(window[2]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// termTrigrams returns the trigrams a search term must all appear among,
// or false when the term cannot be looked up in the index: shorter than a
// trigram, or with a character that does not fold to ASCII.
func termTrigrams(q string) ([]uint32, bool) {
	term := strings.TrimSpace(q)
	count := 0
	for _, r := range term {
		if foldRune(r) >= utf8.RuneSelf {
			return nil, false
		}
		count++
	}
	if count < 3 {
		return nil, false
	}
	return trigrams(term), true
}

// contactGramText is what a contact search matches of the contact itself
// (its customer's name is matched through customer_grams): the fields as
// CONCAT_WS(' ', name, job_title, email) joins them.
func contactGramText(c *Contact) string {
	return c.Name + " " + c.JobTitle + " " + c.Email
}

// customerGramText is what a customer search matches: name and industry.
func customerGramText(c *Customer) string { return c.Name + " " + c.Industry }

// gramTable is one row kind's trigram postings.
type gramTable struct{ table, column string }

var (
	contactGrams  = gramTable{"contact_grams", "contact_id"}
	customerGrams = gramTable{"customer_grams", "customer_id"}
)

// keepsGrams says whether tx's database keeps trigram postings (MySQL;
// SQLite has FTS5, migration 0012).
func keepsGrams(tx *gorm.DB) bool { return tx.Dialector.Name() == "mysql" }

// gramRow is one row's search text to index.
type gramRow struct {
	id   uint
	text string
}

// maxGramTuples bounds one INSERT's postings (two placeholders each, well
// under the 65,535 a statement may carry).
const maxGramTuples = 5000

// index writes the postings of rows, which have none yet.
func (g gramTable) index(tx *gorm.DB, rows []gramRow) error {
	var sql strings.Builder
	args := make([]any, 0, 2*maxGramTuples)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		err := tx.Exec(sql.String(), args...).Error
		sql.Reset()
		args = args[:0]
		if err != nil {
			return fmt.Errorf("%s: %w", g.table, err)
		}
		return nil
	}
	for _, r := range rows {
		for _, gram := range trigrams(r.text) {
			if len(args) == 0 {
				sql.WriteString("INSERT INTO " + g.table + " (gram, " + g.column + ") VALUES (?,?)")
			} else {
				sql.WriteString(",(?,?)")
			}
			args = append(args, gram, r.id)
			if len(args) == 2*maxGramTuples {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// reindex replaces row id's postings with the trigrams of text.
func (g gramTable) reindex(tx *gorm.DB, id uint, text string) error {
	if err := tx.Exec("DELETE FROM "+g.table+" WHERE "+g.column+" = ?", id).Error; err != nil {
		return fmt.Errorf("%s: %w", g.table, err)
	}
	return g.index(tx, []gramRow{{id, text}})
}

// rarest returns the one of grams with the fewest postings (counted up to
// gramProbeCap each, in one round trip), and false when one of them has
// none, so that no row can contain the term.
func (g gramTable) rarest(db *gorm.DB, grams []uint32) (uint32, bool, error) {
	parts := make([]string, len(grams))
	args := make([]any, 0, 2*len(grams))
	for i, gram := range grams {
		parts[i] = "SELECT ? AS gram, (SELECT COUNT(*) FROM (SELECT 1 FROM " + g.table + " WHERE gram = ? LIMIT " +
			fmt.Sprint(gramProbeCap) + ") p) AS n"
		args = append(args, gram, gram)
	}
	var counts []struct {
		Gram uint32
		N    int
	}
	if err := db.Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&counts).Error; err != nil {
		return 0, false, fmt.Errorf("%s: %w", g.table, err)
	}
	best, bestN := uint32(0), -1
	for _, c := range counts {
		if c.N == 0 {
			return 0, false, nil
		}
		if bestN < 0 || c.N < bestN {
			best, bestN = c.Gram, c.N
		}
	}
	return best, bestN >= 0, nil
}

// indexCreated is a create callback (registered by Open): on MySQL it
// writes the postings of the contacts or customers just inserted, whichever
// way they were created (form, import, demo, bench), a batch at a time and
// in the caller's transaction.
func indexCreated(db *gorm.DB) {
	if db.Error != nil || !keepsGrams(db) || !db.Statement.ReflectValue.IsValid() || db.Statement.Schema == nil {
		return
	}
	if t := db.Statement.Schema.Table; t != "contacts" && t != "customers" {
		return
	}
	var contacts, customers []gramRow
	collect := func(v reflect.Value) {
		v = reflect.Indirect(v)
		if !v.CanAddr() {
			return
		}
		switch r := v.Addr().Interface().(type) {
		case *Contact:
			contacts = append(contacts, gramRow{r.ID, contactGramText(r)})
		case *Customer:
			customers = append(customers, gramRow{r.ID, customerGramText(r)})
		}
	}
	switch v := db.Statement.ReflectValue; v.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			collect(v.Index(i))
		}
	default:
		collect(v)
	}
	tx := db.Session(&gorm.Session{NewDB: true, SkipHooks: true})
	for _, part := range []struct {
		g    gramTable
		rows []gramRow
	}{{contactGrams, contacts}, {customerGrams, customers}} {
		if len(part.rows) > 0 {
			if err := part.g.index(tx, part.rows); err != nil {
				_ = db.AddError(err)
				return
			}
		}
	}
}

// reindexContact rewrites contact id's trigrams from its stored fields,
// after an update.
func reindexContact(tx *gorm.DB, id uint) error {
	if !keepsGrams(tx) {
		return nil
	}
	var c Contact
	if err := tx.Select("id", "name", "job_title", "email").First(&c, id).Error; err != nil {
		return err
	}
	return contactGrams.reindex(tx, id, contactGramText(&c))
}

// reindexCustomer rewrites customer id's trigrams from its stored fields.
func reindexCustomer(tx *gorm.DB, id uint) error {
	if !keepsGrams(tx) {
		return nil
	}
	var c Customer
	if err := tx.Select("id", "name", "industry").First(&c, id).Error; err != nil {
		return err
	}
	return customerGrams.reindex(tx, id, customerGramText(&c))
}

// backfillGrams fills a gram table from the rows already stored, reading
// them in id order a batch at a time (migration 0034). textSQL is the
// search text as the scan's LIKE sees it.
func backfillGrams(tx *gorm.DB, g gramTable, from, textSQL string) error {
	const batch = 1000
	var last uint
	for {
		var rows []struct {
			ID   uint
			Text string
		}
		err := tx.Raw("SELECT id, "+textSQL+" AS text FROM "+from+" WHERE id > ? ORDER BY id LIMIT ?", last, batch).Scan(&rows).Error
		if err != nil {
			return err
		}
		batchRows := make([]gramRow, len(rows))
		for i, r := range rows {
			batchRows[i] = gramRow{r.ID, r.Text}
		}
		if err := g.index(tx, batchRows); err != nil {
			return err
		}
		if len(rows) < batch {
			return nil
		}
		last = rows[len(rows)-1].ID
	}
}
