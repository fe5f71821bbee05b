package web

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// customerColumns is the CSV layout for customer import and export.
var customerColumns = []string{"name", "industry", "country", "revenue", "margin", "potential", "notes"}

// contactColumns is the CSV layout for contact import and export;
// reports_to names a contact of the same customer.
var contactColumns = []string{"customer", "name", "job_title", "level", "email", "phone", "reports_to"}

const maxImportRows = 5000

// importKind describes one importable list.
type importKind struct {
	Title   string
	Path    string
	Back    string
	Columns []string
	// Required are the columns the header must have.
	Required []string
	Noun     string
	// Header, when set, checks the header's columns beyond Required
	// (col maps lower-cased column names to their position).
	Header func(col map[string]int) error
}

var (
	customerImport = importKind{Title: "Import customers from CSV", Path: "/customers/import", Back: "/customers",
		Columns: customerColumns, Required: []string{"name"}, Noun: "customer(s)"}
	contactImport = importKind{Title: "Import contacts from CSV", Path: "/contacts/import", Back: "/contacts",
		Columns: contactColumns, Required: []string{"customer", "name", "level"}, Noun: "contact(s)"}
)

// importRow is one line of the file as the preview shows it.
type importRow struct {
	Line   int
	Cells  []string
	Errors []string
}

type importPage struct {
	Kind      importKind
	CSV       string
	Rows      []importRow
	Valid     int
	Invalid   int
	Imported  int
	FileError string
	Message   string
}

// csvFile is a parsed upload: its records after the header, and a getter
// by column name.
type csvFile struct {
	col     map[string]int
	header  []string
	records [][]string
	// comma is the file's separator, kept for the rejected rows' download.
	comma rune
}

func (f csvFile) get(rec []string, name string) string {
	if i, ok := f.col[name]; ok && i < len(rec) {
		return rec[i]
	}
	return ""
}

// importCheck validates every record and returns the preview rows (in
// file order) and a commit that stores the valid rows in one transaction.
type importCheck func(ctx context.Context, f csvFile) (rows []importRow, commit func(context.Context) (int, error), err error)

func (s *Server) importForm(kind importKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.render(c, http.StatusOK, "import.html", importPage{Kind: kind})
	}
}

// runImport previews a CSV file (every row checked, errors per row) or
// imports it: everything when every row is valid, or only the valid rows
// when the user asks so — never half a file by accident.
func (s *Server) runImport(kind importKind, check importCheck) echo.HandlerFunc {
	return func(c echo.Context) error { return s.importRequest(c, kind, check) }
}

// importRequest is runImport for one request, for imports whose layout
// depends on what the path names (a programme's criteria).
func (s *Server) importRequest(c echo.Context, kind importKind, check importCheck) error {
	fail := func(status int, p importPage, msg string) error {
		p.Kind, p.FileError = kind, msg
		return s.render(c, status, "import.html", p)
	}
	text, err := importText(c, kind)
	if err != nil {
		return fail(http.StatusUnprocessableEntity, importPage{}, err.Error())
	}
	f, err := parseCSV(text, kind)
	if err != nil {
		return fail(http.StatusUnprocessableEntity, importPage{}, err.Error())
	}
	ctx := c.Request().Context()
	rows, commit, err := check(ctx, f)
	if err != nil {
		return serverError(err)
	}
	p := importPage{Kind: kind, CSV: text, Rows: rows}
	for _, r := range rows {
		if len(r.Errors) == 0 {
			p.Valid++
		} else {
			p.Invalid++
		}
	}
	action := c.FormValue("action")
	switch action {
	case "rejected":
		return rejectedRows(c, kind, f, rows)
	case "import_all", "import_valid":
	default: // preview
		status := http.StatusOK
		if p.Invalid > 0 {
			status = http.StatusUnprocessableEntity
		}
		return s.render(c, status, "import.html", p)
	}
	if p.Invalid > 0 && action == "import_all" {
		return fail(http.StatusUnprocessableEntity, p, fmt.Sprintf("Nothing was imported: %d row(s) have errors. Correct them, or import only the valid rows.", p.Invalid))
	}
	if p.Valid == 0 {
		return fail(http.StatusUnprocessableEntity, p, "Nothing to import: no valid row.")
	}
	n, err := commit(ctx)
	if errors.Is(err, store.ErrDuplicate) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return fail(http.StatusConflict, p, "Nothing was imported: the data changed meanwhile. Preview again.")
	}
	if err != nil {
		return serverError(err)
	}
	return s.render(c, http.StatusOK, "import.html", importPage{Kind: kind, Imported: n, Message: fmt.Sprintf("%d %s imported.", n, kind.Noun)})
}

