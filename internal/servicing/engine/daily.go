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
// goroutines (a fixed pool, never one per account); each account is its
// own transaction. One account's failure does not hold up the others: it
// is tried again at the next run.
func (s *Service) serviceBatch(ctx context.Context, numbers []string, now time.Time) (int, []error) {
	workers := max(s.Workers, 1)
	var (
		mu    sync.Mutex
		moved int
		errs  []error
		wg    sync.WaitGroup
		next  = make(chan string)
	)
	for range min(workers, len(numbers)) {
		wg.Go(func() {
			for num := range next {
				ok, err := s.serviceThrough(ctx, num, now, false)
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("service %s: %w", num, err))
				} else if ok {
					moved++
				}
				mu.Unlock()
			}
		})
	}
	for _, num := range numbers {
		if ctx.Err() != nil {
			break
		}
		next <- num
	}
	close(next)
	wg.Wait()
	return moved, errs
}

// RunDue applies, zone by zone, every day that has ended in each account's
// province and that its account has not had applied, oldest first, one
// account per transaction: a crash loses at most the account in hand,
// and the next run resumes where the last stopped. Accounts are read in
// batches by account number, so memory stays flat however many there are.
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
			numbers, err := s.Store.DueAccounts(ctx, z, today, after, batchSize)
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
			after = numbers[len(numbers)-1]
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
