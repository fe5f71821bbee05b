package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/workflows"
)

// scoreBox is a customer's scoring form in its row of the selection page,
// behind its summary (selectionRows). The page carries the form only
// for a refused row or the one asked for with ?score= (the way in without
// JavaScript); every other box fetches its form when first opened
// (selectionScoreFormFragment). Sending every row's form made the page
// three inputs per criterion per row, most never opened.
type scoreBox struct {
	CustomerID uint
	// Fragment is the address htmx asks for the form (the form's own, as
	// a GET); PageURL the page showing it open.
	Fragment, PageURL string
	// Form is the form the box carries open, written out by its template
	// ("scoreform"); empty for a closed box.
	Form template.HTML
}

// scoreForm is one customer's scores as stored or as typed.
type scoreForm struct {
	CustomerID uint
	// Action posts the form with the page's search and page number, so
	// that a refusal shows the same page with the form open.
	Action string
	Cells  []scoreCell
	CSRF   string
}

// scoreAction is where a customer's scoring form posts, with the search
// and page number of the page it is on.
func scoreAction(programmeID, customerID uint, q string, page int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	action := fmt.Sprintf("/programmes/%d/selection/scores/%d", programmeID, customerID)
	if len(v) > 0 {
		action += "?" + v.Encode()
	}
	return action
}

// scorePage is the selection page (with the search and page number) showing
// customer's scoring form open.
func scorePage(programmeID, customerID uint, q string, page int) string {
	v := url.Values{"score": {uitoa(customerID)}}
	if q != "" {
		v.Set("q", q)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return fmt.Sprintf("/programmes/%d/selection?%s#score-%d", programmeID, v.Encode(), customerID)
}

// selectionCustomer reads the programme and the customer a scoring route names.
func selectionCustomer(c echo.Context) (programmeID, customerID uint, err error) {
	if programmeID, err = uiID(c); err != nil {
		return 0, 0, err
	}
	if customerID, err = idParam(c, "customerID"); err != nil {
		return 0, 0, clientError(http.StatusNotFound, "There is no such customer.")
	}
	return programmeID, customerID, nil
}

// scoreBoxes gives each row of the page its box, with the form of the row
// asked for by ?score= as stored (a refused row's form is set as typed by
// its refusal).
func (s *Server) scoreBoxes(c echo.Context, p *selectionPage) error {
	open, _ := strconv.ParseUint(c.QueryParam("score"), 10, 32)
	for i := range p.Rows {
		r := &p.Rows[i]
		action := scoreAction(p.ID, r.CustomerID, p.Pager.Q, p.Pager.Page)
		r.ScoreBox = &scoreBox{CustomerID: r.CustomerID, Fragment: action, PageURL: scorePage(p.ID, r.CustomerID, p.Pager.Q, p.Pager.Page)}
		if uint64(r.CustomerID) != open {
			continue
		}
		cells, err := s.storedScores(c, p.ID, r.CustomerID, p.State.Criteria)
		if err != nil {
			return err
		}
		if r.ScoreBox.Form, err = s.openScoreForm(c, action, r.CustomerID, cells); err != nil {
			return err
		}
	}
	return nil
}

// openScoreForm is customer's scoring form written out, for a box that
// carries it open.
func (s *Server) openScoreForm(c echo.Context, action string, customerID uint, cells []scoreCell) (template.HTML, error) {
	return s.fragmentHTML(c, "selection.html", "scoreform", s.scoreForm(c, action, customerID, cells))
}

// scoreForm is customer's scoring form posting to action.
func (s *Server) scoreForm(c echo.Context, action string, customerID uint, cells []scoreCell) *scoreForm {
	csrf, _ := c.Get(ctxCSRF).(string)
	return &scoreForm{CustomerID: customerID, Action: action, Cells: cells, CSRF: csrf}
}

// storedScores is a customer's scoring form as stored: a cell per criterion.
func (s *Server) storedScores(c echo.Context, programmeID, customerID uint, criteria []workflows.Criterion) ([]scoreCell, error) {
	scores, err := s.opts.Store.ScoresOf(c.Request().Context(), programmeID, []uint{customerID})
	if err != nil {
		return nil, serverError(err)
	}
	cells := make([]scoreCell, 0, len(criteria))
	for _, cr := range criteria {
		cell := scoreCell{Key: cr.Key, Name: cr.Name}
		for _, sc := range scores {
			if sc.CriterionKey == cr.Key {
				cell.Met, cell.Value, cell.Evidence = sc.Met, sc.Value, sc.Evidence
			}
		}
		cells = append(cells, cell)
	}
	return cells, nil
}

// selectionScoreFormFragment sends a customer's scoring form when its box
// on the selection page is first opened (htmx). Asked for as a page, it
// leads to the selection page with that form open.
func (s *Server) selectionScoreFormFragment(c echo.Context) error {
	id, customerID, err := selectionCustomer(c)
	if err != nil {
		return err
	}
	lq, err := parseListQuery(c)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") != "true" {
		return c.Redirect(http.StatusSeeOther, scorePage(id, customerID, lq.Q, lq.Page))
	}
	ctx := c.Request().Context()
	st, err := s.programmeSelectionState(ctx, id)
	if err != nil {
		return err
	}
	if !scoringOpen(st, s.selectionPhaseOpen(c, id, st)) {
		return clientError(http.StatusConflict, "Customers are scored while the criteria, KAM-profile or provisional-selection phase is open.")
	}
	found, err := s.opts.Store.CustomersByID(ctx, []uint{customerID})
	if err != nil {
		return serverError(err)
	}
	if _, ok := found[customerID]; !ok {
		return clientError(http.StatusNotFound, "There is no such customer.")
	}
	cells, err := s.storedScores(c, id, customerID, st.Criteria)
	if err != nil {
		return err
	}
	return s.renderFragment(c, http.StatusOK, "selection.html", "scoreform", s.scoreForm(c, scoreAction(id, customerID, lq.Q, lq.Page), customerID, cells))
}
