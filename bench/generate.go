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
	participants  int
	actions       int
	relationships int
	sessions      int
	enrolments    int
	jourFixes     int
	jfInputs      int
	kamAccount    uint // a key account of the demo user kam@
	// agedProgramme is at its roll-out, its history agedEvents long.
	agedProgramme uint
	agedEvents    int64
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
	db := e.store.DB().WithContext(ctx)
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
	demoKAM, err := e.store.UserByEmail(ctx, "kam@"+store.DemoDomain)
	if err != nil {
		return nil, err
	}

	// The programmes run as workflows; their rows and phases come from the
	// workflows' projections, as in production.
	for i := 0; i < programmesPerScale*scale; i++ {
		p, err := e.store.CreateProgramme(ctx, fmt.Sprintf("KAM-Einführung Bereich %d", i+1), "lead@"+store.DemoDomain, time.Now().UTC())
		if err != nil {
			return nil, err
		}
		_, err = e.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
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
		c := customers[i*len(customers)/len(accounts)]
		accounts[i] = store.KeyAccount{ProgrammeID: ds.programmes[i%len(ds.programmes)], CustomerID: c.ID, CustomerName: c.Name,
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
	ds.relationships = len(rels)

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

	// Each workshop: the KAM, her deputy and one more of our people; four of
	// the customer's contacts — the demo KAM among them for her accounts.
	var parts []store.WorkshopParticipant
	for i, w := range workshops {
		a := accounts[i%len(accounts)]
		for j, emp := range []uint{*a.KAMEmployeeID, *a.DeputyEmployeeID, kams[(i+2)%len(kams)].ID} {
			if j == 2 && (emp == *a.KAMEmployeeID || emp == *a.DeputyEmployeeID) {
				continue
			}
			parts = append(parts, store.WorkshopParticipant{WorkshopID: w.ID, Side: "ours", PersonID: emp, Name: "KAM", Level: levels[1+j]})
		}
		first := int(a.CustomerID-customers[0].ID) * contactsPerCustomer
		for j := 0; j < 4; j++ {
			ct := contacts[first+j]
			parts = append(parts, store.WorkshopParticipant{WorkshopID: w.ID, Side: "theirs", PersonID: ct.ID, Name: ct.Name, Email: ct.Email, Level: ct.HierarchyLevel})
		}
	}
	if err := batch(&parts); err != nil {
		return nil, fmt.Errorf("workshop participants: %w", err)
	}
	ds.participants = len(parts)

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

	if err := generateTraining(ctx, e, ds, rng, kams); err != nil {
		return nil, err
	}
	if err := generateJourFixes(ctx, e, ds, rng, accounts); err != nil {
		return nil, err
	}

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
	d, err := newProgrammeDriver(ctx, e.client, e.store)
	if err != nil {
		return nil, err
	}
	if err := d.toCriteria(ctx, ds.programmes[0]); err != nil {
		return nil, fmt.Errorf("programme to criteria: %w", err)
	}
	// Through the score import, as a team's spreadsheet arrives: it keeps
	// the programme's criteria met current.
	var scores []store.CustomerScores
	for i := 0; i < len(customers); i += 10 {
		cs := store.CustomerScores{CustomerID: customers[i].ID}
		for _, cr := range benchCriteria {
			cs.Scores = append(cs.Scores, store.ScoreInput{CriterionKey: cr.Key, Met: rng.IntN(2) == 0})
		}
		scores = append(scores, cs)
	}
	if err := e.store.ImportScores(ctx, ds.programmes[0], "lead@"+store.DemoDomain, scores); err != nil {
		return nil, fmt.Errorf("scores: %w", err)
	}
	ds.scored = len(scores)

	// The second programme is at its roll-out with all its key accounts
	// selected, assigned, trained and planned: a programme's page in its
	// second year.
	var aged []store.KeyAccount
	for _, a := range accounts {
		if a.ProgrammeID == ds.programmes[1] {
			aged = append(aged, a)
		}
	}
	if err := d.toRollout(ctx, ds.programmes[1], aged); err != nil {
		return nil, fmt.Errorf("programme to roll-out: %w", err)
	}
	ds.agedProgramme = ds.programmes[1]
	if err := db.Model(&store.ProgrammeEvent{}).Where("programme_id = ?", ds.agedProgramme).Count(&ds.agedEvents).Error; err != nil {
		return nil, err
	}
	return ds, nil
}

func (ds *dataset) describe() string {
	return fmt.Sprintf("%d customers, %d contacts, %d key accounts, %d KAMs, %d relationships, %d programmes, %d workshops with %d participants, "+
		"%d actions, %d training sessions with %d enrolments, %d jour fixes with %d inputs, %d customers scored; "+
		"one programme at its roll-out with %d audit entries",
		ds.customers, ds.contacts, ds.keyAccounts, ds.kams, ds.relationships, len(ds.programmes), ds.workshops, ds.participants,
		ds.actions, ds.sessions, ds.enrolments, ds.jourFixes, ds.jfInputs, ds.scored, ds.agedEvents)
}

// Per 1× scale, training and jour fixe: two required courses, a session
// of each every month for two years (12 seats), every KAM enrolled in
// both — most completed, some upcoming, a few waitlisted, cancelled or
// not attended, the last week's attendance still to record;
// a monthly jour fixe per programme for two years, each KAM giving input
// for each of her accounts.
const (
	sessionsPerCourse = 24
	seatsPerSession   = 12
	jourFixesPerYear  = 12
	jourFixeYears     = 2
)

func generateTraining(ctx context.Context, e *env, ds *dataset, rng *rand.Rand, kams []store.Employee) error {
	db := e.store.DB().WithContext(ctx)
	now := time.Now().UTC()
	courses := []store.Course{
		{Title: fmt.Sprintf("KAM Grundlagen (bench %d×)", ds.scale), DurationDays: 2, RequiredKAM: true, Language: "de"},
		{Title: fmt.Sprintf("Verhandlungsführung (bench %d×)", ds.scale), DurationDays: 1, RequiredKAM: true, Language: "de"},
	}
	if err := db.Create(&courses).Error; err != nil {
		return fmt.Errorf("courses: %w", err)
	}
	perCourse := sessionsPerCourse * ds.scale
	var sessions []store.TrainingSession
	for _, c := range courses {
		for i := 0; i < perCourse; i++ {
			start := now.AddDate(0, 0, (i-perCourse*3/4)*30/ds.scale)
			sessions = append(sessions, store.TrainingSession{CourseID: c.ID, StartsAt: start, EndsAt: start.Add(8 * time.Hour),
				Place: "Schulungszentrum", Capacity: seatsPerSession, Trainer: "Trainer"})
		}
	}
	if err := db.CreateInBatches(&sessions, 500).Error; err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	ds.sessions = len(sessions)
	var enrolments []store.Enrolment
	for ci := range courses {
		for k, kam := range kams {
			sess := sessions[ci*perCourse+k*perCourse/len(kams)]
			// Attendance is recorded when the session has ended, except
			// for the last week's: HR has those still to record.
			en := store.Enrolment{SessionID: sess.ID, EmployeeID: kam.ID, ProgrammeID: &ds.programmes[k%len(ds.programmes)],
				Status: store.EnrolmentCompleted, UpdatedBy: "hr@" + store.DemoDomain}
			ended := sess.EndsAt
			switch {
			case sess.StartsAt.After(now):
				en.Status = store.EnrolmentEnrolled
				if rng.IntN(10) == 0 {
					t := sess.StartsAt.AddDate(0, 0, -14)
					en.Status, en.WaitlistedAt = store.EnrolmentWaitlisted, &t
				}
			case sess.StartsAt.After(now.AddDate(0, 0, -7)):
				en.Status = store.EnrolmentEnrolled
			case rng.IntN(20) == 0:
				t := sess.StartsAt.AddDate(0, 0, -3)
				en.Status, en.StatusAt, en.StatusNote = store.EnrolmentCancelled, &t, "Kundentermin"
			case rng.IntN(20) == 0:
				en.Status, en.StatusAt = store.EnrolmentNoShow, &ended
			default:
				en.StatusAt = &ended
			}
			enrolments = append(enrolments, en)
		}
	}
	if err := db.CreateInBatches(&enrolments, 500).Error; err != nil {
		return fmt.Errorf("enrolments: %w", err)
	}
	ds.enrolments = len(enrolments)
	return nil
}

func generateJourFixes(ctx context.Context, e *env, ds *dataset, rng *rand.Rand, accounts []store.KeyAccount) error {
	db := e.store.DB().WithContext(ctx)
	now := time.Now().UTC()
	byProgramme := map[uint][]store.KeyAccount{}
	for _, a := range accounts {
		byProgramme[a.ProgrammeID] = append(byProgramme[a.ProgrammeID], a)
	}
	var inputs []store.JourFixeInput
	var asked []store.JourFixeAsked
	for _, p := range ds.programmes {
		for m := 0; m < jourFixesPerYear*jourFixeYears; m++ {
			jf := store.JourFixe{WorkflowID: fmt.Sprintf("bench-jourfixe-%d-%d", p, m), ProgrammeID: p, MeetingAt: now.AddDate(0, -m, 0),
				Status: "held", Summary: "Pooled picture of the key accounts."}
			if err := db.Create(&jf).Error; err != nil {
				return fmt.Errorf("jour fixe: %w", err)
			}
			ds.jourFixes++
			for _, a := range byProgramme[p] {
				asked = append(asked, store.JourFixeAsked{JourFixeID: jf.ID, EmployeeID: *a.KAMEmployeeID, KeyAccountID: a.ID, Email: "kam@bench.kamflow.test"})
				inputs = append(inputs, store.JourFixeInput{JourFixeID: jf.ID, KeyAccountID: a.ID, EmployeeID: *a.KAMEmployeeID, Satisfaction: 1 + rng.IntN(5),
					Developments: "New tender announced.", Needs: "Faster delivery.", Risks: "Competitor offer.", UpdatedAt: jf.MeetingAt})
			}
		}
	}
	if err := db.CreateInBatches(&asked, 500).Error; err != nil {
		return fmt.Errorf("jour-fixe participants: %w", err)
	}
	if err := db.CreateInBatches(&inputs, 500).Error; err != nil {
		return fmt.Errorf("jour-fixe inputs: %w", err)
	}
	ds.jfInputs = len(inputs)
	return nil
}
