package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// dataset is what the generator wrote, for the pages to ask for.
type dataset struct {
	scale         int
	scored        int
	customers     int
	contacts      int
	keyAccounts   int
	kams          int
	programmes    []uint
	workshops     int
	actions       int
	kamAccount    uint // a key account of the demo user kam@
	customerPages int
}

// Per 1× scale: a realistic mid-sized company.
const (
	customersPerScale   = 2000
	contactsPerCustomer = 10
	keyAccountsPerScale = 300
	kamsPerScale        = 60
	programmesPerScale  = 5
	workshopsPerScale   = 2000
	actionsPerScale     = 20000
)

var (
	industries = []string{"Construction", "Energy", "Logistics", "Pharmaceuticals", "Food retail", "Machinery", "Public utilities", "Insurance"}
	countries  = []string{"CH", "DE", "AT", "FR", "IT"}
	potentials = []string{"low", "medium", "high"}
	levels     = store.HierarchyLevels()
)

// generate writes a company of the given scale through the store; the
// programmes are real workflows started through the Temporal client.
func generate(ctx context.Context, e *env, scale int, taskQueue string) (*dataset, error) {
	db := e.dev.Store.DB().WithContext(ctx)
	rng := rand.New(rand.NewPCG(uint64(scale), 2026))
	ds := &dataset{scale: scale}
	batch := func(rows any) error { return db.CreateInBatches(rows, 500).Error }

	customers := make([]store.Customer, customersPerScale*scale)
	for i := range customers {
		customers[i] = store.Customer{Name: fmt.Sprintf("%s Kunde %06d AG", industries[i%len(industries)], i), Industry: industries[i%len(industries)],
			Country: countries[rng.IntN(len(countries))], AnnualRevenue: int64(rng.IntN(5_000_000)), MarginPercent: float64(rng.IntN(400)) / 10,
			Potential: potentials[rng.IntN(3)]}
	}
	if err := batch(&customers); err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	ds.customers = len(customers)
	contacts := make([]store.Contact, 0, len(customers)*contactsPerCustomer)
	for _, c := range customers {
		for j := 0; j < contactsPerCustomer; j++ {
			contacts = append(contacts, store.Contact{CustomerID: c.ID, Name: fmt.Sprintf("Kontakt %d-%d", c.ID, j), JobTitle: "Role " + fmt.Sprint(j),
				HierarchyLevel: levels[j%len(levels)], Email: fmt.Sprintf("k%d-%d@kunde.example", c.ID, j)})
		}
	}
	if err := batch(&contacts); err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	ds.contacts = len(contacts)

	kams := make([]store.Employee, kamsPerScale*scale)
	for i := range kams {
		kams[i] = store.Employee{Name: fmt.Sprintf("KAM %04d", i), Email: fmt.Sprintf("kam%04d@bench.kamflow.test", i), Department: "Sales",
			HierarchyLevel: levels[1+i%3], KAMQualified: true}
	}
	if err := batch(&kams); err != nil {
		return nil, fmt.Errorf("employees: %w", err)
	}
	ds.kams = len(kams)
	demoKAM, err := e.dev.Store.UserByEmail(ctx, "kam@"+store.DemoDomain)
	if err != nil {
		return nil, err
	}

	// The programmes run as workflows; their rows and phases come from the
	// workflows' projections, as in production.
	for i := 0; i < programmesPerScale*scale; i++ {
		p, err := e.dev.Store.CreateProgramme(ctx, fmt.Sprintf("KAM-Einführung Bereich %d", i+1), "lead@"+store.DemoDomain, time.Now().UTC())
		if err != nil {
			return nil, err
		}
		_, err = e.dev.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: workflows.ProgrammeWorkflowID(p.ID), TaskQueue: taskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}, workflows.ProgrammeWorkflowName, workflows.ProgrammeInput{ProgrammeID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail,
			CommitteeEmails: []string{"committee@" + store.DemoDomain}, StartDate: p.StartDate})
		if err != nil {
			return nil, fmt.Errorf("start programme: %w", err)
		}
		ds.programmes = append(ds.programmes, p.ID)
	}

	accounts := make([]store.KeyAccount, keyAccountsPerScale*scale)
	for i := range accounts {
		kam, deputy := kams[i%len(kams)].ID, kams[(i+1)%len(kams)].ID
		if i < 5 { // the demo KAM keeps five accounts, as every KAM does
			kam = *demoKAM.EmployeeID
		}
		accounts[i] = store.KeyAccount{ProgrammeID: ds.programmes[i%len(ds.programmes)], CustomerID: customers[i*len(customers)/len(accounts)].ID,
			KAMEmployeeID: &kam, DeputyEmployeeID: &deputy, ConfirmedAt: time.Now().UTC()}
	}
	if err := batch(&accounts); err != nil {
		return nil, fmt.Errorf("key accounts: %w", err)
	}
	ds.keyAccounts, ds.kamAccount = len(accounts), accounts[0].ID

	// Relationships: each key account's contacts meet two of our people.
	var rels []store.Relationship
	now := time.Now().UTC()
	for i, a := range accounts {
		first := int(a.CustomerID-customers[0].ID) * contactsPerCustomer
		for j := 0; j < 4; j++ {
			met := now.AddDate(0, 0, -rng.IntN(200))
			rels = append(rels, store.Relationship{ContactID: contacts[first+j].ID, EmployeeID: kams[(i+j)%len(kams)].ID, Quality: 1 + rng.IntN(5), LastContactAt: &met})
		}
	}
	if err := batch(&rels); err != nil {
		return nil, fmt.Errorf("relationships: %w", err)
	}

	workshops := make([]store.Workshop, workshopsPerScale*scale)
	for i := range workshops {
		start := now.AddDate(-i%7, 0, -rng.IntN(300))
		end := start.Add(workflows.WorkshopDuration)
		workshops[i] = store.Workshop{KeyAccountID: accounts[i%len(accounts)].ID, WorkflowID: fmt.Sprintf("bench-workshop-%d", i), Year: start.Year(),
			Status: workflows.WorkshopClosed, StartsAt: &start, EndsAt: &end, Place: "Zürich", Agenda: workflows.WorkshopAgenda("Kunde"),
			Minutes: "Agreed next steps with the customer."}
	}
	if err := batch(&workshops); err != nil {
		return nil, fmt.Errorf("workshops: %w", err)
	}
	ds.workshops = len(workshops)

	actions := make([]store.Action, actionsPerScale*scale)
	for i := range actions {
		w := workshops[i%len(workshops)]
		a := store.Action{IdemKey: fmt.Sprintf("bench-action-%d", i), KeyAccountID: w.KeyAccountID, Source: "workshop", SourceID: w.ID,
			Title: fmt.Sprintf("Follow-up %d", i), OwnerEmail: fmt.Sprintf("kam%04d@bench.kamflow.test", i%len(kams)), Due: now.AddDate(0, 0, rng.IntN(120)-60)}
		if rng.IntN(10) < 7 {
			done := a.Due
			a.DoneAt, a.DoneBy = &done, a.OwnerEmail
		}
		actions[i] = a
	}
	if err := batch(&actions); err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	ds.actions = len(actions)
	ds.customerPages = (ds.customers + 24) / 25

	// Wait for the programmes' projections so every page has its data.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int64
		if err := db.Model(&store.Programme{}).Where("status = ?", "active").Count(&n).Error; err != nil {
			return nil, err
		}
		if int(n) == len(ds.programmes) {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("programmes not projected: %d of %d", n, len(ds.programmes))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The first programme is at its criteria, and one customer in ten is
	// scored, as the selection page sees it while the team assesses.
	d, err := newProgrammeDriver(ctx, e.dev.Client, e.dev.Store)
	if err != nil {
		return nil, err
	}
	if err := d.toCriteria(ctx, ds.programmes[0]); err != nil {
		return nil, fmt.Errorf("programme to criteria: %w", err)
	}
	var scores []store.CustomerScore
	for i := 0; i < len(customers); i += 10 {
		for _, cr := range benchCriteria {
			scores = append(scores, store.CustomerScore{ProgrammeID: ds.programmes[0], CustomerID: customers[i].ID, CriterionKey: cr.Key,
				Met: rng.IntN(2) == 0, UpdatedBy: "lead@" + store.DemoDomain, UpdatedAt: now})
		}
	}
	if err := batch(&scores); err != nil {
		return nil, fmt.Errorf("scores: %w", err)
	}
	ds.scored = len(scores) / len(benchCriteria)
	return ds, nil
}

func (ds *dataset) describe() string {
	return fmt.Sprintf("%d customers, %d contacts, %d key accounts, %d KAMs, %d programmes, %d workshops, %d actions, %d customers scored",
		ds.customers, ds.contacts, ds.keyAccounts, ds.kams, len(ds.programmes), ds.workshops, ds.actions, ds.scored)
}
