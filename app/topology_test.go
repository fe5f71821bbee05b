//go:build topology

package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/kamflow/kamflow/mailer/smtptest"
	"github.com/kamflow/kamflow/store/storetest"
)

// topology is kamflow as compose deploys it, without Docker: one Temporal
// process, MariaDB, two workers and two web nodes, each its own binary.
type topology struct {
	t      *testing.T
	bin    string
	dir    string
	env    []string
	webs   []string // base URLs
	mu     sync.Mutex
	procs  map[string]*exec.Cmd
	tokens map[string]string
}

func (tp *topology) start(name string, args ...string) {
	tp.t.Helper()
	logf, err := os.Create(filepath.Join(tp.dir, name+".log"))
	if err != nil {
		tp.t.Fatal(err)
	}
	cmd := exec.Command(tp.bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = tp.env, logf, logf
	if err := cmd.Start(); err != nil {
		tp.t.Fatalf("start %s: %v", name, err)
	}
	tp.mu.Lock()
	tp.procs[name] = cmd
	tp.mu.Unlock()
	go func() { _ = cmd.Wait(); logf.Close() }()
}

// kill ends a process with SIGKILL: no shutdown, leases and polls left open.
func (tp *topology) kill(name string) {
	tp.mu.Lock()
	cmd := tp.procs[name]
	tp.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	for cmd.ProcessState == nil {
		time.Sleep(50 * time.Millisecond)
	}
}

func (tp *topology) stopAll() {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	for _, cmd := range tp.procs {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, cmd := range tp.procs {
		for cmd.ProcessState == nil && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	}
}

func (tp *topology) logs() string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(tp.dir, "*.log"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if len(data) > 4000 {
			data = data[len(data)-4000:]
		}
		fmt.Fprintf(&b, "--- %s (end)\n%s\n", filepath.Base(f), data)
	}
	return b.String()
}

// run runs a one-shot command (migrate, user create, token create).
func (tp *topology) run(stdin string, args ...string) string {
	tp.t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(tp.bin, args...)
	cmd.Env, cmd.Stdin, cmd.Stderr = tp.env, strings.NewReader(stdin), &stderr
	out, err := cmd.Output()
	if err != nil {
		tp.t.Fatalf("kamflow %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// api calls node n's JSON API as who.
func (tp *topology) api(n int, who, method, path string, body any) (int, map[string]any) {
	tp.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, tp.webs[n]+"/api/v1"+path, rd)
	req.Header.Set("Authorization", "Bearer "+tp.tokens[who])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tp.t.Fatalf("%s %s on web %d: %v", method, path, n+1, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (tp *topology) ok(n int, who, method, path string, body any) map[string]any {
	tp.t.Helper()
	code, out := tp.api(n, who, method, path, body)
	if code/100 != 2 {
		tp.t.Fatalf("%s %s %s on web %d = %d: %v\n%s", who, method, path, n+1, code, out, tp.logs())
	}
	return out
}

var messageID = regexp.MustCompile(`(?m)^Message-ID: (<[^>]+>)`)

// TestTopology: one Temporal server process, MariaDB, `kamflow migrate`,
// two workers and two web nodes as binaries. A programme is driven through
// the API alternating the web nodes; a worker is killed with SIGKILL
// mid-way and started again; a browser session signed in on one web node
// works on the other. Everything completes, and no notification is mailed
// twice.
func TestTopology(t *testing.T) {
	dsn := storetest.MySQLDatabase(t)
	db, err := gomysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kamflow")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/kamflow/kamflow").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sink := smtptest.New(t)
	_, sinkPort, _ := net.SplitHostPort(sink.Addr())
	temporalPort := freePort(t, 8)
	tp := &topology{t: t, bin: bin, dir: dir, procs: map[string]*exec.Cmd{}, tokens: map[string]string{}}
	tp.env = append(os.Environ(),
		"KAMFLOW_DATA_DIR="+filepath.Join(dir, "data"),
		"KAMFLOW_DB_DRIVER=mysql", "KAMFLOW_DB_HOST="+db.Addr, "KAMFLOW_DB_USER="+db.User,
		"KAMFLOW_DB_PASSWORD="+db.Passwd, "KAMFLOW_DB_NAME="+db.DBName,
		"KAMFLOW_TEMPORAL_PORT="+strconv.Itoa(temporalPort),
		"KAMFLOW_TEMPORAL_ADDRESS=127.0.0.1:"+strconv.Itoa(temporalPort),
		"KAMFLOW_SMTP_HOST=127.0.0.1", "KAMFLOW_SMTP_PORT="+sinkPort, "KAMFLOW_SMTP_FROM=kamflow@topology.test",
		// Plain HTTP on loopback; one CSRF secret for the site's web nodes.
		"KAMFLOW_SECURE_COOKIES=false", "KAMFLOW_CSRF_SECRET=topology-test-secret-of-32-characters!",
	)
	t.Cleanup(func() {
		tp.stopAll()
		if t.Failed() {
			t.Log(tp.logs())
		}
	})

	tp.start("temporal", "temporal")
	tp.run("", "migrate")
	for _, u := range []struct{ who, role string }{{"lead", "lead"}, {"committee", "committee"}} {
		email := u.who + "@topology.test"
		tp.run("correct horse battery staple\n", "user", "create", "--email", email, "--name", u.who, "--role", u.role)
		tp.tokens[u.who] = strings.TrimSpace(tp.run("", "token", "create", "--email", email))
	}
	tp.start("worker1", "worker")
	tp.start("worker2", "worker")
	for i := range 2 {
		addr := "127.0.0.1:" + strconv.Itoa(freePort(t, 1))
		cmd := fmt.Sprintf("web%d", i+1)
		tp.env = append(tp.env, "KAMFLOW_HTTP_ADDR="+addr) // the last one wins
		tp.start(cmd, "web")
		tp.webs = append(tp.webs, "http://"+addr)
	}
	for _, base := range tp.webs {
		deadline := time.Now().Add(90 * time.Second)
		for {
			resp, err := http.Get(base + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not healthy\n%s", base, tp.logs())
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	// A programme through the API, alternating the web nodes.
	created := tp.ok(0, "lead", "POST", "/programmes", map[string]any{"name": "KAM Topology", "committee_emails": []string{"committee@topology.test"},
		"start_date": time.Now().UTC().Format("2006-01-02")})
	p := fmt.Sprintf("/programmes/%d", int(created["id"].(float64)))
	waitUntil(t, "the programme running", func() bool {
		code, _ := tp.api(1, "lead", "POST", p+"/phases/setup/submit", map[string]string{"result": "team of management; goals; milestones"})
		return code == 200
	})
	// A worker dies without a word; the other carries on, and it comes back.
	tp.kill("worker1")
	tp.ok(0, "lead", "POST", p+"/phases/strategy/submit", map[string]string{"result": "KAM derived from the marketing strategy"})
	tp.ok(1, "committee", "POST", p+"/phases/strategy/approve", map[string]string{})
	tp.start("worker1", "worker")
	tp.ok(0, "lead", "PUT", p+"/criteria", criteriaBody)
	tp.ok(1, "lead", "POST", p+"/phases/criteria/submit", map[string]string{"result": "4 criteria, at least 2 met"})
	tp.ok(0, "committee", "POST", p+"/phases/criteria/approve", map[string]string{})
	tp.ok(1, "lead", "POST", p+"/phases/kam_profile/submit", map[string]string{"result": "requirements and candidate pool"})
	waitUntil(t, "both nodes read the profile done", func() bool {
		for n := range 2 {
			_, st := tp.api(n, "lead", "GET", p, nil)
			phases, _ := st["phases"].([]any)
			done := 0
			for _, ph := range phases {
				m := ph.(map[string]any)
				if m["status"] == "done" {
					done++
				}
			}
			if done < 4 {
				return false
			}
		}
		return true
	})

	// One browser session, both web nodes (cookies are per host, not port).
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(tp.webs[0] + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", page)
	}
	resp, err = browser.PostForm(tp.webs[0]+"/login", url.Values{"csrf": {string(csrf[1])}, "email": {"lead@topology.test"}, "password": {"correct horse battery staple"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in on web 1 = %d", resp.StatusCode)
	}
	resp, err = browser.Get(tp.webs[1] + p)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("KAM Topology")) {
		t.Fatalf("the session from web 1 on web 2 = %d:\n%.2000s", resp.StatusCode, page)
	}

	// Every notification mailed, none twice.
	sqlDB, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	var queued int
	waitUntil(t, "the outbox delivered", func() bool {
		var waiting int
		if err := sqlDB.QueryRowContext(context.Background(), "SELECT COUNT(*), COUNT(CASE WHEN sent_at IS NULL THEN 1 END) FROM notifications").Scan(&queued, &waiting); err != nil {
			t.Fatal(err)
		}
		return queued > 0 && waiting == 0
	})
	mails := sink.Messages()
	seen := map[string]int{}
	for _, m := range mails {
		if id := messageID.FindStringSubmatch(m); id != nil {
			seen[id[1]]++
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("message %s mailed %d times", id, n)
		}
	}
	t.Logf("%d notifications queued and mailed, each once", len(seen))
	if len(seen) != queued || len(mails) != queued {
		t.Errorf("%d notifications queued, %d mails with %d distinct IDs", queued, len(mails), len(seen))
	}
}

// waitUntil polls cond for up to two minutes: processes restart here.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
