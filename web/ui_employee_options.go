package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
)

// employeesListed is how many employees a picker lists before its finder
// narrows them. Selects used to carry the first 200 employees by name:
// anyone after them could not be chosen, and the contact matrix, with a
// select per contact, spent most of its time rendering the same names.
const employeesListed = 25

// employeesCountedPast is how many employees beyond those listed a picker
// counts: past it, it says "over 100 more". Typing a name narrows either
// way, and counting every employee of a large company on every view grew
// each page with a picker with the company.
const employeesCountedPast = 100

// employeePicker is a select of employees with a finder above it: the
// page lists the first employeesListed (KAMs first where KAMs matter) and
// the finder asks /employee-options for the ones matching what is typed,
// keeping those already chosen.
type employeePicker struct {
	// Field is the select's name; Multiple lets several be chosen.
	Field    string
	Multiple bool
	// Groups splits the list into KAMs and other employees, KAMs first.
	Groups bool
	// Blank is the empty first choice of a single select ("" for none).
	Blank string
	// SessionID, when set, leaves out who is in that training session;
	// Except leaves out these employees (a workshop's participants).
	SessionID uint
	Except    []uint
	// AccountKAMs offers only employees who are KAM of a key account.
	AccountKAMs bool
	// Chosen are listed first and selected; Suggested next, marked (the
	// page's suggestion, not repeated when finding); Listed the others
	// shown; More how many further employees match (up to
	// employeesCountedPast).
	Chosen, Suggested, Listed []store.Employee
	More                      store.Count
	Error                     string
	lang                      lang
}

// loadEmployeePicker fills pk with the employees matching find and the
// chosen ones (IDs as typed; unknown ones are dropped).
func (s *Server) loadEmployeePicker(c echo.Context, pk *employeePicker, find string, chosen []string) error {
	ctx := c.Request().Context()
	pk.lang = language(c)
	var ids []uint
	for _, v := range chosen {
		if id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32); err == nil && id > 0 {
			ids = append(ids, uint(id))
		}
	}
	except := append(append([]uint(nil), ids...), pk.Except...)
	for _, e := range pk.Suggested {
		except = append(except, e.ID)
	}
	if pk.SessionID != 0 {
		here, err := s.opts.Store.SessionEmployeeIDs(ctx, pk.SessionID)
		if err != nil {
			return serverError(err)
		}
		except = append(except, here...)
	}
	if len(ids) > 0 {
		byID, err := s.opts.Store.EmployeesByID(ctx, ids)
		if err != nil {
			return serverError(err)
		}
		pk.Chosen = pk.Chosen[:0]
		for _, id := range ids {
			if e, ok := byID[id]; ok {
				pk.Chosen = append(pk.Chosen, e)
			}
		}
	}
	listed, total, err := s.employeeChoices(c, store.EmployeeChoice{Find: find, KAMsFirst: pk.Groups, AccountKAMs: pk.AccountKAMs,
		Except: except, Limit: employeesListed, CountUpTo: employeesListed + employeesCountedPast})
	if err != nil {
		return serverError(err)
	}
	pk.Listed = listed
	pk.More = store.Count{N: total.N - int64(len(listed)), Over: total.Over}
	return nil
}

// employeeChoices reads the store's EmployeeChoices once per request and
// choice: a page with two pickers offering the same people (HR's desk
// enrols and records training) asks once. The key is the whole choice, so
// a field added to it keys too. Readers never change the slice (pickers
// copy before they narrow it); it is clipped, so an append copies.
func (s *Server) employeeChoices(c echo.Context, ch store.EmployeeChoice) ([]store.Employee, store.Count, error) {
	key := fmt.Sprintf("employee-choices:%#v", ch)
	if got, ok := c.Get(key).(employeeChoicesRead); ok {
		return slices.Clip(got.listed), got.total, nil
	}
	listed, total, err := s.opts.Store.EmployeeChoices(c.Request().Context(), ch)
	if err != nil {
		return nil, store.Count{}, err
	}
	c.Set(key, employeeChoicesRead{listed: listed, total: total})
	return slices.Clip(listed), total, nil
}

// employeeChoicesRead is one EmployeeChoices answer kept for its request.
type employeeChoicesRead struct {
	listed []store.Employee
	total  store.Count
}

// Any says whether the select offers anyone.
func (pk employeePicker) Any() bool {
	return len(pk.Chosen)+len(pk.Suggested)+len(pk.Listed) > 0
}

// choosing is pk with e chosen (and not listed twice).
func (pk employeePicker) choosing(e store.Employee) employeePicker {
	pk.Chosen = []store.Employee{e}
	listed := make([]store.Employee, 0, len(pk.Listed))
	for _, l := range pk.Listed {
		if l.ID != e.ID {
			listed = append(listed, l)
		}
	}
	pk.Listed = listed
	return pk
}

