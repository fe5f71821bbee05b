// Package config reads kamflow's settings from KAMFLOW_* environment
// variables and command-line flags (flags win) and validates them once at
// start, so a bad value stops the process with one line naming it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Mode is the subcommand a config is loaded for; defaults and required
// settings differ between the embedded default and production processes.
type Mode string

const (
	ModeDev     Mode = "dev"
	ModeWorker  Mode = "worker"
	ModeWeb     Mode = "web"
	ModeMigrate Mode = "migrate"
	ModeToken   Mode = "token"
)

// Database drivers.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Config is every setting kamflow reads.
type Config struct {
	Mode     Mode
	LogLevel slog.Level
	// DataDir holds the dev mode's SQLite files.
	DataDir  string
	HTTPAddr string
	// SecureCookies marks session cookies Secure; on by default outside dev.
	SecureCookies bool
	DB            Database
	Temporal      Temporal
	SMTP          SMTP
}

// Database selects and reaches the reference-data database.
type Database struct {
	Driver   string
	Path     string // sqlite file
	Host     string // mysql host:port
	User     string
	Password string `json:"-"`
	Name     string
}

// Temporal reaches the Temporal frontend (external in production, embedded in dev).
type Temporal struct {
	Address   string
	Namespace string
	TaskQueue string
	// WorkerCacheSize bounds the workflows a worker caches (sticky cache).
	WorkerCacheSize int
	// WorkerPollers is how many task polls a worker keeps open per kind.
	WorkerPollers int
	DevPort       int // frontend port of the embedded server in dev mode
	TLSCertFile   string
	TLSKeyFile    string
	TLSCAFile     string
	TLSServerName string
	APIKey        string `json:"-"`
}

// TLSEnabled reports whether the client must dial with TLS.
func (t Temporal) TLSEnabled() bool {
	return t.TLSCertFile != "" || t.TLSCAFile != "" || t.APIKey != ""
}

// SMTP delivers notifications; an empty Host keeps them in the outbox only.
type SMTP struct {
	Host     string
	Port     int
	User     string
	Password string `json:"-"`
	From     string
}

// Enabled reports whether notifications are sent by mail.
func (s SMTP) Enabled() bool { return s.Host != "" }

// Error names the setting that is wrong and why.
type Error struct {
	Setting string
	Reason  string
}

func (e *Error) Error() string { return e.Setting + ": " + e.Reason }

// ErrHelp is returned when -h/--help was asked for; usage was printed.
var ErrHelp = flag.ErrHelp

// setting is one configurable value: its environment variable, its flag (if
// any in this mode), its default, and how to parse it into the Config.
type setting struct {
	env, flag, usage string
	def              string
	parse            func(c *Config, v string) error
}

