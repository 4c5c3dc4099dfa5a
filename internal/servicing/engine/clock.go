package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

// TestClock is a TRAINING clock (as Stripe's test clocks): the accounts
// attached to it live at its frozen time, which only moves forward, and
// only when a test helper or the CLI advances it.
type TestClock struct {
	ID         string
	MerchantID string
	Name       string
	FrozenTime time.Time
	// Status is ready, or advancing while an advance applies its days.
	Status  string
	Created time.Time
}

// Test clock statuses.
const (
	ClockReady     = "ready"
	ClockAdvancing = "advancing"
)

// MaxAdvance bounds one advance: every day of every attached account is
// applied before the call answers.
const MaxAdvance = 2 * 366 * 24 * time.Hour

// errNoClocks is what PRODUCTION answers about test clocks: they do not
// exist there (404, as the other test helpers).
func errNoClocks() error {
	return openflex.Errorf(openflex.CodeResourceMissing, "test clocks exist only in TRAINING")
}

// CreateTestClock starts a clock frozen at t for merchantID.
func (s *Service) CreateTestClock(ctx context.Context, merchantID, name string, t time.Time) (*TestClock, error) {
	if s.Env != openflex.Training {
		return nil, errNoClocks()
	}
	var p openflex.Problems
	if t.IsZero() {
		p.Missing("frozen_time")
	} else if t.Year() < 2000 || t.Year() > 2100 {
		p.Invalid("frozen_time", "frozen_time must be between 2000 and 2100")
	}
	if len(name) > 100 {
		p.Invalid("name", "name must be at most 100 characters")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	c := &TestClock{ID: openflex.NewID(openflex.PrefixTestClock), MerchantID: merchantID, Name: name,
		FrozenTime: t.UTC().Truncate(time.Second), Status: ClockReady, Created: s.wall()}
	if err := s.Store.CreateTestClock(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// TestClock returns merchantID's clock.
func (s *Service) TestClock(ctx context.Context, merchantID, id string) (*TestClock, error) {
	if s.Env != openflex.Training {
		return nil, errNoClocks()
	}
	return s.Store.TestClock(ctx, merchantID, id)
}

// AttachTestClock puts an account on merchantID's clock. Only an account
// with no history may be attached (its purchases would otherwise predate
// its clock), and only by a merchant holding the customer's consent (its
// own approved application gives it).
func (s *Service) AttachTestClock(ctx context.Context, merchantID, clockID, number string) (*Row, error) {
	if s.Env != openflex.Training {
		return nil, errNoClocks()
	}
	if !openflex.ValidAccountNumber(number) {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "account_number", Message: "account_number must be 14 digits with a valid check digit"}
	}
	var row *Row
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		c, err := s.Store.TestClock(ctx, merchantID, clockID)
		if err != nil {
			return err
		}
		acct, err := s.Store.Account(ctx, number)
		if err != nil {
			return err
		}
		if row, err = s.Store.Servicing(ctx, number); err != nil {
			return err
		}
		if row.TestClockID != "" {
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "account_number",
				Message: fmt.Sprintf("account %s is already on test clock %s", number, row.TestClockID)}
		}
		// A merchant may put on its clock only an account whose customer
		// consented to it (its own approved application does).
		if held, err := s.Store.ActiveConsent(ctx, merchantID, number); err != nil {
			return err
		} else if held == nil {
			return &openflex.Error{Code: openflex.CodeConsentRequired, Param: "account_number",
				Message: "the customer has not authorized this merchant on this account"}
		}
		used, err := s.Store.HasHistory(ctx, number)
		if err != nil {
			return err
		}
		if used || acct.Held != 0 || acct.PostedBalance != 0 || acct.Charges != 0 {
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "account_number",
				Message: "only an account with no purchases or payments yet can be attached to a test clock"}
		}
		loc, err := row.Location()
		if err != nil {
			return err
		}
		day := dayOf(c.FrozenTime, loc)
		prev := row.NextDay
		row.TestClockID, row.OpenedOn, row.NextDay, row.State = c.ID, day, day, nil
		return s.Store.SaveServicing(ctx, row, prev)
	})
	if err != nil {
		return nil, err
	}
	return row, nil
}

// AdvanceTestClock moves merchantID's clock forward to t and, before it
// answers, applies every day that ended on the way to each attached
// account, in order. A failed advance leaves the clock where it was (its
// accounts keep the days already applied: each day is applied once, so
// advancing again resumes).
func (s *Service) AdvanceTestClock(ctx context.Context, merchantID, id string, t time.Time) (*TestClock, error) {
	if s.Env != openflex.Training {
		return nil, errNoClocks()
	}
	c, err := s.Store.TestClock(ctx, merchantID, id)
	if err != nil {
		return nil, err
	}
	t = t.UTC().Truncate(time.Second)
	switch {
	case t.IsZero():
		return nil, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "frozen_time", Message: "frozen_time is required"}
	case !t.After(c.FrozenTime):
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "frozen_time",
			Message: fmt.Sprintf("a test clock only moves forward: frozen_time must be after %s", c.FrozenTime.Format(time.RFC3339))}
	case t.Sub(c.FrozenTime) > MaxAdvance:
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "frozen_time",
			Message: "one advance moves a test clock at most two years"}
	}
	if err := s.Store.SetTestClock(ctx, c.ID, c.FrozenTime, ClockAdvancing); err != nil {
		return nil, err
	}
	after := ""
	for {
		numbers, err := s.Store.AccountsOnClock(ctx, c.ID, after, batchSize)
		if err != nil {
			return nil, err
		}
		for _, n := range numbers {
			if _, err := s.ServiceThrough(ctx, n, t); err != nil {
				return nil, fmt.Errorf("advance %s: account %s: %w", c.ID, n, err)
			}
		}
		if len(numbers) < batchSize {
			break
		}
		after = numbers[len(numbers)-1]
	}
	c.FrozenTime, c.Status = t, ClockReady
	if err := s.Store.SetTestClock(ctx, c.ID, t, ClockReady); err != nil {
		return nil, err
	}
	if s.AfterAdvance != nil {
		// The advance itself is done and kept: a failure here is the
		// follow-up's, which the daily job retries.
		if err := s.AfterAdvance(ctx); err != nil && s.Logger != nil {
			s.Logger.Error("after test clock advance", "clock", c.ID, "err", err)
		}
	}
	return c, nil
}
