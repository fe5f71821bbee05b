package web

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// maxJSONBody bounds a JSON request body; larger bodies answer 413.
const maxJSONBody = 1 << 20

// errBodyTooLarge is the answer to a JSON body over maxJSONBody.
var errBodyTooLarge = &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "the request body is too large",
	Fields: map[string]string{"body": "must be at most 1 MiB of JSON"}}

// decodeJSON reads a JSON body strictly into dst (a pointer to a struct):
// the body must be one JSON value whose shape matches dst's json tags —
// no unknown fields, no value of the wrong kind. A refusal names the field
// by its path in the body (scores[3].met) and says in a user's words what
// the field must be.
func decodeJSON(c echo.Context, dst any) error {
	body := c.Request().Body
	if body == nil {
		return fieldError("body", "a JSON body is required")
	}
	if c.Request().ContentLength > maxJSONBody {
		return errBodyTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(body, maxJSONBody+1))
	if err != nil {
		// Echo's body limit and net/http's MaxBytesReader answer 413 themselves.
		var he *echo.HTTPError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return errBodyTooLarge
		case errors.As(err, &he):
			return err
		}
		return apiErr(http.StatusBadRequest, "bad_request", "the request body could not be read")
	}
	if len(data) > maxJSONBody {
		return errBodyTooLarge
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fieldError("body", "a JSON body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return malformedJSON(err, len(data))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fieldError("body", "must be one JSON value; there is more after its end")
	}
	target := reflect.TypeOf(dst)
	if target == nil || target.Kind() != reflect.Pointer {
		return serverError(fmt.Errorf("decodeJSON into %T: not a pointer", dst))
	}
	if field, reason := checkShape(generic, target.Elem(), ""); reason != "" {
		if field == "" {
			field = "body"
		}
		return fieldError(field, reason)
	}
	if field, reason := jsonTextProblem(generic, "", ""); reason != "" {
		if field == "" {
			field = "body"
		}
		return fieldError(field, reason)
	}
	if err := json.Unmarshal(data, dst); err != nil {
		// The shape check admits only what Unmarshal accepts; this is a
		// safety net that still names the field without a Go type.
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Type != nil {
			field := typeErr.Field
			if field == "" {
				field = "body"
			}
			return fieldError(field, "must be "+describeType(typeErr.Type))
		}
		return fieldError("body", "is not valid for this request")
	}
	return nil
}

// malformedJSON says where the JSON text breaks.
func malformedJSON(err error, size int) error {
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr):
		return fieldError("body", fmt.Sprintf("is not valid JSON (at character %d)", syntaxErr.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fieldError("body", fmt.Sprintf("is not valid JSON: it ends early (after %d characters)", size))
	}
	return fieldError("body", "is not valid JSON")
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// customDecoded reports whether values of t decode themselves; their
// shape is theirs to check.
func customDecoded(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshalerType) || p.Implements(jsonUnmarshalerType) ||
		t.Implements(textUnmarshalerType) || p.Implements(textUnmarshalerType)
}

