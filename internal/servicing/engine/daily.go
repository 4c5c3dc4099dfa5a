package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/openflex/openflex"
)

// zones are the time zones accounts are serviced in: their provinces'.
func zones() []string {
	var out []string
	for _, p := range []openflex.Province{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"} {
		if z := p.TimeZone(); !slices.Contains(out, z) {
			out = append(out, z)
		}
	}
	return out
}

// serviceBatch brings a batch of accounts forward to now with Workers
// goroutines (a fixed pool, never one per account). Each worker serves its
// share of the accounts several to a write transaction (see serveSome):
// one commit, and on SQLite one fsync, for many accounts. One account's
// failure does not hold up the others: its transaction's accounts are
// served again one per transaction, so only the failing account is left
// for the next run, and its error names it. On SQLite the accounts'
// days are rehearsed ahead of the one writer (rehearse.go).
func (s *Service) serviceBatch(ctx context.Context, numbers []string, now time.Time) (int, []error) {
	workers := max(s.Workers, 1)
	if q, ok := s.Store.(writerQueue); ok && q.SingleWriter() {
		// One writer runs every transaction in turn: a second worker's
		// would only queue behind the first, and the purchases behind both.
		workers = 1
	}
	per := s.perTxn()
	var (
		mu    sync.Mutex
		moved int
		errs  []error
		wg    sync.WaitGroup
		next  = make(chan batch)
	)
	for range min(workers, (len(numbers)+per-1)/per) {
		wg.Go(func() {
			for b := range next {
				chunk := b.numbers
				for len(chunk) > 0 && ctx.Err() == nil {
					n, served, failed := s.serveSome(ctx, chunk, b.ready, now)
					chunk = chunk[n:]
					mu.Lock()
					moved += served
					errs = append(errs, failed...)
					mu.Unlock()
				}
			}
		})
	}
	s.feed(ctx, numbers, per, now, next)
	wg.Wait()
	return moved, errs
}

// batch is a transaction's worth of accounts, with the days rehearsed
// for them (nil without rehearsal).
type batch struct {
	numbers []string
	ready   map[string]*rehearsed
}

// feed hands numbers to the workers per at a time, rehearsed first when
// the store rehearses, and closes next.
func (s *Service) feed(ctx context.Context, numbers []string, per int, now time.Time, next chan<- batch) {
	defer close(next)
	r := s.rehearsal()
	if r == nil {
		for len(numbers) > 0 && ctx.Err() == nil {
			k := min(per, len(numbers))
			next <- batch{numbers: numbers[:k]}
			numbers = numbers[k:]
		}
		return
	}
	in := make(chan []string)
	var wg sync.WaitGroup
	for range rehearsers {
		wg.Go(func() {
			for nums := range in {
				ready := s.rehearse(ctx, r, nums, now)
				if s.afterRehearse != nil {
					s.afterRehearse()
				}
				next <- batch{numbers: nums, ready: ready}
			}
		})
	}
	for len(numbers) > 0 && ctx.Err() == nil {
		k := min(per, len(numbers))
		in <- numbers[:k]
		numbers = numbers[k:]
	}
	close(in)
	wg.Wait()
}

// Defaults of Service.PerTxn and Service.TxnTime, and how many accounts
// a transaction reads at once.
const (
	loadAhead      = 25
	defaultPerTxn  = 100
	defaultTxnTime = 25 * time.Millisecond
)

func (s *Service) perTxn() int {
	if s.PerTxn > 0 {
		return s.PerTxn
	}
	return defaultPerTxn
}

// writerQueue is what a store with a single writer (SQLite) tells the
// daily job so it yields the writer to the purchase path.
type writerQueue interface {
	// SingleWriter reports whether the store runs one write transaction
	// at a time.
	SingleWriter() bool
	// WritersWaiting reports whether other writes wait for the writer.
	WritersWaiting() bool
}

// Loaded is an account as the store's LoadAccount reads it.
type Loaded struct {
	Account *openflex.Account
	Row     *Row
	Clock   *TestClock // nil without one
}

// batchLoader is a store that reads (and locks) a batch's accounts at
// once: one round trip for the batch instead of one per account.
type batchLoader interface {
	LoadAccounts(ctx context.Context, numbers []string) (map[string]*Loaded, error)
}

func (s *Service) othersWaiting() bool {
	q, ok := s.Store.(writerQueue)
	return ok && q.WritersWaiting()
}

