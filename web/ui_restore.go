package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// restorable is one kind of record the lists archive and restore.
type restorable struct {
	what string // "customer", "contact", "employee"
	// restore brings the record back and says where the user lands, with
	// a notice that matches that page, and the record's name for the log.
	restore func(ctx context.Context, id uint) (back, name string, err error)
}

func (s *Server) restorables() map[string]restorable {
	st := s.opts.Store
	return map[string]restorable{
		"customer": {what: "customer", restore: func(ctx context.Context, id uint) (string, string, error) {
			cu, err := st.RestoreCustomer(ctx, id)
			if err != nil {
				return "", "", err
			}
			return fmt.Sprintf("/customers/%d?done=customer-restored", id), cu.Name, nil
		}},
		"contact": {what: "contact", restore: func(ctx context.Context, id uint) (string, string, error) {
			co, err := st.RestoreContact(ctx, id)
			if err != nil {
				return "", "", err
			}
			// The contact of an archived customer stays out of the lists
			// until the customer is back: the notice says so.
			done := "contact-restored"
			if cu, err := st.Customer(ctx, co.CustomerID); err != nil {
				return "", "", err
			} else if cu.ArchivedAt != nil {
				done = "contact-restored-customer-archived"
			}
			return "/contacts?done=" + done + "&q=" + url.QueryEscape(co.Name), co.Name, nil
		}},
		"employee": {what: "employee", restore: func(ctx context.Context, id uint) (string, string, error) {
			e, err := st.RestoreEmployee(ctx, id)
			if err != nil {
				return "", "", err
			}
			return "/employees?done=employee-restored&q=" + url.QueryEscape(e.Name), e.Name, nil
		}},
	}
}

// restoreArchived answers POST /<kind>s/:id/restore: an archived record
// is active again, the restore is logged with who did it, and the user
// lands where the record shows, with a notice. The policy (authorize.go)
// lets those restore who may archive.
func (s *Server) restoreArchived(kind string) echo.HandlerFunc {
	r := s.restorables()[kind]
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return clientError(http.StatusNotFound, "There is no such "+r.what+".")
		}
		ctx := c.Request().Context()
		back, name, err := r.restore(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return clientError(http.StatusNotFound, "There is no such "+r.what+", or it is not archived.")
		case errors.Is(err, store.ErrDuplicate):
			return clientError(http.StatusConflict, "An active "+r.what+" has the same name or e-mail; rename one of them first.")
		case err != nil:
			return serverError(err)
		}
		s.logFor(ctx).Info("restored", "kind", r.what, "id", id, "name", name, "by", actor(c).Email)
		return c.Redirect(http.StatusSeeOther, back)
	}
}
