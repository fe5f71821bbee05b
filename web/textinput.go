package web

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

// checkFormText refuses a form whose values carry control characters —
// in single-line fields (places, titles, names, addresses) any at all,
// elsewhere anything but tabs and line breaks — naming the field; nothing
// is saved. See store.TextProblem.
func (s *Server) checkFormText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !stateChanging(c.Request().Method) {
			return next(c)
		}
		params, err := c.FormParams()
		if err != nil {
			// The handler reports an unreadable form in its own words.
			return next(c)
		}
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range params[k] {
				if reason := store.TextProblem(k, v); reason != "" {
					return clientError(http.StatusUnprocessableEntity, fmt.Sprintf("The field %q %s. Go back and correct it; nothing was saved.", k, reason))
				}
			}
		}
		return next(c)
	}
}

// jsonTextProblem walks a generically decoded JSON body and returns the
// path and reason of the first string that store.TextProblem refuses; the
// rule for a string is that of the object key it is the value of (list
// items take their list's key).
func jsonTextProblem(v any, key, path string) (string, string) {
	switch x := v.(type) {
	case string:
		if reason := store.TextProblem(key, x); reason != "" {
			return path, reason
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if field, reason := jsonTextProblem(x[k], k, joinPath(path, k)); reason != "" {
				return field, reason
			}
		}
	case []any:
		for i, item := range x {
			if field, reason := jsonTextProblem(item, key, fmt.Sprintf("%s[%d]", path, i)); reason != "" {
				return field, reason
			}
		}
	}
	return "", ""
}
