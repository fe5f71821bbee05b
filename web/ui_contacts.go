package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

type contactsPage struct {
	Contacts []store.ContactRow
	Pager    pager
	Notice   string
}

// contactsPage lists contacts of all customers with search and pagination;
// ?archived=1 lists the archived ones.
func (s *Server) contactsPage(c echo.Context) error {
	st := s.opts.Store
	return renderArchivable(s, c, "/contacts", "contacts.html", st.SearchContacts, st.SearchArchivedContacts, func(list []store.ContactRow, p pager) any {
		return contactsPage{Contacts: list, Pager: p, Notice: doneNotice(c)}
	})
}

// contactForm is the contact form's fields as typed, with messages per field.
type contactForm struct {
	ID, CustomerID          uint
	CustomerName            string
	Name, JobTitle, Level   string
	ReportsTo, Email, Phone string
	Colleagues              []store.Contact // possible bosses
	Levels                  []store.HierarchyLevel
	Errors                  map[string]string
}

// validate trims the fields and checks each; the same rules apply to the
// form and to CSV imports (which name the boss instead of choosing one).
func (f *contactForm) validate() (store.Contact, bool) {
	f.Name, f.JobTitle = strings.TrimSpace(f.Name), strings.TrimSpace(f.JobTitle)
	f.Level, f.Email, f.Phone = strings.ToLower(strings.TrimSpace(f.Level)), strings.TrimSpace(f.Email), strings.TrimSpace(f.Phone)
	f.Errors = map[string]string{}
	ct := store.Contact{ID: f.ID, CustomerID: f.CustomerID, Name: f.Name, JobTitle: f.JobTitle, HierarchyLevel: store.HierarchyLevel(f.Level), Email: f.Email, Phone: f.Phone}
	if f.Name == "" || len(f.Name) > 200 {
		f.Errors["name"] = "Enter the person's name (up to 200 characters)."
	}
	if len(f.JobTitle) > 200 {
		f.Errors["job_title"] = "At most 200 characters."
	}
	if !ct.HierarchyLevel.Valid() {
		f.Errors["level"] = "Choose a hierarchy level: board, management, department_head, specialist or assistant."
	}
	if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || len(f.Email) > 254 {
			f.Errors["email"] = "Enter an e-mail address like name@example.com."
		}
	}
	if len(f.Phone) > 50 || strings.Trim(f.Phone, "+0123456789 ()-./") != "" {
		f.Errors["phone"] = "Enter a phone number of digits, spaces and + ( ) - . / (up to 50 characters)."
	}
	return ct, len(f.Errors) == 0
}

// fill loads the customer's name and the possible bosses for the form.
func (s *Server) fillContactForm(c echo.Context, f *contactForm) error {
	cu, err := s.opts.Store.Customer(c.Request().Context(), f.CustomerID)
	if err != nil {
		return err
	}
	f.CustomerName, f.Levels = cu.Name, store.HierarchyLevels()
	for _, other := range cu.Contacts {
		if other.ID != f.ID {
			f.Colleagues = append(f.Colleagues, other)
		}
	}
	return nil
}

func (s *Server) contactNew(c echo.Context) error {
	id, err := strconv.ParseUint(c.QueryParam("customer"), 10, 32)
	if err != nil || id == 0 {
		return clientError(http.StatusUnprocessableEntity, "customer: choose the customer from the customer list (Add contact).")
	}
	f := contactForm{CustomerID: uint(id), Level: string(store.LevelSpecialist)}
	if err := s.fillContactForm(c, &f); errors.Is(err, store.ErrNotFound) {
		return clientError(http.StatusNotFound, "There is no such customer.")
	} else if err != nil {
		return serverError(err)
	}
	return s.render(c, http.StatusOK, "contact_form.html", f)
}

func (s *Server) contactEdit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such contact.")
	}
	ct, err := s.opts.Store.Contact(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && ct.ArchivedAt != nil) {
		return clientError(http.StatusNotFound, "There is no such contact.")
	} else if err != nil {
		return serverError(err)
	}
	f := contactForm{ID: ct.ID, CustomerID: ct.CustomerID, Name: ct.Name, JobTitle: ct.JobTitle, Level: string(ct.HierarchyLevel), Email: ct.Email, Phone: ct.Phone}
	if ct.ReportsToID != nil {
		f.ReportsTo = strconv.FormatUint(uint64(*ct.ReportsToID), 10)
	}
	if err := s.fillContactForm(c, &f); err != nil {
		return serverError(err)
	}
	return s.render(c, http.StatusOK, "contact_form.html", f)
}

// contactSave creates or updates a contact; invalid fields answer 422 with
// a message at each field and nothing is saved.
func (s *Server) contactSave(c echo.Context) error {
	ctx := c.Request().Context()
	f := contactForm{Name: c.FormValue("name"), JobTitle: c.FormValue("job_title"), Level: c.FormValue("level"),
		ReportsTo: c.FormValue("reports_to"), Email: c.FormValue("email"), Phone: c.FormValue("phone")}
	if c.Param("id") != "" {
		id, err := idParam(c, "id")
		if err != nil {
			return clientError(http.StatusNotFound, "There is no such contact.")
		}
		cur, err := s.opts.Store.Contact(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && cur.ArchivedAt != nil) {
			return clientError(http.StatusNotFound, "There is no such contact.")
		} else if err != nil {
			return serverError(err)
		}
		f.ID, f.CustomerID = cur.ID, cur.CustomerID
	} else {
		id, err := strconv.ParseUint(c.FormValue("customer"), 10, 32)
		if err != nil || id == 0 {
			return clientError(http.StatusUnprocessableEntity, "customer: choose the customer from the customer list (Add contact).")
		}
		f.CustomerID = uint(id)
	}
	if err := s.fillContactForm(c, &f); errors.Is(err, store.ErrNotFound) {
		return clientError(http.StatusUnprocessableEntity, "customer: there is no such customer.")
	} else if err != nil {
		return serverError(err)
	}
	ct, ok := f.validate()
	if f.ReportsTo != "" {
		boss, err := strconv.ParseUint(f.ReportsTo, 10, 32)
		known := false
		for _, other := range f.Colleagues {
			known = known || (err == nil && uint64(other.ID) == boss)
		}
		if !known {
			f.Errors["reports_to"], ok = "Choose a contact of the same customer, or no one.", false
		} else {
			b := uint(boss)
			ct.ReportsToID = &b
		}
	}
	if !ok {
		return s.render(c, http.StatusUnprocessableEntity, "contact_form.html", f)
	}
	var err error
	if f.ID == 0 {
		err = s.opts.Store.CreateContact(ctx, &ct)
	} else {
		err = s.opts.Store.UpdateContact(ctx, &ct)
	}
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrNotFound) {
		f.Errors["reports_to"] = "Choose a contact of the same customer, or no one."
		return s.render(c, http.StatusUnprocessableEntity, "contact_form.html", f)
	}
	if err != nil {
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/contacts?q=%s", url.QueryEscape(f.CustomerName)))
}

func (s *Server) contactArchive(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such contact.")
	}
	if err := s.opts.Store.ArchiveContact(c.Request().Context(), id, s.opts.Now()); errors.Is(err, store.ErrNotFound) {
		return clientError(http.StatusNotFound, "There is no such contact, or it is archived already.")
	} else if err != nil {
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/contacts?done=contact-archived")
}
