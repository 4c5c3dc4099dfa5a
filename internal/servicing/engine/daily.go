package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// RunDue applies, zone by zone, every day that has ended in each account's
// province and that its account has not had applied, oldest first, one
// account per transaction: a crash loses at most the account in hand,
// and the next run resumes where the last stopped. Accounts are read in
// batches by account number, so memory stays flat however many there are.
// Several nodes may run it at once: a day is applied once whoever gets
// there first (the others skip it). Accounts on a test clock wait for
// their clock. It returns how many accounts it moved forward.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	n := 0
	var errs []error
	for _, z := range zones() {
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
			for _, num := range numbers {
				if ctx.Err() != nil {
					return n, ctx.Err()
				}
				moved, err := s.ServiceThrough(ctx, num, now)
				if err != nil {
					// One account's failure does not hold up the others;
					// it is tried again at the next run.
					errs = append(errs, fmt.Errorf("service %s: %w", num, err))
					continue
				}
				if moved {
					n++
				}
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
	return n, errors.Join(errs...)
}