// importText reads the uploaded file, or the CSV carried over from a preview.
func importText(c echo.Context, kind importKind) (string, error) {
	if fh, err := c.FormFile("file"); err == nil {
		if fh.Size > 2<<20 {
			return "", errors.New("File: at most 2 MB.")
		}
		f, err := fh.Open()
		if err != nil {
			return "", errors.New("File: cannot be read.")
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, 2<<20))
		if err != nil {
			return "", errors.New("File: cannot be read.")
		}
		return csvText(b), nil
	}
	if t := c.FormValue("csv"); t != "" {
		return t, nil
	}
	return "", errors.New("File: choose a CSV file with the columns " + strings.Join(kind.Columns, ", ") + ".")
}

// parseCSV reads the header and records, checking the file as a whole.
func parseCSV(text string, kind importKind) (csvFile, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	comma := csvDelimiter(text)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = comma
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return csvFile{}, fmt.Errorf("File: not valid CSV (%v).", err)
	}
	if len(records) < 2 {
		return csvFile{}, errors.New("File: a header line and at least one row are needed.")
	}
	if len(records)-1 > maxImportRows {
		return csvFile{}, fmt.Errorf("File: at most %d rows at once.", maxImportRows)
	}
	f := csvFile{col: map[string]int{}, header: records[0], records: records[1:], comma: comma}
	for i, h := range records[0] {
		f.col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, want := range kind.Required {
		if _, ok := f.col[want]; !ok {
			return csvFile{}, fmt.Errorf("File: the header has no column %q (columns: %s).", want, strings.Join(kind.Columns, ", "))
		}
	}
	if kind.Header != nil {
		if err := kind.Header(f.col); err != nil {
			return csvFile{}, err
		}
	}
	return f, nil
}

// fieldErrors lists a form's field messages in a stable order.
func fieldErrors(errs map[string]string) []string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+": "+errs[k])
	}
	return out
}

// checkCustomers validates customer rows with the form's rules, plus
// duplicates in the file and against existing customers.
func (s *Server) checkCustomers(ctx context.Context, f csvFile) ([]importRow, func(context.Context) (int, error), error) {
	var names []string
	for _, rec := range f.records {
		names = append(names, f.get(rec, "name"))
	}
	taken, err := s.opts.Store.CustomerNamesTaken(ctx, names)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]int{}
	var rows []importRow
	var customers []store.Customer
	for i, rec := range f.records {
		form := customerForm{Name: f.get(rec, "name"), Industry: f.get(rec, "industry"), Country: f.get(rec, "country"), Revenue: f.get(rec, "revenue"),
			Margin: f.get(rec, "margin"), Potential: f.get(rec, "potential"), Notes: f.get(rec, "notes")}
		cu, ok := form.validate()
		row := importRow{Line: i + 2, Cells: []string{form.Name, form.Industry, form.Country, form.Revenue, form.Margin, form.Potential, form.Notes}, Errors: fieldErrors(form.Errors)}
		lower := strings.ToLower(form.Name)
		if form.Name != "" && taken[lower] {
			row.Errors, ok = append(row.Errors, "name: a customer with this name exists"), false
		}
		if prev, dup := seen[lower]; dup && form.Name != "" {
			row.Errors, ok = append(row.Errors, "name: same as line "+strconv.Itoa(prev)), false
		}
		seen[lower] = row.Line
		if ok {
			customers = append(customers, cu)
		}
		rows = append(rows, row)
	}
	commit := func(ctx context.Context) (int, error) {
		return len(customers), s.opts.Store.ImportCustomers(ctx, customers)
	}
	return rows, commit, nil
}