// Options renders the select's options: the blank choice, the chosen and
// listed employees (in groups where asked) and a line saying how many
// more a name would find.
func (pk employeePicker) Options() template.HTML {
	l := pk.lang
	var b strings.Builder
	if pk.Blank != "" && !pk.Multiple {
		b.WriteString(`<option value="">` + template.HTMLEscapeString(l.translate(pk.Blank)) + `</option>`)
	}
	option := func(e store.Employee, selected bool, mark string) {
		writeOption(&b, uitoa(e.ID), selected, mark+e.Name+" ("+l.translate(e.HierarchyLevel.Label())+")")
	}
	group := func(label string, kams bool) {
		if pk.Groups {
			n := 0
			for _, list := range [][]store.Employee{pk.Chosen, pk.Suggested, pk.Listed} {
				for _, e := range list {
					if e.KAMQualified == kams {
						n++
					}
				}
			}
			if n == 0 {
				return
			}
			b.WriteString(`<optgroup label="` + template.HTMLEscapeString(l.translate(label)) + `">`)
		}
		for _, e := range pk.Chosen {
			if !pk.Groups || e.KAMQualified == kams {
				option(e, true, "")
			}
		}
		for _, e := range pk.Suggested {
			if !pk.Groups || e.KAMQualified == kams {
				option(e, false, "★ ")
			}
		}
		for _, e := range pk.Listed {
			if !pk.Groups || e.KAMQualified == kams {
				option(e, false, "")
			}
		}
		if pk.Groups {
			b.WriteString(`</optgroup>`)
		}
	}
	group("KAMs", true)
	if pk.Groups {
		group("Other employees", false)
	}
	if pk.More.N > 0 {
		more := "{1} more: type a name to find them"
		if pk.More.Over {
			more = "over {1} more: type a name to find them"
		}
		b.WriteString(`<option value="" disabled>` + template.HTMLEscapeString(l.translateWith(more, pk.More.N)) + `</option>`)
	}
	return template.HTML(b.String()) // every part escaped above
}

// FinderVals is the finder's hx-vals: what /employee-options needs to
// render this select's options again.
func (pk employeePicker) FinderVals() string {
	v := map[string]string{"field": pk.Field}
	if pk.Multiple {
		v["multiple"] = "1"
	}
	if pk.Groups {
		v["groups"] = "1"
	}
	if pk.Blank != "" {
		v["blank"] = pk.Blank
	}
	if pk.SessionID != 0 {
		v["session"] = uitoa(pk.SessionID)
	}
	if pk.AccountKAMs {
		v["account_kams"] = "1"
	}
	if len(pk.Except) > 0 {
		ids := make([]string, len(pk.Except))
		for i, id := range pk.Except {
			ids[i] = uitoa(id)
		}
		v["except"] = strings.Join(ids, ",")
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// pickerBlanks are the empty choices a finder may ask for, so that the
// fragment's text is one of ours, never the request's.
var pickerBlanks = map[string]bool{"— choose —": true, "all": true}

// employeeOptions answers a picker's finder: the options of its select
// for what was typed, with the chosen employees kept selected.
func (s *Server) employeeOptions(c echo.Context) error {
	field := c.QueryParam("field")
	if field == "" || len(field) > 60 {
		return fieldError("field", "name the select the options are for")
	}
	pk := employeePicker{Field: field, Multiple: c.QueryParam("multiple") == "1", Groups: c.QueryParam("groups") == "1",
		AccountKAMs: c.QueryParam("account_kams") == "1"}
	if b := c.QueryParam("blank"); pickerBlanks[b] {
		pk.Blank = b
	}
	if v := c.QueryParam("session"); v != "" {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil || id == 0 {
			return fieldError("session", "session must be a session's number")
		}
		// Leaving out a session's people tells who is in it: HR's to know.
		if !s.may(c, policy.ActTrainingManage, policy.Target{}) {
			return clientError(http.StatusForbidden, "You may not see who is in this session.")
		}
		pk.SessionID = uint(id)
	}
	if v := c.QueryParam("except"); v != "" {
		parts := strings.Split(v, ",")
		if len(parts) > store.MaxPageSize {
			return fieldError("except", "leave out at most 200 employees")
		}
		for _, part := range parts {
			id, err := strconv.ParseUint(strings.TrimSpace(part), 10, 32)
			if err != nil || id == 0 {
				return fieldError("except", "except lists employee numbers separated by commas")
			}
			pk.Except = append(pk.Except, uint(id))
		}
	}
	find := strings.TrimSpace(c.QueryParam("find"))
	if utf8.RuneCountInString(find) > 200 {
		return fieldError("find", "type at most 200 characters")
	}
	if err := s.loadEmployeePicker(c, &pk, find, c.QueryParams()[field]); err != nil {
		return err
	}
	return c.HTML(http.StatusOK, string(pk.Options()))
}
