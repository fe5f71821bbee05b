package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/store"
)

// Version is set at build time with -ldflags "-X github.com/kamflow/kamflow/app.Version=...".
var Version = ""

const usage = `kamflow — Key Account Management, introduced and run

Usage:
  kamflow dev       run everything in one process on embedded Temporal and SQLite (./data)
  kamflow worker    run the Temporal worker (production; MySQL and external Temporal)
  kamflow web       run the web UI and JSON API (production)
  kamflow migrate   apply database migrations (idempotent)
  kamflow token create --email EMAIL [--name NAME]
                    issue a personal API token (printed once; stored hashed)
  kamflow version   print the version
  kamflow health    check a running web server (--url), for container healthchecks
  kamflow env       list the KAMFLOW_* environment variables

Run "kamflow COMMAND -h" for a command's flags.
`

// Main runs the command in args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "dev":
		err = runDev(ctx, rest, stdout, stderr)
	case "worker":
		err = withConfig(config.ModeWorker, rest, stderr, func(cfg *config.Config, log *slog.Logger) error {
			return RunWorker(ctx, cfg, log)
		})
	case "web":
		err = withConfig(config.ModeWeb, rest, stderr, func(cfg *config.Config, log *slog.Logger) error {
			return RunWeb(ctx, cfg, log)
		})
	case "migrate":
		err = withConfig(config.ModeMigrate, rest, stderr, func(cfg *config.Config, log *slog.Logger) error {
			ids, err := Migrate(ctx, cfg)
			if err == nil {
				fmt.Fprintf(stdout, "schema up to date on %s: %s\n", cfg.DB.Describe(), strings.Join(ids, ", "))
			}
			return err
		})
	case "token":
		err = runToken(ctx, rest, stdout, stderr)
	case "health":
		err = checkHealth(ctx, rest, stdout)
	case "version":
		fmt.Fprintln(stdout, "kamflow", version())
	case "env":
		for _, v := range config.Variables(config.ModeWeb) {
			fmt.Fprintf(stdout, "%-34s default %-18q %s\n", v[0], v[1], v[2])
		}
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "kamflow: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "kamflow %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func withConfig(mode config.Mode, args []string, stderr io.Writer, fn func(*config.Config, *slog.Logger) error) error {
	cfg, err := config.Load(mode, args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return fn(cfg, log)
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withConfig(config.ModeDev, args, stderr, func(cfg *config.Config, log *slog.Logger) error {
		fmt.Fprintf(stdout, "kamflow dev: starting embedded Temporal and SQLite in %s ...\n", cfg.DataDir)
		d, err := StartDev(ctx, cfg, log)
		if err != nil {
			return err
		}
		printDevBanner(stdout, d)
		<-ctx.Done()
		fmt.Fprintln(stdout, "\nkamflow dev: shutting down ...")
		d.Stop(context.Background())
		fmt.Fprintln(stdout, "kamflow dev: stopped; data kept in", cfg.DataDir)
		return nil
	})
}

func printDevBanner(w io.Writer, d *Dev) {
	fmt.Fprintf(w, "\nkamflow is running at %s\n", d.URL)
	if d.Seeded {
		fmt.Fprintln(w, "A demo company was created on this first start.")
	}
	fmt.Fprintf(w, "Demo logins (password %q, dev mode only):\n", store.DemoPassword)
	for _, l := range store.DemoLogins() {
		roles := make([]string, len(l.Roles))
		for i, r := range l.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(w, "  %-32s %s\n", l.Email, strings.Join(roles, ", "))
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// checkHealth exits non-zero unless the web server's /healthz answers 200;
// the container image has no shell or curl.
func checkHealth(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("kamflow health", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("url", "http://127.0.0.1:8080/healthz", "health endpoint")
	if err := fs.Parse(args); err != nil {
		return &config.Error{Setting: "arguments", Reason: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return &config.Error{Setting: "--url", Reason: err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d: %s", *url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
	return nil
}

// runToken issues an API token for a user of the configured database
// (./data's SQLite by default, MySQL with KAMFLOW_DB_DRIVER=mysql).
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return &config.Error{Setting: "arguments", Reason: "usage: kamflow token create --email EMAIL [--name NAME]"}
	}
	fs := flag.NewFlagSet("kamflow token create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "user the token acts as")
	name := fs.String("name", "API token", "what the token is for")
	if err := fs.Parse(args[1:]); err != nil {
		return &config.Error{Setting: "arguments", Reason: err.Error()}
	}
	if strings.TrimSpace(*email) == "" {
		return &config.Error{Setting: "--email", Reason: "required"}
	}
	return withConfig(config.ModeToken, nil, stderr, func(cfg *config.Config, log *slog.Logger) error {
		s, err := openMigratedStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer s.Close()
		u, err := s.UserByEmail(ctx, *email)
		if errors.Is(err, store.ErrNotFound) {
			return &config.Error{Setting: "--email", Reason: fmt.Sprintf("no user %q in %s", *email, cfg.DB.Describe())}
		}
		if err != nil {
			return err
		}
		token, err := s.CreateAPIToken(ctx, u.ID, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, token)
		return nil
	})
}
