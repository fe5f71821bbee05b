package devserver_test

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/kamflow/kamflow/devserver"
)

func retentionOf(t *testing.T, s *devserver.Server) time.Duration {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.HostPort(), Namespace: s.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ns, err := c.WorkflowService().DescribeNamespace(context.Background(), &workflowservice.DescribeNamespaceRequest{Namespace: s.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	return ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
}

// TestNamespaceHasTheConfiguredRetention: a new namespace gets kamflow's
// retention (not the server's one day), and a restart with another setting
// applies it to the namespace that already exists.
func TestNamespaceHasTheConfiguredRetention(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "temporal.db")
	s, err := devserver.Start(ctx, devserver.Options{DatabaseFile: file, LogLevel: devserver.LogOff})
	if err != nil {
		t.Fatal(err)
	}
	if got := retentionOf(t, s); got != devserver.DefaultRetention {
		t.Errorf("new namespace retention = %v, want %v", got, devserver.DefaultRetention)
	}
	_, portText, _ := net.SplitHostPort(s.HostPort())
	port, _ := strconv.Atoi(portText)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	s, err = devserver.Start(ctx, devserver.Options{DatabaseFile: file, Port: port, LogLevel: devserver.LogOff, Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if got := retentionOf(t, s); got != 90*24*time.Hour {
		t.Errorf("retention after a restart with 90 days = %v", got)
	}
}
