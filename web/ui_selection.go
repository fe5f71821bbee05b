package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

type selectionRow struct {
	CustomerID   uint
	CustomerName string
	Met          map[string]bool
	MetCount     int
	Meets        bool
	// ScoreBox is the row's scoring form behind its summary (only when the
	// user may score): carried open, or fetched when the box is opened.
	ScoreBox *scoreBox
}

// keyAccountRow is a key account in the responsibilities section.
type keyAccountRow struct {
	ID uint
	// Readable: the user may open the key account's page.
	Readable     bool
	CustomerID   uint
	CustomerName string
	KAM, Deputy  uint
	KAMName      string
	DeputyName   string
	Suggestion   *store.Employee
	// TopLevel is the customer's most senior contact's level, which the
	// suggestion matches.
	TopLevel store.HierarchyLevel
}

type selectionPage struct {
	ID         uint
	State      workflows.ProgrammeState
	Warnings   []string
	Rows       []selectionRow
	Pager      pager
	Candidates []workflows.Candidate
	Portfolio  portfolioChart
	CanDecide  bool
	Error      string
	Notice     string
	Fields     map[string]string
	Decision   *decisionFormError

	// The lead's forms, each shown while its phase is open for work.
	CanEditCriteria bool
	CanScore        bool
	CanCompute      bool
	CanAssign       bool
	Criteria        criteriaForm
	KeyAccounts     []keyAccountRow
	KAMs            []store.Employee
	AssignError     *assignFormError
}

func (s *Server) selectionData(c echo.Context, id uint) (*selectionPage, error) {
	ctx := c.Request().Context()
	st, err := s.programmeSelectionState(ctx, id)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, clientError(http.StatusNotFound, "There is no such programme.")
		}
		return nil, err
	}
	lq, err := parseListQuery(c)
	if err != nil {
		return nil, err
	}
	table, total, err := s.opts.Store.ScorePage(ctx, id, lq.Q, store.Page{Number: lq.Page, Size: listPageSize})
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
	ph := st.Phase(workflows.PhaseDefinitiveSelection)
	p.CanDecide = st.IsLead(actor(c)) && st.CurrentPhase == workflows.PhaseDefinitiveSelection && ph.Status == workflows.PhaseInProgress
	if err := s.selectionForms(c, id, p); err != nil {
		return nil, err
	}
	// Portfolio: revenue (x) against margin (y) of the candidates.
	ids := make([]uint, len(st.Candidates))
	for i, cd := range st.Candidates {
		ids[i] = cd.CustomerID
	}
	customers, err := s.opts.Store.CustomersByID(ctx, ids)
	if err != nil {
		return nil, serverError(err)
	}
	p.Portfolio = buildPortfolio(st.Candidates, customers)
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
	p.Notice = doneNotice(c)
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
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d/selection?done=candidate-decided#candidates", id))
	}
	r, ok := refusalOf(err, nil)
	if !ok {
		return err
	}
	p, perr := s.selectionData(c, id)
	if perr != nil {
		return perr
	}
	// The reason and decision at the candidate's own row; the typed
	// reason kept.
	p.Error, p.Decision = r.Message, &decisionFormError{CustomerID: customerID, Reason: req.Reason, Refusal: r}
	return s.render(c, r.Status, "selection.html", p)
}

// decisionFormError is a refused candidate decision: its row, the reason
// as typed, and the refusal at its fields (reason, decision).
type decisionFormError struct {
	CustomerID uint
	Reason     string
	Refusal    formRefusal
}

// DecisionFor is the refused decision of the candidate's row, or nil.
func (p *selectionPage) DecisionFor(customerID uint) *decisionFormError {
	if p.Decision != nil && p.Decision.CustomerID == customerID {
		return p.Decision
	}
	return nil
}

// selectionPhaseOpen says of a phase whether the user may work in it now:
// it is the programme's current phase, in progress, and the policy lets
// the user manage the programme.
func (s *Server) selectionPhaseOpen(c echo.Context, id uint, st workflows.ProgrammeState) func(workflows.Phase) bool {
	manage := st.Status == workflows.StatusActive && s.may(c, policy.ActProgrammeManage, policy.Target{ProgrammeID: id})
	return func(ph workflows.Phase) bool {
		cur := st.Phase(ph)
		return manage && st.CurrentPhase == ph && cur != nil && cur.Status == workflows.PhaseInProgress
	}
}

// scoringOpen says whether customers may be scored: the programme has
// criteria and its criteria, KAM-profile or provisional-selection phase is
// open to the user.
func scoringOpen(st workflows.ProgrammeState, open func(workflows.Phase) bool) bool {
	return len(st.Criteria) > 0 && (open(workflows.PhaseCriteria) || open(workflows.PhaseKAMProfile) || open(workflows.PhaseProvisionalSelection))
}

// selectionForms fills the lead's forms: the criteria editor, the rows'
// scoring forms, the compute button and the responsibilities, each while
// the policy lets the user manage the programme and its phase is open.
func (s *Server) selectionForms(c echo.Context, id uint, p *selectionPage) error {
	ctx := c.Request().Context()
	st := p.State
	p.Criteria = newCriteriaForm(st)
	open := s.selectionPhaseOpen(c, id, st)
	p.CanEditCriteria = open(workflows.PhaseCriteria)
	p.CanScore = scoringOpen(st, open)
	p.CanCompute = open(workflows.PhaseProvisionalSelection)
	p.CanAssign = open(workflows.PhaseResponsibilities)
	if p.CanScore {
		if err := s.scoreBoxes(c, p); err != nil {
			return err
		}
	}
	kas, err := s.opts.Store.KeyAccountRowsOf(ctx, id)
	if err != nil {
		return serverError(err)
	}
	if len(kas) == 0 {
		return nil
	}
	customerIDs := make([]uint, len(kas))
	for i, ka := range kas {
		customerIDs[i] = ka.CustomerID
	}
	var suggestions []store.KAMSuggestion
	if p.CanAssign {
		if suggestions, err = s.opts.Store.SuggestKAMs(ctx, customerIDs); err != nil {
			return serverError(err)
		}
		if p.KAMs, err = s.opts.Store.KAMCandidates(ctx); err != nil {
			return serverError(err)
		}
	}
	for i, ka := range kas {
		row := keyAccountRow{ID: ka.ID, CustomerID: ka.CustomerID, CustomerName: ka.CustomerName,
			Readable: s.may(c, policy.ActAccountRead, policy.Target{KeyAccount: &kas[i].KeyAccount})}
		if ka.KAMEmployeeID != nil {
			row.KAM, row.KAMName = *ka.KAMEmployeeID, ka.KAMName
		}
		if ka.DeputyEmployeeID != nil {
			row.Deputy, row.DeputyName = *ka.DeputyEmployeeID, ka.DeputyName
		}
		if i < len(suggestions) {
			row.Suggestion, row.TopLevel = suggestions[i].Employee, suggestions[i].TopLevel
		}
		p.KeyAccounts = append(p.KeyAccounts, row)
	}
	return nil
}
