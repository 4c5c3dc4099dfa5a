package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/api"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/servicing/engine"
)

// statementRun is the servicing scenario (--statement-run N, spawned
// only): N accounts each with a purchase and a payment in the cycle, their
// days applied up to the statement day, then the statement day's run
// timed while the purchase mix runs alongside over HTTP.
//
// Its accounts live in Nova Scotia in the future (March 2027) on a clock
// of the scenario's own, so the server's own daily job, on the wall clock,
// leaves them alone, and the scenario's job serves only their zone; their
// purchases and payments go through the same services and database as the
// server's.
type statementRun struct {
	tg    *target
	svc   *engine.Service
	now   atomic.Int64 // the scenario's clock, Unix nanoseconds
	rep   *statementReport
	start time.Time
	done  chan struct{}
}

type statementReport struct {
	Accounts  int `json:"accounts"`
	Workers   int `json:"workers"`
	Templates int `json:"template_accounts"`
	// SeedSeconds and PrepareSeconds are the templates' (through the
	// services, then their days to the statement day), CloneSeconds the
	// copies'.
	SeedSeconds     float64 `json:"seed_seconds"`
	PrepareSeconds  float64 `json:"prepare_seconds"`
	CloneSeconds    float64 `json:"clone_seconds"`
	RunSeconds      float64 `json:"run_seconds"`
	AccountsPerSec  float64 `json:"accounts_per_second"`
	Served          int     `json:"accounts_served"`
	ProjectedMillio float64 `json:"projected_seconds_per_million"`
	// Texts is how many customer messages the server's own job had
	// delivered (to the bench's SMS gateway) when the run ended: they go
	// out alongside the run, from the outbox the run fills.
	Texts int64 `json:"customer_messages_delivered"`
	// Rehearsed and Reworked are the accounts the writer served from
	// their rehearsal, and those it worked out again because they changed
	// after it (SQLite; engine/rehearse.go).
	Rehearsed int64  `json:"accounts_rehearsed"`
	Reworked  int64  `json:"accounts_reworked"`
	Error     string `json:"error,omitempty"`
}

func (r *statementRun) clock() time.Time { return time.Unix(0, r.now.Load()) }

func (r *statementRun) set(t time.Time) { r.now.Store(t.UnixNano()) }

// templateAccounts is how many of the scenario's accounts are built
// through the services; the rest are copies of them.
const templateAccounts = 100

// seedStatementRun opens n accounts with a purchase on the 10th and a
// payment on the 20th, and applies their days through the 30th (untimed).
// The first templateAccounts are built through the real services and
// daily job; the others are copies of them made in bulk inside the store
// (sqlstore.CloneAccounts: every row of the account's life, new numbers
// and ids, the ledger balanced), as a million accounts one by one through
// the services would take hours here. The timed statement day serves all
// n through the real daily job.
//
// With seeded, the n accounts are already in the store (a
// --statement-seed-only run's): only the scenario's clock and service are
// set up.
func seedStatementRun(ctx context.Context, tg *target, n, workers int, seeded bool, logf func(string, ...any)) (*statementRun, error) {
	total := n
	n = min(n, templateAccounts)
	env := openflex.Environment(tg.env)
	data := tg.main.Stores.Data(env)
	// Nova Scotia: the bench's own accounts are Ontario's, and the
	// scenario's clock must never move them.
	loc, _ := time.LoadLocation("America/Halifax")
	r := &statementRun{tg: tg, rep: &statementReport{Accounts: total, Workers: workers, Templates: n}, done: make(chan struct{})}
	r.set(time.Date(2027, 3, 10, 12, 0, 0, 0, loc))
	r.svc = &engine.Service{Env: env, Store: data, Render: api.RenderEvent(env), Workers: workers, Zones: []string{"America/Halifax"}, Now: r.clock}
	if seeded {
		r.set(time.Date(2027, 4, 1, 3, 0, 0, 0, loc))
		return r, nil
	}
	lend := &lending.Service{Store: data, Render: api.RenderEvent(env), Servicing: r.svc, Now: r.clock}
	merchantID := "mer_statement_run"
	started := time.Now()
	numbers := make([]string, n)
	seed := func(phase string, fn func(i int) error) error {
		return fanOut(ctx, 8, n, func(i int) error {
			if err := fn(i); err != nil {
				return fmt.Errorf("%s %d: %w", phase, i, err)
			}
			return nil
		})
	}
	err := seed("open and buy", func(i int) error {
		now := r.clock()
		cust := &openflex.Customer{ID: openflex.NewID("cus"), Language: "en", Created: now, Applicant: openflex.Applicant{
			FirstName: "Statement", LastName: "Run" + letters(i), DateOfBirth: "1980-01-01",
			Address: openflex.Address{Province: "NS", PostalCode: "B3H 1A1"}}}
		if err := data.CreateCustomer(ctx, cust); err != nil {
			return err
		}
		a := &openflex.Account{Number: credit.NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal, CreditLimit: 2000_00,
			Currency: openflex.CAD, RiskCategory: openflex.RiskStandard, Province: "NS", Language: "en", FirstName: "Statement",
			LastName: cust.Applicant.LastName, Created: now}
		if err := data.CreateAccount(ctx, a); err != nil {
			return err
		}
		numbers[i] = a.Number
		if _, err := data.GrantConsent(ctx, &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: a.Number,
			MerchantID: merchantID, Source: openflex.ConsentByCheckout, CheckoutID: "chk_statement_run", Created: now}); err != nil {
			return err
		}
		_, err := lend.Authorize(ctx, lending.AuthorizeRequest{MerchantID: merchantID, StoreID: tg.stores[0], AccountNumber: a.Number,
			Amount: 300_00, Currency: openflex.CAD, Channel: "online", AutoCapture: true})
		return err
	})
	if err != nil {
		return nil, err
	}
	r.set(time.Date(2027, 3, 20, 12, 0, 0, 0, loc))
	if err := seed("pay", func(i int) error {
		_, err := r.svc.Pay(ctx, engine.PaymentRequest{AccountNumber: numbers[i], Amount: 50_00, Channel: engine.ChannelBank})
		return err
	}); err != nil {
		return nil, err
	}
	r.rep.SeedSeconds = round2(time.Since(started).Seconds())
	logf("statement run: %d accounts seeded in %.1fs", n, r.rep.SeedSeconds)
	started = time.Now()
	r.set(time.Date(2027, 3, 31, 12, 0, 0, 0, loc))
	if _, err := r.svc.RunDue(ctx); err != nil {
		return nil, err
	}
	r.rep.PrepareSeconds = round2(time.Since(started).Seconds())
	logf("statement run: days to the statement day applied in %.1fs", r.rep.PrepareSeconds)
	started = time.Now()
	if err := cloneAccounts(ctx, data, numbers, total-n, logf); err != nil {
		return nil, err
	}
	r.rep.CloneSeconds = round2(time.Since(started).Seconds())
	logf("statement run: %d copies made in %.1fs", total-n, r.rep.CloneSeconds)
	r.set(time.Date(2027, 4, 1, 3, 0, 0, 0, loc))
	return r, nil
}

