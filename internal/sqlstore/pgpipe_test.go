package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// TestPipelinedWriteTransactions checks what queuing a PostgreSQL write
// transaction's statements (pgpipe.go) must not change: reads see the
// queued writes, a queued statement's failure fails the transaction and
// nothing of it stays, and only the loss of the round trip that carried
// COMMIT makes the outcome unknown.
func TestPipelinedWriteTransactions(t *testing.T) {
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("pipelining is PostgreSQL's (" + storetest.PostgresURLEnv + " is not set)")
	}
	cfg := pg.Config(t)
	proxy := storetest.StartPGProxy(t, cfg.DatabaseURL)
	cfg.DatabaseURL = proxy.URL
	s, err := sqlstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db := s.Data(openflex.Training)
	ctx := context.Background()
	const merchant = "mer_pipeline"
	event := func(id string) *openflex.Event {
		return &openflex.Event{ID: id, MerchantID: merchant, Type: "test.event", Object: []byte(`{}`), Created: time.Now()}
	}
	stored := func(t *testing.T, ctx context.Context) []string {
		t.Helper()
		evs, _, err := db.Events(ctx, merchant, "", openflex.ListParams{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
		return ids
	}
	has := func(t *testing.T, ctx context.Context, id string) bool {
		t.Helper()
		return strings.Contains(strings.Join(stored(t, ctx), " "), id)
	}
	isDuplicate := func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	}

	t.Run("a read sees the queued writes", func(t *testing.T) {
		err := db.Write(ctx, func(ctx context.Context) error {
			if err := db.AppendEvent(ctx, event("evt_seen")); err != nil {
				return err
			}
			if !has(t, ctx, "evt_seen") {
				t.Error("the transaction's own read misses its queued insert")
			}
			return nil
		})
		if err != nil || !has(t, ctx, "evt_seen") {
			t.Fatalf("Write = %v; stored %v", err, stored(t, ctx))
		}
	})

	t.Run("a queued failure is the next statement's and fails the transaction", func(t *testing.T) {
		err := db.Write(ctx, func(ctx context.Context) error {
			db.AppendEvent(ctx, event("evt_first"))
			db.AppendEvent(ctx, event("evt_seen")) // a duplicate id
			_, _, err := db.Events(ctx, merchant, "", openflex.ListParams{Limit: 1})
			if !isDuplicate(err) || !strings.Contains(err.Error(), "insert event") {
				t.Errorf("the read after a failed queued insert = %v, want its unique violation", err)
			}
			return err
		})
		if !isDuplicate(err) || has(t, ctx, "evt_first") {
			t.Fatalf("Write = %v; stored %v", err, stored(t, ctx))
		}
	})

	t.Run("a queued failure sent with COMMIT is not an unknown outcome", func(t *testing.T) {
		err := db.Write(ctx, func(ctx context.Context) error {
			db.AppendEvent(ctx, event("evt_second"))
			return db.AppendEvent(ctx, event("evt_seen"))
		})
		if !isDuplicate(err) || openflex.ErrorCode(err) == openflex.CodeUnavailable || has(t, ctx, "evt_second") {
			t.Fatalf("Write = %v; stored %v", err, stored(t, ctx))
		}
	})

	t.Run("a batch that fails before BEGIN ran lets nothing run outside the transaction", func(t *testing.T) {
		err := db.Write(ctx, func(ctx context.Context) error {
			// An argument pgx cannot encode fails the batch before it is sent.
			sqlstore.ExecLater(ctx, db, "insert nothing", `INSERT INTO events (id) VALUES ($1)`, make(chan int))
			if _, _, err := db.Events(ctx, merchant, "", openflex.ListParams{Limit: 1}); err == nil {
				t.Error("the read after a batch that could not be sent succeeded")
			}
			db.AppendEvent(ctx, event("evt_stray"))
			return nil // as if the failure were ignored
		})
		if err == nil || !strings.Contains(err.Error(), "encode") || has(t, ctx, "evt_stray") {
			t.Fatalf("Write = %v; stored %v", err, stored(t, ctx))
		}
	})

	t.Run("a write of queued statements only is one round trip", func(t *testing.T) {
		for i, id := range []string{"evt_warm", "evt_one_trip"} {
			data, _ := proxy.Count("_training", func() {
				if err := db.AppendEvent(ctx, event(id)); err != nil {
					t.Fatal(err)
				}
			})
			if i == 1 && (data.RoundTrips != 1 || data.Parses != 0) {
				t.Fatalf("BEGIN, INSERT, COMMIT took %d round trips (%d statements prepared), want 1", data.RoundTrips, data.Parses)
			}
		}
	})

	t.Run("a lost round trip that carried COMMIT is an unknown outcome", func(t *testing.T) {
		proxy.CutNextCommit()
		runs := 0
		err := db.Write(ctx, func(ctx context.Context) error {
			runs++
			return db.AppendEvent(ctx, event("evt_unknown"))
		})
		if openflex.ErrorCode(err) != openflex.CodeUnavailable || !strings.Contains(err.Error(), "outcome is unknown") || runs != 1 {
			t.Fatalf("Write = %v after %d runs, want the unknown outcome after one", err, runs)
		}
		// The pool dropped the cut connection: the next write works.
		if err := db.AppendEvent(ctx, event("evt_after")); err != nil || !has(t, ctx, "evt_after") {
			t.Fatalf("write after the cut = %v", err)
		}
	})
}
