package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/workflows"
)

// benchWorkerKill drives 50 programmes while `kamflow worker` is killed
// with SIGKILL ten times at random moments and restarted; every programme
// must complete, with no duplicate notification or milestone.
func benchWorkerKill(ctx context.Context, o options, r *report) error {
	sw, err := startSeparateWorker(ctx)
	if err != nil {
		return err
	}
	defer sw.stop()
	d, err := newProgrammeDriver(ctx, sw.c, sw.st)
	if err != nil {
		return err
	}
	const programmes, kills = 50, 10
	var finished atomic.Int64
	done := make(chan error, 1)
	var ids sync.Map
	go func() {
		_, err := parallel(programmes, 10, func(i int) error {
			id, err := d.run(ctx, i)
			ids.Store(i, id)
			if err == nil {
				finished.Add(1)
			}
			return err
		})
		done <- err
	}()
	rng := rand.New(rand.NewPCG(9, 9))
	killed := 0
	var runErr error
	start := time.Now()
loop:
	for killed < kills {
		select {
		case runErr = <-done:
			break loop
		case <-time.After(time.Duration(300+rng.IntN(1500)) * time.Millisecond):
		}
		sw.kill()
		killed++
		time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
		if err := sw.startWorker(); err != nil {
			return err
		}
	}
	if killed == kills {
		runErr = <-done
	}
	took := time.Since(start)
	db := sw.st.DB().WithContext(ctx)
	var dupNotes, dupEvents, completed int64
	if err := db.Raw("SELECT COUNT(*) FROM (SELECT idempotency_key, recipient FROM notifications GROUP BY idempotency_key, recipient HAVING COUNT(*) > 1) d").Scan(&dupNotes).Error; err != nil {
		return err
	}
	if err := db.Raw("SELECT COUNT(*) FROM (SELECT programme_id, kind, phase, actor, comment FROM programme_events GROUP BY programme_id, seq, kind, phase, actor, comment HAVING COUNT(*) > 1) d").Scan(&dupEvents).Error; err != nil {
		return err
	}
	if err := db.Model(&store.Programme{}).Where("status = ?", string(workflows.StatusCompleted)).Count(&completed).Error; err != nil {
		return err
	}
	var notes, events int64
	db.Model(&store.Notification{}).Count(&notes)
	db.Table("programme_events").Count(&events)
	status := "all completed"
	if runErr != nil {
		status = "error: " + runErr.Error()
	}
	ok := runErr == nil && completed == programmes && dupNotes == 0 && dupEvents == 0
	body := fmt.Sprintf("%d programmes driven through every phase (10 at a time) while `kamflow worker`, a separate process, was killed with SIGKILL %d times at random moments and restarted (%s in all).\n\n| | |\n|---|---|\n| drivers | %s |\n| programmes completed (projection) | %d of %d |\n| notifications in the outbox | %d, duplicates %d |\n| audit events (milestones) | %d, duplicates %d |\n\n**Worker killed**: %s.\n",
		programmes, killed, took.Round(time.Second), status, completed, programmes, notes, dupNotes, events, dupEvents, verdict(ok))
	r.section("Resilience: worker killed", body)
	if !ok {
		return fmt.Errorf("worker kill: %s", status)
	}
	return nil
}

// benchOutage stops MariaDB while programmes run activities on MySQL: the
// web answers 503 meanwhile and recovers; every programme completes.
func benchOutage(ctx context.Context, o options, r *report) error {
	e, err := startEnv(ctx, o, "mysql", "outage")
	if err != nil {
		return err
	}
	defer e.stop()
	lead, err := signIn(e.url, "lead")
	if err != nil {
		return err
	}
	d, err := newProgrammeDriver(ctx, e.client, e.store)
	if err != nil {
		return err
	}
	const programmes = 20
	done := make(chan error, 1)
	// Scores are written by the driver itself; a driver step that hits the
	// outage directly is retried, as a user would.
	go func() {
		_, err := parallel(programmes, 5, func(i int) error {
			var err error
			for attempt := 0; attempt < 30; attempt++ {
				if _, err = d.run(ctx, i); err == nil || !store.Unavailable(err) {
					return err
				}
				time.Sleep(2 * time.Second)
			}
			return err
		})
		done <- err
	}()
	time.Sleep(3 * time.Second)
	if out, err := exec.Command("mysqladmin", "-h", "127.0.0.1", "-u", "root", "shutdown").CombinedOutput(); err != nil {
		return fmt.Errorf("stop MariaDB: %v: %s", err, out)
	}
	stopped := time.Now()
	defer startMariaDB() // whatever happens, the database comes back
	var during []int
	var message bool
	for time.Since(stopped) < o.outage {
		resp, err := lead.c.Get(e.url + "/customers")
		if err == nil {
			var b strings.Builder
			buf := make([]byte, 64<<10)
			n, _ := resp.Body.Read(buf)
			b.Write(buf[:n])
			resp.Body.Close()
			during = append(during, resp.StatusCode)
			message = message || strings.Contains(b.String(), "The database cannot be reached right now")
		}
		time.Sleep(time.Second)
	}
	if err := startMariaDB(); err != nil {
		return err
	}
	back := time.Now()
	recovered := time.Duration(0)
	for time.Since(back) < 2*time.Minute {
		resp, err := lead.c.Get(e.url + "/customers")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				recovered = time.Since(back)
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	var runErr error
	select {
	case runErr = <-done:
	case <-time.After(10 * time.Minute):
		runErr = fmt.Errorf("programmes still running 10 minutes after the outage")
	}
	var completed int64
	_ = e.store.DB().Model(&store.Programme{}).Where("status = ?", string(workflows.StatusCompleted)).Count(&completed).Error
	counts := map[int]int{}
	for _, c := range during {
		counts[c]++
	}
	var seen []string
	for c, n := range counts {
		seen = append(seen, fmt.Sprintf("%d×%d", c, n))
	}
	all503 := counts[http.StatusServiceUnavailable] == len(during) && len(during) > 0
	status := "all completed"
	if runErr != nil {
		status = "error: " + runErr.Error()
	}
	ok := runErr == nil && completed == programmes && all503 && message && recovered > 0
	body := fmt.Sprintf("MariaDB stopped for %s while %d programmes ran their activities on it; a signed-in lead asked for the customer list every second.\n\n| | |\n|---|---|\n| web during the outage | %s (503 with the message: %v) |\n| web after MariaDB was back | 200 after %s, without a restart |\n| programmes | %s; %d of %d completed |\n\n**Database outage**: %s.\n",
		o.outage, programmes, strings.Join(seen, " "), message, recovered.Round(100*time.Millisecond), status, completed, programmes, verdict(ok))
	r.section("Resilience: database outage", body)
	if !ok {
		return fmt.Errorf("outage: %s", status)
	}
	return nil
}

// startMariaDB starts the machine's MariaDB (as .ci/run does) and waits
// until it answers.
func startMariaDB() error {
	if exec.Command("mysqladmin", "-h", "127.0.0.1", "-u", "root", "ping", "--silent").Run() == nil {
		return nil
	}
	if out, err := exec.Command("start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd").CombinedOutput(); err != nil {
		return fmt.Errorf("start MariaDB: %v: %s", err, out)
	}
	for i := 0; i < 120; i++ {
		if exec.Command("mysqladmin", "-h", "127.0.0.1", "-u", "root", "ping", "--silent").Run() == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("MariaDB did not come back")
}
