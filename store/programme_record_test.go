package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestProgrammeRecordAppliesEventsOnceAndInOrderOfSeq applies events late,
// twice and out of order, as retried activities of concurrent updates do:
// each row ends as the newest event that touched it left it.
func TestProgrammeRecordAppliesEventsOnceAndInOrderOfSeq(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
		p, err := s.CreateProgramme(ctx, "Rollout", "lead@x.test", start)
		if err != nil {
			t.Fatal(err)
		}
		at := func(seq int) time.Time { return start.Add(time.Duration(seq) * time.Hour) }
		header := func(seq int, status, current string) store.Programme {
			return store.Programme{ID: p.ID, Name: "Rollout", LeadEmail: "lead@x.test", Status: status, CurrentPhase: current, StartDate: start, FocusLimit: 10}
		}
		event := func(seq int, kind string) store.ProgrammeEvent {
			return store.ProgrammeEvent{ProgrammeID: p.ID, Seq: seq, Kind: kind, Actor: "lead@x.test", At: at(seq)}
		}
		phase := func(name string, pos int, status, result string) store.ProgrammePhase {
			return store.ProgrammePhase{Phase: name, Position: pos, Status: status, Due: start.AddDate(0, pos+1, 0), Responsible: "lead@x.test", Result: result}
		}
		e1 := store.ProgrammeSnapshot{
			Programme: header(1, "active", "setup"), Event: event(1, "created"), Committee: []string{"c@x.test"},
			Phases:      []store.ProgrammePhase{phase("setup", 0, "in_progress", ""), phase("strategy", 1, "pending", "")},
			CriteriaSet: true, CandidatesReplaced: true,
		}
		e2 := store.ProgrammeSnapshot{
			Programme: header(2, "active", "strategy"), Event: event(2, "criteria_set"),
			Phases:      []store.ProgrammePhase{phase("setup", 0, "in_progress", "draft")},
			CriteriaSet: true,
			Criteria: []store.ProgrammeCriterion{
				{CriterionKey: "revenue", Name: "Revenue", Measure: "> 1 M"},
				{CriterionKey: "fit", Name: "Strategic fit", Measure: "workshop"},
				{CriterionKey: "growth", Name: "Growth", Measure: "plan"},
			},
		}
		e2.Programme.Threshold = 2
		e3 := store.ProgrammeSnapshot{
			Programme: header(3, "active", "strategy"), Event: event(3, "selection_computed"),
			Phases:             []store.ProgrammePhase{phase("setup", 0, "done", "final result"), phase("strategy", 1, "in_progress", "")},
			CandidatesReplaced: true,
			Candidates: []store.ProgrammeCandidate{
				{CustomerID: 7, Position: 0, CustomerName: "Alpen AG", Met: "revenue,fit"},
				{CustomerID: 9, Position: 1, CustomerName: "Basel GmbH", Met: "fit,growth"},
			},
		}
		e4 := store.ProgrammeSnapshot{
			Programme: header(4, "active", "strategy"), Event: event(4, "candidate_decided"),
			Candidates: []store.ProgrammeCandidate{{CustomerID: 7, Position: 0, CustomerName: "Alpen AG", Met: "revenue,fit", Decision: "confirmed", DecidedBy: "lead@x.test"}},
		}
		deputy := uint(12)
		e5 := store.ProgrammeSnapshot{
			Programme: header(5, "paused", "strategy"), Event: event(5, "plan_approved"),
			Assignments:   []store.ProgrammeAssignment{{CustomerID: 7, KAMEmployeeID: 11, DeputyEmployeeID: &deputy, AssignedBy: "lead@x.test"}},
			Training:      []store.ProgrammeTraining{{EmployeeID: 11, Completed: true, RecordedBy: "hr@x.test"}},
			PlanApprovals: []store.ProgrammePlanApproval{{CustomerID: 7, ApprovedBy: "c@x.test", ApprovedAt: at(5)}},
		}
		e5.Programme.CancelReason = ""
		for _, snap := range []store.ProgrammeSnapshot{e1, e3, e2, e3, e5, e4, e4, e1} {
			if err := s.ApplyProgrammeEvent(ctx, snap); err != nil {
				t.Fatalf("apply %d: %v", snap.Event.Seq, err)
			}
		}
		rec, err := s.ProgrammeRecordByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Programme.Status != "paused" || rec.Programme.LastEventSeq != 5 || rec.Programme.Threshold != 2 {
			t.Errorf("header = %s seq %d threshold %d, want paused 5 2", rec.Programme.Status, rec.Programme.LastEventSeq, rec.Programme.Threshold)
		}
		if len(rec.Phases) != 2 || rec.Phases[0].Status != "done" || rec.Phases[0].Result != "final result" || rec.Phases[1].Status != "in_progress" {
			t.Errorf("phases = %+v; want setup done with its final result (event 3), strategy in progress", rec.Phases)
		}
		if len(rec.Criteria) != 3 || rec.Criteria[0].CriterionKey != "revenue" || rec.Criteria[2].Measure != "plan" {
			t.Errorf("criteria = %+v", rec.Criteria)
		}
		if len(rec.Candidates) != 2 || rec.Candidates[0].Decision != "confirmed" || rec.Candidates[1].Decision != "" ||
			len(rec.Candidates[0].MetKeys()) != 2 {
			t.Errorf("candidates = %+v; want Alpen confirmed, Basel open", rec.Candidates)
		}
		if len(rec.Assignments) != 1 || rec.Assignments[0].DeputyEmployeeID == nil || *rec.Assignments[0].DeputyEmployeeID != 12 {
			t.Errorf("assignments = %+v", rec.Assignments)
		}
		if len(rec.Training) != 1 || !rec.Training[0].Completed || len(rec.PlanApprovals) != 1 || rec.PlanApprovals[0].ApprovedBy != "c@x.test" {
			t.Errorf("training = %+v, plans = %+v", rec.Training, rec.PlanApprovals)
		}
		if len(rec.Committee) != 1 || rec.Committee[0] != "c@x.test" {
			t.Errorf("committee = %v", rec.Committee)
		}
		// The selection's part of the record: the same programme, phases,
		// committee, criteria and candidates, without the later lists.
		sel, err := s.ProgrammeSelectionRecordByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sel.Programme.LastEventSeq != 5 || len(sel.Phases) != len(rec.Phases) || len(sel.Criteria) != 3 ||
			len(sel.Candidates) != 2 || sel.Candidates[0].Decision != "confirmed" || len(sel.Committee) != 1 {
			t.Errorf("selection record = %+v; want the record's programme, phases, criteria, candidates and committee", sel)
		}
		if len(sel.Assignments)+len(sel.Training)+len(sel.PlanApprovals)+len(sel.Conflicts)+len(sel.Briefings) != 0 {
			t.Errorf("selection record loaded the later phases' lists: %+v", sel)
		}
		if _, err := s.ProgrammeSelectionRecordByID(ctx, p.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown programme's selection record: %v, want ErrNotFound", err)
		}
		// The page's record: all of it but the later lists not wanted for
		// the programme, which the choice sees (here at its strategy).
		var seenPhase string
		page, err := s.ProgrammePageRecordByID(ctx, p.ID, func(pr store.Programme) store.LaterLists {
			seenPhase = pr.CurrentPhase
			return store.LaterLists{Training: true}
		})
		if err != nil {
			t.Fatal(err)
		}
		if seenPhase != "strategy" || len(page.Phases) != len(rec.Phases) || len(page.Candidates) != 2 || len(page.Committee) != 1 {
			t.Errorf("page record at %q = %+v; want the record's programme, phases, candidates and committee", seenPhase, page)
		}
		if len(page.Training) != 1 || len(page.Assignments)+len(page.PlanApprovals) != 0 {
			t.Errorf("page record's later lists: assignments %v, training %v, plans %v; want the training alone", page.Assignments, page.Training, page.PlanApprovals)
		}
		if _, err := s.ProgrammePageRecordByID(ctx, p.ID+100, func(store.Programme) store.LaterLists { return store.LaterLists{} }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown programme's page record: %v, want ErrNotFound", err)
		}
		events, err := s.ProgrammeEvents(ctx, p.ID)
		if err != nil || len(events) != 5 {
			t.Fatalf("audit = %d events, %v; want 5, each once", len(events), err)
		}
		// Its pages, newest first, with the count: a page not full is
		// the count; a full one and one past the end are counted.
		for _, tc := range []struct {
			page          store.Page
			firstSeq, len int
		}{{store.Page{Number: 1, Size: 25}, 5, 5}, {store.Page{Number: 1, Size: 5}, 5, 5}, {store.Page{Number: 2, Size: 2}, 3, 2}, {store.Page{Number: 4, Size: 2}, 0, 0}} {
			got, total, err := s.ProgrammeEventsPage(ctx, p.ID, tc.page)
			if err != nil || total != 5 || len(got) != tc.len || (tc.len > 0 && got[0].Seq != tc.firstSeq) {
				t.Errorf("audit page %+v = %d events of %d, %v; want %d of 5 from seq %d", tc.page, len(got), total, err, tc.len, tc.firstSeq)
			}
		}
		if got, total, err := s.ProgrammeEventsPage(ctx, p.ID+100, store.Page{}); err != nil || total != 0 || len(got) != 0 {
			t.Errorf("unknown programme's audit page = %d of %d, %v; want none", len(got), total, err)
		}

		// A list computed anew replaces the old one whole; a decision
		// numbered before it but applied after it is ignored.
		e7 := store.ProgrammeSnapshot{
			Programme: header(7, "active", "strategy"), Event: event(7, "selection_computed"), CandidatesReplaced: true,
			Candidates: []store.ProgrammeCandidate{{CustomerID: 9, Position: 0, CustomerName: "Basel GmbH", Met: "fit,growth"}},
		}
		d6 := e4
		d6.Event = event(6, "candidate_decided")
		for _, snap := range []store.ProgrammeSnapshot{e7, d6} {
			if err := s.ApplyProgrammeEvent(ctx, snap); err != nil {
				t.Fatal(err)
			}
		}
		rec, _ = s.ProgrammeRecordByID(ctx, p.ID)
		if len(rec.Candidates) != 1 || rec.Candidates[0].CustomerID != 9 {
			t.Errorf("candidates after recompute = %+v, want only Basel", rec.Candidates)
		}
		if _, err := s.ProgrammeRecordByID(ctx, p.ID+100); err == nil {
			t.Error("unknown programme: want ErrNotFound")
		}
	})
}

