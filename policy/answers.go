package policy

import (
	"context"
	"strings"
	"sync"
)

// A page asks the policy several times about the same thing ("may she
// schedule the jour fixe?", "may she start one?"): each question of a
// relation the store answers would read the database again. Under a
// context made by Remembering, Holds asks the store once per relation and
// target and remembers the answer for the rest of that context.
//
// Only a request that changes nothing may remember: a request that
// changes who leads, keeps or owns something would otherwise decide
// afterwards on the answer from before its change.

type answersKey struct{}

// question is one relation asked about one target by one user.
type question struct {
	rel                                  Relation
	user                                 string
	employee                             uint
	programme, account, review, jourFixe uint
}

type answers struct {
	mu   sync.Mutex
	seen map[question]bool
}

// Remembering returns ctx under which the policy reads each relation to
// each target once; use it for a request that changes nothing (a page
// view).
func Remembering(ctx context.Context) context.Context {
	if _, ok := ctx.Value(answersKey{}).(*answers); ok {
		return ctx
	}
	return context.WithValue(ctx, answersKey{}, &answers{seen: map[question]bool{}})
}

func questionOf(rel Relation, user string, employee *uint, t Target) question {
	q := question{rel: rel, user: strings.ToLower(user), programme: t.programme(), review: t.ReviewID, jourFixe: t.JourFixeID}
	if employee != nil {
		q.employee = *employee
	}
	if t.KeyAccount != nil {
		q.account = t.KeyAccount.ID
	}
	return q
}

// remembered answers ask from the context's memory, else asks and, if the
// context remembers, keeps the answer. Errors are never kept.
func remembered(ctx context.Context, q question, ask func() (bool, error)) (bool, error) {
	a, ok := ctx.Value(answersKey{}).(*answers)
	if !ok {
		return ask()
	}
	a.mu.Lock()
	holds, known := a.seen[q]
	a.mu.Unlock()
	if known {
		return holds, nil
	}
	holds, err := ask()
	if err != nil {
		return false, err
	}
	a.mu.Lock()
	a.seen[q] = holds
	a.mu.Unlock()
	return holds, nil
}
