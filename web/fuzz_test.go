package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// The fuzz targets below cover every parser of user input in the web
// layer. `go test` runs their seed corpora; `go test -fuzz=FuzzX ./web`
// explores further. Each checks that bad input is refused with a reason
// and never panics, and that accepted input keeps the documented limits.

func FuzzCustomerForm(f *testing.F) {
	f.Add("Alpenbau AG", "Construction", "ch", "4800000", "18.5", "High", "notes")
	f.Add("", "", "Switzerland", "-1", "x", "huge", "")
	f.Add("<script>", "\x00", "D", "9999999999999999999999", "NaN", " low ", strings.Repeat("n", 10001))
	f.Fuzz(func(t *testing.T, name, industry, country, revenue, margin, potential, notes string) {
		form := customerForm{Name: name, Industry: industry, Country: country, Revenue: revenue, Margin: margin, Potential: potential, Notes: notes}
		cu, ok := form.validate()
		if ok != (len(form.Errors) == 0) {
			t.Fatalf("ok = %v with errors %v", ok, form.Errors)
		}
		if ok && (cu.Name == "" || len(cu.Name) > 200 || len(cu.Country) > 2 || cu.AnnualRevenue < 0 || cu.MarginPercent < -100 || cu.MarginPercent > 100) {
			t.Fatalf("accepted out-of-range customer %+v", cu)
		}
		for field, msg := range form.Errors {
			if field == "" || msg == "" {
				t.Fatalf("error without field or reason: %q %q", field, msg)
			}
		}
	})
}

func FuzzContactAndEmployeeForms(f *testing.F) {
	f.Add("Anna Berger", "CEO", "board", "anna@example.com", "+41 44 000 00 00")
	f.Add("", "", "king", "not an address", "call me")
	f.Add("x", strings.Repeat("t", 201), " Specialist ", "Anna <anna@example.com>", "((((")
	f.Fuzz(func(t *testing.T, name, title, level, email, phone string) {
		cf := contactForm{Name: name, JobTitle: title, Level: level, Email: email, Phone: phone}
		ct, ok := cf.validate()
		if ok != (len(cf.Errors) == 0) || (ok && (ct.Name == "" || !ct.HierarchyLevel.Valid() || len(ct.Phone) > 50)) {
			t.Fatalf("contact ok = %v, %+v, errors %v", ok, ct, cf.Errors)
		}
		ef := employeeForm{Name: name, Email: email, JobTitle: title, Department: phone, Level: level}
		e, ok := ef.validate()
		if ok != (len(ef.Errors) == 0) || (ok && (e.Name == "" || !strings.Contains(e.Email, "@") || !e.HierarchyLevel.Valid())) {
			t.Fatalf("employee ok = %v, %+v, errors %v", ok, e, ef.Errors)
		}
	})
}

func FuzzCSVImport(f *testing.F) {
	f.Add("name,industry,country\nAlpenbau AG,Construction,CH\n")
	f.Add("customer,name,level\nAlpenbau AG,Anna,board\n")
	f.Add("\ufeffname\n\"unterminated\n")
	f.Add("name\n" + strings.Repeat("x\n", 10))
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		for _, kind := range []importKind{customerImport, contactImport} {
			file, err := parseCSV(text, kind)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "File: ") {
					t.Fatalf("file error without the field: %v", err)
				}
				continue
			}
			if len(file.records) == 0 || len(file.records) > maxImportRows {
				t.Fatalf("accepted %d records", len(file.records))
			}
			for _, req := range kind.Required {
				if _, ok := file.col[req]; !ok {
					t.Fatalf("accepted a header without %q", req)
				}
			}
			for _, rec := range file.records {
				for _, col := range kind.Columns {
					_ = file.get(rec, col) // never out of range
				}
			}
		}
	})
}

func FuzzAcceptLanguageAndNumbers(f *testing.F) {
	f.Add("de-CH,de;q=0.9,en;q=0.8", 1234567.891, 1)
	f.Add(";q=,,,;;q=NaN", -0.0, 0)
	f.Add(strings.Repeat("de;q=0.1,", 100), 1e300, 3)
	f.Fuzz(func(t *testing.T, header string, v float64, decimals int) {
		if l := fromAcceptLanguage(header); l != langEN && l != langDE {
			t.Fatalf("language %q", l)
		}
		if decimals < 0 || decimals > 6 {
			return
		}
		for _, l := range uiLanguages {
			if s := l.formatNumber(v, decimals); !utf8.ValidString(s) {
				t.Fatalf("invalid number text %q", s)
			}
		}
	})
}

func FuzzJSONBodyAndQuery(f *testing.F) {
	f.Add(`{"name":"KAM","start_date":"2026-01-05"}`, "page=2&q=alp", "2026-01-05")
	f.Add(`{"name":`, "page=x", "5.1.2026")
	f.Add(`{"name":"a"} {"b":1}`, "page=0&q="+strings.Repeat("q", 300), "")
	f.Add(`{"colour":"red"}`, "page=999999999999999999999", "2026-02-30")
	f.Add(`{"committee_emails":["a@example.com",{"x":1}],"plan":[{"phase":1}]}`, "size=1", "2026-01-05")
	f.Add(`[{"name":true}]`, "", "")
	f.Fuzz(func(t *testing.T, body, query, date string) {
		e := echo.New()
		req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
		req.URL.RawQuery = query
		c := e.NewContext(req, httptest.NewRecorder())
		var dst createProgrammeRequest
		if err := decodeJSON(c, &dst); err != nil {
			if ae, ok := err.(*apiError); !ok || (ae.Status != http.StatusUnprocessableEntity && ae.Status != http.StatusRequestEntityTooLarge) || len(ae.Fields) == 0 {
				t.Fatalf("body refusal without a field: %#v", err)
			} else if goTypeName.MatchString(ae.text()) {
				t.Fatalf("body refusal names a Go type: %s", ae.text())
			}
		}
		if lq, err := parseListQuery(c); err == nil && (lq.Page < 1 || len(lq.Q) > 200) {
			t.Fatalf("accepted list query %+v", lq)
		} else if err != nil {
			if he, ok := err.(*httpError); !ok || he.status != http.StatusUnprocessableEntity {
				t.Fatalf("query refusal = %#v", err)
			}
		}
		if _, err := pageParams(c); err != nil {
			if ae, ok := err.(*apiError); !ok || ae.Status != http.StatusUnprocessableEntity || len(ae.Fields) == 0 {
				t.Fatalf("page refusal without a field: %#v", err)
			}
		}
		if _, err := parseDate("due", date); err != nil {
			if ae, ok := err.(*apiError); !ok || ae.Fields["due"] == "" {
				t.Fatalf("date refusal without the field: %#v", err)
			}
		}
	})
}
