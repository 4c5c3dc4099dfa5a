package engine

import (
	"bytes"
	"context"
	"time"
)

// On SQLite one writer runs every transaction in turn, and the daily job
// used to work each account's day out inside its transaction: decoding
// the state, the rules, rendering the statement's text and the events,
// encoding the state again — about half of the writer's time per
// account, on one core while the other idled. The job now rehearses a
// batch's accounts ahead of the writer (rehearsers at once, outside any
// transaction): each account is read, its days worked out and its
// writes recorded (sqlstore.Rehearse). The writer then reads the account
// again inside its transaction and, if nothing it was worked out from
// changed (a purchase, a payment, a staff action, another node's day:
// sameLoaded), runs the recorded writes; otherwise it works the day out
// again there, as before. What is written is the same either way
// (TestRehearsedRunMatchesOneByOne, TestRehearsalSeesALateChange).

// rehearser is a store that can run a write function outside any
// transaction, recording its writes, and run them later inside one
// (sqlstore.Rehearse). A read during the rehearsal fails it.
type rehearser interface {
	Rehearse(ctx context.Context, fn func(ctx context.Context) error) (func(ctx context.Context) error, error)
}

// rehearsers is how many batches are rehearsed at once ahead of the
// writer: with the writer, enough to keep two cores busy.
const rehearsers = 2

// rehearsed is an account's day worked out ahead of the writer: the
// account as it was read, and its writes.
type rehearsed struct {
	loaded *Loaded
	run    func(ctx context.Context) error
}

// rehearsal returns the store as a rehearser when the daily job should
// rehearse: a single writer that reads in batches.
func (s *Service) rehearsal() rehearser {
	q, ok := s.Store.(writerQueue)
	if !ok || !q.SingleWriter() {
		return nil
	}
	if _, ok := s.Store.(batchLoader); !ok {
		return nil
	}
	r, _ := s.Store.(rehearser)
	return r
}

// rehearse reads numbers' accounts outside any transaction and works out
// each one's days through now, recording its writes. An account that
// cannot be rehearsed (unreadable, or its day needs a read) is left out:
// the writer serves it as before.
func (s *Service) rehearse(ctx context.Context, r rehearser, numbers []string, now time.Time) map[string]*rehearsed {
	loaded, err := s.Store.(batchLoader).LoadAccounts(ctx, numbers)
	if err != nil {
		return nil
	}
	out := make(map[string]*rehearsed, len(loaded))
	for _, n := range numbers {
		l := loaded[n]
		if l == nil {
			continue
		}
		// The day's work changes the account and row it is given; l stays
		// as read, for the writer to compare.
		acct, row := *l.Account, *l.Row
		var clock *TestClock
		if l.Clock != nil {
			c := *l.Clock
			clock = &c
		}
		run, err := r.Rehearse(ctx, func(ctx context.Context) error {
			a, err := s.opened(ctx, n, &acct, &row, clock)
			if err != nil {
				return err
			}
			if err := s.bringTo(ctx, a, now); err != nil {
				return err
			}
			return s.save(ctx, a)
		})
		if err == nil {
			out[n] = &rehearsed{loaded: l, run: run}
		}
	}
	return out
}

// sameLoaded reports whether two reads of an account found it the same:
// everything a day's work reads of it.
func sameLoaded(a, b *Loaded) bool {
	x, y := *a.Account, *b.Account
	if !x.Created.Equal(y.Created) || !x.ClockTime.Equal(y.ClockTime) {
		return false
	}
	x.Created, x.ClockTime, y.Created, y.ClockTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if x != y {
		return false
	}
	r, q := a.Row, b.Row
	if r.AccountNumber != q.AccountNumber || r.StatementDay != q.StatementDay || r.TimeZone != q.TimeZone || r.TestClockID != q.TestClockID ||
		r.OpenedOn != q.OpenedOn || r.NextDay != q.NextDay || (r.State == nil) != (q.State == nil) || !bytes.Equal(r.State, q.State) {
		return false
	}
	c, d := a.Clock, b.Clock
	if c == nil || d == nil {
		return c == d
	}
	return c.ID == d.ID && c.MerchantID == d.MerchantID && c.Name == d.Name && c.FrozenTime.Equal(d.FrozenTime) &&
		c.Status == d.Status && c.Created.Equal(d.Created)
}

// Rehearsals reports how many accounts the daily job served from their
// rehearsal, and how many it worked out again because they changed after
// it, since the service started.
func (s *Service) Rehearsals() (served, reworked int64) {
	return s.rehearsedDays.Load(), s.reworkedDays.Load()
}
