package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/kamflow/kamflow/app"
	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/devserver"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/tclient"
	"github.com/kamflow/kamflow/web"
)

// env is kamflow running in this process on a fresh database: the bench's
// own composition of the embedded Temporal server, a store on SQLite or
// MySQL and a worker (what `kamflow dev` runs, but on either database:
// `kamflow dev` itself keeps to its own SQLite file), plus a web server whose
// requests count their SQL queries.
type env struct {
	store    *store.Store
	client   client.Client
	temporal *devserver.Server
	worker   sdkworker.Worker
	cfg      *config.Config
	url      string
	dataDir  string
	// mysqlHost and dbName name the throwaway MySQL database (empty on SQLite).
	mysqlHost string
	dbName    string
	driver    string
	// keep: stop leaves the database and data directory in place.
	keep bool
	srv  *http.Server
	// queries holds each marked request's counts (*requestCounts) by its
	// X-Bench-Request header.
	queries sync.Map
	seq     atomic.Int64
}

type queryCounterKey struct{}

// statementStartKey keeps when a recorded statement began, in its
// statement's settings (-statements).
const statementStartKey = "bench:start"

// requestCounts is what one request asked of the database and of Temporal.
type requestCounts struct {
	sql atomic.Int64
	// temporal counts workflow queries and describes: reads that would
	// wait on Temporal (and on a worker, for queries).
	temporal atomic.Int64
	// statements holds the SQL of each statement when the request is
	// marked for it (-statements): what a page's round trips are.
	record     bool
	mu         sync.Mutex
	statements []string
}

// temporalReadCounter is a client interceptor counting the workflow reads made
// on behalf of a request.
type temporalReadCounter struct {
	interceptor.ClientInterceptorBase
}

func (*temporalReadCounter) InterceptClient(next interceptor.ClientOutboundInterceptor) interceptor.ClientOutboundInterceptor {
	o := &countingOutbound{}
	o.Next = next
	return o
}

type countingOutbound struct {
	interceptor.ClientOutboundInterceptorBase
}

func countTemporal(ctx context.Context) {
	if n, ok := ctx.Value(queryCounterKey{}).(*requestCounts); ok {
		n.temporal.Add(1)
	}
}

func (o *countingOutbound) QueryWorkflow(ctx context.Context, in *interceptor.ClientQueryWorkflowInput) (converter.EncodedValue, error) {
	countTemporal(ctx)
	return o.Next.QueryWorkflow(ctx, in)
}

func (o *countingOutbound) DescribeWorkflow(ctx context.Context, in *interceptor.ClientDescribeWorkflowInput) (*interceptor.ClientDescribeWorkflowOutput, error) {
	countTemporal(ctx)
	return o.Next.DescribeWorkflow(ctx, in)
}

// startEnv starts kamflow on driver ("sqlite" or "mysql"); MySQL gets a
// fresh database named kamflow_bench_<tag>_<pid>, dropped again by stop.
func startEnv(ctx context.Context, o options, driver, tag string) (_ *env, err error) {
	dir, err := os.MkdirTemp("", "kamflow-bench-")
	if err != nil {
		return nil, err
	}
	e := &env{dataDir: dir, driver: driver, keep: o.keep}
	defer func() {
		if err != nil {
			e.stop()
		}
	}()
	port, err := freePorts(devserver.PortsUsed)
	if err != nil {
		return nil, err
	}
	// The configuration of a worker process, whose embedded Temporal server
	// has its state in the data directory.
	vars := map[string]string{"KAMFLOW_LOG_LEVEL": "error", "KAMFLOW_DATA_DIR": dir, "KAMFLOW_TEMPORAL_PORT": strconv.Itoa(port), "KAMFLOW_DB_DRIVER": driver}
	if driver == "mysql" {
		// The process ID keeps two bench runs on one server apart.
		e.mysqlHost, e.dbName = o.mysqlHost, fmt.Sprintf("kamflow_bench_%s_%d", tag, os.Getpid())
		if err := recreateMySQL(e.mysqlHost, e.dbName); err != nil {
			return nil, err
		}
		vars["KAMFLOW_DB_HOST"], vars["KAMFLOW_DB_USER"], vars["KAMFLOW_DB_NAME"] = o.mysqlHost, "root", e.dbName
	}
	cfg, err := config.Load(config.ModeWorker, nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		return nil, err
	}
	e.cfg = cfg
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if e.temporal, err = app.StartEmbeddedTemporal(ctx, cfg, "127.0.0.1"); err != nil {
		return nil, err
	}
	if e.store, err = app.OpenStore(ctx, cfg.DB); err != nil {
		return nil, err
	}
	if err := e.store.Migrate(ctx); err != nil {
		return nil, err
	}
	// The demo people are the bench's signed-in users; the database is the
	// bench's own, created above.
	if seeded, err := e.store.SeedDemo(ctx); err != nil {
		return nil, err
	} else if !seeded {
		return nil, fmt.Errorf("%s database is not new: it has users", driver)
	}
	tcfg := cfg.Temporal
	tcfg.Address = e.temporal.HostPort()
	if e.client, err = tclient.Dial(ctx, tcfg, quiet, nil); err != nil {
		return nil, err
	}
	if e.worker, err = app.StartWorker(cfg, e.client, e.store); err != nil {
		return nil, err
	}
	countQueries(e.store.DB())
	counted, err := client.NewClientFromExisting(e.client, client.Options{Interceptors: []interceptor.ClientInterceptor{&temporalReadCounter{}}})
	if err != nil {
		return nil, err
	}
	srv, err := web.New(web.Options{Store: e.store, Temporal: counted, Logger: quiet, TaskQueue: cfg.Temporal.TaskQueue, DemoLogins: store.DemoLogins(), Zone: cfg.Zone})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	// Each request carries a counter the GORM callbacks add to; marked
	// requests leave their count behind for queriesOf.
	h := srv.Handler()
	e.srv = &http.Server{Handler: labelled(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := &requestCounts{record: o.statements && r.Header.Get("X-Bench-Request") != ""}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), queryCounterKey{}, n)))
		if id := r.Header.Get("X-Bench-Request"); id != "" {
			e.queries.Store(id, n)
		}
	}))}
	go func() { _ = e.srv.Serve(ln) }()
	e.url = "http://" + ln.Addr().String()
	return e, nil
}

