package policy

import (
	"fmt"
	"strings"
)

// Markdown is the policy as the README's "Who may do what" table.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| action | what | by role (on everything) | by relation (to that programme, account, review, …) |\n")
	b.WriteString("| --- | --- | --- | --- |\n")
	for _, r := range Table {
		var byRole, byRelation []string
		switch {
		case r.Public:
			byRole = []string{"anyone, signed in or not"}
		case r.SignedIn:
			byRole = []string{"every signed-in user"}
		default:
			for _, role := range r.Roles {
				byRole = append(byRole, string(role))
			}
			byRole = append(byRole, "admin")
		}
		for _, rel := range r.Relations {
			byRelation = append(byRelation, string(rel))
		}
		rel := strings.Join(byRelation, "; ")
		if rel == "" {
			rel = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.Action, r.What, strings.Join(byRole, ", "), rel)
	}
	return b.String()
}
