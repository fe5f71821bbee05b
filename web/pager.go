package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// listPageSize is the number of rows on one page of a reference list.
const listPageSize = 25

// listQuery is a list page's search term and page number.
type listQuery struct {
	Q    string
	Page int
	// Archived (?archived=1) lists the archived records instead.
	Archived bool
	// After (?after=) is the key of the last row of the page before, set
	// by the "next" link of a list whose rows have one (keyedRow).
	After string
}

// keyedRow is a row of a list ordered by a unique key the store pages
// after (store.Page.After).
type keyedRow interface{ PageKey() string }

// parseListQuery reads ?q= and ?page=; a bad page number is a 422 naming
// the parameter.
func parseListQuery(c echo.Context) (listQuery, error) {
	lq := listQuery{Q: strings.TrimSpace(c.QueryParam("q")), Page: 1, Archived: c.QueryParam("archived") == "1"}
	if len(lq.Q) > 200 {
		return lq, clientError(http.StatusUnprocessableEntity, "q: the search term has at most 200 characters")
	}
	if lq.After = c.QueryParam("after"); len(lq.After) > 200 {
		return lq, clientError(http.StatusUnprocessableEntity, "after: the key of the previous page has at most 200 characters")
	}
	var err error
	lq.Page, err = pageNumber(c, "page")
	return lq, err
}

// pageNumber reads a page number from the query parameter name (1 when
// absent); anything but a whole number from 1 is a 422 naming it.
func pageNumber(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100000 {
		return 1, clientError(http.StatusUnprocessableEntity, name+" must be a whole number from 1")
	}
	return n, nil
}

// sectionPager pages one of several lists on a page: its links set param
// to the page wanted, keep the other lists' pages (keep), and lead back
// to the section (fragment).
func sectionPager(path, param, fragment string, keep url.Values, page, size int, total int64) pager {
	p := pager{Path: path, Total: total, Page: page, Pages: int((total + int64(size) - 1) / int64(size))}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range keep {
			if k != param && len(vs) > 0 && vs[0] != "1" {
				v.Set(k, vs[0])
			}
		}
		v.Set(param, strconv.Itoa(n))
		return path + "?" + v.Encode() + "#" + fragment
	}
	if page > 1 {
		p.PrevURL = link(min(page-1, max(p.Pages, 1)))
	}
	if page < p.Pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// pager is what the "pager" template shows under a list.
type pager struct {
	Path    string
	Q       string
	Total   int64
	Page    int
	Pages   int
	PrevURL string
	NextURL string
	// Archived: the list shows archived records (the search keeps to them).
	Archived bool
}

func newPager(path string, lq listQuery, size int, total int64) pager {
	p := pager{Path: path, Q: lq.Q, Total: total, Page: lq.Page, Pages: int((total + int64(size) - 1) / int64(size)), Archived: lq.Archived}
	link := func(n int) string {
		v := url.Values{"page": {strconv.Itoa(n)}}
		if lq.Q != "" {
			v.Set("q", lq.Q)
		}
		if lq.Archived {
			v.Set("archived", "1")
		}
		return path + "?" + v.Encode()
	}
	if lq.Page > 1 {
		p.PrevURL = link(min(lq.Page-1, max(p.Pages, 1)))
	}
	if lq.Page < p.Pages {
		p.NextURL = link(lq.Page + 1)
	}
	return p
}

// searchFunc is a store search returning one page and the total.
type searchFunc[T any] func(ctx context.Context, q string, p store.Page) ([]T, int64, error)

// renderList serves a searchable, paged list page: it reads ?q= and ?page=,
// runs the search for one page and renders tmpl with build's result.
func renderList[T any](s *Server, c echo.Context, path, tmpl string, search searchFunc[T], build func([]T, pager) any) error {
	return renderArchivable(s, c, path, tmpl, search, nil, build)
}

// renderArchivable is renderList for a list that also shows its archived
// records: ?archived=1 runs the archived search instead (a nil archived
// ignores the parameter).
func renderArchivable[T any](s *Server, c echo.Context, path, tmpl string, active, archived searchFunc[T], build func([]T, pager) any) error {
	lq, err := parseListQuery(c)
	if err != nil {
		return err
	}
	search := active
	if lq.Archived = lq.Archived && archived != nil; lq.Archived {
		search = archived
	}
	page := store.Page{Number: lq.Page, Size: listPageSize}
	if lq.Page > 1 {
		page.After = lq.After
	}
	list, total, err := search(c.Request().Context(), lq.Q, page)
	if err != nil {
		return serverError(err)
	}
	p := newPager(path, lq, listPageSize, total)
	// "next" goes on after this page's last row, where the rows have a key.
	if last, ok := lastKey(list); ok && p.NextURL != "" {
		p.NextURL += "&" + url.Values{"after": {last}}.Encode()
	}
	return s.render(c, http.StatusOK, tmpl, build(list, p))
}

// lastKey is the page key of the list's last row, if its rows have one.
func lastKey[T any](list []T) (string, bool) {
	if len(list) == 0 {
		return "", false
	}
	k, ok := any(list[len(list)-1]).(keyedRow)
	if !ok {
		return "", false
	}
	return k.PageKey(), true
}
