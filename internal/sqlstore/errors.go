package sqlstore

import (
	"database/sql"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/dberr"
)

// errUnavailable is the message of a database out of reach.
const errUnavailable = "the database is unavailable (failing over?); retry shortly"

// domainErr speaks the domain's language at the store's edge: a database
// that could not be reached or could not take the write just now is
// openflex.CodeUnavailable (the same request may succeed a moment later),
// with the driver's error kept as the cause for the log. Anything else is
// left as it is. Callers never need to know what a lost connection looks
// like in pgx or in database/sql.
func domainErr(err error) error {
	if err == nil || openflex.ErrorCode(err) != openflex.CodeInternal || !dberr.Unavailable(err) {
		return err
	}
	return &openflex.Error{Code: openflex.CodeUnavailable, Message: errUnavailable, Cause: err}
}

// stdRow and stdRows carry domainErr to reads of one row and of many.
type stdRow struct{ r *sql.Row }

func (r stdRow) Scan(dest ...any) error { return domainErr(r.r.Scan(dest...)) }

type stdRows struct{ *sql.Rows }

func (r stdRows) Err() error { return domainErr(r.Rows.Err()) }