// TestRolloutRecordKeepsTheNewestConflict: a conflict's resolution is not
// undone by its logging applied late; briefings are kept once; whether the
// roll-out waits for them travels with the header.
func TestRolloutRecordKeepsTheNewestConflict(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
		p, err := s.CreateProgramme(ctx, "Rollout", "lead@x.test", start)
		if err != nil {
			t.Fatal(err)
		}
		snap := func(seq int, kind string) store.ProgrammeSnapshot {
			return store.ProgrammeSnapshot{
				Programme: store.Programme{ID: p.ID, Name: "Rollout", LeadEmail: "lead@x.test", Status: "active", CurrentPhase: "rollout", StartDate: start, RolloutChecks: true},
				Event:     store.ProgrammeEvent{ProgrammeID: p.ID, Seq: seq, Kind: kind, Actor: "lead@x.test", At: start.Add(time.Duration(seq) * time.Hour)},
			}
		}
		conflict := store.ProgrammeConflict{ConflictID: 1, What: "Orders jump the queue", Parties: "sales and production", LoggedBy: "lead@x.test", LoggedAt: start}
		logged := snap(1, "conflict_logged")
		logged.Conflicts = []store.ProgrammeConflict{conflict}
		resolvedAt := start.Add(2 * time.Hour)
		resolved := snap(2, "conflict_resolved")
		conflict.Resolution, conflict.ResolvedBy, conflict.ResolvedAt = "A weekly slot", "lead@x.test", &resolvedAt
		resolved.Conflicts = []store.ProgrammeConflict{conflict}
		briefed := snap(3, "staff_informed")
		briefed.Briefings = []store.ProgrammeBriefing{{BriefingID: 1, InformedOn: start, Channel: "staff_meeting", Groups: "Sales\nService",
			KeyAccountsNamed: true, RecordedBy: "lead@x.test", RecordedAt: start}}
		for _, sn := range []store.ProgrammeSnapshot{resolved, briefed, logged, briefed} {
			if err := s.ApplyProgrammeEvent(ctx, sn); err != nil {
				t.Fatalf("apply %d: %v", sn.Event.Seq, err)
			}
		}
		rec, err := s.ProgrammeRecordByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Programme.RolloutChecks {
			t.Error("the header lost rollout_checks")
		}
		if len(rec.Conflicts) != 1 || rec.Conflicts[0].Resolution != "A weekly slot" || rec.Conflicts[0].ResolvedAt == nil {
			t.Errorf("conflicts = %+v, want the resolution kept", rec.Conflicts)
		}
		if len(rec.Briefings) != 1 || len(rec.Briefings[0].GroupList()) != 2 || rec.Briefings[0].GroupList()[1] != "Service" {
			t.Errorf("briefings = %+v", rec.Briefings)
		}
	})
}