// serveSome serves accounts from the front of numbers in one write
// transaction, as many as fit in TxnTime (at least one, at most all), and
// on SQLite only while no other write waits for the one writer: the
// purchase path waits for the job at most one account's time, or TxnTime.
// It returns how many accounts it took, how many it moved forward, and
// the errors of those it could not. When the transaction fails (an
// account's error, or a day another node applied first) the accounts it
// took are served again one per transaction.
func (s *Service) serveSome(ctx context.Context, numbers []string, ready map[string]*rehearsed, now time.Time) (int, int, []error) {
	limit := s.TxnTime
	if limit <= 0 {
		limit = defaultTxnTime
	}
	took := 0
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		took = 0 // a retried transaction starts again
		start := time.Now()
		loader, _ := s.Store.(batchLoader)
		var loaded map[string]*Loaded
		for took < len(numbers) && (took == 0 || time.Since(start) < limit && !s.othersWaiting()) {
			if loader != nil && took%loadAhead == 0 {
				// The next few accounts in one read: a transaction cut short
				// by TxnTime reads few it does not serve.
				var err error
				if loaded, err = loader.LoadAccounts(ctx, numbers[took:min(took+loadAhead, len(numbers))]); err != nil {
					return err
				}
			}
			took++
			num := numbers[took-1]
			if err := s.serveLoaded(ctx, num, loaded[num], ready[num], now); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return took, took, nil
	}
	if took == 0 || ctx.Err() != nil {
		return max(took, 1), 0, []error{fmt.Errorf("service %s: %w", numbers[0], err)}
	}
	moved := 0
	var errs []error
	for _, num := range numbers[:took] {
		ok, err := s.serviceThrough(ctx, num, now, false)
		if err != nil {
			errs = append(errs, fmt.Errorf("service %s: %w", num, err))
		} else if ok {
			moved++
		}
	}
	return took, moved, errs
}

// serveLoaded serves number inside the caller's write transaction: its
// rehearsed writes when the account is still as its rehearsal read it,
// else its days worked out here, from l when the batch read it.
func (s *Service) serveLoaded(ctx context.Context, number string, l *Loaded, r *rehearsed, now time.Time) error {
	var a *account
	var err error
	switch {
	case l == nil:
		a, err = s.openAt(ctx, number, now)
	case r != nil && sameLoaded(r.loaded, l):
		s.rehearsedDays.Add(1)
		return r.run(ctx)
	default:
		if r != nil {
			s.reworkedDays.Add(1)
		}
		if a, err = s.opened(ctx, number, l.Account, l.Row, l.Clock); err == nil {
			err = s.bringTo(ctx, a, now)
		}
	}
	if err != nil {
		return err
	}
	return s.save(ctx, a)
}

// RunDue applies, zone by zone, every day that has ended in each account's
// province and that its account has not had applied, oldest first,
// several accounts per transaction (each account's days whole in one): a
// crash loses at most the transactions in hand, and the next run resumes
// where the last stopped. Accounts are read in pages of 200 in the due
// index's order (next day, then number), so memory stays flat and each
// read starts where the last ended, however many there are.
// Several nodes may run it at once: a day is applied once whoever gets
// there first (the others skip it). Accounts on a test clock wait for
// their clock. Then it delivers the customer messages waiting (messages.go).
// It returns how many accounts it moved forward.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	n := 0
	var errs []error
	zs := s.Zones
	if len(zs) == 0 {
		zs = zones()
	}
	for _, z := range zs {
		loc, err := time.LoadLocation(z)
		if err != nil {
			return n, err
		}
		now := s.wall()
		today := now.In(loc).Format(time.DateOnly)
		after := ""
		for {
			numbers, cursor, err := s.Store.DueAccounts(ctx, z, today, after, batchSize)
			if err != nil {
				return n, err
			}
			moved, failed := s.serviceBatch(ctx, numbers, now)
			n += moved
			errs = append(errs, failed...)
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			if len(numbers) < batchSize {
				break
			}
			after = cursor
		}
	}
	if len(errs) > 10 {
		errs = append(errs[:10], fmt.Errorf("and %d more accounts", len(errs)-10))
	}
	// The customer messages the days queued, and any earlier delivery
	// that failed or waited on a caller's transaction (messages.go).
	if _, err := s.DeliverMessages(ctx); err != nil {
		errs = append(errs, fmt.Errorf("customer messages: %w", err))
	}
	return n, errors.Join(errs...)
}
