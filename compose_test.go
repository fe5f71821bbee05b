package main_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/kamflow/kamflow/config"
)

// TestDockerComposeFile loads docker-compose.yml with the compose-spec
// loader (no Docker engine needed) and checks the production-like stack.
func TestDockerComposeFile(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"docker-compose.yml"},
		cli.WithWorkingDirectory("."), cli.WithName("kamflow"), cli.WithEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	svc := func(name string) types.ServiceConfig {
		t.Helper()
		s, err := p.GetService(name)
		if err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
		return s
	}

	mysql := svc("mysql")
	if !strings.HasPrefix(mysql.Image, "mysql:8") || mysql.HealthCheck == nil || len(mysql.Volumes) == 0 || mysql.Volumes[0].Type != types.VolumeTypeVolume {
		t.Errorf("mysql = image %s, healthcheck %v, volumes %v", mysql.Image, mysql.HealthCheck, mysql.Volumes)
	}
	temporal := svc("temporal")
	if !strings.HasPrefix(temporal.Image, "temporalio/") || temporal.Environment["DB"] == nil || *temporal.Environment["DB"] != "mysql8" {
		t.Errorf("temporal = %s with DB %v", temporal.Image, temporal.Environment["DB"])
	}
	wantDependsOn(t, temporal, "mysql", types.ServiceConditionHealthy)
	if temporal.HealthCheck == nil || !hasPort(temporal, 7233) {
		t.Errorf("temporal needs a healthcheck and port 7233")
	}
	ui := svc("temporal-ui")
	if !strings.HasPrefix(ui.Image, "temporalio/ui") || !hasPort(ui, 8080) {
		t.Errorf("temporal-ui = %s ports %v", ui.Image, ui.Ports)
	}
	setup := svc("temporal-setup")
	for _, sa := range []string{"KamflowStatus", "KamflowPhase", "KamflowLead"} {
		if !strings.Contains(strings.Join(setup.Command, " "), sa) {
			t.Errorf("temporal-setup does not register %s", sa)
		}
	}

	for _, name := range []string{"kamflow-migrate", "kamflow-worker", "kamflow-web"} {
		s := svc(name)
		if s.Build == nil || s.Build.Dockerfile != "Dockerfile" {
			t.Errorf("%s is not built from the repository's Dockerfile", name)
		}
		// Every variable the service sets must be one kamflow knows, and the
		// config it describes must load.
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		known := map[string]bool{}
		for _, v := range config.Variables(config.ModeWeb) {
			known[v[0]] = true
		}
		for k := range env {
			if !known[k] {
				t.Errorf("%s sets unknown variable %s", name, k)
			}
		}
		mode := map[string]config.Mode{"kamflow-migrate": config.ModeMigrate, "kamflow-worker": config.ModeWorker, "kamflow-web": config.ModeWeb}[name]
		cfg, err := config.Load(mode, nil, func(k string) string { return env[k] }, nil)
		if err != nil {
			t.Errorf("%s environment does not load: %v", name, err)
			continue
		}
		if cfg.DB.Driver != config.DriverMySQL || cfg.DB.Host != "mysql:3306" || cfg.Temporal.Address != "temporal:7233" {
			t.Errorf("%s config = db %s@%s temporal %s", name, cfg.DB.Driver, cfg.DB.Host, cfg.Temporal.Address)
		}
		if !strings.Contains(s.Command[0], map[string]string{"kamflow-migrate": "migrate", "kamflow-worker": "worker", "kamflow-web": "web"}[name]) {
			t.Errorf("%s runs %v", name, s.Command)
		}
	}
	wantDependsOn(t, svc("kamflow-migrate"), "mysql", types.ServiceConditionHealthy)
	for _, name := range []string{"kamflow-worker", "kamflow-web"} {
		wantDependsOn(t, svc(name), "kamflow-migrate", types.ServiceConditionCompletedSuccessfully)
		wantDependsOn(t, svc(name), "temporal-setup", types.ServiceConditionCompletedSuccessfully)
	}
	web := svc("kamflow-web")
	if !hasPort(web, 8080) || web.HealthCheck == nil || !strings.Contains(strings.Join(web.HealthCheck.Test, " "), "/healthz") {
		t.Errorf("kamflow-web needs port 8080 and a /healthz healthcheck")
	}
	if _, ok := p.Volumes["mysql-data"]; !ok {
		t.Error("named volume mysql-data missing")
	}

	dockerfile, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AS build", "CGO_ENABLED=0", "COPY --from=build", "ENTRYPOINT"} {
		if !strings.Contains(string(dockerfile), want) {
			t.Errorf("Dockerfile lacks %q (multi-stage static build)", want)
		}
	}
}

func wantDependsOn(t *testing.T, s types.ServiceConfig, on, condition string) {
	t.Helper()
	d, ok := s.DependsOn[on]
	if !ok || d.Condition != condition {
		t.Errorf("%s depends on %s with %q, want %q", s.Name, on, d.Condition, condition)
	}
}

func hasPort(s types.ServiceConfig, target uint32) bool {
	for _, p := range s.Ports {
		if p.Target == target {
			return true
		}
	}
	return false
}
