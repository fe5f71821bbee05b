package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
)

// TestCustomerListNextGoesOnAfterTheLastName: the customer list's "next"
// link carries the page's last name, and the page it opens is the page of
// that number; a page typed by number shows the same. When a customer on
// page 1 is archived meanwhile, "next" still goes on right after the last
// name read, where the page by number would skip one. A key of the page
// before longer than any name is refused, naming it.
func TestCustomerListNextGoesOnAfterTheLastName(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for i := range 60 {
		if err := f.store.CreateCustomer(ctx, &store.Customer{Name: fmt.Sprintf("Seitenkunde %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	f.login("lead@"+store.DemoDomain, store.DemoPassword)
	rowName := regexp.MustCompile(`<tr><td><a href="/customers/\d+">([^<]+)</a>`)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	open := func(path string) (names []string, nextURL string) {
		t.Helper()
		code, page := f.get(path)
		if code != http.StatusOK {
			t.Fatalf("%s = %d", path, code)
		}
		for _, m := range rowName.FindAllStringSubmatch(page, -1) {
			names = append(names, html.UnescapeString(m[1]))
		}
		if m := next.FindStringSubmatch(page); m != nil {
			nextURL = html.UnescapeString(m[1])
		}
		return names, nextURL
	}
	first, link := open("/customers")
	if len(first) != 25 || !strings.Contains(link, "page=2") || !strings.Contains(link, "after=") {
		t.Fatalf("page 1 = %d customers, next %q; want 25 and a next link after the last name", len(first), link)
	}
	second, link3 := open(link)
	byNumber, _ := open("/customers?page=2")
	if len(second) != 25 || strings.Join(second, ",") != strings.Join(byNumber, ",") || second[0] <= first[24] {
		t.Fatalf("next = %v\npage 2 by number = %v\n(page 1 ended with %q)", second, byNumber, first[24])
	}
	// A customer of page 1 archived meanwhile: the link still goes on
	// after the name it carries; the page by number moves up by one.
	code, page := f.get("/customers")
	if code != http.StatusOK {
		t.Fatal(code)
	}
	var firstID uint
	if _, err := fmt.Sscanf(page[strings.Index(page, `<tr><td><a href="/customers/`)+len(`<tr><td><a href="/customers/`):], "%d", &firstID); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ArchiveCustomer(ctx, firstID, time.Now()); err != nil {
		t.Fatal(err)
	}
	third, _ := open(link3)
	thirdByNumber, _ := open("/customers?page=3")
	// By number, page 3 now starts one later: its first customer moved up
	// to page 2, which the reader has seen without it.
	if len(third) < 2 || third[0] <= second[24] || strings.Join(third[1:], ",") != strings.Join(thirdByNumber, ",") {
		t.Errorf("after archiving on page 1: next = %v\npage 3 by number = %v\n(page 2 ended with %q: next goes on right after it)", third, thirdByNumber, second[24])
	}
	code, body := f.get("/customers?page=2&after=" + strings.Repeat("x", 201))
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "after") {
		t.Errorf("a key of 201 characters = %d, want 422 naming after:\n%s", code, body)
	}
}
