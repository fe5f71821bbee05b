package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// maxCriteriaRows is how many criterion rows the criteria editor offers
// (a programme has 3 or 4; the workflow's validator says so).
const maxCriteriaRows = 4

// criterionInput is one row of the criteria editor as typed.
type criterionInput struct {
	Key, Name, Measure string
}

// criteriaForm is the criteria editor: its rows, the threshold and the
// refusals by field (criteria[1].name, threshold, …).
type criteriaForm struct {
	Rows      []criterionInput
	Threshold string
	Errors    map[string]string
}

func newCriteriaForm(st workflows.ProgrammeState) criteriaForm {
	f := criteriaForm{Rows: make([]criterionInput, maxCriteriaRows), Threshold: strconv.Itoa(workflows.DefaultThreshold)}
	for i, cr := range st.Criteria {
		if i < maxCriteriaRows {
			f.Rows[i] = criterionInput{Key: cr.Key, Name: cr.Name, Measure: cr.Measure}
		}
	}
	if len(st.Criteria) > 0 {
		f.Threshold = strconv.Itoa(st.Threshold)
	}
	return f
}

var nonKeyChars = regexp.MustCompile(`[^a-z0-9]+`)

// criterionKey derives a key from a criterion's name when none is typed
// ("Growth potential" → "growth_potential"); the workflow checks the result.
func criterionKey(name string) string {
	k := strings.Trim(nonKeyChars.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "_"), "_")
	if len(k) > 40 {
		k = strings.TrimRight(k[:40], "_")
	}
	return k
}

var criteriaField = regexp.MustCompile(`^criteria\[(\d+)\]`)

