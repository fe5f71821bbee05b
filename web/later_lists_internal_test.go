package web

import (
	"reflect"
	"testing"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// The programme page copies workflows.LaterLists into store.LaterLists
// field by field: a list added to one must be added to the other, and to
// the copy, or the page would never read it.
func TestLaterListsNameTheSameLists(t *testing.T) {
	names := func(v any) []string {
		var out []string
		ty := reflect.TypeOf(v)
		for i := range ty.NumField() {
			out = append(out, ty.Field(i).Name)
		}
		return out
	}
	if w, s := names(workflows.LaterLists{}), names(store.LaterLists{}); !reflect.DeepEqual(w, s) {
		t.Errorf("workflows.LaterLists %v, store.LaterLists %v", w, s)
	}
}
