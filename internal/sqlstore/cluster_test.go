package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/openflex/openflex"
)

// testPostgres opens a pool on a fresh schema of the test server holding a
// table "writes", or skips without a server; under CI a missing one is a
// failure.
func testPostgres(t *testing.T) (*DB, string) {
	t.Helper()
	url := os.Getenv("OPENFLEX_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("OPENFLEX_TEST_POSTGRES_URL is not set")
		}
		t.Skip("no PostgreSQL (OPENFLEX_TEST_POSTGRES_URL)")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t" + hex.EncodeToString(b[:]) + "_ha"
	ctx := context.Background()
	db, err := OpenPostgres(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.w.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		db.Close()
	})
	if _, err := db.w.ExecContext(ctx, "CREATE TABLE writes (n int)"); err != nil {
		t.Fatal(err)
	}
	return db, url
}

func countWrites(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.r.QueryRowContext(context.Background(), "SELECT count(*) FROM writes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A connection lost mid-transaction (a failover, a restarted server) is
// retried on a fresh connection: the write lands once and the caller never
// sees the failure.
func TestWriteRetriesALostConnection(t *testing.T) {
	db, _ := testPostgres(t)
	ctx := context.Background()
	runs := 0
	err := db.Write(ctx, func(ctx context.Context) error {
		runs++
		if _, err := db.q(ctx).ExecContext(ctx, "INSERT INTO writes VALUES (1)"); err != nil {
			return err
		}
		if runs == 1 {
			// The server ends this very session, as a failover would.
			_, err := db.q(ctx).ExecContext(ctx, "SELECT pg_terminate_backend(pg_backend_pid())")
			return err
		}
		return nil
	})
	if err != nil || runs != 2 {
		t.Fatalf("Write = %v after %d runs, want success on the second", err, runs)
	}
	if n := countWrites(t, db); n != 1 {
		t.Fatalf("%d rows written, want exactly 1", n)
	}
}

// A database that stays read-only (a standby, or a primary not yet
// promoted) makes Write give up with unavailable, the API's 503, once its
// retry budget is spent; nothing is written.
func TestWriteOnAReadOnlyDatabaseIsUnavailable(t *testing.T) {
	db, url := testPostgres(t)
	ctx := context.Background()
	ro, err := OpenPostgres(ctx, url+"&default_transaction_read_only=on", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	ro.RetryFor = 200 * time.Millisecond
	var schema string
	db.r.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema)
	runs := 0
	err = ro.Write(ctx, func(ctx context.Context) error {
		runs++
		_, err := ro.q(ctx).ExecContext(ctx, "INSERT INTO "+schema+".writes VALUES (1)")
		return err
	})
	if openflex.ErrorCode(err) != openflex.CodeUnavailable {
		t.Fatalf("Write on a read-only database = %v, want unavailable", err)
	}
	if runs < 2 {
		t.Fatalf("Write ran %d times, want retries within its budget", runs)
	}
	if n := countWrites(t, db); n != 0 {
		t.Fatalf("%d rows written by a refused write", n)
	}
}

// Of two nodes on one database, one holds a job's lock at a time; the lock
// is free again once released, and other names are independent.
func TestTryLockIsExclusiveAcrossNodes(t *testing.T) {
	a, url := testPostgres(t)
	ctx := context.Background()
	var schema string
	a.r.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema)
	b, err := OpenPostgres(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })

	unlock, ok, err := a.TryLock(ctx, "jobs.expiry")
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v", ok, err)
	}
	if _, ok, err := b.TryLock(ctx, "jobs.expiry"); err != nil || ok {
		t.Fatalf("second node's TryLock while held = %v, %v; want refused", ok, err)
	}
	unlockOther, ok, err := b.TryLock(ctx, "jobs.scrub")
	if err != nil || !ok {
		t.Fatalf("TryLock of another job = %v, %v", ok, err)
	}
	unlockOther()
	unlock()
	unlock2, ok, err := b.TryLock(ctx, "jobs.expiry")
	if err != nil || !ok {
		t.Fatalf("TryLock after release = %v, %v", ok, err)
	}
	unlock2()
}