// run applies the statement day to every account, timed, and closes done.
func (r *statementRun) run(ctx context.Context) {
	defer close(r.done)
	r.start = time.Now()
	n, err := r.svc.RunDue(ctx)
	took := time.Since(r.start).Seconds()
	r.rep.RunSeconds, r.rep.Served, r.rep.Texts = round2(took), n, r.tg.texts.Load()
	r.rep.Rehearsed, r.rep.Reworked = r.svc.Rehearsals()
	if took > 0 {
		r.rep.AccountsPerSec = round2(float64(n) / took)
		if n > 0 {
			r.rep.ProjectedMillio = round2(took / float64(n) * 1_000_000)
		}
	}
	if err != nil {
		r.rep.Error = err.Error()
	}
}

// accountCopier copies an account, every row of its life, to new numbers
// (the store's CloneAccounts, for load tests only). The tool reaches the
// store through the platform it spawned, never by importing it.
type accountCopier interface {
	CloneAccounts(ctx context.Context, template string, numbers []string) error
}

// cloneAccounts makes copies more accounts from templates, spread evenly,
// with the workers of the seed.
func cloneAccounts(ctx context.Context, data accountCopier, templates []string, copies int, logf func(string, ...any)) error {
	if copies == 0 {
		return nil
	}
	var done atomic.Int64
	return fanOut(ctx, 2, len(templates), func(i int) error {
		k := copies / len(templates)
		if i < copies%len(templates) {
			k++
		}
		numbers := make([]string, k)
		for j := range numbers {
			numbers[j] = cloneNumber(j*len(templates) + i)
		}
		if err := data.CloneAccounts(ctx, templates[i], numbers); err != nil {
			return err
		}
		if d := done.Add(int64(k)); d*10/int64(copies) != (d-int64(k))*10/int64(copies) {
			logf("statement run: %d of %d copies made", d, copies)
		}
		return nil
	})
}

// fanOut calls fn(i) for every i below n on workers goroutines, stops
// handing out work at the first error or when ctx ends, and returns that
// first error (or ctx's).
func fanOut(ctx context.Context, workers, n int, fn func(i int) error) error {
	var (
		wg sync.WaitGroup
		// A pointer, not an atomic.Value: errors of different types would
		// make a Value panic.
		failed atomic.Pointer[error]
	)
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					failed.CompareAndSwap(nil, &err)
				}
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil || failed.Load() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := failed.Load(); err != nil {
		return *err
	}
	return ctx.Err()
}

// cloneNumber is the k-th copy's account number: distinct for every k,
// spread over the number space as random numbers are (k times a prime
// modulo 10^12), with its check digit.
func cloneNumber(k int) string {
	payload := fmt.Sprintf("7%012d", (uint64(k)*982_451_653+1)%1_000_000_000_000)
	return payload + string(openflex.LuhnCheckDigit(payload))
}
