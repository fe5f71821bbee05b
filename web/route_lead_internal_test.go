package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
)

// TestRouteLeadGoesOnlyToItsProgramme: the lead authorize read for the
// route's programme is given to targets naming that programme alone; a
// target about another programme, one that carries its own lead, or a
// request with no route target is left for the policy to read.
func TestRouteLeadGoesOnlyToItsProgramme(t *testing.T) {
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/programmes/7", nil), httptest.NewRecorder())
	if got := withRouteLead(c, policy.Target{ProgrammeID: 7}); got.LeadEmail != "" {
		t.Errorf("no route target: got lead %q, want none", got.LeadEmail)
	}
	c.Set(ctxTarget, policy.Target{ProgrammeID: 7, LeadEmail: "lead@example.com"})
	for _, tc := range []struct {
		name   string
		target policy.Target
		want   string
	}{
		{"the route's programme", policy.Target{ProgrammeID: 7}, "lead@example.com"},
		{"another programme", policy.Target{ProgrammeID: 8}, ""},
		{"no programme", policy.Target{}, ""},
		{"its own lead", policy.Target{ProgrammeID: 7, LeadEmail: "other@example.com"}, "other@example.com"},
	} {
		if got := withRouteLead(c, tc.target); got.LeadEmail != tc.want {
			t.Errorf("%s: lead %q, want %q", tc.name, got.LeadEmail, tc.want)
		}
	}
}
