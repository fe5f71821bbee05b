package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestListProgrammesPagesAndCounts: the started programmes, newest first,
// a page at a time with how many there are in all, whether the page was
// full (counted) or not (its length is the count); a programme still
// starting is in neither.
func TestListProgrammesPagesAndCounts(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx, now := t.Context(), time.Now().UTC().Truncate(time.Second)
		var ids []uint
		for i := range 5 {
			p, err := s.CreateProgramme(ctx, fmt.Sprintf("Programm %d", i), "lead@example.com", now)
			if err != nil {
				t.Fatal(err)
			}
			if i == 4 {
				break // still starting: its workflow has not begun
			}
			if err := s.DB().Model(&store.Programme{}).Where("id = ?", p.ID).Update("status", "active").Error; err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		for _, tc := range []struct {
			page      store.Page
			wantFirst uint
			wantLen   int
		}{
			{store.Page{Number: 1, Size: 10}, ids[3], 4}, // not full: its length is the count
			{store.Page{Number: 1, Size: 4}, ids[3], 4},  // full: counted
			{store.Page{Number: 1, Size: 3}, ids[3], 3},
			{store.Page{Number: 2, Size: 3}, ids[0], 1},
			{store.Page{Number: 3, Size: 3}, 0, 0},
		} {
			got, total, err := s.ListProgrammes(ctx, tc.page)
			if err != nil || total != 4 || len(got) != tc.wantLen || (tc.wantLen > 0 && got[0].ID != tc.wantFirst) {
				t.Errorf("page %+v = %d programmes of %d, %v; want %d of 4 from %d", tc.page, len(got), total, err, tc.wantLen, tc.wantFirst)
			}
			for _, p := range got {
				if p.Status == "starting" {
					t.Errorf("page %+v lists the starting programme %d", tc.page, p.ID)
				}
			}
		}
		// The rows scanned by hand are what gorm reads of the same
		// programmes, field by field, with every nullable column set.
		paused := now.Add(-time.Hour)
		if err := s.DB().Model(&store.Programme{}).Where("id = ?", ids[1]).Updates(map[string]any{
			"paused_at": paused, "cancel_reason": "Budget", "focus_limit": 12, "threshold": 2, "criteria_seq": 3, "candidates_seq": 4,
			"rollout_checks": true, "phases_total": 11, "phases_done": 5, "next_due": now.AddDate(0, 1, 0), "last_event_seq": 9,
		}).Error; err != nil {
			t.Fatal(err)
		}
		got, _, err := s.ListProgrammes(ctx, store.Page{Number: 1, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		var whole []store.Programme
		if err := s.DB().Where("status <> ?", "starting").Order("id DESC").Find(&whole).Error; err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, whole) {
			t.Errorf("listed programmes = %+v\nread by gorm: %+v", got, whole)
		}
		if got[2].ID != ids[1] || got[2].PausedAt == nil || got[2].CancelReason != "Budget" || !got[2].RolloutChecks || got[2].NextDue == nil {
			t.Errorf("programme %d = %+v; want its pause, cancel reason, roll-out checks and next due date", ids[1], got[2])
		}
	})
}

// TestProgrammeChoicesOfferTheListedProgrammes: a select of programmes
// offers what ListProgrammes lists — no programme still starting, newest
// first — with each one's ID and name, and at most MaxPageSize of them.
func TestProgrammeChoicesOfferTheListedProgrammes(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx, now := t.Context(), time.Now().UTC()
		if got, err := s.ProgrammeChoices(ctx); err != nil || len(got) != 0 {
			t.Fatalf("choices without programmes = %v, %v", got, err)
		}
		var want []store.ProgrammeChoice
		for i := 0; len(want) < store.MaxPageSize+2; i++ {
			p, err := s.CreateProgramme(ctx, fmt.Sprintf("Programm %03d", i), "lead@example.com", now)
			if err != nil {
				t.Fatal(err)
			}
			if i%7 == 3 {
				continue // still starting
			}
			if err := s.DB().Model(&store.Programme{}).Where("id = ?", p.ID).Update("status", "active").Error; err != nil {
				t.Fatal(err)
			}
			want = append([]store.ProgrammeChoice{{ID: p.ID, Name: p.Name}}, want...)
		}
		want = want[:store.MaxPageSize]
		got, err := s.ProgrammeChoices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("choices = %v\nwant %v", got, want)
		}
		listed, _, err := s.ListProgrammes(ctx, store.Page{Number: 1, Size: store.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range listed {
			if got[i].ID != p.ID || got[i].Name != p.Name {
				t.Fatalf("choice %d = %+v; the list shows %d %q", i, got[i], p.ID, p.Name)
			}
		}
	})
}

// TestProgrammeSummariesAreTheListedProgrammes: the start pages' summaries
// are ListProgrammes' programmes, page by page in its order with its
// total, each with the fields a list shows as its row holds them.
func TestProgrammeSummariesAreTheListedProgrammes(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx, now := t.Context(), time.Now().UTC().Truncate(time.Second)
		if got, total, err := s.ProgrammeSummaries(ctx, store.Page{}); err != nil || len(got) != 0 || total != 0 {
			t.Fatalf("summaries without programmes = %v of %d, %v", got, total, err)
		}
		for i := range 8 {
			p, err := s.CreateProgramme(ctx, fmt.Sprintf("Programm %d", i), fmt.Sprintf("lead%d@example.com", i), now)
			if err != nil {
				t.Fatal(err)
			}
			if i == 5 {
				continue // still starting: not listed
			}
			status := []string{"active", "paused", "completed", "cancelled"}[i%4]
			upd := map[string]any{"status": status, "current_phase": []string{"setup", "strategy", "criteria", "training"}[i%4],
				"phases_done": i, "phases_total": 11}
			if i%2 == 0 {
				upd["next_due"] = now.AddDate(0, 0, i-3)
			}
			if err := s.DB().Model(&store.Programme{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, page := range []store.Page{{Number: 1, Size: 3}, {Number: 2, Size: 3}, {Number: 3, Size: 3}, {Number: 1, Size: 25}} {
			listed, wantTotal, err := s.ListProgrammes(ctx, page)
			if err != nil {
				t.Fatal(err)
			}
			got, total, err := s.ProgrammeSummaries(ctx, page)
			if err != nil || total != wantTotal || total != 7 || len(got) != len(listed) {
				t.Fatalf("page %+v = %d of %d, %v; want the %d of %d listed", page, len(got), total, err, len(listed), wantTotal)
			}
			for i, p := range listed {
				want := store.ProgrammeSummary{ID: p.ID, Name: p.Name, LeadEmail: p.LeadEmail, Status: p.Status, CurrentPhase: p.CurrentPhase,
					PhasesDone: p.PhasesDone, PhasesTotal: p.PhasesTotal, NextDue: p.NextDue}
				g := got[i]
				if g.NextDue != nil && want.NextDue != nil && g.NextDue.Equal(*want.NextDue) {
					g.NextDue = want.NextDue
				}
				if !reflect.DeepEqual(g, want) {
					t.Errorf("page %+v, row %d = %+v; the list's programme is %+v", page, i, got[i], want)
				}
			}
		}
	})
}
