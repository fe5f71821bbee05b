package main_test

import (
	"context"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
)

// TestComposePublishesOnLoopbackOnly: the Temporal frontend trusts the
// actor in each update, so it (and every other port) must not be reachable
// from other machines.
func TestComposePublishesOnLoopbackOnly(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"docker-compose.yml"},
		cli.WithWorkingDirectory("."), cli.WithName("kamflow"), cli.WithEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Services {
		for _, port := range s.Ports {
			if port.Published != "" && port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s:%d on %q; want 127.0.0.1", s.Name, port.Published, port.Target, port.HostIP)
			}
		}
	}
	web, err := p.GetService("kamflow-web")
	if err != nil {
		t.Fatal(err)
	}
	if u := web.Environment["KAMFLOW_BASE_URL"]; u == nil || *u != "http://localhost:8080" {
		t.Errorf("kamflow-web KAMFLOW_BASE_URL = %v", u)
	}
}
