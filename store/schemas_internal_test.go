package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestRelationalModelsListed: every struct of the store that holds a field
// of another of its structs, or embeds one that does, is either parsed at
// Open (relationalModels) or named below as a value gorm never parses. A
// new model with a relation must be added to relationalModels, or requests
// that first use it at once race in gorm's schema cache.
func TestRelationalModelsListed(t *testing.T) {
	// assembledInGo are results the store builds in Go from rows it read;
	// gorm never sees them.
	assembledInGo := map[string]bool{
		"AccountActions": true, "ContactMatrix": true, "CustomerScores": true, "JourFixeRecord": true,
		"KAMSuggestion": true, "KAMTrainingGap": true, "KAMTrainingStanding": true, "MatrixContact": true,
		"MatrixRow": true, "ProgrammePerson": true, "ProgrammeRecord": true, "ProgrammeSnapshot": true,
		"SessionRoster": true, "SessionSeats": true, "WorkSummary": true, "demoCustomer": true,
		"keptRows": true, "workKind": true,
	}
	// columnValues are the store's structs that gorm reads as one column
	// (they implement sql.Scanner), not as a relation.
	columnValues := map[string]bool{"columnTime": true}

	listed := map[string]bool{}
	for _, m := range relationalModels {
		listed[reflect.TypeOf(m).Elem().Name()] = true
	}
	structs := map[string]*ast.StructType{}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok {
					structs[ts.Name.Name] = st
				}
			}
			return true
		})
	}
	named := func(e ast.Expr) string {
		for {
			switch x := e.(type) {
			case *ast.StarExpr:
				e = x.X
			case *ast.ArrayType:
				e = x.Elt
			case *ast.Ident:
				return x.Name
			default:
				return ""
			}
		}
	}
	relational := map[string]bool{}
	var holds func(string) bool
	holds = func(name string) bool {
		if v, seen := relational[name]; seen {
			return v
		}
		relational[name] = false // a cycle adds nothing
		for _, f := range structs[name].Fields.List {
			if f.Tag != nil && reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Get("gorm") == "-" {
				continue
			}
			of := named(f.Type)
			if _, local := structs[of]; !local || columnValues[of] {
				continue
			}
			if len(f.Names) == 0 && !holds(of) { // embedded without relations
				continue
			}
			relational[name] = true
		}
		return relational[name]
	}
	var missing []string
	for name := range structs {
		// Migrations' own types are parsed by the migration, alone.
		if holds(name) && !strings.HasPrefix(name, "m0") && !listed[name] && !assembledInGo[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("structs with relations neither in relationalModels nor named as built in Go: %v", missing)
	}
	for name := range listed {
		if !relational[name] {
			t.Errorf("relationalModels lists %s, which holds no relation", name)
		}
	}
	for name := range assembledInGo {
		if _, ok := structs[name]; !ok {
			t.Errorf("assembledInGo names %s, which the store no longer declares", name)
		}
	}
}
