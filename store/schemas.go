package store

import (
	"fmt"

	"gorm.io/gorm"
)

// relationalModels are the types the store hands gorm that hold a
// relation (a field of another model, joined or preloaded), directly or
// through an embedded type.
//
// gorm parses a type on its first use. Parsing a relation writes into the
// related type's schema, which queries running at the same time read
// without a lock (go-gorm/gorm#7862): the race detector reports it, and
// the runtime may stop the process with "concurrent map read and map
// write". Pages read their lists at once, and requests run at once, so
// Open parses these types before the store serves anyone; afterwards
// schemas are only read. A test keeps the list complete.
var relationalModels = []any{
	&AccountPlan{}, &Customer{}, &Enrolment{}, &Handover{}, &PlanGoal{}, &Review{},
	&TrainingRecord{}, &TrainingSession{}, &User{}, &Workshop{},
}

// parseSchemas parses relationalModels into db's schema cache.
func parseSchemas(db *gorm.DB) error {
	for _, m := range relationalModels {
		if err := (&gorm.Statement{DB: db}).Parse(m); err != nil {
			return fmt.Errorf("parse schema of %T: %w", m, err)
		}
	}
	return nil
}
