// Package storetest is the one storage conformance suite: every storage
// capability adds its tests here, and they run against SQLite always and
// against PostgreSQL whenever the test script provides one.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/openflex/openflex/internal/sqlstore"
)

// PostgresURLEnv names the variable the test script sets to a throw-away
// PostgreSQL server's URL.
const PostgresURLEnv = "OPENFLEX_TEST_POSTGRES_URL"

// TestKey is the personal-data key of test stores.
var TestKey = []byte("openflex-test-key-0123456789abcdef")

// Engine is one storage engine the suite runs on.
type Engine struct {
	Name  string
	url   string
	group bool
}

// Engines returns SQLite and, when configured, PostgreSQL. Under CI a
// missing PostgreSQL is a failure, never a silent skip.
func Engines(t testing.TB) []Engine {
	t.Helper()
	engines := []Engine{{Name: "sqlite"}, {Name: "sqlite-groupcommit", group: true}}
	if u := os.Getenv(PostgresURLEnv); u != "" {
		engines = append(engines, Engine{Name: "postgres", url: u})
	} else if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set: CI must run the suite on PostgreSQL too", PostgresURLEnv)
	}
	return engines
}

// Postgres returns the PostgreSQL engine, for tests of what only it has;
// ok is false when none is configured (a failure under CI, as in Engines).
func Postgres(t testing.TB) (e Engine, ok bool) {
	t.Helper()
	for _, e := range Engines(t) {
		if e.url != "" {
			return e, true
		}
	}
	return Engine{}, false
}

// Config returns a fresh, empty storage configuration on e: a temp dir for
// SQLite, fresh schemas (dropped after the test) for PostgreSQL.
func (e Engine) Config(t testing.TB) sqlstore.Config {
	t.Helper()
	if e.url == "" {
		// "sqlite" keeps the plain single writer under test on every plane.
		return sqlstore.Config{DataDir: t.TempDir(), PIIKey: TestKey, GroupCommit: e.group, NoGroupCommit: !e.group}
	}
	var b [6]byte
	rand.Read(b[:])
	prefix := "t" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, e.url)
		if err != nil {
			t.Logf("drop test schemas: %v", err)
			return
		}
		defer conn.Close(ctx)
		for _, plane := range []string{"control", "training", "production"} {
			conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+prefix+"_"+plane+" CASCADE")
		}
	})
	return sqlstore.Config{DatabaseURL: e.url, SchemaPrefix: prefix, PIIKey: TestKey}
}

// Open returns migrated, empty stores on e, closed when the test ends.
func (e Engine) Open(t testing.TB) *sqlstore.Stores {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), e.Config(t))
	if err != nil {
		t.Fatalf("open %s stores: %v", e.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Each runs fn as a subtest per engine, named after it, so the test output
// shows the suite ran on both.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}
