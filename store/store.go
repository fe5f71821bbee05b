// Package store owns kamflow's relational data: GORM models, versioned
// migrations and the queries the web, worker and activities use. It runs on
// MySQL in production and on SQLite for the embedded default.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	// modernc's pure-Go driver registers as "sqlite"; the embedded Temporal
	// server uses the same one, so both share a single registration.
	_ "modernc.org/sqlite"
)

// Sentinel errors callers map to user-facing answers.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
	ErrInvalid   = errors.New("invalid")
	// ErrUnavailable means the database cannot be reached right now; the
	// same call may succeed later.
	ErrUnavailable = errors.New("database unavailable")
)

// InvalidError is ErrInvalid with a reason users may read and, where one
// input is at fault, its field; errors.Is(err, ErrInvalid) holds for it.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return ErrInvalid.Error() + ": " + e.Reason }

// Is makes an InvalidError match ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// invalid builds an InvalidError for field with the formatted reason.
func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Options selects the database.
type Options struct {
	Driver string // "mysql" or "sqlite"
	DSN    string // MySQL DSN (parseTime=true, loc=UTC, charset=utf8mb4)
	Path   string // SQLite file
}

// Store is the handle every layer shares; it is safe for concurrent use.
type Store struct {
	db     *gorm.DB
	driver string
}

// Open connects without migrating; call Migrate before use.
func Open(ctx context.Context, o Options) (*Store, error) {
	var dialector gorm.Dialector
	var pool *sql.DB // SQLite's, opened here
	switch o.Driver {
	case "sqlite":
		if o.Path == "" {
			return nil, fmt.Errorf("open sqlite: %w: empty path", ErrInvalid)
		}
		if err := os.MkdirAll(filepath.Dir(o.Path), 0o755); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		connector, err := newSQLiteConnector(sqliteDSN(o.Path))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		pool = sql.OpenDB(connector)
		dialector = sqlite.New(sqlite.Config{DriverName: "sqlite", Conn: pool})
	case "mysql":
		dsn, err := mysqlDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		dialector = mysql.New(mysql.Config{DSN: dsn})
	default:
		return nil, fmt.Errorf("open: %w: unknown driver %q", ErrInvalid, o.Driver)
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		if pool != nil {
			_ = pool.Close()
		}
		return nil, fmt.Errorf("open %s: %w", o.Driver, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		if pool != nil {
			_ = pool.Close()
		}
		return nil, fmt.Errorf("open %s: %w", o.Driver, err)
	}
	if err := errors.Join(
		parseSchemas(db),
		db.Callback().Create().After("gorm:create").Register("kamflow:search_grams", indexCreated),
		db.Callback().Create().After("gorm:create").Register("kamflow:row_counts", countCreated),
		db.Callback().Create().After("gorm:create").Register("kamflow:seat_counts", countEnrolmentsCreated),
	); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("open %s: %w", o.Driver, err)
	}
	if o.Driver == "sqlite" {
		// SQLite has one writer; a small pool with immediate transactions and
		// a busy timeout avoids "database is locked" under concurrent use.
		sqlDB.SetMaxOpenConns(4)
		// Idle connections = open connections: each SQLite connection
		// keeps its own page cache, lost when the pool closes it.
		sqlDB.SetMaxIdleConns(4)
	} else {
		// Idle connections = open connections: with Go's default of 2 idle,
		// a busy server opens a new MySQL connection for most requests.
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxLifetime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect %s: %w", o.Driver, err)
	}
	return &Store{db: db, driver: o.Driver}, nil
}

func sqliteDSN(path string) string {
	// A 32 MiB page cache per connection (the default is 2 MiB) and a
	// memory map keep a 10× company's lists from rereading pages.
	return "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=cache_size(-32768)&_pragma=mmap_size(268435456)"
}

// mysqlDSN insists on the parameters the models rely on and has the driver
// interpolate arguments: a statement with arguments is then one round trip
// instead of a prepare, an execute and a close. The driver's escaping is
// safe in utf8mb4, not in multibyte sets such as gbk or sjis, so utf8mb4 is
// the only character set (and collation family) accepted.
func mysqlDSN(dsn string) (string, error) {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("mysql dsn: %w: %v", ErrInvalid, err)
	}
	// The driver keeps the charset list to itself; read it from the DSN's
	// parameters, which follow the last slash (a password may hold one).
	if _, query, ok := strings.Cut(dsn[strings.LastIndex(dsn, "/")+1:], "?"); ok {
		params, err := url.ParseQuery(query)
		if err != nil {
			return "", fmt.Errorf("mysql dsn: %w: %v", ErrInvalid, err)
		}
		for _, list := range params["charset"] {
			for _, cs := range strings.Split(list, ",") {
				if cs != "utf8mb4" {
					return "", fmt.Errorf("mysql dsn: %w: charset=%s: only utf8mb4 is supported", ErrInvalid, cs)
				}
			}
		}
	}
	if cfg.Collation != "" && !strings.HasPrefix(cfg.Collation, "utf8mb4_") {
		return "", fmt.Errorf("mysql dsn: %w: collation=%s: only a utf8mb4 collation is supported", ErrInvalid, cfg.Collation)
	}
	if !cfg.ParseTime {
		return "", fmt.Errorf("mysql dsn: %w: parseTime=true is required", ErrInvalid)
	}
	if cfg.Loc == nil || cfg.Loc.String() != "UTC" {
		return "", fmt.Errorf("mysql dsn: %w: loc=UTC is required", ErrInvalid)
	}
	cfg.InterpolateParams = true
	return cfg.FormatDSN(), nil
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Driver is "mysql" or "sqlite".
func (s *Store) Driver() string { return s.driver }

// Ping checks the database answers; the health endpoint uses it.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// DB exposes the GORM handle to this package's tests and to bench tooling.
func (s *Store) DB() *gorm.DB { return s.db }

// translate maps driver errors to the package's sentinels.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey), isUniqueViolation(err):
		return fmt.Errorf("%s: %w", what, ErrDuplicate)
	case Unavailable(err):
		return fmt.Errorf("%s: %w: %w", what, ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// Unavailable reports whether err means the database cannot be reached
// (refused or dropped connections), as opposed to a bad query or data.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, gomysql.ErrInvalidConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection refused", "broken pipe", "bad connection", "invalid connection", "connection reset", "server has gone away", "database is closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func isUniqueViolation(err error) bool {
	var me *gomysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}
