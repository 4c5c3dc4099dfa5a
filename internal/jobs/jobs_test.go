package jobs

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// Of two nodes sharing a database, a job runs on the one holding its lock;
// the other skips its turn until the lock is free. On SQLite (one process
// owns the file) every turn runs.
func TestJobsTakeTurnsAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		cfg := e.Config(t)
		open := func() *sqlstore.Stores {
			s, err := sqlstore.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		a := open()
		if e.Name != "postgres" {
			a.Close() // SQLite: one process at a time
		}
		b := open()
		r := &Runner{Lock: b.Control.TryLock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		runs := 0
		turn := func() { r.exclusive(ctx, "jobs.expiry-retention", func(context.Context) { runs++ }) }

		if e.Name != "postgres" {
			turn()
			if runs != 1 {
				t.Fatalf("SQLite: the job ran %d times, want 1", runs)
			}
			return
		}
		unlock, ok, err := a.Control.TryLock(ctx, "jobs.expiry-retention")
		if err != nil || !ok {
			t.Fatalf("node A TryLock = %v, %v", ok, err)
		}
		turn()
		if runs != 0 {
			t.Fatal("node B ran the job while node A held its lock")
		}
		unlock()
		turn()
		turn()
		if runs != 2 {
			t.Fatalf("node B ran %d turns once the lock was free, want 2", runs)
		}
	})
}
