package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
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
	// Zone is the reader's time zone (readerZone): templates show every
	// instant in it (day, when, localInput).
	Zone *time.Location
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
	// Training, Reviews and Admin show the links to those pages; all the
	// flags are the policy's answers (package policy).
	Training, Reviews, Admin bool
	// Accounts links the key-accounts list for users who may read some
	// (policy.AccountScope).
	Accounts bool
	Language string
	// Unread counts the user's notifications not yet read (the header's badge).
	Unread int
}

// render writes a page through a buffer so a template error never sends
// half a page.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	l := language(c)
	t, ok := s.pages.byLang[l][name]
	if !ok {
		return serverError(fmt.Errorf("no template %s", name))
	}
	v := view{Data: data, Path: pagePath(c), Zone: s.readerZone(c)}
	v.CSRF, _ = c.Get(ctxCSRF).(string)
	if u := currentUser(c); u != nil {
		uv := &userView{Name: u.Name, Email: u.Email, Language: u.Language,
			Reference:  policy.Possible(u, policy.ActReference),
			People:     policy.Possible(u, policy.ActPeopleRead),
			KeepPeople: policy.Possible(u, policy.ActPeopleWrite),
			Training:   policy.Possible(u, policy.ActTrainingManage),
			Reviews:    policy.Possible(u, policy.ActReviewManage),
			Admin:      policy.Possible(u, policy.ActAdmin)}
		all, employeeID := policy.AccountScope(u)
		uv.Accounts = all || employeeID != nil
		for _, r := range u.Roles {
			uv.Roles = append(uv.Roles, string(r.Role))
		}
		// The badge's count was read with the session (loadSession).
		unread, _ := c.Get(ctxUnread).(int64)
		uv.Unread = int(unread)
		v.User = uv
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return serverError(fmt.Errorf("render %s: %w", name, err))
	}
	c.Response().Header().Set("Content-Language", string(l))
	c.Response().Header().Add("Vary", "Accept-Language")
	return c.HTMLBlob(status, withFormTokens(buf.Bytes(), v.CSRF))
}

// renderFragment writes one named template of a page's set, without the
// layout: the part of a page htmx asks for when the reader opens it.
func (s *Server) renderFragment(c echo.Context, status int, page, name string, data any) error {
	out, err := s.fragmentHTML(c, page, name, data)
	if err != nil {
		return err
	}
	csrf, _ := c.Get(ctxCSRF).(string)
	c.Response().Header().Set("Content-Language", string(language(c)))
	c.Response().Header().Add("Vary", "Accept-Language")
	c.Response().Header().Add("Vary", "HX-Request")
	return c.HTMLBlob(status, withFormTokens([]byte(out), csrf))
}

// fragmentHTML is one named template of a page's set, in the reader's
// language, as markup to put into a page.
func (s *Server) fragmentHTML(c echo.Context, page, name string, data any) (template.HTML, error) {
	t, ok := s.pages.byLang[language(c)][page]
	if !ok {
		return "", serverError(fmt.Errorf("no template %s", page))
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", serverError(fmt.Errorf("render %s of %s: %w", name, page, err))
	}
	return template.HTML(buf.String()), nil // html/template escaped it
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return http.StripPrefix("/static/", http.FileServer(noDirectories{http.FS(sub)}))
}

// noDirectories hides directories from http.FileServer, so /static/ and
// its folders answer 404 instead of listing their files.
type noDirectories struct{ fs http.FileSystem }

func (n noDirectories) Open(name string) (http.File, error) {
	f, err := n.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}

// pagePath is the address of the page being shown, for the language
// switch to come back to: the request's own for a GET; for a refused form
// (a POST shown again) the page the form was on — the Referer when it is
// ours — as the form's address answers no GET.
func pagePath(c echo.Context) string {
	r := c.Request()
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, "/") {
		return ref.RequestURI()
	}
	return "/"
}
