package policy_test

import (
	"os"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/policy"
)

const (
	tableStart = "<!-- policy table: generated from policy.Table; policy/readme_test.go checks it -->\n"
	tableEnd   = "<!-- end of policy table -->"
)

// TestReadmeTableIsThePolicy fails when the README's "Who may do what"
// table and policy.Table differ, printing the table the README needs.
func TestReadmeTableIsThePolicy(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	_, after, ok := strings.Cut(readme, tableStart)
	table, _, ok2 := strings.Cut(after, tableEnd)
	if want := policy.Markdown(); !ok || !ok2 || table != want {
		t.Errorf("README.md's policy table differs from policy.Table; between the markers it needs:\n%s%s%s", tableStart, want, tableEnd)
	}
}

// TestEveryRelationNeedsItsRole: a lead of no programme holds no programme
// relation, so the table's relation rules never open to a bare role.
func TestRulesNameKnownRelations(t *testing.T) {
	known := map[policy.Relation]bool{policy.ProgrammeLead: true, policy.ProgrammeCommittee: true, policy.AccountKeeper: true,
		policy.AccountResponsible: true, policy.Owner: true, policy.MeasureOwner: true, policy.Participant: true, policy.Self: true, policy.Recipient: true}
	for _, r := range policy.Table {
		for _, rel := range r.Relations {
			if !known[rel] {
				t.Errorf("%s names unknown relation %q", r.Action, rel)
			}
		}
		if !r.Public && !r.SignedIn && len(r.Roles) == 0 && len(r.Relations) == 0 && r.Action != policy.ActAdmin && r.Action != policy.ActCustomerDelete {
			t.Errorf("%s allows only admins; say so by listing it as admin-only", r.Action)
		}
	}
}