// Load builds the Config for mode from env (os.Getenv in production) and args.
func Load(mode Mode, args []string, env func(string) string, usageOut io.Writer) (*Config, error) {
	settings := settingsFor(mode)
	fs := flag.NewFlagSet("kamflow "+string(mode), flag.ContinueOnError)
	// Parse errors are reported once, by the caller; -h prints the flags.
	fs.SetOutput(io.Discard)
	flagValues := map[string]*string{}
	for _, s := range settings {
		if s.flag != "" {
			flagValues[s.flag] = fs.String(s.flag, s.def, s.usage+" (env "+s.env+")")
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(usageOut)
			fmt.Fprintf(usageOut, "Usage of kamflow %s:\n", mode)
			fs.PrintDefaults()
			return nil, ErrHelp
		}
		return nil, &Error{Setting: "arguments", Reason: err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, &Error{Setting: "arguments", Reason: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	setFlags := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { setFlags[f.Name] = true })

	c := &Config{Mode: mode}
	for _, s := range settings {
		v, name := s.def, s.env
		if e := env(s.env); e != "" {
			v = e
		}
		if s.flag != "" && setFlags[s.flag] {
			v, name = *flagValues[s.flag], "--"+s.flag
		}
		v = strings.TrimSpace(v)
		if err := s.parse(c, v); err != nil {
			return nil, &Error{Setting: name, Reason: err.Error()}
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// FromOS loads mode's config from the process environment.
func FromOS(mode Mode, args []string) (*Config, error) {
	return Load(mode, args, os.Getenv, os.Stderr)
}

func settingsFor(mode Mode) []setting {
	dev := mode == ModeDev
	dbDriver := DriverMySQL
	if dev || mode == ModeToken {
		// `kamflow token create` most often serves the embedded default.
		dbDriver = DriverSQLite
	}
	devFlag := func(name string) string {
		if dev {
			return name
		}
		return ""
	}
	httpFlag := ""
	if dev || mode == ModeWeb {
		httpFlag = "http"
	}
	ss := []setting{
		{env: "KAMFLOW_LOG_LEVEL", def: "info", usage: "log level: debug, info, warn or error", parse: func(c *Config, v string) error {
			return c.LogLevel.UnmarshalText([]byte(v))
		}},
		{env: "KAMFLOW_DATA_DIR", flag: devFlag("data"), def: "./data", usage: "directory for the embedded default's SQLite files", parse: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = filepath.Clean(v)
			return nil
		}},
		{env: "KAMFLOW_HTTP_ADDR", flag: httpFlag, def: "127.0.0.1:8080", usage: "address the web server listens on", parse: func(c *Config, v string) error {
			return parseHostPort(v, &c.HTTPAddr)
		}},
		{env: "KAMFLOW_SECURE_COOKIES", def: strconv.FormatBool(!dev), usage: "mark session cookies Secure (serve over TLS)", parse: func(c *Config, v string) error {
			return parseBool(v, &c.SecureCookies)
		}},
		{env: "KAMFLOW_DB_DRIVER", def: dbDriver, usage: "reference-data database: mysql or sqlite", parse: func(c *Config, v string) error {
			if v != DriverMySQL && v != DriverSQLite {
				return fmt.Errorf("%q is not a supported driver (use mysql or sqlite)", v)
			}
			c.DB.Driver = v
			return nil
		}},
		{env: "KAMFLOW_DB_PATH", usage: "SQLite file (default DATA_DIR/kamflow.db)", parse: func(c *Config, v string) error {
			c.DB.Path = v
			return nil
		}},
		{env: "KAMFLOW_DB_HOST", def: "127.0.0.1:3306", usage: "MySQL host:port", parse: func(c *Config, v string) error {
			return parseHostPort(v, &c.DB.Host)
		}},
		{env: "KAMFLOW_DB_USER", def: "kamflow", usage: "MySQL user", parse: func(c *Config, v string) error {
			c.DB.User = v
			return nil
		}},
		{env: "KAMFLOW_DB_PASSWORD", usage: "MySQL password", parse: func(c *Config, v string) error {
			c.DB.Password = v
			return nil
		}},
		{env: "KAMFLOW_DB_NAME", def: "kamflow", usage: "MySQL database", parse: func(c *Config, v string) error {
			if v == "" || strings.ContainsAny(v, "/?` ") {
				return fmt.Errorf("%q is not a valid database name", v)
			}
			c.DB.Name = v
			return nil
		}},
		{env: "KAMFLOW_TEMPORAL_ADDRESS", def: "127.0.0.1:7233", usage: "Temporal frontend host:port", parse: func(c *Config, v string) error {
			return parseHostPort(v, &c.Temporal.Address)
		}},
		{env: "KAMFLOW_TEMPORAL_PORT", flag: devFlag("temporal-port"), def: "7233", usage: "frontend port of the embedded Temporal server", parse: func(c *Config, v string) error {
			return parsePort(v, &c.Temporal.DevPort)
		}},
		{env: "KAMFLOW_TEMPORAL_NAMESPACE", def: "default", usage: "Temporal namespace", parse: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.Temporal.Namespace = v
			return nil
		}},
		{env: "KAMFLOW_TEMPORAL_TASK_QUEUE", def: "kamflow", usage: "Temporal task queue", parse: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.Temporal.TaskQueue = v
			return nil
		}},
		{env: "KAMFLOW_WORKER_CACHE_SIZE", def: "1000", usage: "workflows a worker keeps in memory between their tasks; fewer saves memory, more saves replays",
			parse: intSetting(10, 100000, func(c *Config) *int { return &c.Temporal.WorkerCacheSize })},
		{env: "KAMFLOW_WORKER_POLLERS", def: "8", usage: "long polls a worker keeps open for workflow tasks and for activity tasks; more serve many readers and busy queues faster",
			parse: intSetting(2, 100, func(c *Config) *int { return &c.Temporal.WorkerPollers })},
		{env: "KAMFLOW_TEMPORAL_TLS_CERT", usage: "client certificate (PEM) for mTLS", parse: fileSetting(func(c *Config) *string { return &c.Temporal.TLSCertFile })},
		{env: "KAMFLOW_TEMPORAL_TLS_KEY", usage: "client key (PEM) for mTLS", parse: fileSetting(func(c *Config) *string { return &c.Temporal.TLSKeyFile })},
		{env: "KAMFLOW_TEMPORAL_TLS_CA", usage: "CA bundle (PEM) that signed the server certificate", parse: fileSetting(func(c *Config) *string { return &c.Temporal.TLSCAFile })},
		{env: "KAMFLOW_TEMPORAL_TLS_SERVER_NAME", usage: "server name to verify in the server certificate", parse: func(c *Config, v string) error {
			c.Temporal.TLSServerName = v
			return nil
		}},
		{env: "KAMFLOW_TEMPORAL_API_KEY", usage: "API key (e.g. Temporal Cloud); implies TLS", parse: func(c *Config, v string) error {
			c.Temporal.APIKey = v
			return nil
		}},
		{env: "KAMFLOW_SMTP_HOST", usage: "SMTP server; empty keeps notifications in the outbox only", parse: func(c *Config, v string) error {
			c.SMTP.Host = v
			return nil
		}},
		{env: "KAMFLOW_SMTP_PORT", def: "587", usage: "SMTP port", parse: func(c *Config, v string) error {
			return parsePort(v, &c.SMTP.Port)
		}},
		{env: "KAMFLOW_SMTP_USER", usage: "SMTP user", parse: func(c *Config, v string) error {
			c.SMTP.User = v
			return nil
		}},
		{env: "KAMFLOW_SMTP_PASSWORD", usage: "SMTP password", parse: func(c *Config, v string) error {
			c.SMTP.Password = v
			return nil
		}},
		{env: "KAMFLOW_SMTP_FROM", def: "kamflow@localhost", usage: "sender address", parse: func(c *Config, v string) error {
			if !strings.Contains(v, "@") {
				return fmt.Errorf("%q is not an e-mail address", v)
			}
			c.SMTP.From = v
			return nil
		}},
	}
	return ss
}

func (c *Config) validate() error {
	if c.DB.Driver == DriverSQLite && c.DB.Path == "" {
		c.DB.Path = filepath.Join(c.DataDir, "kamflow.db")
	}
	if c.Mode == ModeDev {
		// The embedded server is always local; production addresses do not apply.
		c.Temporal.Address = net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Temporal.DevPort))
		if !isLoopback(c.HTTPAddr) {
			// Dev mode has demo users with a known password.
			return &Error{Setting: "--http", Reason: fmt.Sprintf("%q: dev mode serves demo logins and binds to loopback only", c.HTTPAddr)}
		}
	}
	if (c.Temporal.TLSCertFile == "") != (c.Temporal.TLSKeyFile == "") {
		return &Error{Setting: "KAMFLOW_TEMPORAL_TLS_CERT", Reason: "KAMFLOW_TEMPORAL_TLS_CERT and KAMFLOW_TEMPORAL_TLS_KEY must be set together"}
	}
	if c.DB.Driver == DriverMySQL && c.DB.User == "" {
		return &Error{Setting: "KAMFLOW_DB_USER", Reason: "must not be empty for mysql"}
	}
	return nil
}

