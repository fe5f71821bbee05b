package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestSessionRosterAndMoves: a session's roster splits seats, the waitlist
// in promotion order and ended enrolments; a move remembers where it came
// from, in both directions.
func TestSessionRosterAndMoves(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		course := &store.Course{Title: "KAM Basics", DurationDays: 1}
		if err := s.SaveCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		first := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(30 * time.Hour), Capacity: 1}
		second := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(48 * time.Hour), EndsAt: now.Add(54 * time.Hour), Capacity: 5}
		for _, ts := range []*store.TrainingSession{first, second} {
			if err := s.SaveSession(ctx, ts); err != nil {
				t.Fatal(err)
			}
		}
		seat, err := s.Enrol(ctx, first.ID, emps[0].ID, nil, "hr", now)
		if err != nil {
			t.Fatal(err)
		}
		late, _ := s.Enrol(ctx, first.ID, emps[1].ID, nil, "hr", now.Add(2*time.Minute))
		early, _ := s.Enrol(ctx, first.ID, emps[2].ID, nil, "hr", now.Add(time.Minute))
		if late.Status != store.EnrolmentWaitlisted || early.Status != store.EnrolmentWaitlisted {
			t.Fatalf("statuses = %s, %s; want both waitlisted", late.Status, early.Status)
		}
		// Make the later enrolment the earlier on the waitlist: the roster
		// follows the waitlist's order, not the IDs.
		if err := s.DB().Model(&store.Enrolment{}).Where("id = ?", late.ID).Update("waitlisted_at", now).Error; err != nil {
			t.Fatal(err)
		}
		moved, err := s.EnrolMoved(ctx, seat, second.ID, "hr@example.com", now)
		if err != nil || moved.Status != store.EnrolmentEnrolled || moved.MovedFromID == nil || *moved.MovedFromID != seat.ID || moved.EmployeeID != emps[0].ID {
			t.Fatalf("moved = %+v, %v", moved, err)
		}
		if _, err := s.EnrolMoved(ctx, seat, second.ID, "hr@example.com", now); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("second move into the same session err = %v, want a duplicate", err)
		}
		if _, err := s.SetEnrolmentStatusNoted(ctx, seat.ID, []string{store.EnrolmentEnrolled}, store.EnrolmentCancelled, "hr@example.com", "moved", now); err != nil {
			t.Fatal(err)
		}
		r, err := s.SessionRoster(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Enrolled) != 0 || len(r.Waitlist) != 2 || r.Waitlist[0].ID != late.ID || r.Waitlist[1].ID != early.ID || len(r.Ended) != 1 {
			t.Fatalf("roster = %d enrolled, waitlist %+v, %d ended", len(r.Enrolled), r.Waitlist, len(r.Ended))
		}
		if r.Session.Waitlisted != 2 || r.Session.FreeSeats() != 1 || r.Waitlist[0].Employee == nil {
			t.Errorf("roster counts = %+v", r.Session)
		}
		if to := r.MovedTo[seat.ID]; to == nil || to.ID != moved.ID || to.Session == nil || to.Session.Course == nil || to.Session.Course.Title != "KAM Basics" {
			t.Errorf("moved to = %+v", to)
		}
		r2, err := s.SessionRoster(ctx, second.ID)
		if err != nil || len(r2.Enrolled) != 1 || r2.MovedFrom[seat.ID] == nil || r2.MovedFrom[seat.ID].SessionID != first.ID {
			t.Fatalf("target roster = %+v, %v", r2, err)
		}
		if got, err := s.EnrolmentMovedFrom(ctx, seat.ID); err != nil || got.ID != moved.ID {
			t.Errorf("moved from %d = %+v, %v", seat.ID, got, err)
		}
		if _, err := s.EnrolmentMovedFrom(ctx, late.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("never moved err = %v", err)
		}
		if got, err := s.EnrolmentIn(ctx, first.ID, emps[0].ID); err != nil || got.ID != seat.ID || got.Open() {
			t.Errorf("enrolment in the first session = %+v, %v", got, err)
		}
	})
}

