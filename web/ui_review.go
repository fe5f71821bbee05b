package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// reviewPage is one controller review: KPIs per key account with their
// findings, the optimisation measures and the sign-off.
type reviewPage struct {
	Review        *store.Review
	ProgrammeName string
	Open          bool
	CanEdit       bool
	Now           time.Time
	Error         string
}

// reviewPageView shows a review; controllers get the forms while it is open.
func (s *Server) reviewPageView(c echo.Context) error {
	return s.renderReview(c, http.StatusOK, "")
}

func (s *Server) renderReview(c echo.Context, status int, msg string) error {
	r, err := s.loadReview(c)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return clientError(http.StatusNotFound, "There is no such review.")
		}
		return err
	}
	p := reviewPage{Review: r, Open: r.Status == workflows.ReviewOpen, Now: s.opts.Now(), Error: msg}
	u := currentUser(c)
	p.CanEdit = u.HasRole(store.RoleController) || u.HasRole(store.RoleAdmin)
	if pr, _, err := s.opts.Store.ProgrammeByID(c.Request().Context(), r.ProgrammeID); err == nil {
		p.ProgrammeName = pr.Name
	} else if !errors.Is(err, store.ErrNotFound) {
		return serverError(err)
	}
	return s.render(c, status, "review.html", p)
}

// reviewForm sends one of the review's human steps from the page's forms;
// a refusal shows the page again with the reason.
func (s *Server) reviewForm(step string) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, err := s.loadReview(c)
		if err != nil {
			return clientError(http.StatusNotFound, "There is no such review.")
		}
		var arg any
		switch step {
		case workflows.UpdateRecordFindings:
			cid, perr := optionalID(c.FormValue("customer_id"))
			if perr != nil {
				return s.reviewAnswer(c, fieldError("customer_id", "choose a key account of the review"))
			}
			arg = workflows.FindingsRequest{Actor: actor(c), CustomerID: cid, Text: c.FormValue("text")}
		case workflows.UpdateAddMeasure:
			cid, perr := optionalID(c.FormValue("customer_id"))
			if perr != nil {
				return s.reviewAnswer(c, fieldError("customer_id", "choose a key account of the review, or none"))
			}
			due, perr := parseDate("due", c.FormValue("due"))
			if perr != nil {
				return s.reviewAnswer(c, perr)
			}
			owner := strings.TrimSpace(c.FormValue("owner_email"))
			if _, uerr := s.opts.Store.UserByEmail(c.Request().Context(), owner); errors.Is(uerr, store.ErrNotFound) {
				return s.reviewAnswer(c, fieldError("owner_email", "no user has this e-mail address"))
			} else if uerr != nil {
				return serverError(uerr)
			}
			// Due at the end of the day, so "due today" is not overdue at 00:00.
			arg = workflows.MeasureRequest{Actor: actor(c), CustomerID: cid, Title: c.FormValue("title"), OwnerEmail: owner, Due: due.Add(23*time.Hour + 59*time.Minute)}
		case workflows.UpdateCompleteMeasure:
			mid, perr := idParam(c, "measureID")
			if perr != nil {
				return clientError(http.StatusNotFound, "There is no such measure.")
			}
			arg = workflows.MeasureDoneRequest{Actor: actor(c), MeasureID: mid}
		case workflows.UpdateSignOff:
			arg = workflows.SignOffRequest{Actor: actor(c), Overall: c.FormValue("overall")}
		default:
			return serverError(fmt.Errorf("unknown review step %q", step))
		}
		var st workflows.ReviewState
		if err := s.sendUpdate(c.Request().Context(), r.WorkflowID, step, arg, &st, "the review is closed"); err != nil {
			return s.reviewAnswer(c, err)
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/reviews/%d", r.ID))
	}
}

// reviewAnswer shows the review page with a refusal's reason.
func (s *Server) reviewAnswer(c echo.Context, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	return s.renderReview(c, ae.Status, ae.text())
}

// optionalID reads an optional positive ID from a form ("" means none).
func optionalID(v string) (uint, error) {
	if v = strings.TrimSpace(v); v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("not an id: %q", v)
	}
	return uint(n), nil
}
