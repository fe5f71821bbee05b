package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds every page parsed once per language with the shared layout.
type pages struct {
	byLang map[lang]map[string]*template.Template
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byLang: map[lang]map[string]*template.Template{}}
	for _, l := range uiLanguages {
		p.byLang[l] = map[string]*template.Template{}
		for _, n := range names {
			base := strings.TrimPrefix(n, "templates/")
			if base == "layout.html" {
				continue
			}
			t, err := template.New("layout.html").Funcs(funcsFor(l)).ParseFS(templateFS, "templates/layout.html", n)
			if err != nil {
				return nil, fmt.Errorf("parse template %s: %w", base, err)
			}
			p.byLang[l][base] = t
		}
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	User *userView
	CSRF string
	// Path is the page's own path, for the language switch to come back to.
	Path string
	Data any
}

type userView struct {
	Name  string
	Email string
	Roles []string
	// Reference is true for users who keep customers and contacts.
	Reference bool
	// People is true for users who see the employee list; KeepPeople for
	// those who edit it.
	People, KeepPeople bool
	Language           string
}

// render writes a page through a buffer so a template error never sends
// half a page.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	l := language(c)
	t, ok := s.pages.byLang[l][name]
	if !ok {
		return serverError(fmt.Errorf("no template %s", name))
	}
	v := view{Data: data, Path: c.Request().URL.RequestURI()}
	v.CSRF, _ = c.Get(ctxCSRF).(string)
	if u := currentUser(c); u != nil {
		uv := &userView{Name: u.Name, Email: u.Email, Language: u.Language,
			Reference:  u.HasRole(store.RoleAdmin) || u.HasRole(store.RoleLead),
			People:     u.HasRole(store.RoleAdmin) || u.HasRole(store.RoleLead) || u.HasRole(store.RoleHR),
			KeepPeople: u.HasRole(store.RoleAdmin) || u.HasRole(store.RoleHR)}
		for _, r := range u.Roles {
			uv.Roles = append(uv.Roles, string(r.Role))
		}
		v.User = uv
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return serverError(fmt.Errorf("render %s: %w", name, err))
	}
	c.Response().Header().Set("Content-Language", string(l))
	c.Response().Header().Add("Vary", "Accept-Language")
	return c.HTMLBlob(status, buf.Bytes())
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}