// TestTrainingOutstandingIsTheProgrammesCount: the KAMs a programme's
// training phase waits for are its assigned KAMs neither recorded complete
// nor excused — also when HR's records show every course done — with the
// courses they miss and where they are enrolled.
func TestTrainingOutstandingIsTheProgrammesCount(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		course := &store.Course{Title: "KAM Basics", DurationDays: 1, RequiredKAM: true}
		if err := s.SaveCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		running, _ := s.CreateProgramme(ctx, "Running", "lead@example.com", now)
		closed, _ := s.CreateProgramme(ctx, "Closed", "lead@example.com", now)
		kams := emps[:4]
		seq := 0
		apply := func(p *store.Programme, status string, snap store.ProgrammeSnapshot) {
			t.Helper()
			seq++
			snap.Programme = store.Programme{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: status, CurrentPhase: "training"}
			snap.Event = store.ProgrammeEvent{ProgrammeID: p.ID, Seq: seq, Kind: "x", Actor: "someone@example.com", At: now}
			if err := s.ApplyProgrammeEvent(ctx, snap); err != nil {
				t.Fatal(err)
			}
		}
		var assigned []store.ProgrammeAssignment
		for i, k := range kams[:3] {
			assigned = append(assigned, store.ProgrammeAssignment{CustomerID: custs[i].ID, KAMEmployeeID: k.ID})
		}
		// kams[0] is KAM of two accounts: she counts once.
		assigned = append(assigned, store.ProgrammeAssignment{CustomerID: custs[3].ID, KAMEmployeeID: kams[0].ID})
		apply(running, "active", store.ProgrammeSnapshot{Assignments: assigned})
		apply(closed, "cancelled", store.ProgrammeSnapshot{Assignments: []store.ProgrammeAssignment{{CustomerID: custs[0].ID, KAMEmployeeID: kams[3].ID}}})
		// kams[1]: every course recorded, but the programme was not told.
		if _, _, err := s.RecordExternalTraining(ctx, kams[1].ID, course.ID, now.AddDate(-1, 0, 0), "hr@example.com", "", now); err != nil {
			t.Fatal(err)
		}
		// kams[2]: excused by the committee.
		apply(running, "active", store.ProgrammeSnapshot{Training: []store.ProgrammeTraining{{EmployeeID: kams[2].ID, Exception: true, Note: "experienced"}}})
		ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(30 * time.Hour), Capacity: 3}
		if err := s.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enrol(ctx, ts.ID, kams[0].ID, &running.ID, "hr", now); err != nil {
			t.Fatal(err)
		}
		list, total, err := s.TrainingOutstanding(ctx, 0, store.Page{Number: 1, Size: 25})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || total != 2 {
			t.Fatalf("outstanding = %+v (%d in all), want kams 0 and 1 of the running programme", list, total)
		}
		// Pages of one: in name order, each counting both.
		var paged []string
		for n := 1; n <= 3; n++ {
			page, total, err := s.TrainingOutstanding(ctx, 0, store.Page{Number: n, Size: 1})
			if err != nil || total != 2 {
				t.Fatalf("page %d: total %d, %v; want 2", n, total, err)
			}
			for _, k := range page {
				paged = append(paged, k.Employee.Name)
			}
		}
		if want := []string{list[0].Employee.Name, list[1].Employee.Name}; !slices.Equal(paged, want) || !(want[0] < want[1]) {
			t.Errorf("pages of one = %v, want %v in name order", paged, want)
		}
		byID := map[uint]store.KAMTrainingStanding{}
		for _, k := range list {
			if k.ProgrammeID != running.ID || k.ProgrammeName != "Running" {
				t.Errorf("standing of another programme: %+v", k)
			}
			byID[k.Employee.ID] = k
		}
		if k := byID[kams[0].ID]; len(k.Missing) != 1 || len(k.Enrolments) != 1 || k.Enrolments[0].Session.Course.Title != "KAM Basics" {
			t.Errorf("kam 0 = %+v", k)
		}
		if k, ok := byID[kams[1].ID]; !ok || len(k.Missing) != 0 {
			t.Errorf("kam 1 with every course recorded = %+v, want listed with nothing missing", k)
		}
		// The programme records kams[1] complete; a closed programme is
		// still readable on its own.
		apply(running, "active", store.ProgrammeSnapshot{Training: []store.ProgrammeTraining{{EmployeeID: kams[1].ID, Completed: true}}})
		if list, _, _ := s.TrainingOutstanding(ctx, running.ID, store.Page{}); len(list) != 1 || list[0].Employee.ID != kams[0].ID {
			t.Errorf("after the programme recorded kam 1 = %+v", list)
		}
		if list, _, _ := s.TrainingOutstanding(ctx, closed.ID, store.Page{}); len(list) != 1 || list[0].Employee.ID != kams[3].ID {
			t.Errorf("the closed programme's own standing = %+v", list)
		}
	})
}

// TestProgrammePeople: the people a controller can give a measure to are
// the programme's lead, committee and the users keeping its key accounts,
// each with how they work on it.
func TestProgrammePeople(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		user := func(local string) *store.User {
			u, err := s.UserByEmail(ctx, local+"@"+store.DemoDomain)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		p, err := s.CreateProgramme(ctx, "People", "lead@"+store.DemoDomain, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PlanProgramme(ctx, p.ID, []string{"committee@" + store.DemoDomain}, nil); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID}, now); err != nil {
			t.Fatal(err)
		}
		if err := s.AssignKeyAccount(ctx, p.ID, custs[0].ID, *user("kam").EmployeeID, user("kam2").EmployeeID); err != nil {
			t.Fatal(err)
		}
		people, err := s.ProgrammePeople(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]store.PersonRole{}
		for _, person := range people {
			got[person.Email] = person.Roles
		}
		want := map[string]store.PersonRole{
			"lead@" + store.DemoDomain:      {Kind: store.PersonLead},
			"committee@" + store.DemoDomain: {Kind: store.PersonCommittee},
			"kam@" + store.DemoDomain:       {Kind: store.PersonKAM, Customer: custs[0].Name},
			"kam2@" + store.DemoDomain:      {Kind: store.PersonDeputy, Customer: custs[0].Name},
		}
		if len(got) != len(want) {
			t.Fatalf("people = %+v, want %d", people, len(want))
		}
		for email, role := range want {
			if roles := got[email]; len(roles) != 1 || roles[0] != role {
				t.Errorf("%s = %+v, want %+v", email, roles, role)
			}
		}
		if _, err := s.ProgrammePeople(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown programme err = %v", err)
		}
	})
}
