package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

type selectionRow struct {
	CustomerID   uint
	CustomerName string
	Met          map[string]bool
	MetCount     int
	Meets        bool
}

type portfolioPoint struct {
	X, Y     int
	Name     string
	Decision string
	Label    string
}

type selectionPage struct {
	ID         uint
	State      workflows.ProgrammeState
	Warnings   []string
	Rows       []selectionRow
	Pager      pager
	Candidates []workflows.Candidate
	Points     []portfolioPoint
	CanDecide  bool
	Error      string
	Fields     map[string]string
}

func (s *Server) selectionData(c echo.Context, id uint) (*selectionPage, error) {
	ctx := c.Request().Context()
	st, err := s.programmeState(ctx, id)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, clientError(http.StatusNotFound, "There is no such programme.")
		}
		return nil, err
	}
	keys := make([]string, len(st.Criteria))
	for i, cr := range st.Criteria {
		keys[i] = cr.Key
	}
	lq, err := parseListQuery(c)
	if err != nil {
		return nil, err
	}
	table, total, err := s.opts.Store.ScorePage(ctx, id, keys, lq.Q, store.Page{Number: lq.Page, Size: listPageSize})
	if err != nil {
		return nil, serverError(err)
	}
	p := &selectionPage{ID: id, State: st, Warnings: st.Warnings(s.opts.Now()), Candidates: st.Candidates,
		Pager: newPager(fmt.Sprintf("/programmes/%d/selection", id), lq, listPageSize, total)}
	for _, r := range table {
		row := selectionRow{CustomerID: r.CustomerID, CustomerName: r.CustomerName, Met: map[string]bool{}, MetCount: len(r.Met)}
		for _, k := range r.Met {
			row.Met[k] = true
		}
		row.Meets = len(st.Criteria) > 0 && row.MetCount >= st.Threshold
		p.Rows = append(p.Rows, row)
	}
	u := currentUser(c)
	ph := st.Phase(workflows.PhaseDefinitiveSelection)
	p.CanDecide = u.HasRole(store.RoleLead) && strings.EqualFold(u.Email, st.LeadEmail) && st.CurrentPhase == workflows.PhaseDefinitiveSelection && ph.Status == workflows.PhaseInProgress
	// Portfolio: revenue (x) against margin (y) of the candidates.
	ids := make([]uint, len(st.Candidates))
	for i, cd := range st.Candidates {
		ids[i] = cd.CustomerID
	}
	customers, err := s.opts.Store.CustomersByID(ctx, ids)
	if err != nil {
		return nil, serverError(err)
	}
	var maxRev int64 = 1
	maxMargin := 1.0
	for _, cu := range customers {
		maxRev = max(maxRev, cu.AnnualRevenue)
		maxMargin = max(maxMargin, cu.MarginPercent)
	}
	for _, cd := range st.Candidates {
		cu := customers[cd.CustomerID]
		p.Points = append(p.Points, portfolioPoint{
			X: 40 + int(float64(cu.AnnualRevenue)/float64(maxRev)*400), Y: 210 - int(cu.MarginPercent/maxMargin*180),
			Name: cd.CustomerName, Decision: cd.Decision,
			Label: fmt.Sprintf("%s: revenue %d, margin %.1f %%, %d criteria met", cd.CustomerName, cu.AnnualRevenue, cu.MarginPercent, len(cd.Met)),
		})
	}
	return p, nil
}

// selectionPage shows criteria × customers, the provisional and definitive
// lists with reasons, the focus-limit warning and a portfolio chart.
func (s *Server) selectionPage(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	p, err := s.selectionData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "selection.html", p)
}

// selectionDecision confirms or rejects a candidate from the page.
func (s *Server) selectionDecision(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	customerID, err := idParam(c, "customerID")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such customer.")
	}
	req := workflows.DecideRequest{Actor: actor(c), CustomerID: customerID, Decision: c.FormValue("decision"), Reason: c.FormValue("reason")}
	var st workflows.ProgrammeState
	err = s.sendUpdate(c.Request().Context(), workflows.ProgrammeWorkflowID(id), workflows.UpdateDecide, req, &st, "the programme is closed")
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d/selection", id))
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	p, perr := s.selectionData(c, id)
	if perr != nil {
		return perr
	}
	p.Error, p.Fields = ae.Message, ae.Fields
	return s.render(c, ae.Status, "selection.html", p)
}
