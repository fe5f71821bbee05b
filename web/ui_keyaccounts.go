package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/kamflow/kamflow/store"
)

// keyAccountsPage lists the key accounts the user may see, filtered by
// programme, KAM and status (the query of GET /api/v1/key-accounts).
type keyAccountsPage struct {
	Rows       []keyAccountListRow
	Programmes []store.ProgrammeChoice
	// KAMPicker filters by KAM: a few listed, a finder for the rest.
	KAMPicker employeePicker
	Statuses  []string
	// The filters as chosen (0 or "" for any).
	ProgrammeID, KAMEmployeeID, CustomerID uint
	Status                                 string
	CustomerName                           string
	Pager                                  pager
}

type keyAccountListRow struct {
	store.KeyAccountRow
	ProgrammeName string
	Open          store.OpenItems
}

// keyAccountsList serves /key-accounts.
func (s *Server) keyAccountsList(c echo.Context) error {
	lq, err := parseListQuery(c)
	if err != nil {
		return err
	}
	f, visible, err := keyAccountFilterOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := keyAccountsPage{Statuses: store.KeyAccountStatuses, ProgrammeID: f.ProgrammeID, KAMEmployeeID: f.KAMEmployeeID, CustomerID: f.CustomerID, Status: f.Status}
	// The accounts with their open items, the programmes' names and the
	// customer filtered by are read at once, each into its own variable,
	// while the request's goroutine reads the KAM filter's select.
	var (
		reads    errgroup.Group
		rows     []store.KeyAccountRow
		total    int64
		open     map[uint]store.OpenItems
		customer map[uint]string
	)
	if visible {
		reads.Go(func() (err error) {
			if rows, total, err = s.opts.Store.ListKeyAccounts(ctx, f, store.Page{Number: lq.Page, Size: listPageSize}); err != nil {
				return err
			}
			ids := make([]uint, len(rows))
			for i, r := range rows {
				ids[i] = r.ID
			}
			open, err = s.opts.Store.OpenItemsOf(ctx, ids, s.opts.Now())
			return err
		})
	}
	reads.Go(func() (err error) {
		p.Programmes, err = s.opts.Store.ProgrammeChoices(ctx)
		return err
	})
	if f.CustomerID != 0 {
		reads.Go(func() (err error) {
			customer, err = s.opts.Store.CustomerNames(ctx, []uint{f.CustomerID})
			return err
		})
	}
	// The KAMs to filter by: employees who are KAM of a key account, a
	// few listed and the rest found by name (a company has hundreds).
	p.KAMPicker = employeePicker{Field: "kam_employee_id", Blank: "all", AccountKAMs: true}
	var chosen []string
	if f.KAMEmployeeID != 0 {
		chosen = []string{uitoa(f.KAMEmployeeID)}
	}
	err = s.loadEmployeePicker(c, &p.KAMPicker, "", chosen)
	if readErr := reads.Wait(); readErr != nil {
		return serverError(readErr)
	}
	if err != nil {
		return err
	}
	names := map[uint]string{}
	for _, pr := range p.Programmes {
		names[pr.ID] = pr.Name
	}
	for _, r := range rows {
		p.Rows = append(p.Rows, keyAccountListRow{KeyAccountRow: r, ProgrammeName: names[r.ProgrammeID], Open: open[r.ID]})
	}
	p.CustomerName = customer[f.CustomerID]
	// The pager's links keep the filters.
	p.Pager = newPager("/key-accounts", lq, listPageSize, total)
	v := url.Values{}
	for name, id := range map[string]uint{"programme_id": f.ProgrammeID, "kam_employee_id": f.KAMEmployeeID, "customer_id": f.CustomerID} {
		if id != 0 {
			v.Set(name, strconv.FormatUint(uint64(id), 10))
		}
	}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	link := func(n int) string {
		v.Set("page", strconv.Itoa(n))
		return "/key-accounts?" + v.Encode()
	}
	if p.Pager.PrevURL != "" {
		p.Pager.PrevURL = link(min(lq.Page-1, max(p.Pager.Pages, 1)))
	}
	if p.Pager.NextURL != "" {
		p.Pager.NextURL = link(lq.Page + 1)
	}
	return s.render(c, http.StatusOK, "key_accounts.html", p)
}
