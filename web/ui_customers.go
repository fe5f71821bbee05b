package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
)

type customersPage struct {
	Customers []store.Customer
	Pager     pager
	// CanArchive shows "Archive" (and, on the archived list, "Restore")
	// to those the policy lets archive.
	CanArchive bool
	Notice     string
}

// customersPage lists customers with search and pagination; ?archived=1
// lists the archived ones.
func (s *Server) customersPage(c echo.Context) error {
	canArchive := policy.Possible(currentUser(c), policy.ActCustomerDelete)
	st := s.opts.Store
	return renderArchivable(s, c, "/customers", "customers.html", st.SearchCustomers, st.SearchArchivedCustomers, func(list []store.Customer, p pager) any {
		return customersPage{Customers: list, Pager: p, CanArchive: canArchive, Notice: doneNotice(c)}
	})
}

// customerPage is a customer's overview: its data, and its key accounts
// across programmes with their status, KAM and open items.
type customerPage struct {
	Customer    *store.Customer
	KeyAccounts []keyAccountListRow
	// AccountsVisible: the user may read key accounts at all.
	AccountsVisible bool
	CanArchive      bool
	// CanRestore: the customer is archived and the user may restore it.
	CanRestore bool
	Notice     string
}

// customerOverview shows the customer; editing is its own page.
func (s *Server) customerOverview(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such customer.")
	}
	ctx := c.Request().Context()
	cu, err := s.opts.Store.Customer(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return clientError(http.StatusNotFound, "There is no such customer.")
	} else if err != nil {
		return serverError(err)
	}
	mayArchive := policy.Possible(currentUser(c), policy.ActCustomerDelete)
	p := customerPage{Customer: cu, CanArchive: cu.ArchivedAt == nil && mayArchive, CanRestore: cu.ArchivedAt != nil && mayArchive, Notice: doneNotice(c)}
	all, employeeID := keyAccountScope(currentUser(c))
	if p.AccountsVisible = all || employeeID != nil; p.AccountsVisible {
		f := store.KeyAccountFilter{CustomerID: id}
		if !all {
			f.WorkedOnBy = employeeID
		}
		rows, _, err := s.opts.Store.ListKeyAccounts(ctx, f, store.Page{Number: 1, Size: store.MaxPageSize})
		if err != nil {
			return serverError(err)
		}
		ids := make([]uint, len(rows))
		progIDs := make([]uint, len(rows))
		for i, r := range rows {
			ids[i], progIDs[i] = r.ID, r.ProgrammeID
		}
		open, err := s.opts.Store.OpenItemsOf(ctx, ids, s.opts.Now())
		if err != nil {
			return serverError(err)
		}
		names, err := s.opts.Store.ProgrammeNames(ctx, progIDs)
		if err != nil {
			return serverError(err)
		}
		for _, r := range rows {
			p.KeyAccounts = append(p.KeyAccounts, keyAccountListRow{KeyAccountRow: r, ProgrammeName: names[r.ProgrammeID], Open: open[r.ID]})
		}
	}
	return s.render(c, http.StatusOK, "customer.html", p)
}

type customerForm struct {
	ID                                 uint
	Name, Industry, Country, Potential string
	Revenue, Margin, Notes             string
	Errors                             map[string]string
}

func formOf(cu store.Customer) customerForm {
	return customerForm{ID: cu.ID, Name: cu.Name, Industry: cu.Industry, Country: cu.Country, Potential: cu.Potential,
		Revenue: strconv.FormatInt(cu.AnnualRevenue, 10), Margin: strconv.FormatFloat(cu.MarginPercent, 'f', -1, 64), Notes: cu.Notes}
}

// parse validates the form field by field.
func (f *customerForm) parse(c echo.Context) (store.Customer, bool) {
	f.Name, f.Industry, f.Country = c.FormValue("name"), c.FormValue("industry"), c.FormValue("country")
	f.Potential, f.Revenue, f.Margin, f.Notes = c.FormValue("potential"), c.FormValue("revenue"), c.FormValue("margin"), c.FormValue("notes")
	return f.validate()
}

