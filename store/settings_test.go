package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// A user's own language and time zone are stored together and come back
// with her session; a new user has none (the site's default zone).
func TestUserSettingsComeBackWithTheSession(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.NewUser{Email: "zone@example.test", Name: "Zone", Password: "a long enough secret"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		token, _, err := s.CreateSession(ctx, u.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := s.SessionUser(ctx, token, now)
		if err != nil || got.TimeZone != "" {
			t.Fatalf("new user's zone = %q, %v; want empty", got.TimeZone, err)
		}
		if err := s.SetUserSettings(ctx, u.ID, "de", "America/New_York"); err != nil {
			t.Fatal(err)
		}
		_, got, err = s.SessionUser(ctx, token, now)
		if err != nil || got.TimeZone != "America/New_York" || got.Language != "de" {
			t.Fatalf("settings = %q %q, %v; want de America/New_York", got.Language, got.TimeZone, err)
		}
		if err := s.SetUserSettings(ctx, u.ID, "fr", ""); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("language fr: err = %v, want ErrInvalid", err)
		}
		if err := s.SetUserSettings(ctx, u.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		if byID, err := s.UserByID(ctx, u.ID); err != nil || byID.TimeZone != "" || byID.Language != "" {
			t.Fatalf("after reset = %+v, %v", byID, err)
		}
	})
}
