package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestHandoverRecordKeepsPeopleChecklistAndNotices: what the account page
// and the API show of a handover is in its rows, before and after it ends.
func TestHandoverRecordKeepsPeopleChecklistAndNotices(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		// Ticks lie after the incoming KAM was chosen (now).
		start := time.Now().UTC().Truncate(time.Second).Add(time.Hour)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID}, start); err != nil {
			t.Fatal(err)
		}
		if err := s.AssignKeyAccount(ctx, p.ID, custs[0].ID, emps[0].ID, nil); err != nil {
			t.Fatal(err)
		}
		kas, _ := s.KeyAccounts(ctx, p.ID)
		ka := kas[0]
		items := []string{"knowledge_transfer", "actions_moved"}
		h, err := s.StartHandover(ctx, store.Handover{KeyAccountID: ka.ID, WorkflowID: "handover-x-1", Reason: "left", ReasonNote: "moved abroad",
			OutgoingEmployeeID: emps[0].ID, CoveringEmployeeID: emps[1].ID, StartedBy: "lead@example.com",
			OutgoingEmail: "out@example.com", CoveringEmail: "cover@example.com", LeadEmail: "lead@example.com",
			OutgoingAvailable: false, StallAfterSeconds: 3600}, items)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetHandoverIncoming(ctx, h.ID, emps[2].ID); err != nil {
			t.Fatal(err)
		}
		first, _ := s.HandoverByID(ctx, h.ID)
		if first.IncomingChosenAt == nil {
			t.Fatal("no time of the choice")
		}
		time.Sleep(1100 * time.Millisecond)
		// Repeating the choice (a retried activity) keeps the first time.
		if err := s.SetHandoverIncoming(ctx, h.ID, emps[2].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.TickHandoverItem(ctx, h.ID, "knowledge_transfer", "kamflow", "outgoing KAM unavailable", true, start.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Stall notices come from the outbox, one per key however many recipients.
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "handover-x-1/stalled-1", Recipients: []string{"a@example.com", "b@example.com"}, Subject: "stalls", Body: "b"}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "handover-x-1/started", Recipients: []string{"a@example.com"}, Subject: "started", Body: "b"}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueNotification(ctx, store.NewNotification{Key: "handover-x-10/stalled-1", Recipients: []string{"a@example.com"}, Subject: "another handover", Body: "b"}); err != nil {
			t.Fatal(err)
		}
		notices, err := s.HandoverNotices(ctx, "handover-x-1")
		if err != nil || len(notices) != 1 || notices[0].Kind != "stalled" {
			t.Fatalf("notices = %+v, %v", notices, err)
		}
		if err := s.TickHandoverItem(ctx, h.ID, "actions_moved", "cover@example.com", "all moved", false, start.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteHandover(ctx, h.ID, start.Add(4*time.Hour)); err != nil {
			t.Fatal(err)
		}
		list, err := s.HandoversOf(ctx, ka.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("handovers = %+v, %v", list, err)
		}
		got := list[0]
		if got.Status != "completed" || got.CompletedAt == nil || got.OutgoingEmail != "out@example.com" || got.CoveringEmail != "cover@example.com" ||
			got.LeadEmail != "lead@example.com" || got.OutgoingAvailable || got.StallAfterSeconds != 3600 || got.ReasonNote != "moved abroad" {
			t.Errorf("handover = %+v", got)
		}
		if got.IncomingEmployeeID == nil || *got.IncomingEmployeeID != emps[2].ID || got.IncomingEmail == "" ||
			got.IncomingChosenAt == nil || !got.IncomingChosenAt.Equal(*first.IncomingChosenAt) {
			t.Errorf("incoming = %v %q %v", got.IncomingEmployeeID, got.IncomingEmail, got.IncomingChosenAt)
		}
		if got.Responsible() != emps[2].ID {
			t.Errorf("responsible after completion = %d, want the incoming KAM", got.Responsible())
		}
		if !got.LastProgress().Equal(start.Add(3 * time.Hour)) {
			t.Errorf("last progress = %v", got.LastProgress())
		}
		byItem := map[string]store.HandoverItem{}
		for _, it := range got.Items {
			byItem[it.Item] = it
		}
		kt, am := byItem["knowledge_transfer"], byItem["actions_moved"]
		if !kt.Skipped || kt.DoneBy != "kamflow" || kt.DoneAt == nil || am.Skipped || am.DoneBy != "cover@example.com" || am.Note != "all moved" ||
			am.DoneAt == nil || !am.DoneAt.Equal(start.Add(3*time.Hour)) {
			t.Errorf("checklist = %+v", got.Items)
		}
		if _, err := s.OpenHandoverOf(ctx, ka.ID); err == nil {
			t.Error("a completed handover is still open")
		}
	})
}

