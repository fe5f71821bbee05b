package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds every page parsed once with the shared layout.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	},
	"phaseLabel": phaseTitle,
	"days":       func(hours float64) int { return int(hours / 24) },
	"list":       func(v ...string) []string { return v },
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", base, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	User *userView
	CSRF string
	Data any
}

type userView struct {
	Name  string
	Email string
	Roles []string
}

// render writes a page through a buffer so a template error never sends
// half a page.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return serverError(fmt.Errorf("no template %s", name))
	}
	v := view{Data: data}
	v.CSRF, _ = c.Get(ctxCSRF).(string)
	if u := currentUser(c); u != nil {
		uv := &userView{Name: u.Name, Email: u.Email}
		for _, r := range u.Roles {
			uv.Roles = append(uv.Roles, string(r.Role))
		}
		v.User = uv
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return serverError(fmt.Errorf("render %s: %w", name, err))
	}
	return c.HTMLBlob(status, buf.Bytes())
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}
