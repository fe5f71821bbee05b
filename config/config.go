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
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	// The zone database is compiled in: slim images and machines without
	// tzdata still load every IANA zone.
	_ "time/tzdata"

	"github.com/go-sql-driver/mysql"

	"github.com/kamflow/kamflow/store"
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
	// ModeUser is `kamflow user create`.
	ModeUser Mode = "user"
	// ModeTemporal is `kamflow temporal`: the embedded Temporal server alone,
	// for several worker and web processes on one host.
	ModeTemporal Mode = "temporal"
)

// Log formats.
const (
	LogText = "text"
	LogJSON = "json"
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
	// LogFormat is LogText or LogJSON (one object a line).
	LogFormat string
	// MetricsAddr is where /metrics is served; empty means no metrics.
	MetricsAddr string
	// DataDir holds the dev mode's SQLite files.
	DataDir  string
	HTTPAddr string
	// SecureCookies marks session cookies Secure; on by default outside dev.
	SecureCookies bool
	DB            Database
	Temporal      Temporal
	SMTP          SMTP

	// BaseURL is where users reach kamflow (scheme, host, optional path,
	// no trailing slash); every link in feeds and mails starts with it.
	BaseURL string
	// BaseURLDerived is set when KAMFLOW_BASE_URL was not given and BaseURL
	// was made from HTTPAddr.
	BaseURLDerived bool
	// CSRFSecret keys the login form's CSRF token; empty means a random
	// secret per process (set it when several web processes share a site).
	CSRFSecret string `json:"-"`
	SignIn     SignIn
	// TimeZone is the IANA zone date-times are shown and entered in for
	// users who chose none (KAMFLOW_TIME_ZONE); Zone is it loaded.
	TimeZone string
	Zone     *time.Location `json:"-"`
	// OIDC is company sign-in through an OpenID Connect provider.
	OIDC OIDC
}

// OIDC reaches the company's identity provider (Entra ID, Okta, Keycloak,
// Google); an empty Issuer means no company sign-in.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string `json:"-"`
	// RedirectURL is where the provider sends the browser back; by
	// default BaseURL + OIDCCallbackPath.
	RedirectURL string
	// PostLogoutRedirectURL is where the provider sends the browser back
	// after sign-out: BaseURL + OIDCPostLogoutPath when KAMFLOW_BASE_URL is
	// set, else empty (the provider is not asked to send it back).
	PostLogoutRedirectURL string
	// GroupsClaim names the claim listing the user's groups.
	GroupsClaim string
	// RoleMap gives the kamflow roles of each group; when it is set, a
	// user's roles follow her groups at every sign-in and unknown users in
	// a mapped group are created. Empty: roles are an admin's to give.
	RoleMap map[string][]store.Role
	// Name is shown on the button ("Sign in with Name"); empty: "your
	// company account".
	Name string
}

// Enabled reports whether company sign-in is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// OIDCCallbackPath is where kamflow receives the provider's answer.
const OIDCCallbackPath = "/login/oidc/callback"

// OIDCPostLogoutPath is where the provider sends the browser back after
// sign-out: the sign-in page.
const OIDCPostLogoutPath = "/login"

// SignIn bounds what password sign-ins may cost.
type SignIn struct {
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// for the client address; empty means the peer address is the client.
	TrustedProxies []*net.IPNet
	// Concurrency is how many password hashes (64 MiB each) may run at once.
	Concurrency int
	// LocalPasswords allows signing in with a kamflow password; off, only
	// company sign-in (OIDC) remains.
	LocalPasswords bool
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
	DevPort       int // frontend port of the embedded server (dev, temporal)
	// ListenIP is where `kamflow temporal` serves the embedded server.
	ListenIP string
	// Retention is how long Temporal keeps a closed workflow's history
	// (the embedded server's namespace; docker compose passes it on).
	Retention     time.Duration
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
	return LoadWithFlags(mode, args, env, usageOut, nil)
}

