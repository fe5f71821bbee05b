package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// settingsPage is the signed-in user's own settings: the language and the
// time zone every date-time is shown and entered in.
type settingsPage struct {
	Language string
	TimeZone string
	// DefaultZone is the site's zone, used while TimeZone is empty.
	DefaultZone string
	Zones       []string
	// Unknown is a refused zone, kept so the select shows what was sent.
	Unknown string
	Errors  map[string]string
	Notice  string
	Now     time.Time
}

func (s *Server) settingsView(c echo.Context) error {
	u := currentUser(c)
	return s.render(c, http.StatusOK, "settings.html", &settingsPage{Language: u.Language, TimeZone: u.TimeZone,
		DefaultZone: s.opts.Zone.String(), Zones: zoneNames, Errors: map[string]string{}, Notice: doneNotice(c), Now: s.opts.Now()})
}

// settingsSave stores the user's language and time zone; a refused value
// shows at its field with the form as sent.
func (s *Server) settingsSave(c echo.Context) error {
	p := &settingsPage{Language: strings.TrimSpace(c.FormValue("language")), TimeZone: strings.TrimSpace(c.FormValue("time_zone")),
		DefaultZone: s.opts.Zone.String(), Zones: zoneNames, Errors: map[string]string{}, Now: s.opts.Now()}
	if p.Language != "" && p.Language != string(langEN) && p.Language != string(langDE) {
		p.Errors["language"] = "Choose English, German or the browser's language."
	}
	if p.TimeZone != "" {
		if _, ok := choosableZone(p.TimeZone); !ok {
			p.Errors["time_zone"] = "Choose a time zone from the list."
			p.Unknown = p.TimeZone
		}
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "settings.html", p)
	}
	if err := s.opts.Store.SetUserSettings(c.Request().Context(), currentUser(c).ID, p.Language, p.TimeZone); err != nil {
		return serverError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/settings?done=settings-saved")
}
