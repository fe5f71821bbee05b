// Package devserver runs a real Temporal server inside the kamflow process,
// persisted to a SQLite file. It backs `kamflow dev` and the integration tests;
// production runs against an external Temporal cluster instead.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

const clusterName = "active"

// Options configure an embedded server.
type Options struct {
	// DatabaseFile is the SQLite file holding all Temporal state. Empty means
	// in-memory (state is lost when the process ends), which tests use.
	DatabaseFile string
	// IP and Port of the frontend. Port 0 picks a free port.
	IP   string
	Port int
	// Namespace is created on start if missing.
	Namespace string
	// SearchAttributes are registered on the namespace if missing.
	SearchAttributes map[string]enumspb.IndexedValueType
	// LogLevel of the server's own logger: debug, info, warn, error or LogOff.
	LogLevel string
	// Retention is how long the namespace keeps a closed workflow's
	// history; zero means DefaultRetention. It is applied on every start.
	Retention time.Duration
}

// DefaultRetention is kamflow's retention (KAMFLOW_TEMPORAL_RETENTION's
// default), not the server's own default of one day.
const DefaultRetention = 30 * 24 * time.Hour

// LogOff silences the server's own logger.
const LogOff = "off"

// Server is a running embedded Temporal server.
type Server struct {
	server    temporal.Server
	hostPort  string
	namespace string
}

// ErrPortInUse is returned when the frontend port is taken by another process.
var ErrPortInUse = errors.New("port already in use")

// Start creates the schema when the database file is new, starts all Temporal
// services in-process, and registers the namespace and search attributes.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.IP == "" {
		opts.IP = "127.0.0.1"
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "warn"
	}
	if opts.Retention == 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Port == 0 {
		p, err := freePortRange(opts.IP, PortsUsed)
		if err != nil {
			return nil, err
		}
		opts.Port = p
	} else {
		for p := opts.Port; p < opts.Port+PortsUsed; p++ {
			if err := checkPortFree(opts.IP, p); err != nil {
				return nil, err
			}
		}
	}

	sqlCfg := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		ConnectAttributes: map[string]string{},
	}
	if opts.DatabaseFile == "" {
		sqlCfg.ConnectAttributes["mode"] = "memory"
		sqlCfg.ConnectAttributes["cache"] = "shared"
		// The sqlite plugin creates the schema itself for in-memory databases.
		sqlCfg.DatabaseName = "kamflow-mem-" + strconv.Itoa(opts.Port)
	} else {
		sqlCfg.ConnectAttributes["mode"] = "rwc"
		// The plugin passes unknown attributes on as pragmas under their
		// own names, so these are the bare pragma names. WAL with NORMAL
		// syncs once per checkpoint instead of twice per transaction.
		sqlCfg.ConnectAttributes["journal_mode"] = "WAL"
		sqlCfg.ConnectAttributes["synchronous"] = "NORMAL"
		sqlCfg.ConnectAttributes["busy_timeout"] = "10000"
		sqlCfg.DatabaseName = opts.DatabaseFile
		if _, err := os.Stat(opts.DatabaseFile); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(filepath.Dir(opts.DatabaseFile), 0o755); err != nil {
				return nil, fmt.Errorf("temporal data dir: %w", err)
			}
			if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
				return nil, fmt.Errorf("temporal schema: %w", err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("temporal database file: %w", err)
		}
	}

	nsCfg, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("namespace config: %w", err)
	}
	nsCfg.Detail.Config.Retention = durationpb.New(opts.Retention)
	if err := sqliteschema.CreateNamespaces(sqlCfg, nsCfg); err != nil {
		return nil, fmt.Errorf("create namespace: %w", err)
	}

	cfg, err := serverConfig(opts, sqlCfg)
	if err != nil {
		return nil, err
	}
	var logger log.Logger = log.NewNoopLogger()
	if opts.LogLevel != LogOff {
		logger = log.NewZapLogger(log.BuildZapLogger(log.Config{Stdout: true, Level: opts.LogLevel}))
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithCustomMetricsHandler(metrics.NoopMetricsHandler),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): []dynamicconfig.ConstrainedValue{{Value: true}},
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s := &Server{server: srv, hostPort: net.JoinHostPort(opts.IP, strconv.Itoa(opts.Port)), namespace: opts.Namespace}
	if err := s.ensureSearchAttributes(ctx, opts.SearchAttributes); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	if err := s.ensureRetention(ctx, opts.Retention); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	return s, nil
}

// HostPort is the frontend address clients dial.
func (s *Server) HostPort() string { return s.hostPort }

// Namespace is the namespace created on start.
func (s *Server) Namespace() string { return s.namespace }

// Stop shuts the server down; persisted state stays in the database file.
func (s *Server) Stop() error { return s.server.Stop() }

// ensureSearchAttributes adds attributes that a newer kamflow declares to a
// namespace created by an older one.
func (s *Server) ensureSearchAttributes(ctx context.Context, want map[string]enumspb.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	ops := c.OperatorService()
	existing, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: s.namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range want {
		if _, ok := existing.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: s.namespace, SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

// ensureRetention sets the namespace's retention when a namespace created
// earlier (by an older kamflow or with another setting) has a different one.
func (s *Server) ensureRetention(ctx context.Context, retention time.Duration) error {
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
	if err != nil {
		return fmt.Errorf("describe namespace: %w", err)
	}
	if ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == retention {
		return nil
	}
	if _, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: s.namespace,
		Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)},
	}); err != nil {
		return fmt.Errorf("set namespace retention: %w", err)
	}
	return nil
}

// dial waits for the frontend to answer; the services start asynchronously.
func (s *Server) dial(ctx context.Context) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: s.hostPort, Namespace: s.namespace, Logger: quietLogger{}})
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("temporal frontend %s not ready: %w", s.hostPort, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// serviceNames are the server's services; service i listens for gRPC on
// Port+i and for membership on Port+4+i. Fixed ports matter: the membership
// table persists across restarts, and a restarted server on the same
// addresses is recognised at once instead of waiting for stale hosts to expire.
var serviceNames = []string{"frontend", "history", "matching", "worker"}

// PortsUsed is how many consecutive ports from Options.Port the server takes.
const PortsUsed = 8

func serverConfig(opts Options, sqlCfg *config.SQL) (*config.Config, error) {
	services := map[string]config.Service{}
	for i, name := range serviceNames {
		services[name] = config.Service{RPC: config.RPC{
			GRPCPort: opts.Port + i, MembershipPort: opts.Port + len(serviceNames) + i, BindOnIP: opts.IP,
		}}
	}
	frontend := net.JoinHostPort(opts.IP, strconv.Itoa(opts.Port))
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: opts.IP},
		},
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            services,
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}, nil
}

// freePortRange finds n consecutive free ports.
func freePortRange(ip string, n int) (int, error) {
	for attempt := 0; attempt < 50; attempt++ {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return 0, fmt.Errorf("find a free port: %w", err)
		}
		base := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		ok := base+n <= 65535
		for p := base + 1; ok && p < base+n; p++ {
			ok = checkPortFree(ip, p) == nil
		}
		if ok {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d consecutive free ports on %s", n, ip)
}

func checkPortFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%s:%d: %w", ip, port, ErrPortInUse)
	}
	return l.Close()
}

// quietLogger drops the SDK's retry chatter while waiting for the frontend.
type quietLogger struct{}

func (quietLogger) Debug(string, ...interface{}) {}
func (quietLogger) Info(string, ...interface{})  {}
func (quietLogger) Warn(string, ...interface{})  {}
func (quietLogger) Error(string, ...interface{}) {}
