package app

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestHTTPServerTimeouts: every kamflow process serves with header, read,
// write and idle timeouts, so a slow or stalled upload cannot hold a
// connection for minutes.
func TestHTTPServerTimeouts(t *testing.T) {
	t.Parallel()
	srv := newHTTPServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("timeouts = header %v read %v write %v idle %v; want all set", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	if srv.ReadTimeout > time.Minute || srv.WriteTimeout < 45*time.Second {
		t.Errorf("read %v must be short; write %v must outlast a page waiting ~35 s for a workflow", srv.ReadTimeout, srv.WriteTimeout)
	}

	// A POST that sends its headers and then trickles its body is cut off
	// at the read timeout (shortened here), and the handler sees an error.
	readErr := make(chan error, 1)
	srv = newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}))
	srv.ReadTimeout = 300 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /customers HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nname=slow"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("the handler read a body that never came")
		}
		if waited := time.Since(start); waited > 5*time.Second {
			t.Errorf("the slow body held the connection %v", waited)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the slow POST was not cut off")
	}
}