// stop ends what startEnv started, in reverse order, and removes its data:
// the data directory and the MySQL database, unless the run keeps them.
func (e *env) stop() {
	if e.srv != nil {
		_ = e.srv.Close()
	}
	if e.worker != nil {
		e.worker.Stop()
	}
	if e.client != nil {
		e.client.Close()
	}
	if e.temporal != nil {
		_ = e.temporal.Stop()
	}
	if e.store != nil {
		_ = e.store.Close()
	}
	if e.keep {
		fmt.Fprintf(os.Stderr, "bench: kept %s data: directory %s, MySQL database %q\n", e.driver, e.dataDir, e.dbName)
		return
	}
	if e.dbName != "" {
		if err := execMySQL(e.mysqlHost, "DROP DATABASE IF EXISTS "+e.dbName); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}
	_ = os.RemoveAll(e.dataDir)
}

// countQueries adds one to the request's counter for every SQL statement.
func countQueries(db *gorm.DB) {
	start := func(tx *gorm.DB) {
		if n, ok := tx.Statement.Context.Value(queryCounterKey{}).(*requestCounts); ok && n.record {
			tx.Statement.Settings.Store(statementStartKey, time.Now())
		}
	}
	count := func(tx *gorm.DB) {
		// GORM builds a subquery by running its callbacks dry: nothing is
		// sent to the database.
		if tx.DryRun {
			return
		}
		if n, ok := tx.Statement.Context.Value(queryCounterKey{}).(*requestCounts); ok {
			n.sql.Add(1)
			if n.record {
				took := "?"
				if t, ok := tx.Statement.Settings.Load(statementStartKey); ok {
					took = fmt.Sprintf("%.2f ms", float64(time.Since(t.(time.Time)).Microseconds())/1000)
				}
				n.mu.Lock()
				n.statements = append(n.statements, "["+took+"] "+tx.Dialector.Explain(tx.Statement.SQL.String(), tx.Statement.Vars...))
				n.mu.Unlock()
			}
		}
	}
	cb := db.Callback()
	_ = cb.Query().Before("gorm:query").Register("bench:start", start)
	_ = cb.Row().Before("gorm:row").Register("bench:start", start)
	_ = cb.Raw().Before("gorm:raw").Register("bench:start", start)
	_ = cb.Query().After("gorm:query").Register("bench:count", count)
	_ = cb.Row().After("gorm:row").Register("bench:count", count)
	_ = cb.Raw().After("gorm:raw").Register("bench:count", count)
	_ = cb.Create().After("gorm:create").Register("bench:count", count)
	_ = cb.Update().After("gorm:update").Register("bench:count", count)
	_ = cb.Delete().After("gorm:delete").Register("bench:count", count)
}

// queriesOf sends one marked request and returns its status, the number
// of SQL statements the server ran for it and the workflow reads it made.
func (e *env) queriesOf(c *http.Client, rawURL, token string) (int, int64, int64, error) {
	id := strconv.FormatInt(e.seq.Add(1), 10)
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	req.Header.Set("X-Bench-Request", id)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// The handler may finish a moment after the client has the body.
	for i := 0; i < 200; i++ {
		if v, ok := e.queries.LoadAndDelete(id); ok {
			n := v.(*requestCounts)
			if n.record {
				n.mu.Lock()
				fmt.Fprintf(os.Stderr, "bench: %s %s: %d statements\n", e.driver, rawURL, len(n.statements))
				for i, q := range n.statements {
					fmt.Fprintf(os.Stderr, "  %2d. %s\n", i+1, q)
				}
				n.mu.Unlock()
			}
			return resp.StatusCode, n.sql.Load(), n.temporal.Load(), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return resp.StatusCode, 0, 0, fmt.Errorf("no query count for %s", rawURL)
}

func recreateMySQL(host, name string) error {
	return execMySQL(host, "DROP DATABASE IF EXISTS "+name, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
}

// execMySQL runs statements as root on the MySQL server at host.
func execMySQL(host string, statements ...string) error {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", host
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range statements {
		if _, err := db.Exec(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

func freePorts(n int) (int, error) {
	for base := 20000 + os.Getpid()%20000; base < 65000-n; base += n {
		ok := true
		var held []net.Listener
		for i := 0; i < n && ok; i++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			_ = l.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d free ports in a row", n)
}

// session is a signed-in browser of one role.
type session struct {
	c    *http.Client
	role string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

func signIn(base, role string) (*session, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	resp, err := c.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("no CSRF field on the login page")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "email": {role + "@" + store.DemoDomain}, "password": {store.DemoPassword}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in %s: status %d", role, resp.StatusCode)
	}
	return &session{c: c, role: role}, nil
}
