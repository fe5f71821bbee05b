package store

import (
	"context"
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
// text a search matches; a search reads the rows holding all its term's
// trigrams and checks only those with the same LIKE the scan would run.
// The index is a prefilter: it may offer too many rows, never too few, as
// long as folding maps together whatever the collation compares equal.
//
// Only trigrams of three ASCII characters (after folding) are kept, and a
// term that folds to anything else is matched by the scan: that keeps the
// gram a small integer and the fold safe for the letters people type.

// foldRune maps r to what MySQL's case- and accent-insensitive collations
// compare it as, near enough for a prefilter: accents dropped ("Ü" → "u"),
// then, as utf8mb4_general_ci compares upper case, a letter whose upper
// case is ASCII as that letter in lower case ("ı" → "i", "ſ" → "s"); ß as
// s. Folding more than a collation does only offers rows LIKE turns down.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return unicode.ToLower(r)
	}
	if r == 'ß' || r == 'ẞ' {
		return 's'
	}
	base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
	if up := unicode.ToUpper(base); up < utf8.RuneSelf {
		return unicode.ToLower(up)
	}
	return unicode.ToLower(base)
}

// expansions are letters a collation may compare as two ASCII letters
// ("Straße" = "Strasse" in MySQL 8's utf8mb4_0900_ai_ci; MariaDB's LIKE
// compares letter by letter). A text holding one is indexed both ways; a
// term holding one is matched by the scan.
var expansions = map[rune]string{'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'þ': "th", 'Þ': "th"}

// trigrams returns the distinct ASCII trigrams of text as folded (and with
// its expansions spelled out), sorted, each packed into 21 bits.
func trigrams(text string) []uint32 {
	out := appendTrigrams(nil, text, false)
	if strings.ContainsFunc(text, func(r rune) bool { _, ok := expansions[r]; return ok }) {
		out = appendTrigrams(out, text, true)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func appendTrigrams(out []uint32, text string, expand bool) []uint32 {
	var a, b rune
	n := 0
	add := func(c rune) {
		if n++; n >= 3 && a < utf8.RuneSelf && b < utf8.RuneSelf && c < utf8.RuneSelf {
			out = append(out, uint32(a)<<14|uint32(b)<<7|uint32(c))
		}
		a, b = b, c
	}
	for _, r := range text {
		if e, ok := expansions[r]; ok && expand {
			for _, x := range e {
				add(x)
			}
			continue
		}
		add(foldRune(r))
	}
	return out
}

// termTrigrams returns the trigrams a search term must all appear among,
// or false when the term cannot be looked up in the index: shorter than a
// trigram, or with a character that does not fold to one ASCII letter.
func termTrigrams(q string) ([]uint32, bool) {
	term := strings.TrimSpace(q)
	count := 0
	for _, r := range term {
		if _, ok := expansions[r]; ok || foldRune(r) >= utf8.RuneSelf {
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

// maxJoinedGrams bounds how many of a long term's trigrams the lookup
// joins; the LIKE after it checks the whole term.
const maxJoinedGrams = 8

// matching returns SQL selecting, as id, the rows whose postings hold
// every one of grams, with its arguments. The grams are joined on the
// primary key (gram, row): MySQL's optimizer estimates each gram's
// postings from the index and starts from the rarest, so the cost follows
// the rarest gram, not the commonest.
func (g gramTable) matching(grams []uint32) (string, []any) {
	if len(grams) > maxJoinedGrams {
		spread := make([]uint32, maxJoinedGrams)
		for i := range spread {
			spread[i] = grams[i*(len(grams)-1)/(maxJoinedGrams-1)]
		}
		grams = spread
	}
	var sql strings.Builder
	// DISTINCT keeps MySQL from merging this into the outer query, where it
	// could walk the whole table in the page's order instead.
	sql.WriteString("SELECT DISTINCT g0." + g.column + " AS id FROM " + g.table + " g0")
	args := make([]any, 0, len(grams))
	for i := 1; i < len(grams); i++ {
		fmt.Fprintf(&sql, " JOIN %s g%d ON g%d.gram = ? AND g%d.%s = g0.%s", g.table, i, i, i, g.column, g.column)
		args = append(args, grams[i])
	}
	sql.WriteString(" WHERE g0.gram = ?")
	return sql.String(), append(args, grams[0])
}

// eachCreated calls f with a pointer to each row a create callback's
// statement wrote (one struct or a slice of them).
func eachCreated(db *gorm.DB, f func(row any)) {
	one := func(v reflect.Value) {
		if v = reflect.Indirect(v); v.CanAddr() {
			f(v.Addr().Interface())
		}
	}
	switch v := db.Statement.ReflectValue; v.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			one(v.Index(i))
		}
	default:
		one(v)
	}
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
	eachCreated(db, func(row any) {
		switch r := row.(type) {
		case *Contact:
			contacts = append(contacts, gramRow{r.ID, contactGramText(r)})
		case *Customer:
			customers = append(customers, gramRow{r.ID, customerGramText(r)})
		}
	})
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

// ReindexCounts says how many rows Reindex read.
type ReindexCounts struct {
	Contacts, Customers, Programmes, KeyAccounts int64
}

// Reindex rebuilds what kamflow derives in the database from stored rows:
// the search index of contacts and customers (trigram postings on MySQL,
// FTS5 on SQLite), each programme's criteria met, the customers' names on
// their key accounts, the sessions' starts on their enrolments, each
// programme's progress, the numbers of customers and key accounts and the
// training sessions' seats taken.
// kamflow keeps them current as it writes; rows loaded with SQL outside
// kamflow (a bulk load, a restore of single tables) need this once. One
// transaction.
func (s *Store) Reindex(ctx context.Context) (ReindexCounts, error) {
	var n ReindexCounts
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Table("contacts").Count(&n.Contacts).Error; err != nil {
			return err
		}
		if err := tx.Table("customers").Count(&n.Customers).Error; err != nil {
			return err
		}
		if keepsGrams(tx) {
			for _, t := range m0034Tables {
				if err := tx.Exec("DELETE FROM " + t.gram.table).Error; err != nil {
					return err
				}
				if err := backfillGrams(tx, t.gram, t.parent, t.textSQL); err != nil {
					return err
				}
			}
		} else {
			for _, stmt := range append([]string{
				`DELETE FROM contact_search`, `INSERT INTO contact_search (rowid, search_text) ` + contactSearchRows,
				`DELETE FROM customer_search`, `INSERT INTO customer_search (rowid, search_text) ` + customerSearchRows,
			}, countAllGrams...) {
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
		}
		if err := tx.Exec(keyAccountNamesSQL).Error; err != nil {
			return err
		}
		if err := tx.Exec(enrolmentStartsSQL).Error; err != nil {
			return err
		}
		if err := tx.Exec(programmeProgressSQL).Error; err != nil {
			return err
		}
		if err := recountCustomers(tx); err != nil {
			return err
		}
		if err := recountSeats(tx, nil); err != nil {
			return err
		}
		if err := recountKeyAccounts(tx); err != nil {
			return err
		}
		if err := tx.Table("key_accounts").Count(&n.KeyAccounts).Error; err != nil {
			return err
		}
		var programmes []uint
		if err := tx.Table("programmes").Pluck("id", &programmes).Error; err != nil {
			return err
		}
		n.Programmes = int64(len(programmes))
		for _, id := range programmes {
			if err := refreshCriteriaMet(tx, id, 0); err != nil {
				return err
			}
		}
		return nil
	})
	return n, translate(err, "reindex")
}
