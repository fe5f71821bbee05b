package store_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

func TestCheckNewPassword(t *testing.T) {
	refused := map[string]string{
		"aaaaaaaaaa":             "ten characters (the issue's example)",
		"aaaaaaaaaaaa":           "one character repeated",
		"short-pass1":            "eleven characters",
		"abcabcabcabc":           "a pattern repeated",
		"111222333111":           "three distinct characters",
		"karl.meier-2026!":       "contains the local part",
		"KARL.MEIER@EXAMPLE.COM": "the e-mail address",
		"qwertyuiop12":           "a common password with digits appended",
		"password123456":         "a common password with digits appended",
		"baseball1234":           "a common password with digits appended",
	}
	for pw, why := range refused {
		err := store.CheckNewPassword("karl.meier@example.com", pw)
		var inv *store.InvalidError
		if !errors.As(err, &inv) || inv.Field != "password" {
			t.Errorf("%q (%s) = %v; want an invalid password", pw, why, err)
		}
	}
	for _, pw := range []string{"correct horse battery staple", "Vier-Wälder-See-2026", "tR8#kq2!Lm0zP"} {
		if err := store.CheckNewPassword("karl.meier@example.com", pw); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
	// A short local part is not a reason to refuse every password holding its letters.
	if err := store.CheckNewPassword("al@example.com", "calm ocean lighthouse"); err != nil {
		t.Errorf("short local part: %v", err)
	}
}

func TestCommonPasswordListIsEmbedded(t *testing.T) {
	// Twelve characters and more, yet on the list of the most common ones.
	for _, pw := range []string{"qwerty123456", "administrator", "1qaz2wsx3edc", "Unbelievable!!"} {
		err := store.CheckNewPassword("x@example.com", pw)
		if err == nil {
			t.Errorf("%q accepted", pw)
		}
	}
}

func TestTextProblem(t *testing.T) {
	cases := []struct {
		field, value string
		bad          bool
	}{
		{"place", "Basel\rATTENDEE:mailto:x@example.com", true},
		{"place", "Basel\nZürich", true},
		{"place", "Basel\tZürich", true},
		{"title", "Plan\x00", true},
		{"owner_email", "a@example.com\r\nBcc: b@example.com", true},
		{"place", "Basel, Messeplatz 1", false},
		{"notes", "line one\r\nline two\n\tindented", false},
		{"notes", "line one\rline two", true},
		{"agenda", "bell\x07", true},
		{"description", "del\x7f", true},
	}
	for _, c := range cases {
		if got := store.TextProblem(c.field, c.value); (got != "") != c.bad {
			t.Errorf("TextProblem(%q, %q) = %q; want bad=%v", c.field, c.value, got, c.bad)
		}
	}
}

func TestFiniteNumbersOnly(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			if err := s.CreateCustomer(ctx, &store.Customer{Name: "NaN AG", MarginPercent: v}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("customer margin %v: %v", v, err)
			}
			if err := s.SaveCourse(ctx, &store.Course{Title: "NaN course", DurationDays: v}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("course duration %v: %v", v, err)
			}
		}
	})
}

func TestAPITokenExpiry(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.NewUser{Email: "api@example.test", Name: "API", Password: "x"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		exp, err := store.TokenExpiry(now, 90)
		if err != nil || !exp.Equal(now.AddDate(0, 0, 90)) {
			t.Fatalf("TokenExpiry(90) = %v, %v", exp, err)
		}
		if _, err := store.TokenExpiry(now, -1); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("TokenExpiry(-1) = %v", err)
		}
		if never, err := store.TokenExpiry(now, 0); never != nil || err != nil {
			t.Errorf("TokenExpiry(0) = %v, %v; want no expiry", never, err)
		}
		expiring, err := s.CreateExpiringAPIToken(ctx, u.ID, "CRM", exp)
		if err != nil {
			t.Fatal(err)
		}
		forever, err := s.CreateAPIToken(ctx, u.ID, "forever")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.APITokenUser(ctx, expiring, now.AddDate(0, 0, 89)); err != nil {
			t.Errorf("before expiry: %v", err)
		}
		if _, err := s.APITokenUser(ctx, expiring, now.AddDate(0, 0, 90)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("at expiry: %v; want not found", err)
		}
		if _, err := s.APITokenUser(ctx, forever, now.AddDate(20, 0, 0)); err != nil {
			t.Errorf("token without expiry: %v", err)
		}
		tokens, err := s.ListAPITokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, tk := range tokens {
			if tk.Name == "CRM" {
				found = tk.ExpiresAt != nil && tk.ExpiresAt.Equal(*exp)
			}
		}
		if !found {
			t.Errorf("listed tokens do not show the expiry: %+v", tokens)
		}
	})
}

func TestDisablingAUserRevokesTokensAndFeeds(t *testing.T) {
	storetest.ForEachDriver(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.NewUser{Email: "leaver@example.test", Name: "Leaver", Password: "x", Roles: []store.Role{store.RoleKAM}})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		api, err := s.CreateAPIToken(ctx, u.ID, "script")
		if err != nil {
			t.Fatal(err)
		}
		feed, err := s.NewCalendarToken(ctx, u.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		change := store.UserChange{ID: u.ID, Name: "Leaver", Roles: []store.Role{store.RoleKAM}, Disabled: true, At: now}
		if err := s.UpdateUser(ctx, change); err != nil {
			t.Fatal(err)
		}
		change.Disabled = false
		if err := s.UpdateUser(ctx, change); err != nil {
			t.Fatal(err)
		}
		// Enabled again, she signs in, but what she had handed out stays dead.
		if _, err := s.APITokenUser(ctx, api, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("API token after disable and enable: %v; want not found", err)
		}
		if _, err := s.CalendarUser(ctx, feed); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("calendar feed after disable and enable: %v; want not found", err)
		}
		tokens, _ := s.ListAPITokens(ctx)
		for _, tk := range tokens {
			if tk.UserID == u.ID && tk.RevokedAt == nil {
				t.Errorf("token %d not marked revoked", tk.ID)
			}
		}
	})
}
