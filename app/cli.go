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
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/observe"
	"github.com/kamflow/kamflow/store"
)

// Version is set at build time with -ldflags "-X github.com/kamflow/kamflow/app.Version=...".
var Version = ""

const usage = `kamflow — Key Account Management, introduced and run

Usage:
  kamflow dev       run everything in one process on embedded Temporal and SQLite (./data, or --data DIR)
  kamflow worker    run the Temporal worker (production; MySQL and external Temporal)
  kamflow web       run the web UI and JSON API (production)
  kamflow migrate   apply database migrations (idempotent)
  kamflow reindex   rebuild the search index and the selection's criteria met
                    from the stored rows, after rows were loaded with SQL
                    outside kamflow (kamflow keeps them current itself)
  kamflow token create --email EMAIL [--name NAME] [--expires 90d] [--data DIR]
                    issue a personal API token (printed once; stored hashed),
                    valid for the given days (default: until revoked)
  kamflow user create --email EMAIL --name NAME --role ROLE [--role ROLE ...] [--data DIR]
                    create a user, such as the first admin; the password is
                    read from stdin (asked twice on a terminal)
  kamflow temporal  run the embedded Temporal server alone (its SQLite file in
                    --data), for several worker and web processes on one host
  kamflow version   print the version
  kamflow health    check a running web server (--url), for container healthchecks
  kamflow env       list the KAMFLOW_* environment variables

Every command that opens the database takes --data DIR (default ./data) for
the embedded default's SQLite files, like kamflow dev.
Run "kamflow COMMAND -h" for a command's flags.
`

// Main runs the command in args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return Run(args, os.Stdin, stdout, stderr)
}

// Run is Main with the input commands read (a new user's password).
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
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
	case "reindex":
		err = withConfig(config.ModeMigrate, rest, stderr, func(cfg *config.Config, log *slog.Logger) error {
			n, err := Reindex(ctx, cfg)
			if err == nil {
				fmt.Fprintf(stdout, "reindexed on %s: %d contacts and %d customers searchable, criteria met of %d programmes, customer names on %d key accounts\n",
					cfg.DB.Describe(), n.Contacts, n.Customers, n.Programmes, n.KeyAccounts)
			}
			return err
		})
	case "temporal":
		err = withConfig(config.ModeTemporal, rest, stderr, func(cfg *config.Config, log *slog.Logger) error {
			return RunTemporal(ctx, cfg, log, stdout)
		})
	case "token":
		err = runToken(ctx, rest, stdout, stderr)
	case "user":
		err = runUser(ctx, rest, stdin, stdout, stderr)
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
	return withCommandConfig(mode, args, stderr, nil, fn)
}

// withCommandConfig is withConfig for a command with flags of its own,
// defined by commandFlags next to the configuration's flags (--data, ...).
func withCommandConfig(mode config.Mode, args []string, stderr io.Writer, commandFlags func(*flag.FlagSet), fn func(*config.Config, *slog.Logger) error) error {
	cfg, err := config.LoadWithFlags(mode, args, os.Getenv, stderr, commandFlags)
	if err != nil {
		return err
	}
	log := observe.NewLogger(stderr, cfg.LogFormat == config.LogJSON, cfg.LogLevel)
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
	if len(d.DemoLogins) == 0 {
		fmt.Fprintln(w, "No demo logins: kamflow dev did not create this database (sign in with a user from kamflow user create).")
	} else {
		fmt.Fprintf(w, "Demo logins (password %q, dev mode only):\n", store.DemoPassword)
	}
	for _, l := range d.DemoLogins {
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
		return &config.Error{Setting: "arguments", Reason: "usage: kamflow token create --email EMAIL [--name NAME] [--expires 90d] [--data DIR]"}
	}
	var email, name, expires *string
	tokenFlags := func(fs *flag.FlagSet) {
		email = fs.String("email", "", "user the token acts as")
		name = fs.String("name", "API token", "what the token is for")
		expires = fs.String("expires", "", "days the token is valid, like 90d (default: until revoked)")
	}
	return withCommandConfig(config.ModeToken, args[1:], stderr, tokenFlags, func(cfg *config.Config, log *slog.Logger) error {
		if strings.TrimSpace(*email) == "" {
			return &config.Error{Setting: "--email", Reason: "required"}
		}
		expiresAt, err := parseTokenExpiry(*expires, time.Now())
		if err != nil {
			return err
		}
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
		token, err := s.CreateExpiringAPIToken(ctx, u.ID, *name, expiresAt)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, token)
		if expiresAt != nil {
			fmt.Fprintf(stderr, "The token expires at %s.\n", expiresAt.Format(time.RFC3339))
		}
		return nil
	})
}

