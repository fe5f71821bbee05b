package web_test

import (
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/store/storetest"
	"github.com/kamflow/kamflow/web"
	"github.com/kamflow/kamflow/workflows"
)

// TestNotificationLinksArePages: every page a workflow's notification
// links to is a page of the web's route table.
func TestNotificationLinksArePages(t *testing.T) {
	srv, err := web.New(web.Options{Store: storetest.Open(t, "sqlite"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TaskQueue: "links"})
	if err != nil {
		t.Fatal(err)
	}
	var pages []*regexp.Regexp
	for _, rt := range srv.Routes() {
		if rt.Method == "GET" {
			pages = append(pages, regexp.MustCompile("^"+regexp.MustCompile(`:[A-Za-z]+`).ReplaceAllString(regexp.QuoteMeta(rt.Path), `[^/]+`)+"$"))
		}
	}
	for _, link := range []string{
		workflows.ProgrammeLink(1, ""), workflows.ProgrammeLink(1, workflows.PhaseStrategy),
		workflows.KeyAccountLink(1, ""), workflows.KeyAccountLink(1, "handovers"), workflows.PlanLink(1),
		workflows.WorkshopLink(1), workflows.ReviewLink(1), workflows.JourFixeLink(1),
		workflows.TrainingSessionLink(1), workflows.MyWorkLink,
	} {
		path, _, _ := strings.Cut(link, "#")
		found := false
		for _, p := range pages {
			found = found || p.MatchString(path)
		}
		if !found {
			t.Errorf("notification link %s is no page", link)
		}
	}
}