// validate trims the fields and checks each; the same rules apply to forms
// and CSV imports.
func (f *customerForm) validate() (store.Customer, bool) {
	f.Name, f.Industry = strings.TrimSpace(f.Name), strings.TrimSpace(f.Industry)
	f.Country, f.Potential = strings.ToUpper(strings.TrimSpace(f.Country)), strings.ToLower(strings.TrimSpace(f.Potential))
	f.Revenue, f.Margin, f.Notes = strings.TrimSpace(f.Revenue), strings.TrimSpace(f.Margin), strings.TrimSpace(f.Notes)
	f.Errors = map[string]string{}
	cu := store.Customer{ID: f.ID, Name: f.Name, Industry: f.Industry, Country: f.Country, Potential: f.Potential, Notes: f.Notes}
	if f.Name == "" || len(f.Name) > 200 {
		f.Errors["name"] = "Enter the company name (up to 200 characters)."
	}
	if len(f.Industry) > 120 {
		f.Errors["industry"] = "At most 120 characters."
	}
	if f.Country != "" && (len(f.Country) != 2 || strings.Trim(f.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		f.Errors["country"] = "Use the two-letter country code, e.g. CH or DE."
	}
	switch f.Potential {
	case "", "low", "medium", "high":
	default:
		f.Errors["potential"] = "Choose low, medium or high."
	}
	if f.Revenue != "" {
		v, err := strconv.ParseInt(localInteger(f.Revenue), 10, 64)
		if err != nil || v < 0 {
			f.Errors["revenue"] = "Enter the annual revenue as a whole, non-negative number."
		}
		cu.AnnualRevenue = v
	}
	if f.Margin != "" {
		v, err := strconv.ParseFloat(localDecimal(f.Margin), 64)
		if err != nil || store.FiniteProblem(v) != "" || v < -100 || v > 100 {
			f.Errors["margin"] = "Enter the margin in percent, between -100 and 100."
		}
		cu.MarginPercent = v
	}
	if len(f.Notes) > 10000 {
		f.Errors["notes"] = "At most 10000 characters."
	}
	// Forms are checked before they reach here; CSV rows are not.
	for field, v := range map[string]string{"name": f.Name, "industry": f.Industry, "notes": f.Notes} {
		if reason := store.TextProblem(field, v); reason != "" && f.Errors[field] == "" {
			f.Errors[field] = "This field " + reason + "."
		}
	}
	return cu, len(f.Errors) == 0
}

func (s *Server) customerNew(c echo.Context) error {
	return s.render(c, http.StatusOK, "customer_form.html", customerForm{})
}

func (s *Server) customerEdit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such customer.")
	}
	cu, err := s.opts.Store.Customer(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return clientError(http.StatusNotFound, "There is no such customer.")
	} else if err != nil {
		return serverError(err)
	}
	return s.render(c, http.StatusOK, "customer_form.html", formOf(*cu))
}

// customerSave creates or updates a customer; invalid fields answer 422
// with a message at each field and nothing is saved.
func (s *Server) customerSave(c echo.Context) error {
	f := customerForm{}
	if c.Param("id") != "" {
		id, err := idParam(c, "id")
		if err != nil {
			return clientError(http.StatusNotFound, "There is no such customer.")
		}
		f.ID = id
	}
	cu, ok := f.parse(c)
	if !ok {
		return s.render(c, http.StatusUnprocessableEntity, "customer_form.html", f)
	}
	ctx := c.Request().Context()
	var err error
	if f.ID == 0 {
		err = s.opts.Store.CreateCustomer(ctx, &cu)
	} else {
		err = s.opts.Store.UpdateCustomer(ctx, &cu)
	}
	if errors.Is(err, store.ErrDuplicate) {
		f.Errors["name"] = "A customer with this name exists."
		return s.render(c, http.StatusUnprocessableEntity, "customer_form.html", f)
	}
	if err != nil {
		return serverError(err)
	}
	if f.ID != 0 {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/customers/%d", f.ID))
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/customers?q=%s", url.QueryEscape(cu.Name)))
}

func (s *Server) customerArchive(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such customer.")
	}
	if err := s.opts.Store.ArchiveCustomer(c.Request().Context(), id, s.opts.Now()); errors.Is(err, store.ErrNotFound) {
		return clientError(http.StatusNotFound, "There is no such customer, or it is archived already.")
	} else if err != nil {
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/customers?done=customer-archived")
}
