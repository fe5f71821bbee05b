package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// SQLite parses every statement it runs, in kamflow's process: before
// this, preparing was about a tenth of a work page's CPU. Each connection
// therefore keeps the reads it has prepared — its own, so no request ever
// waits for another connection or a shared lock, and a transaction's reads
// are its connection's. Only SELECT and WITH are kept (pages are reads);
// writes, INSERT … RETURNING among them (a statement per number of rows),
// are prepared each time as before.

// keptStatementsPerConnection bounds each connection's statements; beyond
// it the least recently used is closed (lists of IDs make one statement
// per length).
const keptStatementsPerConnection = 200

// sqliteConnector opens modernc's SQLite connections, each keeping its
// statements.
type sqliteConnector struct {
	dsn  string
	base driver.Driver
}

// newSQLiteConnector uses the driver registered as "sqlite" (modernc's,
// shared with the embedded Temporal server).
func newSQLiteConnector(dsn string) (*sqliteConnector, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	base := db.Driver()
	if err := db.Close(); err != nil {
		return nil, err
	}
	return &sqliteConnector{dsn: dsn, base: base}, nil
}

func (c *sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.base.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	_, queries := conn.(driver.QueryerContext)
	_, execs := conn.(driver.ExecerContext)
	_, prepares := conn.(driver.ConnPrepareContext)
	_, begins := conn.(driver.ConnBeginTx)
	if !queries || !execs || !prepares || !begins {
		_ = conn.Close()
		return nil, fmt.Errorf("sqlite connection %T lacks a context method database/sql needs", conn)
	}
	return &keepingConn{Conn: conn, kept: map[string]*keptStatement{}, order: list.New()}, nil
}

func (c *sqliteConnector) Driver() driver.Driver { return c.base }

// keepingConn is one SQLite connection with the reads it keeps prepared.
// database/sql serialises every call to a connection, its rows and its
// statements by the connection's lock, including the Close of rows by the
// goroutine that watches a request's context; so no lock here.
type keepingConn struct {
	driver.Conn
	kept  map[string]*keptStatement
	order *list.List // of *keptStatement, most recently used first
}

type keptStatement struct {
	query string
	stmt  driver.Stmt
	at    *list.Element
	// inUse: rows of it are open; the same query meanwhile runs unkept.
	inUse bool
	// dropped: pushed out of the connection's statements while in use;
	// closed when its rows are.
	dropped bool
}

// QueryContext runs a read through the connection's kept statement.
func (c *keepingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if !isRead(query) {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	ks, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if ks == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := ks.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	ks.inUse = true
	return &keptRows{Rows: rows, ks: ks}, nil
}

// isRead reports whether query is a SELECT or WITH.
func isRead(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) >= 6 && (strings.EqualFold(q[:6], "select") || strings.EqualFold(q[:4], "with"))
}

// statement is query's kept statement, prepared now if it is new; nil when
// it is in use (its rows are open) or the driver's statement cannot query.
func (c *keepingConn) statement(ctx context.Context, query string) (*keptStatement, error) {
	if ks, ok := c.kept[query]; ok {
		if ks.inUse {
			return nil, nil
		}
		c.order.MoveToFront(ks.at)
		return ks, nil
	}
	stmt, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := stmt.(driver.StmtQueryContext); !ok {
		_ = stmt.Close()
		return nil, nil
	}
	ks := &keptStatement{query: query, stmt: stmt}
	ks.at = c.order.PushFront(ks)
	c.kept[query] = ks
	for c.order.Len() > keptStatementsPerConnection {
		c.drop(c.order.Back().Value.(*keptStatement))
	}
	return ks, nil
}

// drop forgets ks; it is closed now, or when its rows are if in use.
func (c *keepingConn) drop(ks *keptStatement) {
	c.order.Remove(ks.at)
	delete(c.kept, ks.query)
	if ks.inUse {
		ks.dropped = true
		return
	}
	_ = ks.stmt.Close()
}

// Close closes the kept statements, then the connection. database/sql
// closes a connection only when no rows of it are open, so none is in use.
func (c *keepingConn) Close() error {
	var errs []error
	for _, ks := range c.kept {
		if !ks.inUse {
			errs = append(errs, ks.stmt.Close())
		}
	}
	c.kept, c.order = map[string]*keptStatement{}, list.New()
	return errors.Join(append(errs, c.Conn.Close())...)
}

// The rest of what database/sql asks of a connection, passed through.

func (c *keepingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *keepingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *keepingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *keepingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *keepingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *keepingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// keptRows hands its statement back when closed, and passes on the column
// types GORM reads.
type keptRows struct {
	driver.Rows
	ks *keptStatement
}

func (r *keptRows) Close() error {
	err := r.Rows.Close()
	if r.ks != nil {
		r.ks.inUse = false
		if r.ks.dropped {
			err = errors.Join(err, r.ks.stmt.Close())
		}
		r.ks = nil
	}
	return err
}

func (r *keptRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *keptRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *keptRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *keptRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *keptRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