// TestJourFixeRecordKeepsWhoWasAsked: the participants are stored when the
// meeting is prepared; a repeat returns them even if relationships changed.
func TestJourFixeRecordKeepsWhoWasAsked(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		custs, _, _ := s.ListCustomers(ctx, store.Page{})
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		p, _ := s.CreateProgramme(ctx, "KAM", "lead@example.com", time.Now())
		now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		if err := s.ConfirmKeyAccounts(ctx, p.ID, []uint{custs[0].ID, custs[1].ID}, now); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if err := s.AssignKeyAccount(ctx, p.ID, custs[i].ID, emps[i].ID, nil); err != nil {
				t.Fatal(err)
			}
		}
		j := &store.JourFixe{WorkflowID: "jf-rec", ProgrammeID: p.ID, MeetingAt: now}
		people, kas, err := s.PrepareJourFixe(ctx, j)
		if err != nil || len(people) != 2 || len(kas) != 2 {
			t.Fatalf("participants = %+v, %v", people, err)
		}
		// A new relationship after preparing does not change who was asked.
		cust, _ := s.Customer(ctx, custs[0].ID)
		if _, err := s.SaveRelationship(ctx, store.Relationship{ContactID: cust.Contacts[0].ID, EmployeeID: emps[3].ID, Quality: 3}); err != nil {
			t.Fatal(err)
		}
		again, _, err := s.PrepareJourFixe(ctx, &store.JourFixe{WorkflowID: "jf-rec", ProgrammeID: p.ID, MeetingAt: now})
		if err != nil || len(again) != 2 {
			t.Fatalf("repeated prepare = %+v, %v", again, err)
		}
		if err := s.SaveJourFixeInput(ctx, store.JourFixeInput{JourFixeID: j.ID, KeyAccountID: people[0].Accounts[0], EmployeeID: people[0].EmployeeID, Satisfaction: 2, Risks: "price"}); err != nil {
			t.Fatal(err)
		}
		r, err := s.JourFixeRecordByID(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Participants) != 2 || r.Participants[0].Email == "" || len(r.Participants[0].Accounts) != 1 {
			t.Errorf("participants = %+v", r.Participants)
		}
		if len(r.Inputs) != 1 || len(r.Pictures) != 1 || r.Pictures[0].Satisfaction != 2 || r.Pictures[0].Risks[0] != "price" {
			t.Errorf("inputs %+v, pictures %+v", r.Inputs, r.Pictures)
		}
	})
}

// TestEnrolmentOutcomeAndWaitlistPlace: how an enrolment ended, with the
// note and time, and a waitlisted one's place in the queue.
func TestEnrolmentOutcomeAndWaitlistPlace(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		course := &store.Course{Title: "Negotiation", DurationDays: 1}
		if err := s.SaveCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(72 * time.Hour), EndsAt: now.Add(80 * time.Hour), Capacity: 1, Place: "Bern"}
		if err := s.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
		var es []*store.Enrolment
		for i := range 3 {
			e, err := s.Enrol(ctx, ts.ID, emps[i].ID, nil, "hr@example.com", now.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, e)
		}
		for i, want := range []int{0, 1, 2} {
			e, _ := s.Enrolment(ctx, es[i].ID)
			if pos, err := s.WaitlistPosition(ctx, e); err != nil || pos != want {
				t.Errorf("enrolment %d: waitlist position %d, %v; want %d", i, pos, err, want)
			}
		}
		at := time.Now().UTC().Truncate(time.Second)
		if ok, err := s.SetEnrolmentStatusNoted(ctx, es[0].ID, []string{store.EnrolmentEnrolled}, store.EnrolmentCompleted, "hr@example.com", " left early but passed ", at); !ok || err != nil {
			t.Fatalf("record attendance = %v, %v", ok, err)
		}
		// A repeat (retried activity) changes nothing.
		if ok, _ := s.SetEnrolmentStatusNoted(ctx, es[0].ID, []string{store.EnrolmentEnrolled}, store.EnrolmentCompleted, "hr@example.com", "other", at.Add(time.Hour)); ok {
			t.Error("a repeated attendance changed the enrolment")
		}
		e, _ := s.Enrolment(ctx, es[0].ID)
		if e.Status != store.EnrolmentCompleted || e.StatusNote != "left early but passed" || e.StatusAt == nil || !e.StatusAt.Equal(at) || e.UpdatedBy != "hr@example.com" {
			t.Errorf("completed enrolment = %+v", e)
		}
		rec, _, err := s.RecordedEnrolments(ctx, at.Add(-time.Hour), store.Page{})
		if err != nil || len(rec) != 1 || rec[0].ID != es[0].ID {
			t.Fatalf("recorded = %+v, %v", rec, err)
		}
		// Read with its session's start, course and employee in one statement.
		if r := rec[0]; r.EmployeeID != emps[0].ID || r.EmployeeName != emps[0].Name || r.SessionID != ts.ID || !r.SessionStartsAt.Equal(ts.StartsAt) ||
			r.CourseTitle != "Negotiation" || r.Status != store.EnrolmentCompleted || r.UpdatedBy != "hr@example.com" || r.StatusNote != "left early but passed" ||
			r.StatusAt == nil || !r.StatusAt.Equal(at) {
			t.Errorf("recorded enrolment = %+v", r)
		}
		// Awaiting attendance: the enrolled of a session that has started.
		early := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(32 * time.Hour), Capacity: 2, Place: "Basel"}
		if err := s.SaveSession(ctx, early); err != nil {
			t.Fatal(err)
		}
		held, err := s.Enrol(ctx, early.ID, emps[3].ID, nil, "hr@example.com", now)
		if err != nil {
			t.Fatal(err)
		}
		if waiting, total, err := s.EnrolmentsAwaitingAttendance(ctx, now, store.Page{}); err != nil || len(waiting) != 0 || total != 0 {
			t.Errorf("awaiting before any session began = %d (%d), %v", len(waiting), total, err)
		}
		waiting, total, err := s.EnrolmentsAwaitingAttendance(ctx, now.Add(48*time.Hour), store.Page{})
		if err != nil || total != 1 || len(waiting) != 1 || waiting[0].ID != held.ID || waiting[0].EmployeeID != emps[3].ID || waiting[0].EmployeeName != emps[3].Name ||
			waiting[0].SessionID != early.ID || !waiting[0].SessionStartsAt.Equal(early.StartsAt) || waiting[0].CourseTitle != "Negotiation" || waiting[0].StatusAt != nil {
			t.Errorf("awaiting after the Basel session began = %+v (%d), %v; want %d with its employee, session and course", waiting, total, err, held.ID)
		}
		if rec, _, _ := s.RecordedEnrolments(ctx, at.Add(time.Hour), store.Page{}); len(rec) != 0 {
			t.Errorf("recorded since later = %d", len(rec))
		}
	})
}