// checkContacts validates contact rows: the customer must exist, the
// fields follow the form's rules, a name appears once per customer, and
// reports_to names an existing contact or one on an earlier valid line.
func (s *Server) checkContacts(ctx context.Context, f csvFile) ([]importRow, func(context.Context) (int, error), error) {
	var customerNames []string
	for _, rec := range f.records {
		customerNames = append(customerNames, f.get(rec, "customer"))
	}
	ids, err := s.opts.Store.CustomerIDsByName(ctx, customerNames)
	if err != nil {
		return nil, nil, err
	}
	idList := make([]uint, 0, len(ids))
	for _, id := range ids {
		idList = append(idList, id)
	}
	existing, err := s.opts.Store.ContactNamesAt(ctx, idList)
	if err != nil {
		return nil, nil, err
	}
	inFile := map[string]int{} // ContactKey → line of a valid row
	var rows []importRow
	var contacts []store.ContactImport
	for i, rec := range f.records {
		customer := strings.TrimSpace(f.get(rec, "customer"))
		form := contactForm{Name: f.get(rec, "name"), JobTitle: f.get(rec, "job_title"), Level: f.get(rec, "level"),
			Email: f.get(rec, "email"), Phone: f.get(rec, "phone")}
		boss := strings.TrimSpace(f.get(rec, "reports_to"))
		ct, ok := form.validate()
		row := importRow{Line: i + 2, Cells: []string{customer, form.Name, form.JobTitle, form.Level, form.Email, form.Phone, boss}, Errors: fieldErrors(form.Errors)}
		id, found := ids[strings.ToLower(customer)]
		switch {
		case customer == "":
			row.Errors, ok = append(row.Errors, "customer: enter the customer's name"), false
		case !found:
			row.Errors, ok = append(row.Errors, "customer: there is no active customer with this name"), false
		}
		if found && form.Name != "" {
			key := store.ContactKey(id, form.Name)
			if existing[key] {
				row.Errors, ok = append(row.Errors, "name: this customer has a contact with this name"), false
			} else if prev, dup := inFile[key]; dup {
				row.Errors, ok = append(row.Errors, "name: same as line "+strconv.Itoa(prev)), false
			}
			if boss != "" && !existing[store.ContactKey(id, boss)] {
				if _, earlier := inFile[store.ContactKey(id, boss)]; !earlier {
					row.Errors, ok = append(row.Errors, "reports_to: no contact of this customer has this name (in the database or on an earlier valid line)"), false
				}
			}
		}
		if ok {
			ct.CustomerID = id
			contacts = append(contacts, store.ContactImport{Contact: ct, ReportsTo: boss})
			inFile[store.ContactKey(id, form.Name)] = row.Line
		}
		rows = append(rows, row)
	}
	commit := func(ctx context.Context) (int, error) {
		return len(contacts), s.opts.Store.ImportContacts(ctx, contacts)
	}
	return rows, commit, nil
}

// exportCustomers writes every active customer as CSV (the import
// layout), page by page so a large company does not load them all at once.
func (s *Server) exportCustomers(c echo.Context) error {
	ctx := c.Request().Context()
	var w *csv.Writer
	for page := 1; ; page++ {
		list, total, err := s.opts.Store.SearchCustomers(ctx, "", store.Page{Number: page, Size: store.MaxPageSize})
		if err != nil {
			if w == nil {
				return serverError(err)
			}
			return err // headers are sent; the truncated download shows it
		}
		if w == nil {
			w = csvResponse(c, "customers.csv")
			_ = w.Write(customerColumns)
		}
		for _, cu := range list {
			_ = w.Write([]string{csvSafe(cu.Name), csvSafe(cu.Industry), cu.Country, strconv.FormatInt(cu.AnnualRevenue, 10),
				strconv.FormatFloat(cu.MarginPercent, 'f', -1, 64), cu.Potential, csvSafe(cu.Notes)})
		}
		if len(list) == 0 || int64(page*store.MaxPageSize) >= total {
			break
		}
	}
	w.Flush()
	return w.Error()
}