// TestSuggestKAMsMatchesHierarchy: the proposed KAM is the qualified
// employee nearest to the customer's most senior contact ("Chef zu Chef"),
// the more senior one on a tie; unqualified and archived people are never
// proposed, and a customer without contacts gets no proposal.
func TestSuggestKAMsMatchesHierarchy(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		board := &store.Customer{Name: "Board Corp"}
		dept := &store.Customer{Name: "Dept GmbH"}
		none := &store.Customer{Name: "Silent AG"}
		for _, c := range []*store.Customer{board, dept, none} {
			if err := s.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []*store.Contact{
			{CustomerID: board.ID, Name: "CEO", HierarchyLevel: store.LevelBoard},
			{CustomerID: board.ID, Name: "Buyer", HierarchyLevel: store.LevelSpecialist},
			{CustomerID: dept.ID, Name: "Head of purchasing", HierarchyLevel: store.LevelDepartmentHead},
		} {
			if err := s.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		emps := map[string]*store.Employee{}
		for _, e := range []*store.Employee{
			{Name: "Manager", Email: "m@x.test", HierarchyLevel: store.LevelManagement, KAMQualified: true},
			{Name: "Specialist", Email: "s@x.test", HierarchyLevel: store.LevelSpecialist, KAMQualified: true},
			{Name: "Unqualified CEO", Email: "ceo@x.test", HierarchyLevel: store.LevelBoard},
		} {
			if err := s.CreateEmployee(ctx, e); err != nil {
				t.Fatal(err)
			}
			emps[e.Name] = e
		}
		got, err := s.SuggestKAMs(ctx, []uint{dept.ID, board.ID, none.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].CustomerID != dept.ID || got[1].CustomerID != board.ID || got[2].CustomerID != none.ID {
			t.Fatalf("suggestions = %+v, want one per customer in the asked order", got)
		}
		// Department head: manager and specialist are one level away; the more senior wins.
		if got[0].Employee == nil || got[0].Employee.ID != emps["Manager"].ID || got[0].TopLevel != store.LevelDepartmentHead {
			t.Errorf("department head's customer: %+v", got[0])
		}
		// Board: the unqualified CEO is not proposed; the manager is nearest.
		if got[1].Employee == nil || got[1].Employee.ID != emps["Manager"].ID || got[1].TopLevel != store.LevelBoard {
			t.Errorf("board customer: %+v", got[1])
		}
		if got[2].HasContacts || got[2].Employee != nil {
			t.Errorf("customer without contacts: %+v", got[2])
		}
		// A handover's incoming KAM is never the outgoing one: the next nearest.
		in, err := s.SuggestIncomingKAM(ctx, board.ID, emps["Manager"].ID)
		if err != nil || in.Employee == nil || in.Employee.ID != emps["Specialist"].ID || in.TopLevel != store.LevelBoard {
			t.Errorf("incoming KAM when the manager goes: %+v, %v", in, err)
		}
	})
}

// TestReplayedEventChangesNothing: an event applied again — a retried
// activity — is recognised as applied on both databases (MariaDB answers
// a skipped insert with its row when asked to return IDs), so its word on
// a KAM's training does not overwrite a later one.
func TestReplayedEventChangesNothing(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
		p, err := s.CreateProgramme(ctx, "Rollout", "lead@x.test", start)
		if err != nil {
			t.Fatal(err)
		}
		snap := func(seq int, note string) store.ProgrammeSnapshot {
			at := start.Add(time.Duration(seq) * time.Hour)
			return store.ProgrammeSnapshot{
				Programme:    store.Programme{ID: p.ID, Name: "Rollout", LeadEmail: "lead@x.test", Status: "active", CurrentPhase: "training", StartDate: start, FocusLimit: 10},
				Event:        store.ProgrammeEvent{ProgrammeID: p.ID, Seq: seq, Kind: "training_exception", Actor: "hr@x.test", At: at},
				TrainingFact: &store.TrainingFact{EmployeeID: 11, Exception: true, Note: note, By: "hr@x.test", At: at},
			}
		}
		for _, s2 := range []store.ProgrammeSnapshot{snap(1, "first word"), snap(2, "second word"), snap(1, "first word")} {
			if err := s.ApplyProgrammeEvent(ctx, s2); err != nil {
				t.Fatalf("apply %d: %v", s2.Event.Seq, err)
			}
		}
		var notes []string
		if err := s.DB().Table("training_exceptions").Where("programme_id = ? AND employee_id = 11", p.ID).Pluck("note", &notes).Error; err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0] != "second word" {
			t.Fatalf("exception notes = %q; want the second word, not the replayed first", notes)
		}
	})
}