// LoadWithFlags is Load for a command with flags of its own (such as
// `token create --email`): commandFlags defines them on the same flag set,
// so they mix freely with the configuration's flags and -h lists both.
func LoadWithFlags(mode Mode, args []string, env func(string) string, usageOut io.Writer, commandFlags func(*flag.FlagSet)) (*Config, error) {
	settings := settingsFor(mode)
	fs := flag.NewFlagSet("kamflow "+string(mode), flag.ContinueOnError)
	// Parse errors are reported once, by the caller; -h prints the flags.
	fs.SetOutput(io.Discard)
	if commandFlags != nil {
		commandFlags(fs)
	}
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
	if setFlags["data"] && mode != ModeDev {
		// --data names the embedded default's files, so it selects SQLite
		// unless the driver is set; with MySQL it would be silently ignored.
		switch strings.TrimSpace(env("KAMFLOW_DB_DRIVER")) {
		case "":
			c.DB.Driver = DriverSQLite
		case DriverMySQL:
			return nil, &Error{Setting: "--data", Reason: "applies to the SQLite database; KAMFLOW_DB_DRIVER is mysql"}
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
	if dev || mode == ModeToken || mode == ModeUser {
		// `kamflow token create` and `user create` most often serve the embedded default.
		dbDriver = DriverSQLite
	}
	devFlag := func(name string) string {
		if dev || mode == ModeTemporal {
			return name
		}
		return ""
	}
	httpFlag := ""
	if dev || mode == ModeWeb {
		httpFlag = "http"
	}
	zoneFlag := ""
	if httpFlag != "" {
		zoneFlag = "time-zone"
	}
	ss := []setting{
		{env: "KAMFLOW_LOG_LEVEL", def: "info", usage: "log level: debug, info, warn or error", parse: func(c *Config, v string) error {
			return c.LogLevel.UnmarshalText([]byte(v))
		}},
		{env: "KAMFLOW_LOG_FORMAT", def: LogText, usage: "log format: text (key=value) or json (one object a line, for log collectors)", parse: func(c *Config, v string) error {
			if v != LogText && v != LogJSON {
				return fmt.Errorf("%q is not a log format (use text or json)", v)
			}
			c.LogFormat = v
			return nil
		}},
		{env: "KAMFLOW_METRICS_ADDR", usage: "host:port serving Prometheus metrics at /metrics, apart from the web address; empty: no metrics", parse: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			return parseHostPort(v, &c.MetricsAddr)
		}},
		// Every command may open the embedded default's SQLite database
		// (token create, migrate, and worker or web with KAMFLOW_DB_DRIVER=sqlite).
		{env: "KAMFLOW_DATA_DIR", flag: "data", def: "./data", usage: "directory for the embedded default's SQLite files", parse: func(c *Config, v string) error {
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
		{env: "KAMFLOW_BASE_URL", usage: "absolute http(s) URL users reach kamflow at, for links in calendar feeds and mails (default http://HTTP_ADDR, https with secure cookies)", parse: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := ParseBaseURL(v)
			if err != nil {
				return err
			}
			c.BaseURL = u
			return nil
		}},
		{env: "KAMFLOW_CSRF_SECRET", usage: "secret (at least 32 characters) keying the sign-in form's CSRF token; set the same on every web process of a site (default: random per process)", parse: func(c *Config, v string) error {
			if v != "" && len(v) < 32 {
				return errors.New("must have at least 32 characters")
			}
			c.CSRFSecret = v
			return nil
		}},
		{env: "KAMFLOW_TIME_ZONE", flag: zoneFlag, def: DefaultTimeZone, usage: "IANA time zone (such as Europe/Berlin) date-times are shown and entered in for users who chose none in their settings", parse: func(c *Config, v string) error {
			loc, err := LoadZone(v)
			if err != nil {
				return err
			}
			c.TimeZone, c.Zone = v, loc
			return nil
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
		{env: "KAMFLOW_TEMPORAL_LISTEN_IP", def: "127.0.0.1", usage: "address `kamflow temporal` serves the embedded Temporal server on", parse: func(c *Config, v string) error {
			if net.ParseIP(v) == nil {
				return fmt.Errorf("%q is not an IP address", v)
			}
			c.Temporal.ListenIP = v
			return nil
		}},
		{env: "KAMFLOW_TEMPORAL_NAMESPACE", def: "default", usage: "Temporal namespace", parse: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.Temporal.Namespace = v
			return nil
		}},
		{env: "KAMFLOW_TEMPORAL_RETENTION", def: "720h", usage: "how long Temporal keeps a closed workflow's history: a Go duration (720h) or days (30d), at least 1 day", parse: func(c *Config, v string) error {
			return parseRetention(v, &c.Temporal.Retention)
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
		{env: "KAMFLOW_TRUSTED_PROXIES", usage: "comma-separated CIDRs (or addresses) of reverse proxies whose X-Forwarded-For names the client address for the sign-in limits; empty: the peer address is the client", parse: func(c *Config, v string) error {
			return parseCIDRs(v, &c.SignIn.TrustedProxies)
		}},
		{env: "KAMFLOW_SIGNIN_CONCURRENCY", def: "4", usage: "password checks (64 MiB each) that may run at once; further sign-ins wait briefly, then get 429",
			parse: intSetting(1, 64, func(c *Config) *int { return &c.SignIn.Concurrency })},
		{env: "KAMFLOW_LOCAL_PASSWORDS", def: "on", usage: "on or off: sign-in with a kamflow password; off hides the password form and needs company sign-in (KAMFLOW_OIDC_ISSUER)", parse: func(c *Config, v string) error {
			return parseOnOff(v, &c.SignIn.LocalPasswords)
		}},
		{env: "KAMFLOW_OIDC_ISSUER", usage: "company sign-in: the OpenID Connect issuer URL of the identity provider (https; http only on loopback); empty: no company sign-in", parse: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			return parseIssuer(v, &c.OIDC.Issuer)
		}},
		{env: "KAMFLOW_OIDC_CLIENT_ID", usage: "company sign-in: kamflow's client ID at the identity provider", parse: func(c *Config, v string) error {
			c.OIDC.ClientID = v
			return nil
		}},
		{env: "KAMFLOW_OIDC_CLIENT_SECRET", usage: "company sign-in: kamflow's client secret at the identity provider", parse: func(c *Config, v string) error {
			c.OIDC.ClientSecret = v
			return nil
		}},
		{env: "KAMFLOW_OIDC_REDIRECT_URL", usage: "company sign-in: the redirect URL registered at the identity provider (default BASE_URL" + OIDCCallbackPath + ")", parse: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || u.User != nil {
				return fmt.Errorf("%q is not an absolute http(s) URL like https://kamflow.example.com%s", v, OIDCCallbackPath)
			}
			if u.Path != OIDCCallbackPath && !strings.HasSuffix(u.Path, OIDCCallbackPath) {
				return fmt.Errorf("%q must end with %s, where kamflow receives the answer", v, OIDCCallbackPath)
			}
			c.OIDC.RedirectURL = v
			return nil
		}},
		{env: "KAMFLOW_OIDC_GROUPS_CLAIM", def: "groups", usage: "company sign-in: the ID token or userinfo claim listing the user's groups", parse: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.OIDC.GroupsClaim = v
			return nil
		}},
		{env: "KAMFLOW_OIDC_ROLE_MAP", usage: "company sign-in: group=role pairs, comma-separated (kam-leads=lead,kam-hr=hr); set, roles follow the groups at every sign-in and unknown users in a mapped group are created; empty: an admin gives roles", parse: func(c *Config, v string) error {
			return parseRoleMap(v, &c.OIDC.RoleMap)
		}},
		{env: "KAMFLOW_OIDC_NAME", usage: "company sign-in: the provider's name on the sign-in button (\"Sign in with NAME\"); empty: \"your company account\"", parse: func(c *Config, v string) error {
			if len(v) > 60 || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				return fmt.Errorf("%q must be one line of at most 60 characters", v)
			}
			c.OIDC.Name = v
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
			if !strings.Contains(v, "@") || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
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
		if err := c.devDatabase(); err != nil {
			return err
		}
		// The embedded server is always local; production addresses do not apply.
		c.Temporal.Address = net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Temporal.DevPort))
		if !isLoopback(c.HTTPAddr) {
			// Dev mode has demo users with a known password.
			return &Error{Setting: "--http", Reason: fmt.Sprintf("%q: dev mode serves demo logins and binds to loopback only", c.HTTPAddr)}
		}
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.HTTPAddr && (c.Mode == ModeDev || c.Mode == ModeWeb) {
		return &Error{Setting: "KAMFLOW_METRICS_ADDR", Reason: fmt.Sprintf("%q is the web address too; metrics need an address of their own", c.MetricsAddr)}
	}
	if c.BaseURL == "" {
		c.BaseURL, c.BaseURLDerived = derivedBaseURL(c.HTTPAddr, c.SecureCookies), true
	}
	if (c.Temporal.TLSCertFile == "") != (c.Temporal.TLSKeyFile == "") {
		return &Error{Setting: "KAMFLOW_TEMPORAL_TLS_CERT", Reason: "KAMFLOW_TEMPORAL_TLS_CERT and KAMFLOW_TEMPORAL_TLS_KEY must be set together"}
	}
	if c.DB.Driver == DriverMySQL && c.DB.User == "" {
		return &Error{Setting: "KAMFLOW_DB_USER", Reason: "must not be empty for mysql"}
	}
	return c.validateOIDC()
}

// validateOIDC checks company sign-in as a whole: its settings come
// together, and without passwords it is the only way in.
func (c *Config) validateOIDC() error {
	o := &c.OIDC
	if !o.Enabled() {
		for _, s := range []struct{ env, v string }{
			{"KAMFLOW_OIDC_CLIENT_ID", o.ClientID}, {"KAMFLOW_OIDC_CLIENT_SECRET", o.ClientSecret},
			{"KAMFLOW_OIDC_REDIRECT_URL", o.RedirectURL}, {"KAMFLOW_OIDC_NAME", o.Name},
		} {
			if s.v != "" {
				return &Error{Setting: s.env, Reason: "is set but KAMFLOW_OIDC_ISSUER is not; set the issuer for company sign-in"}
			}
		}
		if len(o.RoleMap) > 0 {
			return &Error{Setting: "KAMFLOW_OIDC_ROLE_MAP", Reason: "is set but KAMFLOW_OIDC_ISSUER is not; set the issuer for company sign-in"}
		}
		if !c.SignIn.LocalPasswords {
			return &Error{Setting: "KAMFLOW_LOCAL_PASSWORDS", Reason: "is off but company sign-in is not configured (KAMFLOW_OIDC_ISSUER): nobody could sign in"}
		}
		return nil
	}
	if o.ClientID == "" {
		return &Error{Setting: "KAMFLOW_OIDC_CLIENT_ID", Reason: "must be set for company sign-in (KAMFLOW_OIDC_ISSUER is set)"}
	}
	if o.ClientSecret == "" {
		return &Error{Setting: "KAMFLOW_OIDC_CLIENT_SECRET", Reason: "must be set for company sign-in (KAMFLOW_OIDC_ISSUER is set)"}
	}
	if o.RedirectURL == "" {
		o.RedirectURL = c.BaseURL + OIDCCallbackPath
	}
	if !c.BaseURLDerived {
		o.PostLogoutRedirectURL = c.BaseURL + OIDCPostLogoutPath
	}
	return nil
}

// devDatabase keeps `kamflow dev` on its own SQLite file in the data
// directory: dev seeds demo users with a known password, so it must never
// open a production database.
func (c *Config) devDatabase() error {
	if c.DB.Driver != DriverSQLite {
		return &Error{Setting: "KAMFLOW_DB_DRIVER", Reason: fmt.Sprintf("%q: kamflow dev uses only its own SQLite database in --data; unset it (mysql is for kamflow web and worker)", c.DB.Driver)}
	}
	if !insideDir(c.DataDir, c.DB.Path) {
		return &Error{Setting: "KAMFLOW_DB_PATH", Reason: fmt.Sprintf("%q is outside the data directory %q: kamflow dev uses only its own SQLite database in --data", c.DB.Path, c.DataDir)}
	}
	return nil
}

// insideDir reports whether path lies within dir, following symbolic links
// where they exist, so a link in the data directory cannot lead outside it.
func insideDir(dir, path string) bool {
	resolve := func(p string) string {
		abs, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			return real
		}
		// Not there yet: resolve the parent, which dev creates or may exist.
		if real, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			return filepath.Join(real, filepath.Base(abs))
		}
		return abs
	}
	rel, err := filepath.Rel(resolve(dir), resolve(path))
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
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

// ParseBaseURL checks that v is an absolute http or https URL without
// user, query or fragment and returns it without a trailing slash.
func ParseBaseURL(v string) (string, error) {
	u, err := url.Parse(v)
	switch {
	case err != nil, u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return "", fmt.Errorf("%q is not an absolute http(s) URL like https://kamflow.example.com", v)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("%q must not carry a user, query or fragment", v)
	}
	if _, port, err := net.SplitHostPort(u.Host); err == nil {
		var p int
		if err := parsePort(port, &p); err != nil {
			return "", fmt.Errorf("%q: %w", v, err)
		}
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// derivedBaseURL is the base URL when none is configured: the listening
// address, with localhost for an unspecified host.
func derivedBaseURL(httpAddr string, secure bool) string {
	host, port, _ := net.SplitHostPort(httpAddr)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	scheme := "http"
	if secure {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// DefaultTimeZone is KAMFLOW_TIME_ZONE's default.
const DefaultTimeZone = "Europe/Berlin"

// LoadZone loads an IANA time zone by name ("Europe/Berlin", "UTC"). The
// machine's own zone ("Local") and the empty name are refused: what users
// see must not depend on where the process runs.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%q is not an IANA time zone like Europe/Berlin", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IANA time zone like Europe/Berlin", name)
	}
	return loc, nil
}

func parsePort(v string, dst *int) error {
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("%q is not a port (1-65535)", v)
	}
	*dst = p
	return nil
}

// Retention bounds: Temporal needs at least a day; ten years is beyond
// any programme and keeps the arithmetic far from overflow.
const (
	MinRetention = 24 * time.Hour
	MaxRetention = 3650 * 24 * time.Hour
)

// parseRetention reads a Go duration ("720h") or whole days ("30d").
func parseRetention(v string, dst *time.Duration) error {
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 3650 {
			return fmt.Errorf("%q is not a number of days like 30d", v)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("%q is not a duration like 720h or a number of days like 30d", v)
		}
	}
	if d < MinRetention || d > MaxRetention {
		return fmt.Errorf("%q must be from 1 day (24h) to 3650 days", v)
	}
	*dst = d
	return nil
}

// parseCIDRs reads a comma-separated list of CIDRs; a bare address stands
// for itself alone (/32 or /128).
func parseCIDRs(v string, dst *[]*net.IPNet) error {
	var out []*net.IPNet
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			ip := net.ParseIP(part)
			if ip == nil {
				return fmt.Errorf("%q is not a CIDR like 10.0.0.0/8 or an address", part)
			}
			bits := 128
			if ip4 := ip.To4(); ip4 != nil {
				ip, bits = ip4, 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR like 10.0.0.0/8 or an address", part)
		}
		out = append(out, n)
	}
	*dst = out
	return nil
}