// parseTokenExpiry reads --expires: whole days like 90d (or 90); empty
// means the token is valid until revoked.
func parseTokenExpiry(v string, now time.Time) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
	if err != nil || n < 1 || n > store.MaxTokenDays {
		return nil, &config.Error{Setting: "--expires", Reason: fmt.Sprintf("%q is not a number of days from 1d to %dd", v, store.MaxTokenDays)}
	}
	return store.TokenExpiry(now, n)
}

// roleFlags collects repeated --role flags.
type roleFlags []store.Role

func (r *roleFlags) String() string { return fmt.Sprint(*r) }

func (r *roleFlags) Set(v string) error {
	role := store.Role(strings.TrimSpace(v))
	if !role.Valid() {
		names := make([]string, 0, len(store.Roles()))
		for _, r := range store.Roles() {
			names = append(names, string(r))
		}
		return fmt.Errorf("%q is not a role (%s)", v, strings.Join(names, ", "))
	}
	*r = append(*r, role)
	return nil
}

const userUsage = "usage: kamflow user create --email EMAIL --name NAME --role ROLE [--role ROLE ...] [--data DIR] (password on stdin)"

// runUser creates a user in the configured database; it is how the first
// admin comes to exist. The password comes from stdin, never from a flag
// (flags show in the process list and shell history).
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return &config.Error{Setting: "arguments", Reason: userUsage}
	}
	var email, name *string
	var roles roleFlags
	userFlags := func(fs *flag.FlagSet) {
		email = fs.String("email", "", "the user's e-mail address, used to sign in")
		name = fs.String("name", "", "the user's name")
		fs.Var(&roles, "role", "a role (repeat for several): "+fmt.Sprint(store.Roles()))
	}
	return withCommandConfig(config.ModeUser, args[1:], stderr, userFlags, func(cfg *config.Config, log *slog.Logger) error {
		switch {
		case strings.TrimSpace(*email) == "" || !strings.Contains(*email, "@"):
			return &config.Error{Setting: "--email", Reason: "required: an e-mail address"}
		case store.IsDemoEmail(*email):
			return &config.Error{Setting: "--email", Reason: store.DemoDomain + " is kept for kamflow dev's demo accounts"}
		case strings.TrimSpace(*name) == "":
			return &config.Error{Setting: "--name", Reason: "required"}
		case len(roles) == 0:
			return &config.Error{Setting: "--role", Reason: "required: at least one role, such as admin"}
		}
		password, err := readNewPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if err := store.CheckNewPassword(*email, password); err != nil {
			var ie *store.InvalidError
			if errors.As(err, &ie) {
				return &config.Error{Setting: "password (stdin)", Reason: ie.Reason}
			}
			return err
		}
		s, err := openMigratedStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer s.Close()
		u, err := s.CreateUser(ctx, store.NewUser{Email: *email, Name: *name, Password: password, Roles: roles})
		switch {
		case errors.Is(err, store.ErrDuplicate):
			return &config.Error{Setting: "--email", Reason: fmt.Sprintf("a user %q exists in %s", *email, cfg.DB.Describe())}
		case errors.Is(err, store.ErrInvalid):
			return &config.Error{Setting: "--email", Reason: err.Error()}
		case err != nil:
			return err
		}
		names := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			names[i] = string(r.Role)
		}
		fmt.Fprintf(stdout, "created user %s (%s) in %s\n", u.Email, strings.Join(names, ", "), cfg.DB.Describe())
		return nil
	})
}

// maxPasswordInput bounds what is read from stdin for a password.
const maxPasswordInput = 4096

// readNewPassword reads the new password: asked twice without echo on a
// terminal, otherwise the whole of stdin without one trailing line end
// (so both printf 'secret' and echo secret work).
func readNewPassword(stdin io.Reader, prompt io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(prompt, "Password again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", &config.Error{Setting: "password (stdin)", Reason: "the two entries differ"}
		}
		return string(first), nil
	}
	b, err := io.ReadAll(io.LimitReader(stdin, maxPasswordInput+1))
	if err != nil {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	if len(b) > maxPasswordInput {
		return "", &config.Error{Setting: "password (stdin)", Reason: "too long"}
	}
	p := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if p == "" {
		return "", &config.Error{Setting: "password (stdin)", Reason: "required: pipe it in, e.g. printf '%s' \"$PASSWORD\" | kamflow user create ..."}
	}
	if strings.ContainsAny(p, "\r\n") {
		return "", &config.Error{Setting: "password (stdin)", Reason: "one line only"}
	}
	return p, nil
}
