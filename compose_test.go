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
	if mysql.Image != "mysql:8.4" || mysql.HealthCheck == nil || len(mysql.Volumes) == 0 || mysql.Volumes[0].Type != types.VolumeTypeVolume {
		t.Errorf("mysql = image %s, healthcheck %v, volumes %v", mysql.Image, mysql.HealthCheck, mysql.Volumes)
	}
	// Temporal on supported images, at the version kamflow embeds.
	version := embeddedTemporalVersion(t)
	schema, temporal, namespace := svc("temporal-schema"), svc("temporal"), svc("temporal-namespace")
	if temporal.Image != "temporalio/server:"+version {
		t.Errorf("temporal image = %s, want temporalio/server:%s (go.mod's go.temporal.io/server)", temporal.Image, version)
	}
	for _, s := range []types.ServiceConfig{schema, namespace} {
		if s.Image != "temporalio/admin-tools:"+version {
			t.Errorf("%s image = %s, want temporalio/admin-tools:%s", s.Name, s.Image, version)
		}
	}
	for _, s := range p.Services {
		if strings.HasPrefix(s.Image, "temporalio/auto-setup") {
			t.Errorf("%s uses the deprecated temporalio/auto-setup", s.Name)
		}
	}
	// The schema job creates and upgrades both databases with temporal-sql-tool.
	script := strings.Join(schema.Command, " ")
	for _, want := range []string{"temporal-sql-tool", "create-database", "setup-schema -v 0.0", "update-schema", "temporal:temporal", "temporal_visibility:visibility", "/etc/temporal/schema/mysql/v8/"} {
		if !strings.Contains(script, want) {
			t.Errorf("temporal-schema does not run %q: %s", want, script)
		}
	}
	if v := schema.Environment["SQL_PLUGIN"]; v == nil || *v != "mysql8" {
		t.Errorf("temporal-schema SQL_PLUGIN = %v", v)
	}
	wantDependsOn(t, schema, "mysql", types.ServiceConditionHealthy)
	if temporal.Environment["DB"] == nil || *temporal.Environment["DB"] != "mysql8" || temporal.Environment["MYSQL_SEEDS"] == nil {
		t.Errorf("temporal DB = %v", temporal.Environment["DB"])
	}
	wantDependsOn(t, temporal, "temporal-schema", types.ServiceConditionCompletedSuccessfully)
	if temporal.HealthCheck == nil || !hasPort(temporal, 7233) {
		t.Errorf("temporal needs a healthcheck and port 7233")
	}
	dynamic := false
	for _, v := range temporal.Volumes {
		if v.Target == "/etc/temporal/config/dynamicconfig/docker.yaml" {
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("temporal's dynamic config %s: %v", v.Source, err)
			}
			dynamic = true
		}
	}
	if !dynamic {
		t.Error("temporal has no dynamic config file (temporalio/server does not start without one)")
	}
	// The namespace job creates the namespace with kamflow's retention (or
	// sets it on an existing one) and registers the search attributes.
	ns := strings.Join(namespace.Command, " ")
	if r := namespace.Environment["KAMFLOW_TEMPORAL_RETENTION"]; r == nil || *r != "720h" ||
		!strings.Contains(ns, `namespace create --namespace default --retention "$KAMFLOW_TEMPORAL_RETENTION"`) ||
		!strings.Contains(ns, `namespace update --namespace default --retention "$KAMFLOW_TEMPORAL_RETENTION"`) {
		t.Errorf("temporal-namespace does not create the namespace with the retention: env %v, command %q", r, ns)
	}
	for _, sa := range []string{"KamflowStatus", "KamflowPhase", "KamflowLead"} {
		if !strings.Contains(ns, sa) {
			t.Errorf("temporal-namespace does not register %s", sa)
		}
	}
	wantDependsOn(t, namespace, "temporal", types.ServiceConditionHealthy)
	ui := svc("temporal-ui")
	if !strings.HasPrefix(ui.Image, "temporalio/ui:2.") || !hasPort(ui, 8080) || ui.HealthCheck == nil {
		t.Errorf("temporal-ui = %s ports %v healthcheck %v", ui.Image, ui.Ports, ui.HealthCheck)
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
		s := svc(name)
		wantDependsOn(t, s, "kamflow-migrate", types.ServiceConditionCompletedSuccessfully)
		wantDependsOn(t, s, "temporal-namespace", types.ServiceConditionCompletedSuccessfully)
		// --scale needs replicas without a fixed name or host port.
		if s.ContainerName != "" || len(s.Ports) > 0 {
			t.Errorf("%s cannot be scaled: container_name %q, published ports %v", name, s.ContainerName, s.Ports)
		}
	}
	web := svc("kamflow-web")
	if web.HealthCheck == nil || !strings.Contains(strings.Join(web.HealthCheck.Test, " "), "/healthz") {
		t.Errorf("kamflow-web needs a /healthz healthcheck")
	}
	if v := web.Environment["KAMFLOW_TRUSTED_PROXIES"]; v == nil || *v == "" {
		t.Error("kamflow-web does not trust the proxy's X-Forwarded-For")
	}
	proxy := svc("kamflow-proxy")
	if !hasPort(proxy, 8080) || proxy.HealthCheck == nil {
		t.Errorf("kamflow-proxy needs port 8080 and a healthcheck")
	}
	wantDependsOn(t, proxy, "kamflow-web", types.ServiceConditionHealthy)
	conf, err := os.ReadFile("deploy/nginx.conf")
	if err != nil || !strings.Contains(string(conf), "proxy_pass $web") || !strings.Contains(string(conf), "http://kamflow-web:8080") ||
		!strings.Contains(string(conf), "X-Forwarded-For") || !strings.Contains(string(conf), "resolver 127.0.0.11") {
		t.Errorf("deploy/nginx.conf does not spread requests over the web replicas: %v", err)
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

// embeddedTemporalVersion reads go.temporal.io/server's version from go.mod
// ("v1.32.1" → "1.32.1"): the compose images must run the server kamflow
// is tested against.
func embeddedTemporalVersion(t *testing.T) string {
	t.Helper()
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "go.temporal.io/server" {
			return strings.TrimPrefix(f[1], "v")
		}
	}
	t.Fatal("go.mod does not require go.temporal.io/server")
	return ""
}