// parseIssuer reads an OpenID Connect issuer: https, or http on a
// loopback host (a provider on the same machine, as in tests).
func parseIssuer(v string, dst *string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil, u.Host == "", u.Opaque != "":
		return fmt.Errorf("%q is not an absolute https URL like https://login.example.com/realms/staff", v)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q must not carry a user, query or fragment", v)
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(hostWithPort(u.Host)):
	default:
		return fmt.Errorf("%q must use https (http only for a provider on this machine)", v)
	}
	*dst = v
	return nil
}

// hostWithPort gives host a port so net.SplitHostPort takes it.
func hostWithPort(host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), "0")
}

// parseRoleMap reads group=role pairs; a group may be named more than
// once to give several roles.
func parseRoleMap(v string, dst *map[string][]store.Role) error {
	out := map[string][]store.Role{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		group, role, ok := strings.Cut(part, "=")
		group, role = strings.TrimSpace(group), strings.TrimSpace(role)
		if !ok || group == "" || role == "" {
			return fmt.Errorf("%q is not group=role (like kam-leads=lead)", part)
		}
		if !store.Role(role).Valid() {
			names := make([]string, 0, len(store.Roles()))
			for _, r := range store.Roles() {
				names = append(names, string(r))
			}
			return fmt.Errorf("%q: %q is not a role (use %s)", part, role, strings.Join(names, ", "))
		}
		out[group] = append(out[group], store.Role(role))
	}
	*dst = out
	return nil
}

// parseOnOff reads on/off (and true/false).
func parseOnOff(v string, dst *bool) error {
	switch strings.ToLower(v) {
	case "on", "true", "1", "yes":
		*dst = true
	case "off", "false", "0", "no":
		*dst = false
	default:
		return fmt.Errorf("%q is not on or off", v)
	}
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