// selectionCriteriaForm sets the criteria and threshold from the editor;
// blank rows are left out, and the validator's refusals are shown at the
// row they name, with what was typed kept.
func (s *Server) selectionCriteriaForm(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	f := criteriaForm{Threshold: strings.TrimSpace(c.FormValue("threshold"))}
	var criteria []workflows.Criterion
	var rowOf []int // criteria index → editor row
	for i := range maxCriteriaRows {
		in := criterionInput{
			Key:     strings.TrimSpace(c.FormValue(fmt.Sprintf("criteria[%d].key", i))),
			Name:    c.FormValue(fmt.Sprintf("criteria[%d].name", i)),
			Measure: c.FormValue(fmt.Sprintf("criteria[%d].measure", i)),
		}
		f.Rows = append(f.Rows, in)
		if in.Key == "" && strings.TrimSpace(in.Name) == "" && strings.TrimSpace(in.Measure) == "" {
			continue
		}
		key := in.Key
		if key == "" {
			key = criterionKey(in.Name)
		}
		criteria = append(criteria, workflows.Criterion{Key: key, Name: in.Name, Measure: in.Measure})
		rowOf = append(rowOf, i)
	}
	refuse := func(err error) error {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		f.Errors = map[string]string{}
		for field, msg := range ae.Fields {
			if m := criteriaField.FindStringSubmatch(field); m != nil {
				if n, _ := strconv.Atoi(m[1]); n < len(rowOf) {
					field = fmt.Sprintf("criteria[%d]", rowOf[n]) + field[len(m[0]):]
				}
			}
			f.Errors[field] = msg
		}
		return s.selectionRefusal(c, id, ae, func(p *selectionPage) error { p.Criteria = f; return nil })
	}
	threshold, perr := strconv.Atoi(f.Threshold)
	if perr != nil {
		return refuse(fieldError("threshold", "enter a whole number of criteria"))
	}
	req := workflows.CriteriaRequest{Actor: actor(c), Criteria: criteria, Threshold: threshold}
	if err := s.sendUpdate(c.Request().Context(), workflows.ProgrammeWorkflowID(id), workflows.UpdateSetCriteria, req, new(workflows.ProgrammeState), "the programme is closed"); err != nil {
		return refuse(err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d/selection?done=criteria-set#criteria", id))
}

// scoreCell is one criterion's score in a row's scoring form.
type scoreCell struct {
	Key, Name       string
	Met             bool
	Value, Evidence string
	Error           string
}

// selectionScoreForm scores one customer from its row of the matrix: every
// criterion met or not, with optional value and evidence.
func (s *Server) selectionScoreForm(c echo.Context) error {
	id, customerID, err := selectionCustomer(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	st, err := s.programmeState(ctx, id)
	if err != nil {
		return err
	}
	cells := make([]scoreCell, len(st.Criteria))
	entries := make([]scoreEntry, len(st.Criteria))
	for i, cr := range st.Criteria {
		met := c.FormValue("met_"+cr.Key) == "yes"
		cells[i] = scoreCell{Key: cr.Key, Name: cr.Name, Met: met, Value: c.FormValue("value_" + cr.Key), Evidence: c.FormValue("evidence_" + cr.Key)}
		entries[i] = scoreEntry{Criterion: cr.Key, Met: &met, Value: cells[i].Value, Evidence: cells[i].Evidence}
	}
	if _, err := s.setScores(ctx, id, customerID, actor(c).Email, entries); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		placed := 0
		for field, msg := range ae.Fields {
			var n int
			var rest string
			if _, serr := fmt.Sscanf(field, "scores[%d].%s", &n, &rest); serr == nil && n >= 0 && n < len(cells) {
				cells[n].Error = msg
				placed++
			}
		}
		return s.selectionRefusal(c, id, ae, func(p *selectionPage) error {
			// The refused row shows its form open, as typed.
			for i := range p.Rows {
				if b := p.Rows[i].ScoreBox; b != nil && p.Rows[i].CustomerID == customerID {
					var err error
					if b.Form, err = s.openScoreForm(c, scoreAction(id, customerID, p.Pager.Q, p.Pager.Page), customerID, cells); err != nil {
						return err
					}
				}
			}
			if placed < len(ae.Fields) {
				p.Error = ae.text() // about no criterion's cell
			}
			return nil
		})
	}
	back := fmt.Sprintf("/programmes/%d/selection?done=scores-saved", id)
	if q := c.FormValue("q"); q != "" {
		back += "&q=" + url.QueryEscape(q)
	}
	if page, err := pageNumber(c, "page"); err == nil && page > 1 {
		back += "&page=" + strconv.Itoa(page)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#score-%d", back, customerID))
}

// scoreImportKind is the CSV layout for a programme's scores: the customer
// (name or ID), then one column per criterion key.
func scoreImportKind(id uint, st workflows.ProgrammeState) importKind {
	cols := []string{"customer"}
	known := map[string]bool{"customer": true}
	for _, cr := range st.Criteria {
		cols = append(cols, cr.Key)
		known[cr.Key] = true
	}
	return importKind{Title: "Import scores from CSV", Path: fmt.Sprintf("/programmes/%d/selection/scores/import", id),
		Back: fmt.Sprintf("/programmes/%d/selection", id), Columns: cols, Required: []string{"customer"}, Noun: "customer(s) scored",
		Header: func(col map[string]int) error {
			criteria := 0
			for name := range col {
				switch {
				case name == "customer":
				case known[name]:
					criteria++
				default:
					return fmt.Errorf("File: column %q is not a criterion of this programme (columns: %s).", name, strings.Join(cols, ", "))
				}
			}
			if criteria == 0 {
				return fmt.Errorf("File: the header names no criterion (columns: %s).", strings.Join(cols, ", "))
			}
			return nil
		}}
}

// scoreImportState reads the programme for a score import; without
// criteria there is nothing to score.
func (s *Server) scoreImportState(c echo.Context) (uint, workflows.ProgrammeState, error) {
	id, err := uiID(c)
	if err != nil {
		return 0, workflows.ProgrammeState{}, err
	}
	st, err := s.programmeState(c.Request().Context(), id)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return 0, st, clientError(http.StatusNotFound, "There is no such programme.")
		}
		return 0, st, err
	}
	if len(st.Criteria) == 0 {
		return 0, st, clientError(http.StatusConflict, "The programme has no criteria yet: set them first.")
	}
	return id, st, nil
}

func (s *Server) scoreImportForm(c echo.Context) error {
	id, st, err := s.scoreImportState(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "import.html", importPage{Kind: scoreImportKind(id, st)})
}

// scoreImportTemplate answers an empty score file: the customer column and
// one column per criterion of the programme.
func (s *Server) scoreImportTemplate(c echo.Context) error {
	id, st, err := s.scoreImportState(c)
	if err != nil {
		return err
	}
	return writeImportTemplate(c, scoreImportKind(id, st))
}

// scoreImport previews and imports scores with the customer import's
// mechanism: every row checked, errors per row, nothing half-imported.
func (s *Server) scoreImport(c echo.Context) error {
	id, st, err := s.scoreImportState(c)
	if err != nil {
		return err
	}
	by := actor(c).Email
	check := func(ctx context.Context, f csvFile) ([]importRow, func(context.Context) (int, error), error) {
		return s.checkScores(ctx, id, st, by, f)
	}
	return s.importRequest(c, scoreImportKind(id, st), check)
}

// metCell reads a score cell: yes/no, 1/0, true/false (ja/nein); empty
// leaves the criterion's score as it is.
func metCell(v string) (met, given, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return false, false, true
	case "yes", "y", "1", "true", "ja", "x":
		return true, true, true
	case "no", "n", "0", "false", "nein":
		return false, true, true
	}
	return false, false, false
}

