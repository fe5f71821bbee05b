package web

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// TestEmployeeChoicesAreReadOncePerRequestAndChoice: two pickers of one
// page offering the same people read them once; another choice, or
// another request, reads anew and gets its own answer.
func TestEmployeeChoicesAreReadOncePerRequestAndChoice(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	ctx := t.Context()
	if _, err := st.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TaskQueue: "kamflow", DemoLogins: store.DemoLogins()})
	if err != nil {
		t.Fatal(err)
	}
	var statements atomic.Int64
	if err := st.DB().Callback().Query().After("gorm:query").Register("test:count", func(*gorm.DB) { statements.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Callback().Row().After("gorm:row").Register("test:count", func(*gorm.DB) { statements.Add(1) }); err != nil {
		t.Fatal(err)
	}
	request := func() echo.Context {
		return srv.echo.NewContext(httptest.NewRequest("GET", "/training", nil), httptest.NewRecorder())
	}
	count := func(read func()) int64 {
		statements.Store(0)
		read()
		return statements.Load()
	}

	// The desk's two pickers, as loadTrainingPickers fills them with
	// nothing chosen, cost what one read of their choice costs.
	var alone int64
	var want []store.Employee
	var wantTotal store.Count
	alone = count(func() {
		want, wantTotal, err = st.EmployeeChoices(ctx, store.EmployeeChoice{KAMsFirst: true, Limit: employeesListed,
			CountUpTo: employeesListed + employeesCountedPast})
	})
	if err != nil || len(want) == 0 || alone == 0 {
		t.Fatalf("store's choices = %d in %d statements, %v; want the demo's staff", len(want), alone, err)
	}
	c := request()
	enrol := employeePicker{Field: "employee_id", Multiple: true, Groups: true}
	record := employeePicker{Field: "employee_id", Groups: true, Blank: "— choose —"}
	if n := count(func() {
		for _, pk := range []*employeePicker{&enrol, &record} {
			if err := srv.loadEmployeePicker(c, pk, "", nil); err != nil {
				t.Fatal(err)
			}
		}
	}); n != alone {
		t.Errorf("two pickers of the same people ran %d statements, want %d (one read)", n, alone)
	}
	for name, pk := range map[string]employeePicker{"enrol": enrol, "record": record} {
		wantMore := store.Count{N: wantTotal.N - int64(len(want)), Over: wantTotal.Over}
		if len(pk.Listed) != len(want) || pk.Listed[0].ID != want[0].ID || pk.More != wantMore {
			t.Errorf("%s picker = %d listed from %d, %+v more; want %d from %d, %+v more", name, len(pk.Listed), pk.Listed[0].ID, pk.More, len(want), want[0].ID, wantMore)
		}
	}

	// Another choice in the same request is its own read, with its own
	// answer; the same one again is not.
	short := store.EmployeeChoice{KAMsFirst: true, Limit: 2}
	var first, second []store.Employee
	var total store.Count
	if n := count(func() { first, total, err = srv.employeeChoices(c, short) }); err != nil || n != 2 || len(first) != 2 || total != wantTotal {
		t.Errorf("the first 2 = %d of %+v in %d statements, %v; want 2 of %+v in 2 (the list and its count)", len(first), total, n, err, wantTotal)
	}
	if n := count(func() {
		second, _, err = srv.employeeChoices(c, store.EmployeeChoice{KAMsFirst: true, Limit: 2, Except: []uint{want[0].ID}})
	}); err != nil || n != 2 || len(second) != 2 || second[0].ID != want[1].ID {
		t.Errorf("the first 2 but %d = %v in %d statements, %v; want its own read from %d", want[0].ID, second, n, err, want[1].ID)
	}
	if n := count(func() { _, _, err = srv.employeeChoices(c, short) }); err != nil || n != 0 {
		t.Errorf("the first 2 again ran %d statements, %v; want none", n, err)
	}

	// The next request reads again.
	if n := count(func() { _, _, err = srv.employeeChoices(request(), short) }); err != nil || n != 2 {
		t.Errorf("the next request ran %d statements, %v; want its own 2", n, err)
	}
}
