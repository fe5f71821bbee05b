package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// PersonRole is how someone works on a programme: as its lead, on its
// steering committee, or as KAM, deputy or covering person of one of its
// key accounts (Customer names the account).
type PersonRole struct {
	Kind     string
	Customer string
}

// Kinds of PersonRole.
const (
	PersonLead      = "lead"
	PersonCommittee = "committee"
	PersonKAM       = "KAM"
	PersonDeputy    = "deputy"
	PersonCovering  = "covering (handover)"
)

// ProgrammePerson is an enabled user who works on a programme.
type ProgrammePerson struct {
	Email string
	Name  string
	Roles []PersonRole
}

// ProgrammePeople lists the enabled users who work on a programme — its
// lead, its committee, and the users of the KAMs, deputies and covering
// people of its key accounts — by name, each with how.
func (s *Store) ProgrammePeople(ctx context.Context, programmeID uint) ([]ProgrammePerson, error) {
	db := s.db.WithContext(ctx)
	var p Programme
	if err := db.Select("id", "lead_email").First(&p, programmeID).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("programme %d", programmeID))
	}
	rolesByEmail := map[string][]PersonRole{strings.ToLower(p.LeadEmail): {{Kind: PersonLead}}}
	var committee []string
	if err := db.Model(&ProgrammeCommittee{}).Where("programme_id = ?", programmeID).Order("email").Pluck("email", &committee).Error; err != nil {
		return nil, translate(err, "programme committee")
	}
	for _, e := range committee {
		e = strings.ToLower(e)
		rolesByEmail[e] = append(rolesByEmail[e], PersonRole{Kind: PersonCommittee})
	}
	type accountRow struct {
		CustomerName       string
		KAMEmployeeID      *uint
		DeputyEmployeeID   *uint
		CoveringEmployeeID *uint
	}
	var accounts []accountRow
	err := db.Table("key_accounts ka").Select("c.name AS customer_name, ka.kam_employee_id, ka.deputy_employee_id, ka.covering_employee_id").
		Joins("JOIN customers c ON c.id = ka.customer_id").Where("ka.programme_id = ?", programmeID).Order("c.name").Scan(&accounts).Error
	if err != nil {
		return nil, translate(err, "key accounts of programme")
	}
	rolesByEmployee := map[uint][]PersonRole{}
	for _, a := range accounts {
		for _, r := range []struct {
			id   *uint
			kind string
		}{{a.KAMEmployeeID, PersonKAM}, {a.DeputyEmployeeID, PersonDeputy}, {a.CoveringEmployeeID, PersonCovering}} {
			if r.id != nil {
				rolesByEmployee[*r.id] = append(rolesByEmployee[*r.id], PersonRole{Kind: r.kind, Customer: a.CustomerName})
			}
		}
	}
	emails := make([]string, 0, len(rolesByEmail))
	for e := range rolesByEmail {
		emails = append(emails, e)
	}
	employees := make([]uint, 0, len(rolesByEmployee))
	for id := range rolesByEmployee {
		employees = append(employees, id)
	}
	q := db.Select("id", "email", "name", "employee_id").Where("disabled = ?", false)
	if len(employees) > 0 {
		q = q.Where("LOWER(email) IN ? OR employee_id IN ?", emails, employees)
	} else {
		q = q.Where("LOWER(email) IN ?", emails)
	}
	var users []User
	if err := q.Find(&users).Error; err != nil {
		return nil, translate(err, "people of programme")
	}
	out := make([]ProgrammePerson, 0, len(users))
	for _, u := range users {
		person := ProgrammePerson{Email: u.Email, Name: u.Name, Roles: rolesByEmail[strings.ToLower(u.Email)]}
		if u.EmployeeID != nil {
			person.Roles = append(person.Roles, rolesByEmployee[*u.EmployeeID]...)
		}
		out = append(out, person)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Email < out[j].Email
	})
	return out, nil
}

// ReviewByWorkflowID loads a review (without its accounts and measures) by
// the workflow that gathers it; ErrNotFound until its first step ran.
func (s *Store) ReviewByWorkflowID(ctx context.Context, workflowID string) (*Review, error) {
	var r Review
	if err := s.db.WithContext(ctx).Where("workflow_id = ?", workflowID).First(&r).Error; err != nil {
		return nil, translate(err, "review "+workflowID)
	}
	return &r, nil
}
