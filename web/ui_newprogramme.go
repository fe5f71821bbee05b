package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

type newProgrammePage struct {
	Committee []string // users with the committee role
	Name      string
	StartDate string
	Chosen    map[string]bool
	Errors    map[string]string
}

func (s *Server) newProgrammeData(c echo.Context) (*newProgrammePage, error) {
	emails, err := s.opts.Store.UserEmailsWithRole(c.Request().Context(), store.RoleCommittee)
	if err != nil {
		return nil, serverError(err)
	}
	return &newProgrammePage{Committee: emails, StartDate: s.opts.Now().Format("2006-01-02"), Chosen: map[string]bool{}, Errors: map[string]string{}}, nil
}

func (s *Server) newProgrammeForm(c echo.Context) error {
	p, err := s.newProgrammeData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "programme_new.html", p)
}

// createProgrammeForm starts a programme led by the signed-in lead; the
// plan spreads the phases over about two years from the start date.
func (s *Server) createProgrammeForm(c echo.Context) error {
	p, err := s.newProgrammeData(c)
	if err != nil {
		return err
	}
	p.Name, p.StartDate = strings.TrimSpace(c.FormValue("name")), strings.TrimSpace(c.FormValue("start_date"))
	form, _ := c.FormParams()
	var committee []string
	allowed := map[string]bool{}
	for _, e := range p.Committee {
		allowed[e] = true
	}
	for _, e := range form["committee"] {
		if !allowed[e] {
			p.Errors["committee"] = fmt.Sprintf("%s is not a steering committee member.", e)
			continue
		}
		p.Chosen[e] = true
		committee = append(committee, e)
	}
	if p.Name == "" || len(p.Name) > 200 {
		p.Errors["name"] = "Enter a name (up to 200 characters)."
	}
	start, err := time.Parse("2006-01-02", p.StartDate)
	if err != nil {
		p.Errors["start_date"] = "Enter the start date."
	}
	if len(committee) == 0 && p.Errors["committee"] == "" {
		p.Errors["committee"] = "Choose at least one member of the steering committee."
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "programme_new.html", p)
	}
	lead := actor(c).Email
	id, err := s.createProgramme(c.Request().Context(), lead, workflows.ProgrammeInput{Name: p.Name, LeadEmail: lead, CommitteeEmails: committee, StartDate: start.UTC()})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d", id))
}