// checkShape compares a generically decoded JSON value (objects as
// map[string]any, numbers as json.Number) with the Go type it will be
// decoded into, as encoding/json does, and returns the first mismatch:
// the field's path and what it must be. JSON null fits every type, as in
// encoding/json.
func checkShape(v any, t reflect.Type, path string) (string, string) {
	if v == nil || customDecoded(t) {
		return "", ""
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkShape(v, t.Elem(), path)
	case reflect.Interface:
		return "", ""
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return path, "must be " + describeType(t)
		}
		fields := jsonFields(t)
		for _, key := range sortedKeys(obj) {
			f, ok := fields.lookup(key)
			if !ok {
				return joinPath(path, key), "unknown field"
			}
			if field, reason := checkShape(obj[key], f.typ, joinPath(path, f.name)); reason != "" {
				return field, reason
			}
		}
		return "", ""
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return path, "must be " + describeType(t)
		}
		for _, key := range sortedKeys(obj) {
			if field, reason := checkShape(obj[key], t.Elem(), joinPath(path, key)); reason != "" {
				return field, reason
			}
		}
		return "", ""
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			if _, ok := v.(string); !ok {
				return path, "must be a text (base64)"
			}
			return "", ""
		}
		list, ok := v.([]any)
		if !ok {
			return path, "must be " + describeType(t)
		}
		for i, item := range list {
			if field, reason := checkShape(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); reason != "" {
				return field, reason
			}
		}
		return "", ""
	case reflect.String:
		if _, ok := v.(string); !ok {
			return path, "must be " + describeType(t)
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return path, "must be " + describeType(t)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return path, "must be " + describeType(t)
		}
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			return path, numberReason(err, t, fmt.Sprintf("from %d to %d", int64(-1)<<(t.Bits()-1), int64(1)<<(t.Bits()-1)-1))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := v.(json.Number)
		if !ok {
			return path, "must be " + describeType(t)
		}
		if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
			if strings.HasPrefix(string(n), "-") && isInteger(string(n)) {
				return path, "must be a whole number of 0 or more"
			}
			return path, numberReason(err, t, fmt.Sprintf("from 0 to %d", uint64(math.MaxUint64)>>(64-t.Bits())))
		}
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return path, "must be " + describeType(t)
		}
		if _, err := strconv.ParseFloat(string(n), t.Bits()); err != nil {
			return path, "must be a number of a sensible size"
		}
	default:
		// Channels, functions and complex numbers never come from JSON.
		return path, "cannot be given"
	}
	return "", ""
}

// numberReason explains why a JSON number does not fit an integer type.
func numberReason(err error, t reflect.Type, span string) string {
	if errors.Is(err, strconv.ErrRange) {
		return "must be a whole number " + span
	}
	return "must be " + describeType(t)
}

// isInteger reports whether a JSON number has no fraction or exponent.
func isInteger(n string) bool { return !strings.ContainsAny(n, ".eE") }

// describeType says in a user's words what a JSON value of type t is.
func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return "a text (base64)"
		}
		return "a list of " + describePlural(t.Elem())
	case reflect.String:
		return "a text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a whole number of 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a JSON value"
}

// describePlural names the items of a list.
func describePlural(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "JSON objects"
	case reflect.Slice, reflect.Array:
		return "lists"
	case reflect.String:
		return "texts"
	case reflect.Bool:
		return "true/false values"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "whole numbers"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "whole numbers of 0 or more"
	case reflect.Float32, reflect.Float64:
		return "numbers"
	}
	return "JSON values"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonField is one member of a JSON object as encoding/json sees a struct.
type jsonField struct {
	name string
	typ  reflect.Type
}

type jsonFieldSet []jsonField

// lookup finds the field a JSON key decodes into: the exact name, else a
// case-insensitive match, as encoding/json does.
func (fs jsonFieldSet) lookup(key string) (jsonField, bool) {
	for _, f := range fs {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fs {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}

// jsonFields lists the JSON members of struct t by its json tags,
// including those promoted from embedded structs; a shallower field wins
// over a deeper one of the same name, as in encoding/json.
func jsonFields(t reflect.Type) jsonFieldSet {
	var out jsonFieldSet
	seen := map[string]bool{}
	level := []reflect.Type{t}
	visited := map[reflect.Type]bool{}
	for len(level) > 0 {
		var next []reflect.Type
		var found jsonFieldSet
		for _, st := range level {
			if visited[st] {
				continue
			}
			visited[st] = true
			for i := range st.NumField() {
				f := st.Field(i)
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				ft := f.Type
				if f.Anonymous && name == "" {
					et := ft
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if et.Kind() == reflect.Struct {
						next = append(next, et)
						continue
					}
				}
				if !f.IsExported() {
					continue
				}
				if name == "" {
					name = f.Name
				}
				if !seen[name] {
					found = append(found, jsonField{name: name, typ: ft})
				}
			}
		}
		for _, f := range found {
			seen[f.name] = true
		}
		out = append(out, found...)
		level = next
	}
	return out
}