// checkScores validates score rows: the customer exists (by ID or name)
// and appears once, each criterion cell is yes/no/1/0 or empty, and a row
// scores at least one criterion.
func (s *Server) checkScores(ctx context.Context, id uint, st workflows.ProgrammeState, by string, f csvFile) ([]importRow, func(context.Context) (int, error), error) {
	var names []string
	var ids []uint
	for _, rec := range f.records {
		ref := strings.TrimSpace(f.get(rec, "customer"))
		if n, err := strconv.ParseUint(ref, 10, 32); err == nil {
			ids = append(ids, uint(n))
		} else {
			names = append(names, ref)
		}
	}
	byName, err := s.opts.Store.CustomerIDsByName(ctx, names)
	if err != nil {
		return nil, nil, err
	}
	byID, err := s.opts.Store.CustomersByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	seen := map[uint]int{}
	var rows []importRow
	var batch []store.CustomerScores
	for i, rec := range f.records {
		ref := strings.TrimSpace(f.get(rec, "customer"))
		row := importRow{Line: i + 2, Cells: []string{ref}}
		var customerID uint
		if n, err := strconv.ParseUint(ref, 10, 32); err == nil {
			if cu, ok := byID[uint(n)]; ok && cu.ArchivedAt == nil {
				customerID = cu.ID
			}
		} else {
			customerID = byName[strings.ToLower(ref)]
		}
		switch {
		case ref == "":
			row.Errors = append(row.Errors, "customer: enter the customer's name or ID")
		case customerID == 0:
			row.Errors = append(row.Errors, "customer: there is no active customer with this name or ID")
		default:
			if prev, dup := seen[customerID]; dup {
				row.Errors = append(row.Errors, "customer: same as line "+strconv.Itoa(prev))
			}
			seen[customerID] = row.Line
		}
		cs := store.CustomerScores{CustomerID: customerID}
		for _, cr := range st.Criteria {
			v := f.get(rec, cr.Key)
			row.Cells = append(row.Cells, v)
			met, given, ok := metCell(v)
			switch {
			case !ok:
				row.Errors = append(row.Errors, cr.Key+": enter yes, no, 1 or 0 (or leave it empty)")
			case given:
				cs.Scores = append(cs.Scores, store.ScoreInput{CriterionKey: cr.Key, Met: met})
			}
		}
		if len(row.Errors) == 0 && len(cs.Scores) == 0 {
			row.Errors = append(row.Errors, "the row scores no criterion")
		}
		if len(row.Errors) == 0 {
			batch = append(batch, cs)
		}
		rows = append(rows, row)
	}
	commit := func(ctx context.Context) (int, error) {
		return len(batch), s.opts.Store.ImportScores(ctx, id, by, batch)
	}
	return rows, commit, nil
}

// selectionCompute computes the provisional list from the scores.
func (s *Server) selectionCompute(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	req := workflows.ComputeSelectionRequest{Actor: actor(c)}
	if err := s.sendUpdate(c.Request().Context(), workflows.ProgrammeWorkflowID(id), workflows.UpdateComputeSelection, req, new(workflows.ProgrammeState), "the programme is closed"); err != nil {
		return s.selectionRefusal(c, id, err, nil)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d/selection?done=selection-computed#candidates", id))
}

// assignFormError keeps a refused assignment's choice and reasons.
type assignFormError struct {
	CustomerID            uint
	KAM, Deputy           uint
	KAMError, DeputyError string
}

// selectionAssign names a key account's KAM and deputy (the suggestion's
// button sends the suggested KAM).
func (s *Server) selectionAssign(c echo.Context) error {
	id, err := uiID(c)
	if err != nil {
		return err
	}
	customerID, err := idParam(c, "customerID")
	if err != nil {
		return clientError(http.StatusNotFound, "There is no such customer.")
	}
	formID := func(name string) uint {
		n, _ := strconv.ParseUint(strings.TrimSpace(c.FormValue(name)), 10, 32)
		return uint(n)
	}
	req := workflows.AssignRequest{Actor: actor(c), CustomerID: customerID, KAMEmployeeID: formID("kam_employee_id"), DeputyEmployeeID: formID("deputy_employee_id")}
	ctx := c.Request().Context()
	err = s.checkAssignees(ctx, req)
	if err == nil {
		err = s.sendUpdate(ctx, workflows.ProgrammeWorkflowID(id), workflows.UpdateAssign, req, new(workflows.ProgrammeState), "the programme is closed")
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		fe := &assignFormError{CustomerID: customerID, KAM: req.KAMEmployeeID, Deputy: req.DeputyEmployeeID,
			KAMError: ae.Fields["kam_employee_id"], DeputyError: ae.Fields["deputy_employee_id"]}
		return s.selectionRefusal(c, id, ae, func(p *selectionPage) error { p.AssignError = fe; return nil })
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d/selection?done=kam-assigned#account-%d", id, customerID))
}

// selectionRefusal shows the selection page with a refusal; keep puts the
// refused form's input back.
func (s *Server) selectionRefusal(c echo.Context, id uint, refusal error, keep func(*selectionPage) error) error {
	r, ok := refusalOf(refusal, nil)
	if !ok {
		return refusal
	}
	p, err := s.selectionData(c, id)
	if err != nil {
		return err
	}
	p.Error = r.Message
	if keep != nil {
		if err := keep(p); err != nil {
			return err
		}
	} else {
		p.Fields = r.Fields
	}
	return s.render(c, r.Status, "selection.html", p)
}
