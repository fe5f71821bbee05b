package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/kamflow/kamflow/devserver"
	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// buildBinary builds kamflow once for the parts that run it as a process.
func buildBinary(dir string) (string, time.Duration, error) {
	bin := filepath.Join(dir, "kamflow")
	start := time.Now()
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", 0, fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, time.Since(start), nil
}

// benchDevStart times `kamflow dev` from process start to the first page,
// on a fresh data directory and again with the data present.
func benchDevStart(ctx context.Context, o options, r *report) error {
	dir, err := os.MkdirTemp("", "kamflow-devstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, buildTime, err := buildBinary(dir)
	if err != nil {
		return err
	}
	var rows []string
	var withData time.Duration
	for i, label := range []string{"fresh data directory (creates and seeds)", "data present (restart)", "data present (restart)"} {
		port, err := freePorts(devserver.PortsUsed + 1)
		if err != nil {
			return err
		}
		url := fmt.Sprintf("http://127.0.0.1:%d/login", port+devserver.PortsUsed)
		cmd := exec.Command(bin, "dev", "--data", filepath.Join(dir, "data"), "--http", fmt.Sprintf("127.0.0.1:%d", port+devserver.PortsUsed), "--temporal-port", strconv.Itoa(port))
		cmd.Env = append(os.Environ(), "KAMFLOW_LOG_LEVEL=error")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		took, err := waitForPage(url, 60*time.Second)
		took = time.Since(start)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		rows = append(rows, fmt.Sprintf("| %d | %s | %s |", i+1, label, took.Round(time.Millisecond)))
		if i > 0 && (withData == 0 || took < withData) {
			withData = took
		}
	}
	body := fmt.Sprintf("The binary (built in %s, not counted) started as `kamflow dev`; time from process start until the sign-in page with the demo logins answers 200.\n\n| run | data | start to first page |\n|---|---|---|\n%s\n\n**Start with data present**: %s (target ≤ 2 s) — %s.\n",
		buildTime.Round(time.Second), strings.Join(rows, "\n"), withData.Round(time.Millisecond), verdict(withData <= 2*time.Second))
	r.section("kamflow dev: start to first page", body)
	return nil
}

func waitForPage(url string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	c := &http.Client{Timeout: time.Second}
	for time.Since(start) < limit {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s did not answer within %s", url, limit)
}

// separateWorker is Temporal and the database in this process with
// `kamflow worker` as a child process, so its memory is its own and it can
// be killed.
type separateWorker struct {
	bin, dir, dbPath string
	temporal         *devserver.Server
	st               *store.Store
	c                client.Client
	cmd              *exec.Cmd
}

func startSeparateWorker(ctx context.Context) (*separateWorker, error) {
	dir, err := os.MkdirTemp("", "kamflow-worker-")
	if err != nil {
		return nil, err
	}
	sw := &separateWorker{dir: dir, dbPath: filepath.Join(dir, "kamflow.db")}
	if sw.bin, _, err = buildBinary(dir); err != nil {
		return nil, err
	}
	if sw.temporal, err = devserver.Start(ctx, devserver.Options{DatabaseFile: filepath.Join(dir, "temporal.db"), SearchAttributes: workflows.SearchAttributes(), LogLevel: devserver.LogOff}); err != nil {
		return nil, err
	}
	if sw.st, err = store.Open(ctx, store.Options{Driver: "sqlite", Path: sw.dbPath}); err != nil {
		return nil, err
	}
	if err := sw.st.Migrate(ctx); err != nil {
		return nil, err
	}
	if _, err := sw.st.SeedDemo(ctx); err != nil {
		return nil, err
	}
	if sw.c, err = client.Dial(client.Options{HostPort: sw.temporal.HostPort(), Namespace: "default", Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}); err != nil {
		return nil, err
	}
	return sw, sw.startWorker()
}

func (sw *separateWorker) startWorker() error {
	sw.cmd = exec.Command(sw.bin, "worker")
	sw.cmd.Env = append(os.Environ(), "KAMFLOW_LOG_LEVEL=error", "KAMFLOW_DB_DRIVER=sqlite", "KAMFLOW_DB_PATH="+sw.dbPath,
		"KAMFLOW_TEMPORAL_ADDRESS="+sw.temporal.HostPort(), "KAMFLOW_TEMPORAL_NAMESPACE=default")
	return sw.cmd.Start()
}

func (sw *separateWorker) kill() {
	_ = sw.cmd.Process.Kill()
	_ = sw.cmd.Wait()
}

func (sw *separateWorker) stop() {
	if sw.cmd != nil && sw.cmd.Process != nil {
		_ = sw.cmd.Process.Signal(syscall.SIGTERM)
		_ = sw.cmd.Wait()
	}
	if sw.c != nil {
		sw.c.Close()
	}
	if sw.temporal != nil {
		_ = sw.temporal.Stop()
	}
	if sw.st != nil {
		_ = sw.st.Close()
	}
	_ = os.RemoveAll(sw.dir)
}

// rssMB reads a process's resident memory.
func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// benchWorkshops starts many annual workshops that wait on their reminder
// timers and reads the worker's and the server's memory.
func benchWorkshops(ctx context.Context, o options, r *report) error {
	sw, err := startSeparateWorker(ctx)
	if err != nil {
		return err
	}
	defer sw.stop()
	// Key accounts for the workshops to belong to.
	p, err := sw.st.CreateProgramme(ctx, "Workshops", "lead@"+store.DemoDomain, time.Now())
	if err != nil {
		return err
	}
	kamUser, err := sw.st.UserByEmail(ctx, "kam@"+store.DemoDomain)
	if err != nil {
		return err
	}
	customers := make([]store.Customer, 100)
	for i := range customers {
		customers[i] = store.Customer{Name: fmt.Sprintf("Workshop Kunde %03d", i)}
	}
	db := sw.st.DB().WithContext(ctx)
	if err := db.CreateInBatches(&customers, 100).Error; err != nil {
		return err
	}
	accounts := make([]store.KeyAccount, len(customers))
	for i, c := range customers {
		accounts[i] = store.KeyAccount{ProgrammeID: p.ID, CustomerID: c.ID, CustomerName: c.Name, KAMEmployeeID: kamUser.EmployeeID, ConfirmedAt: time.Now()}
	}
	if err := db.CreateInBatches(&accounts, 100).Error; err != nil {
		return err
	}
	idle := rssMB(sw.cmd.Process.Pid)
	serverIdle := rssMB(os.Getpid())
	startWall, err := parallel(o.workshops, 16, func(i int) error {
		a := accounts[i%len(accounts)]
		_, err := sw.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bench-workshop-%d", i), TaskQueue: "kamflow"},
			workflows.WorkshopWorkflowName, workflows.WorkshopInput{KeyAccountID: a.ID, CustomerName: "Kunde", KAMEmail: "kam@" + store.DemoDomain, LeadEmail: "lead@" + store.DemoDomain})
		return err
	})
	if err != nil {
		return err
	}
	// Every workshop has prepared its row and waits on a timer.
	deadline := time.Now().Add(30 * time.Minute)
	var n int64
	for time.Now().Before(deadline) {
		if err := db.Model(&store.Workshop{}).Count(&n).Error; err != nil {
			return err
		}
		if int(n) >= o.workshops {
			break
		}
		time.Sleep(time.Second)
	}
	time.Sleep(5 * time.Second) // let the worker's caches settle
	worker, server := rssMB(sw.cmd.Process.Pid), rssMB(os.Getpid())
	body := fmt.Sprintf("%d annual-workshop workflows started (16 at a time, in %s) against the embedded server; each prepared its workshop (%d rows written) and waits on its reminder timer. `kamflow worker` runs as its own process.\n\n| process | idle | with %d waiting workshops |\n|---|---|---|\n| worker (`kamflow worker`) | %.0f MB | %.0f MB |\n| server (embedded Temporal + this bench's client and store) | %.0f MB | %.0f MB |\n\n**Worker RSS** %.0f MB (target ≤ 250 MB) — %s. The server figure includes the bench process itself.\n",
		o.workshops, startWall.Round(time.Second), n, o.workshops, idle, worker, serverIdle, server, worker, verdict(worker <= 250 && int(n) >= o.workshops))
	r.section("Workflows: memory with many waiting workshops", body)
	return nil
}

// benchLoad holds 64 clients on the web for the load duration on MySQL.
func benchLoad(ctx context.Context, o options, r *report) error {
	e, err := startEnv(ctx, o, "mysql", "load")
	if err != nil {
		return err
	}
	defer e.stop()
	ds, err := generate(ctx, e, 1, "kamflow")
	if err != nil {
		return err
	}
	sessions := map[string]*session{}
	for _, role := range []string{"lead", "committee", "hr", "controller", "kam"} {
		if sessions[role], err = signIn(e.url, role); err != nil {
			return err
		}
	}
	pages := []page{{path: "/", role: "lead"}, {path: "/", role: "kam"}, {path: "/", role: "hr"}, {path: "/", role: "controller"},
		{path: fmt.Sprintf("/programmes/%d", ds.programmes[0]), role: "lead"}, {path: fmt.Sprintf("/key-accounts/%d", ds.kamAccount), role: "kam"},
		{path: "/customers?page=7", role: "lead"}, {path: "/customers?q=Energy", role: "lead"}, {path: "/contacts?page=3", role: "lead"}}
	var ok, failed atomic.Int64
	var mu sync.Mutex
	kinds := map[string]int{}
	stop := time.Now().Add(o.loadDuration)
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for time.Now().Before(stop) {
				p := pages[rng.IntN(len(pages))]
				resp, err := sessions[p.role].c.Get(e.url + p.path)
				if err == nil {
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != http.StatusOK {
					failed.Add(1)
					mu.Lock()
					if err != nil {
						kinds[err.Error()]++
					} else {
						kinds[fmt.Sprintf("%d %s", resp.StatusCode, p.path)]++
					}
					mu.Unlock()
					continue
				}
				ok.Add(1)
			}
		}(w)
	}
	wg.Wait()
	total := ok.Load() + failed.Load()
	var kindList []string
	for k, n := range kinds {
		kindList = append(kindList, fmt.Sprintf("%d× %s", n, k))
	}
	body := fmt.Sprintf("64 clients for %s against the web on MySQL (1× data), mixing the role homes, programme, key-account, customer and contact pages.\n\n| requests | req/s | errors |\n|---|---|---|\n| %d | %.0f | %d |\n\n**Errors**: %d (target 0) — %s.%s\n",
		o.loadDuration, total, float64(total)/o.loadDuration.Seconds(), failed.Load(), failed.Load(), verdict(failed.Load() == 0 && total > 0), strings.Join(append([]string{""}, kindList...), "\n- "))
	r.section("Load held: 64 clients", body)
	return nil
}