// MySQLDSN is the go-sql-driver DSN with the parameters kamflow relies on.
func (d Database) MySQLDSN() string {
	mc := mysql.NewConfig()
	mc.User, mc.Passwd, mc.Net, mc.Addr, mc.DBName = d.User, d.Password, "tcp", d.Host, d.Name
	mc.ParseTime = true
	mc.Loc = time.UTC
	// loc=UTC is the driver default; spelled out so the DSN says what it relies on.
	mc.Params = map[string]string{"charset": "utf8mb4", "loc": "UTC"}
	return mc.FormatDSN()
}

// Describe is a one-line, secret-free summary for the start-up log.
func (d Database) Describe() string {
	if d.Driver == DriverSQLite {
		return "sqlite " + d.Path
	}
	return fmt.Sprintf("mysql %s@%s/%s", d.User, d.Host, d.Name)
}

func parseHostPort(v string, dst *string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q is not host:port", v)
	}
	var p int
	if err := parsePort(port, &p); err != nil {
		return err
	}
	*dst = net.JoinHostPort(host, port)
	return nil
}

func parsePort(v string, dst *int) error {
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("%q is not a port (1-65535)", v)
	}
	*dst = p
	return nil
}

func parseBool(v string, dst *bool) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%q is not true or false", v)
	}
	*dst = b
	return nil
}

// intSetting parses a whole number from lo to hi into field.
func intSetting(lo, hi int, field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
		}
		*field(c) = n
		return nil
	}
}

func fileSetting(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v != "" {
			if _, err := os.Stat(v); err != nil {
				return fmt.Errorf("cannot read %q", v)
			}
		}
		*field(c) = v
		return nil
	}
}

func isLoopback(addr string) bool {
	host, _, _ := net.SplitHostPort(addr)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Variables lists every environment variable with its default and meaning,
// for `kamflow help` and the README table.
func Variables(mode Mode) [][3]string {
	var out [][3]string
	for _, s := range settingsFor(mode) {
		out = append(out, [3]string{s.env, s.def, s.usage})
	}
	return out
}
