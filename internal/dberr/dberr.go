// Package dberr tells a database that is briefly out of reach (a lost
// connection, a failover, a standby still in read-only mode) from a request
// that failed on its own merits. It looks only at the shapes errors take
// (SQLSTATE codes, network errors), so the HTTP layers can use it without
// depending on the storage implementation.
package dberr

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
)

// Unavailable reports whether err means the database could not be reached
// or could not take the write just now, so the same request may succeed a
// moment later (on this node or another).
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		return unavailableState(st.SQLState())
	}
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return true // pgx: the connection was closed before anything was sent
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	return false
}

// unavailableState lists the SQLSTATEs of a server that is going away, not
// yet accepting, or (during a promotion) still read-only.
func unavailableState(code string) bool {
	switch code {
	case "25006", // read_only_sql_transaction: routed to a standby, or to a primary not yet promoted
		"57P01", "57P02", "57P03", // admin shutdown, crash shutdown, cannot connect now
		"53300",          // too_many_connections
		"40001", "40P01": // serialization failure, deadlock: the store retried already
		return true
	}
	return len(code) == 5 && code[:2] == "08" // connection exception
}