// exportContacts writes active contacts as CSV (the import layout), page
// by page so a large company does not load every contact at once.
func (s *Server) exportContacts(c echo.Context) error {
	ctx := c.Request().Context()
	var w *csv.Writer
	for page := 1; ; page++ {
		list, total, err := s.opts.Store.SearchContacts(ctx, "", store.Page{Number: page, Size: store.MaxPageSize})
		if err != nil {
			if w == nil {
				return serverError(err)
			}
			return err // headers are sent; the truncated download shows it
		}
		if w == nil {
			w = csvResponse(c, "contacts.csv")
			_ = w.Write(contactColumns)
		}
		ids := make([]uint, 0, len(list))
		for _, ct := range list {
			if ct.ReportsToID != nil {
				ids = append(ids, *ct.ReportsToID)
			}
		}
		bosses, err := s.opts.Store.ContactNamesByID(ctx, ids)
		if err != nil {
			return err
		}
		for _, ct := range list {
			boss := ""
			if ct.ReportsToID != nil {
				boss = bosses[*ct.ReportsToID]
			}
			_ = w.Write([]string{csvSafe(ct.CustomerName), csvSafe(ct.Name), csvSafe(ct.JobTitle), string(ct.HierarchyLevel), csvSafe(ct.Email), csvSafe(ct.Phone), csvSafe(boss)})
		}
		if len(list) == 0 || int64(page*store.MaxPageSize) >= total {
			break
		}
	}
	w.Flush()
	return w.Error()
}

func csvResponse(c echo.Context, filename string) *csv.Writer {
	return csvDownload(c, filename, ',')
}

// rejectedRows answers the rows of a previewed file that have errors, as
// CSV in the file's own layout and separator with an "errors" column, so
// they can be corrected in the spreadsheet and imported again.
func rejectedRows(c echo.Context, kind importKind, f csvFile, rows []importRow) error {
	problems := map[int][]string{}
	for _, r := range rows {
		if len(r.Errors) > 0 {
			problems[r.Line] = r.Errors
		}
	}
	w := csvDownload(c, importFileName(kind, "rejected"), f.comma)
	_ = w.Write(append(csvSafeAll(f.header), "errors"))
	for i, rec := range f.records {
		if errs, ok := problems[i+2]; ok {
			_ = w.Write(append(csvSafeAll(rec), csvSafe(strings.Join(errs, "; "))))
		}
	}
	w.Flush()
	return w.Error()
}

// importTemplate answers an empty file with the import's header: with `;`
// and a byte order mark for German users, whose Excel expects both.
func (s *Server) importTemplate(kind importKind) echo.HandlerFunc {
	return func(c echo.Context) error { return writeImportTemplate(c, kind) }
}

func writeImportTemplate(c echo.Context, kind importKind) error {
	comma := ','
	if language(c) == langDE {
		comma = ';'
	}
	w := csvDownload(c, importFileName(kind, "template"), comma)
	_ = w.Write(kind.Columns)
	w.Flush()
	return w.Error()
}

// csvDownload starts a CSV answer with the given separator; a `;` file
// starts with a byte order mark so Excel reads it as UTF-8.
func csvDownload(c echo.Context, filename string, comma rune) *csv.Writer {
	c.Response().Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if comma == ';' {
		_, _ = io.WriteString(c.Response(), "\ufeff")
	}
	w := csv.NewWriter(c.Response())
	w.Comma = comma
	return w
}

// importFileName names a download after the import's path
// (/customers/import → customers-template.csv).
func importFileName(kind importKind, what string) string {
	base := strings.TrimSuffix(strings.TrimPrefix(kind.Path, "/"), "/import")
	base = strings.NewReplacer("/", "-", "selection-", "").Replace(base)
	return base + "-" + what + ".csv"
}

func csvSafeAll(rec []string) []string {
	out := make([]string, len(rec))
	for i, v := range rec {
		out[i] = csvSafe(v)
	}
	return out
}
