package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/kamflow/kamflow/store"
)

// upload posts a file to an import form and answers the status and body.
func (f *fixture) upload(t *testing.T, path, csrf, action string, file []byte) (int, string) {
	t.Helper()
	var body strings.Builder
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrf)
	_ = mw.WriteField("action", action)
	fw, _ := mw.CreateFormFile("file", "upload.csv")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.server.URL+path, strings.NewReader(body.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := f.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// German Excel saves "CSV (Trennzeichen-getrennt)" with semicolons, a
// decimal comma and in Windows-1252: such a file imports as it is.
func TestCustomerImportReadsGermanExcel(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/customers/import")
	csrf := csrfOf(t, page)
	text := "name;industry;country;revenue;margin;potential\r\n" +
		"Müller Präzision GmbH;Maschinenbau;DE;1.200.000;12,5;high\r\n" +
		"Öko Kälte AG;Kältetechnik;CH;800000;9;medium\r\n"
	file, err := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	code, body := f.upload(t, "/customers/import", csrf, "preview", file)
	if code != http.StatusOK || !strings.Contains(body, "2 valid row(s), 0 with errors") || !strings.Contains(body, "Müller Präzision GmbH") {
		t.Fatalf("preview of a German Excel file = %d:\n%s", code, body)
	}
	// The preview carries the decoded text on; importing stores it as typed.
	if c, b, _ := f.post("/customers/import", url.Values{"csrf": {csrf}, "csv": {text}, "action": {"import_all"}}); c != http.StatusOK || !strings.Contains(b, "2 customer(s) imported") {
		t.Fatalf("import = %d:\n%s", c, b)
	}
	list, _, err := f.store.SearchCustomers(context.Background(), "Müller", store.Page{Size: 10})
	if err != nil || len(list) != 1 || list[0].AnnualRevenue != 1200000 || list[0].MarginPercent != 12.5 || list[0].Industry != "Maschinenbau" {
		t.Fatalf("imported customer = %+v, %v", list, err)
	}
}

// The rows with errors download in the file's own layout and separator,
// with their problems, to be corrected and imported again.
func TestImportRejectedRowsDownload(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	_, page := f.get("/customers/import")
	csrf := csrfOf(t, page)
	text := "\ufeffname;country;margin\nGood AG;CH;3\n;Germany;x\nBad GmbH;DE;500\n"
	code, body := f.upload(t, "/customers/import", csrf, "preview", []byte(text))
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `value="rejected"`) {
		t.Fatalf("preview = %d without the rejected rows' download:\n%s", code, body)
	}
	c, got, h := f.post("/customers/import", url.Values{"csrf": {csrf}, "csv": {text}, "action": {"rejected"}})
	if c != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.HasPrefix(got, "\ufeff") {
		t.Fatalf("rejected rows = %d %q:\n%s", c, h.Get("Content-Type"), got)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(got, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], "|") != "name|country|margin|errors" ||
		rows[1][1] != "Germany" || !strings.Contains(rows[1][3], "name:") || rows[2][0] != "Bad GmbH" || !strings.Contains(rows[2][3], "margin:") {
		t.Fatalf("rejected rows = %q, %v", rows, err)
	}
	if list, _, _ := f.store.SearchCustomers(context.Background(), "Good AG", store.Page{Size: 10}); len(list) != 0 {
		t.Fatal("downloading the rejected rows imported something")
	}
}

// Each import has an empty template: `;` with a byte order mark for German
// users, `,` for English ones.
func TestImportTemplates(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	code, body := f.get("/customers/import")
	if code != 200 || !strings.Contains(body, `href="/customers/import/template.csv"`) {
		t.Fatalf("import page = %d without the template link", code)
	}
	if code, body = f.get("/contacts/import/template.csv"); code != 200 || body != strings.Join([]string{"customer", "name", "job_title", "level", "email", "phone", "reports_to"}, ",")+"\n" {
		t.Fatalf("contact template = %d %q", code, body)
	}
	_, home := f.get("/")
	if c, _, _ := f.post("/language", url.Values{"csrf": {csrfOf(t, home)}, "language": {"de"}}); c != http.StatusSeeOther {
		t.Fatalf("switch to German = %d", c)
	}
	if code, body = f.get("/customers/import/template.csv"); code != 200 || body != "\ufeffname;industry;country;revenue;margin;potential;notes\n" {
		t.Fatalf("German customer template = %d %q", code, body)
	}
}

// The export holds every active customer, not one page of them.
func TestCustomerExportHasEveryRow(t *testing.T) {
	f := newFixture(t, nil)
	f.login("admin@"+store.DemoDomain, store.DemoPassword)
	ctx := context.Background()
	var many []store.Customer
	for i := range store.MaxPageSize + 30 {
		many = append(many, store.Customer{Name: fmt.Sprintf("Export Test %04d AG", i), Country: "CH"})
	}
	if err := f.store.ImportCustomers(ctx, many); err != nil {
		t.Fatal(err)
	}
	_, total, err := f.store.SearchCustomers(ctx, "", store.Page{Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	code, body := f.get("/customers.csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || int64(len(rows)-1) != total || total <= int64(store.MaxPageSize) {
		t.Fatalf("export = %d: %d rows for %d customers, %v", code, len(rows)-1, total, err)
	}
}
