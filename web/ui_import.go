package web

import (
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

// customerColumns is the CSV layout for import and export.
var customerColumns = []string{"name", "industry", "country", "revenue", "margin", "potential", "notes"}

const maxImportRows = 5000

type importRow struct {
	Line   int
	Form   customerForm
	Errors []string
}

type importPage struct {
	CSV       string
	Rows      []importRow
	Valid     int
	Invalid   int
	Imported  int
	FileError string
	Message   string
}

// importForm shows the upload form.
func (s *Server) importForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "import.html", importPage{})
}

// importCustomers previews a CSV file (every row checked, errors per row)
// or imports it: everything when every row is valid, or only the valid rows
// when the user asks so — never half a file by accident.
func (s *Server) importCustomers(c echo.Context) error {
	text, err := importText(c)
	if err != nil {
		return s.render(c, http.StatusUnprocessableEntity, "import.html", importPage{FileError: err.Error()})
	}
	p, customers, err := s.checkImport(c, text)
	if err != nil {
		var fe fileError
		if errors.As(err, &fe) {
			return s.render(c, http.StatusUnprocessableEntity, "import.html", importPage{FileError: fe.Error()})
		}
		return err
	}
	switch c.FormValue("action") {
	case "import_all", "import_valid":
	default: // preview
		status := http.StatusOK
		if p.Invalid > 0 {
			status = http.StatusUnprocessableEntity
		}
		return s.render(c, status, "import.html", p)
	}
	if p.Invalid > 0 && c.FormValue("action") == "import_all" {
		p.FileError = fmt.Sprintf("Nothing was imported: %d row(s) have errors. Correct them, or import only the valid rows.", p.Invalid)
		return s.render(c, http.StatusUnprocessableEntity, "import.html", p)
	}
	if len(customers) == 0 {
		p.FileError = "Nothing to import: no valid row."
		return s.render(c, http.StatusUnprocessableEntity, "import.html", p)
	}
	if err := s.opts.Store.ImportCustomers(c.Request().Context(), customers); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			p.FileError = "Nothing was imported: a customer was created meanwhile under one of these names. Preview again."
			return s.render(c, http.StatusConflict, "import.html", p)
		}
		return serverError(err)
	}
	return s.render(c, http.StatusOK, "import.html", importPage{Imported: len(customers), Message: fmt.Sprintf("%d customer(s) imported.", len(customers))})
}

type fileError struct{ msg string }

func (e fileError) Error() string { return e.msg }

// importText reads the uploaded file, or the CSV carried over from a preview.
func importText(c echo.Context) (string, error) {
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
		return string(b), nil
	}
	if t := c.FormValue("csv"); t != "" {
		return t, nil
	}
	return "", errors.New("File: choose a CSV file with the columns " + strings.Join(customerColumns, ", ") + ".")
}

// checkImport validates every row with the form's rules, plus duplicates
// in the file and against existing customers.
func (s *Server) checkImport(c echo.Context, text string) (importPage, []store.Customer, error) {
	p := importPage{CSV: text}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return p, nil, fileError{"File: not valid CSV (" + err.Error() + ")."}
	}
	if len(records) < 2 {
		return p, nil, fileError{"File: a header line and at least one customer are needed."}
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["name"]; !ok {
		return p, nil, fileError{"File: the header has no column \"name\" (columns: " + strings.Join(customerColumns, ", ") + ")."}
	}
	if len(records)-1 > maxImportRows {
		return p, nil, fileError{fmt.Sprintf("File: at most %d customers at once.", maxImportRows)}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	var names []string
	for _, rec := range records[1:] {
		names = append(names, get(rec, "name"))
	}
	taken, err := s.opts.Store.CustomerNamesTaken(c.Request().Context(), names)
	if err != nil {
		return p, nil, serverError(err)
	}
	seen := map[string]int{}
	var customers []store.Customer
	for i, rec := range records[1:] {
		f := customerForm{Name: get(rec, "name"), Industry: get(rec, "industry"), Country: get(rec, "country"), Revenue: get(rec, "revenue"),
			Margin: get(rec, "margin"), Potential: get(rec, "potential"), Notes: get(rec, "notes")}
		cu, ok := f.validate()
		row := importRow{Line: i + 2, Form: f}
		keys := make([]string, 0, len(f.Errors))
		for k := range f.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			row.Errors = append(row.Errors, k+": "+f.Errors[k])
		}
		lower := strings.ToLower(f.Name)
		if f.Name != "" && taken[lower] {
			row.Errors, ok = append(row.Errors, "name: a customer with this name exists"), false
		}
		if prev, dup := seen[lower]; dup && f.Name != "" {
			row.Errors, ok = append(row.Errors, "name: same as line "+strconv.Itoa(prev)), false
		}
		seen[lower] = row.Line
		if ok {
			p.Valid++
			customers = append(customers, cu)
		} else {
			p.Invalid++
		}
		p.Rows = append(p.Rows, row)
	}
	return p, customers, nil
}

// exportCustomers writes every active customer as CSV (the import layout).
func (s *Server) exportCustomers(c echo.Context) error {
	list, _, err := s.opts.Store.SearchCustomers(c.Request().Context(), "", store.Page{Number: 1, Size: store.MaxPageSize})
	if err != nil {
		return serverError(err)
	}
	c.Response().Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", `attachment; filename="customers.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(customerColumns)
	for _, cu := range list {
		_ = w.Write([]string{csvSafe(cu.Name), csvSafe(cu.Industry), cu.Country, strconv.FormatInt(cu.AnnualRevenue, 10),
			strconv.FormatFloat(cu.MarginPercent, 'f', -1, 64), cu.Potential, csvSafe(cu.Notes)})
	}
	w.Flush()
	return w.Error()
}