// TestRecordedEnrolmentsListEveryOutcomeNewestFirst: the desk's recorded
// list holds the completed, not attended and cancelled enrolments since a
// time, newest first, a page at a time with their count; enrolled and
// waitlisted ones are not in it, whenever their status last changed.
func TestRecordedEnrolmentsListEveryOutcomeNewestFirst(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		emps, _, _ := s.ListEmployees(ctx, store.Page{})
		if len(emps) < 5 {
			t.Fatalf("demo staff = %d, want 5 or more", len(emps))
		}
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		course := &store.Course{Title: "Präsentieren", DurationDays: 1}
		if err := s.SaveCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		ts := &store.TrainingSession{CourseID: course.ID, StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(32 * time.Hour), Capacity: 10, Place: "Luzern"}
		if err := s.SaveSession(ctx, ts); err != nil {
			t.Fatal(err)
		}
		var ids []uint
		for _, e := range emps[:5] {
			en, err := s.Enrol(ctx, ts.ID, e.ID, nil, "hr@example.com", now)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, en.ID)
		}
		at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
		for i, step := range []struct {
			to string
			at time.Time
		}{
			{store.EnrolmentCompleted, at(40)}, {store.EnrolmentNoShow, at(41)}, {store.EnrolmentCancelled, at(42)},
			{store.EnrolmentEnrolled, at(43)}, {store.EnrolmentWaitlisted, at(44)}, // changed later, but open
		} {
			if ok, err := s.SetEnrolmentStatusNoted(ctx, ids[i], []string{store.EnrolmentEnrolled}, step.to, "hr@example.com", "", step.at); !ok || err != nil {
				t.Fatalf("enrolment %d to %s = %v, %v", i, step.to, ok, err)
			}
		}
		for _, tc := range []struct {
			page store.Page
			want []uint
		}{
			{store.Page{Number: 1, Size: 10}, []uint{ids[2], ids[1], ids[0]}},
			{store.Page{Number: 1, Size: 2}, []uint{ids[2], ids[1]}},
			{store.Page{Number: 2, Size: 2}, []uint{ids[0]}},
			{store.Page{Number: 3, Size: 2}, nil},
		} {
			got, total, err := s.RecordedEnrolments(ctx, at(30), tc.page)
			var gotIDs []uint
			for _, e := range got {
				gotIDs = append(gotIDs, e.ID)
			}
			if err != nil || total != 3 || !slices.Equal(gotIDs, tc.want) {
				t.Errorf("recorded, page %+v = %v of %d, %v; want %v of 3", tc.page, gotIDs, total, err, tc.want)
			}
		}
		if got, total, err := s.RecordedEnrolments(ctx, at(41), store.Page{}); err != nil || total != 2 || len(got) != 2 || got[0].ID != ids[2] {
			t.Errorf("recorded since the no-show = %d of %d, %v; want the cancellation and the no-show", len(got), total, err)
		}
	})
}
