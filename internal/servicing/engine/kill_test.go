package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// childEnv carries a killed child's storage configuration and clock.
const childEnv = "OPENFLEX_SERVICING_CHILD"

type childConfig struct {
	Store sqlstore.Config
	Now   time.Time
}

// TestMain lets the kill test run this binary as the daily job it kills.
func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		os.Exit(runChild(v))
	}
	os.Exit(m.Run())
}

// runChild is the daily job on its own, as a node runs it.
func runChild(v string) int {
	var c childConfig
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	s, err := sqlstore.Open(context.Background(), c.Store)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	svc := &engine.Service{Env: openflex.Production, Store: s.Data(openflex.Production), Now: func() time.Time { return c.Now },
		Render: func(any) ([]byte, error) { return []byte(`{}`), nil }}
	if _, err := svc.RunDue(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestKilledDailyRunResumes: the daily job is killed (SIGKILL) while it
// applies two months of days to many accounts; run again, it finishes,
// and every account has each of its days applied exactly once, its
// statements and segments follow from its history, and the books balance.
func TestKilledDailyRunResumes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		cfg := e.Config(t)
		stores, err := sqlstore.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stores.Close() })
		w := newWorldOn(t, stores.Data(openflex.Production), openflex.Production, toronto(3, 1))
		const accounts = 150
		var numbers []string
		for range accounts {
			n := w.account(1000_00)
			w.purchase(n, 300_00)
			numbers = append(numbers, n)
		}
		end := toronto(5, 3)
		today := end.Format(time.DateOnly)
		child, _ := json.Marshal(childConfig{Store: cfg, Now: end})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+string(child))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// Kill it once ten accounts or so are done and the others are not.
		deadline := time.Now().Add(2 * time.Minute)
		left := accounts
		for left > accounts-10 {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("the daily job applied nothing in two minutes")
			}
			select {
			case err := <-exited:
				t.Fatalf("the daily job ended (%v) before it was killed", err)
			default:
			}
			due, _, err := w.db.DueAccounts(w.ctx, "America/Toronto", today, "", accounts)
			if err != nil {
				t.Fatal(err)
			}
			left = len(due)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-exited
		due, _, err := w.db.DueAccounts(w.ctx, "America/Toronto", today, "", accounts)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) == 0 {
			t.Fatal("the daily job finished before it was killed: nothing to resume")
		}
		t.Logf("killed with %d of %d accounts left", len(due), accounts)

		w.set(end)
		if _, err := w.svc.RunDue(w.ctx); err != nil {
			t.Fatal(err)
		}
		for _, n := range numbers {
			days, err := w.db.AppliedDays(w.ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != 63 || days[0] != "2025-03-01" || days[62] != "2025-05-02" {
				t.Fatalf("account %s: %d days applied, want each of the 63 from 2025-03-01 to 2025-05-02 once", n, len(days))
			}
			st, more, err := w.svc.Statements(w.ctx, n, openflex.ListParams{Limit: 10})
			if err != nil || more || len(st) != 2 {
				t.Fatalf("account %s: %d statements (%v), want March's and April's", n, len(st), err)
			}
		}
		w.verify()
	})
}

// newWorldOn is newWorld on a data plane already open.
func newWorldOn(t testing.TB, db *sqlstore.DB, env openflex.Environment, start time.Time) *world {
	w := &world{t: t, db: db, ctx: context.Background(), now: start}
	cfg := servicing.DefaultConfig()
	cfg.NSFFee = 25_00
	w.wire(env, &cfg)
	return w
}
