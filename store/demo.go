package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// DemoDomain is the e-mail domain of the demo users `kamflow dev` creates.
const DemoDomain = "demo.kamflow.test"

// DemoPassword is every demo user's password; dev mode only, on loopback.
const DemoPassword = "demo"

// IsDemoEmail reports whether email belongs to a demo account, which signs
// in only in dev mode.
func IsDemoEmail(email string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(email)), "@"+DemoDomain)
}

// DemoLogin is one demo account shown on the console and login page.
type DemoLogin struct {
	Email string
	Roles []Role
}

type demoPerson struct {
	local, name, title, dept string
	level                    HierarchyLevel
	kam                      bool
	roles                    []Role
}

// The demo company's people: management owns the programme, three KAMs at
// different levels so hierarchy matching has something to match.
var demoPeople = []demoPerson{
	{"lead", "Lena Lehmann", "Head of Sales and Marketing", "Sales", LevelManagement, true, []Role{RoleLead}},
	{"committee", "Carl Conrad", "CEO", "Management", LevelBoard, true, []Role{RoleCommittee}},
	{"committee2", "Clara Claussen", "CFO", "Management", LevelBoard, false, []Role{RoleCommittee}},
	{"hr", "Hanna Hoffmann", "HR Development", "HR", LevelDepartmentHead, false, []Role{RoleHR}},
	{"controller", "Konrad Koch", "Controller", "Finance", LevelDepartmentHead, false, []Role{RoleController}},
	{"kam", "Karla Krüger", "Key Account Manager", "Sales", LevelDepartmentHead, true, []Role{RoleKAM}},
	{"kam2", "Kai Kramer", "Key Account Manager", "Sales", LevelSpecialist, true, []Role{RoleKAM}},
	{"kam3", "Katrin Kuhn", "Senior Key Account Manager", "Sales", LevelManagement, true, []Role{RoleKAM}},
	{"admin", "Adam Albrecht", "IT Administrator", "IT", LevelSpecialist, false, []Role{RoleAdmin}},
}

type demoContact struct {
	name, title string
	level       HierarchyLevel
	reportsTo   int // index into the same customer's contacts, -1 for none
}

type demoCustomer struct {
	name, industry, country, potential string
	revenue                            int64
	margin                             float64
	contacts                           []demoContact
}

var demoCustomers = []demoCustomer{
	{"Alpenbau AG", "Construction", "CH", "high", 4_800_000, 18.5, []demoContact{
		{"Dr. Anna Berger", "CEO", LevelBoard, -1},
		{"Markus Frei", "Head of Procurement", LevelManagement, 0},
		{"Sabine Roth", "Facility Manager", LevelDepartmentHead, 1},
		{"Tom Weber", "Buyer", LevelSpecialist, 1},
		{"Julia Huber", "Assistant to the CEO", LevelAssistant, 0},
	}},
	{"Nordlicht Energie GmbH", "Energy", "DE", "high", 3_900_000, 22.0, []demoContact{
		{"Jens Petersen", "Managing Director", LevelBoard, -1},
		{"Ole Hansen", "Head of Operations", LevelManagement, 0},
		{"Maren Jessen", "Purchasing Specialist", LevelSpecialist, 1},
	}},
	{"Rheintal Logistik AG", "Logistics", "CH", "medium", 2_700_000, 12.0, []demoContact{
		{"Peter Keller", "CEO", LevelBoard, -1},
		{"Andrea Meier", "Head of Facility Services", LevelDepartmentHead, 0},
		{"Lukas Baumann", "Site Coordinator", LevelSpecialist, 1},
	}},
	{"Stadtwerke Musterstadt", "Public utilities", "DE", "medium", 1_900_000, 15.5, []demoContact{
		{"Birgit Lorenz", "Managing Director", LevelBoard, -1},
		{"Frank Vogel", "Technical Director", LevelManagement, 0},
	}},
	{"Helvetia Pharma SA", "Pharmaceuticals", "CH", "high", 1_200_000, 28.0, []demoContact{
		{"Dr. Marc Dubois", "Head of Global Procurement", LevelManagement, -1},
		{"Claire Favre", "Category Manager", LevelSpecialist, 0},
	}},
	{"Bäckerei Sonnenschein KG", "Food retail", "DE", "low", 350_000, 9.0, []demoContact{
		{"Gerd Sonnenschein", "Owner", LevelBoard, -1},
	}},
}

// DemoLogins lists the demo accounts in display order.
func DemoLogins() []DemoLogin {
	out := make([]DemoLogin, 0, len(demoPeople))
	for _, p := range demoPeople {
		out = append(out, DemoLogin{Email: p.local + "@" + DemoDomain, Roles: p.roles})
	}
	return out
}

// SeedDemo creates the demo company on a database without users, all or
// nothing. It reports false, seeding nothing, when any user exists: demo
// accounts never join real ones.
func (s *Store) SeedDemo(ctx context.Context) (bool, error) {
	var users int64
	if err := s.db.WithContext(ctx).Model(&User{}).Count(&users).Error; err != nil {
		return false, fmt.Errorf("seed demo: %w", translate(err, "count users"))
	}
	if users > 0 {
		return false, nil
	}
	// Hash outside the transaction: argon2 is deliberately slow. The demo
	// people share one published password, so one hash (one salt) serves
	// them all; a salt per account protects secrets, and this is none.
	hash, err := HashPassword(DemoPassword)
	if err != nil {
		return false, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ts := &Store{db: tx, driver: s.driver}
		for _, p := range demoPeople {
			email := p.local + "@" + DemoDomain
			e := &Employee{Name: p.name, Email: email, JobTitle: p.title, Department: p.dept, HierarchyLevel: p.level, KAMQualified: p.kam}
			if err := ts.CreateEmployee(ctx, e); err != nil {
				return err
			}
			u := &User{Email: email, Name: p.name, PasswordHash: hash, EmployeeID: &e.ID}
			for _, r := range p.roles {
				u.Roles = append(u.Roles, UserRole{Role: r})
			}
			if err := tx.Create(u).Error; err != nil {
				return translate(err, "seed user "+email)
			}
		}
		for _, dc := range demoCustomers {
			c := &Customer{Name: dc.name, Industry: dc.industry, Country: dc.country, Potential: dc.potential, AnnualRevenue: dc.revenue, MarginPercent: dc.margin}
			if err := ts.CreateCustomer(ctx, c); err != nil {
				return err
			}
			ids := make([]uint, len(dc.contacts))
			for i, p := range dc.contacts {
				ct := &Contact{CustomerID: c.ID, Name: p.name, JobTitle: p.title, HierarchyLevel: p.level}
				if p.reportsTo >= 0 {
					ct.ReportsToID = &ids[p.reportsTo]
				}
				if err := ts.CreateContact(ctx, ct); err != nil {
					return err
				}
				ids[i] = ct.ID
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("seed demo: %w", err)
	}
	return true, nil
}
