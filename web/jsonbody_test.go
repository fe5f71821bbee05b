package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func decodeBody(t *testing.T, body string, dst any) *apiError {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
	c := echo.New().NewContext(req, httptest.NewRecorder())
	err := decodeJSON(c, dst)
	if err == nil {
		return nil
	}
	ae, ok := err.(*apiError)
	if !ok {
		t.Fatalf("decodeJSON(%.60q) = %#v, want an *apiError", body, err)
	}
	return ae
}

type scoresBody struct {
	Scores []struct {
		Criterion string `json:"criterion"`
		Met       *bool  `json:"met"`
	} `json:"scores"`
	Limits map[string]float64 `json:"limits"`
}

type embeddedBase struct {
	Note string `json:"note"`
}

type withEmbedded struct {
	embeddedBase
	ID      uint `json:"id"`
	Skipped int  `json:"-"`
}

// goTypeName catches Go type names leaking into a user's error message.
var goTypeName = regexp.MustCompile(`web\.|\[\]|\bstruct\b|\b(string|int|int64|uint|bool|float64|map)\b|json:`)

func TestDecodeJSONNamesFieldAndKindInUsersWords(t *testing.T) {
	for _, tc := range []struct {
		name, body  string
		dst         func() any
		field, want string
	}{
		{"array for object", `[1,2]`, func() any { return new(createProgrammeRequest) }, "body", "must be a JSON object"},
		{"text for object", `"x"`, func() any { return new(createProgrammeRequest) }, "body", "must be a JSON object"},
		{"text for list", `{"committee_emails":"a@example.com"}`, func() any { return new(createProgrammeRequest) }, "committee_emails", "must be a list of texts"},
		{"number in list", `{"committee_emails":["a@example.com",7]}`, func() any { return new(createProgrammeRequest) }, "committee_emails[1]", "must be a text"},
		{"text for number", `{"name":"x","focus_limit":"ten"}`, func() any { return new(createProgrammeRequest) }, "focus_limit", "must be a whole number"},
		{"fraction for number", `{"focus_limit":1.5}`, func() any { return new(createProgrammeRequest) }, "focus_limit", "must be a whole number"},
		{"huge number", `{"focus_limit":1e400}`, func() any { return new(createProgrammeRequest) }, "focus_limit", "must be a whole number"},
		{"out of range", `{"focus_limit":99999999999999999999}`, func() any { return new(createProgrammeRequest) }, "focus_limit", "must be a whole number from"},
		{"object in list", `{"plan":[{"phase":"setup","due":"2026-01-05"},"criteria"]}`, func() any { return new(createProgrammeRequest) }, "plan[1]", "must be a JSON object"},
		{"unknown nested field", `{"plan":[{"phase":"setup","due":"2026-01-05"},{"phase":"x","colour":"red"}]}`, func() any { return new(createProgrammeRequest) }, "plan[1].colour", "unknown field"},
		{"unknown field", `{"name":"x","colour":"red"}`, func() any { return new(createProgrammeRequest) }, "colour", "unknown field"},
		{"bool with index", `{"scores":[{"criterion":"a","met":true},{"criterion":"b"},{"met":false},{"criterion":"d","met":"yes"}]}`, func() any { return new(scoresBody) }, "scores[3].met", "must be true or false"},
		{"map value", `{"limits":{"a":1,"b":"two"}}`, func() any { return new(scoresBody) }, "limits.b", "must be a number"},
		{"list of objects", `{"scores":{"criterion":"a"}}`, func() any { return new(scoresBody) }, "scores", "must be a list of JSON objects"},
		{"negative id", `{"id":-3}`, func() any { return new(withEmbedded) }, "id", "must be a whole number of 0 or more"},
		{"ignored field is unknown", `{"Skipped":1}`, func() any { return new(withEmbedded) }, "Skipped", "unknown field"},
		{"promoted field kind", `{"note":5}`, func() any { return new(withEmbedded) }, "note", "must be a text"},
		{"malformed", `{"name":`, func() any { return new(createProgrammeRequest) }, "body", "is not valid JSON"},
		{"trailing value", `{"name":"a"} {"b":1}`, func() any { return new(createProgrammeRequest) }, "body", "must be one JSON value"},
		{"trailing bracket", `{"name":"a"}]`, func() any { return new(createProgrammeRequest) }, "body", "must be one JSON value"},
		{"empty", " \n", func() any { return new(createProgrammeRequest) }, "body", "a JSON body is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ae := decodeBody(t, tc.body, tc.dst())
			if ae == nil {
				t.Fatalf("%s accepted", tc.body)
			}
			got, ok := ae.Fields[tc.field]
			if ae.Status != http.StatusUnprocessableEntity || !ok || !strings.HasPrefix(got, tc.want) {
				t.Fatalf("%s = %d %v, want %s: %q", tc.body, ae.Status, ae.Fields, tc.field, tc.want)
			}
			if len(ae.Fields) != 1 || goTypeName.MatchString(got) {
				t.Errorf("reason %q names a Go type or more than the field", got)
			}
		})
	}
}

func TestDecodeJSONAcceptsWhatEncodingJSONAccepts(t *testing.T) {
	var p createProgrammeRequest
	if ae := decodeBody(t, `{"NAME":"KAM","committee_emails":["a@example.com"],"plan":null,"focus_limit":12}`+"\n", &p); ae != nil {
		t.Fatalf("refused: %v", ae.Fields)
	}
	if p.Name != "KAM" || len(p.CommitteeEmails) != 1 || p.FocusLimit != 12 {
		t.Fatalf("decoded %+v", p)
	}
	var e withEmbedded
	if ae := decodeBody(t, `{"note":"n","id":4}`, &e); ae != nil || e.Note != "n" || e.ID != 4 {
		t.Fatalf("embedded = %+v, %v", e, ae)
	}
	var s scoresBody
	if ae := decodeBody(t, `{"scores":[{"criterion":"a","met":null}],"limits":{"x":1.5e3}}`, &s); ae != nil || s.Scores[0].Met != nil || s.Limits["x"] != 1500 {
		t.Fatalf("scores = %+v, %v", s, ae)
	}
}

func TestDecodeJSONRefusesLargeBodiesWith413(t *testing.T) {
	big := `{"name":"` + strings.Repeat("x", 1536*1024) + `"}`
	var p createProgrammeRequest
	ae := decodeBody(t, big, &p)
	if ae == nil || ae.Status != http.StatusRequestEntityTooLarge || ae.Fields["body"] == "" {
		t.Fatalf("1.5 MB body = %+v", ae)
	}
	// Without a Content-Length the limit holds as well.
	req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(big))
	req.ContentLength = -1
	err := decodeJSON(echo.New().NewContext(req, httptest.NewRecorder()), &p)
	if ae, ok := err.(*apiError); !ok || ae.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("streamed 1.5 MB body = %#v", err)
	}
	if ae := decodeBody(t, `{"name":"`+strings.Repeat("x", 1000*1024)+`"}`, &p); ae != nil {
		t.Fatalf("a body under 1 MiB is refused: %v", ae.Fields)
	}
}
