package credit

import (
	"context"
	"time"

	"github.com/openflex/openflex"
)

// VerificationLimits bound the codes sent to one customer and the wrong
// codes an account can take (docs/decisions.md, "Verification limits").
// Every count is derived from the data plane's verification rows inside
// the transaction that would add one, so it holds across nodes sharing a
// database.
type VerificationLimits struct {
	// Codes sent to one account by every merchant together: at most
	// AccountCodesShort per ShortWindow and AccountCodesDaily per day.
	AccountCodesShort int
	ShortWindow       time.Duration
	AccountCodesDaily int
	// Of an account's daily codes, one merchant may ask for at most this
	// many, so one merchant alone cannot use them all up.
	MerchantCodesDaily int
	// Wrong codes an account may take per day over all its verifications,
	// from every merchant together and from one merchant.
	AccountWrongDaily  int
	MerchantWrongDaily int
	// Codes one caller (a key set; a merchant's clerk screens) may ask
	// for per BudgetWindow, over every account.
	BudgetCodes  int
	BudgetWindow time.Duration
}

// LimitDay is the window of the daily limits.
const LimitDay = 24 * time.Hour

// DefaultVerificationLimits are PRODUCTION's limits (docs/decisions.md).
func DefaultVerificationLimits() VerificationLimits {
	return VerificationLimits{
		AccountCodesShort: 3, ShortWindow: 10 * time.Minute, AccountCodesDaily: 10, MerchantCodesDaily: 5,
		AccountWrongDaily: 15, MerchantWrongDaily: 10,
		BudgetCodes: 600, BudgetWindow: time.Hour,
	}
}

// TrainingVerificationLimits are TRAINING's per-account limits: ten times
// PRODUCTION's, so a developer's walk through the guide and a few clerk
// tries on the demo account never lock it, while a test that loops still
// meets them (and sees the same refusal). TRAINING sends nothing to anyone,
// so the limits guard no person's phone there. The per-caller budget is
// PRODUCTION's: it is about a leaked key set, not a customer.
func TrainingVerificationLimits() VerificationLimits {
	l := DefaultVerificationLimits()
	l.AccountCodesShort, l.AccountCodesDaily, l.MerchantCodesDaily = 30, 100, 50
	l.AccountWrongDaily, l.MerchantWrongDaily = 150, 100
	return l
}

// LimitsFor returns the verification limits of env.
func LimitsFor(env openflex.Environment) VerificationLimits {
	if env == openflex.Training {
		return TrainingVerificationLimits()
	}
	return DefaultVerificationLimits()
}

func (s *Service) limits() VerificationLimits {
	if s.Limits == (VerificationLimits{}) {
		return LimitsFor(s.Env)
	}
	return s.Limits
}

// TillBudget is the caller budget of a merchant's clerk screens, which use
// no key set.
func TillBudget(merchantID string) string { return "till:" + merchantID }

// counted is one row a limit counts: when, and how much (a code is 1; a
// verification's wrong codes are its attempts).
type counted struct {
	at     time.Time
	weight int
}

// wait is how long until the rows inside the window ending at now weigh
// less than limit: zero when they already do. Rows are oldest first; a
// row counts while at+window is after now.
func wait(rows []counted, limit int, window time.Duration, now time.Time) time.Duration {
	if limit <= 0 {
		return 0 // not limited
	}
	start := now.Add(-window)
	total := 0
	first := len(rows)
	for i, r := range rows {
		if r.at.After(start) {
			if first == len(rows) {
				first = i
			}
			total += r.weight
		}
	}
	for i := first; i < len(rows) && total >= limit; i++ {
		total -= rows[i].weight
		if total < limit {
			return rows[i].at.Add(window).Sub(now)
		}
	}
	return 0
}

// refusal is the limit that binds longest of those reached.
type refusal struct {
	after time.Duration
	msg   string
}

func (r *refusal) consider(after time.Duration, msg string) {
	if after > r.after {
		r.after, r.msg = after, msg
	}
}

func (r *refusal) err() error {
	if r.after <= 0 {
		return nil
	}
	// The message says when, for the people reading it; Retry-After says
	// it to programs.
	return &openflex.Error{Code: openflex.CodeRateLimited, Message: r.msg + "; try again " + openflex.RetryIn(r.after, "en"), RetryAfter: r.after}
}

// guessRefusal considers the account's and the merchant's wrong-code
// budgets over the account's recent verifications.
func (r *refusal) guesses(l VerificationLimits, recent []openflex.Verification, merchantID string, now time.Time) {
	var all, mine []counted
	for _, v := range recent {
		all = append(all, counted{v.Created, v.Attempts})
		if v.MerchantID == merchantID {
			mine = append(mine, counted{v.Created, v.Attempts})
		}
	}
	r.consider(wait(all, l.AccountWrongDaily, LimitDay, now),
		"too many wrong codes were entered for this account in the last 24 hours")
	r.consider(wait(mine, l.MerchantWrongDaily, LimitDay, now),
		"too many wrong codes were entered for this account through your integration in the last 24 hours")
}

// admitCode checks, inside the transaction that would add a verification
// (with the account row locked), every limit on sending one more code.
func (s *Service) admitCode(ctx context.Context, merchantID, budgetKey, number string, now time.Time) error {
	l := s.limits()
	recent, err := s.Store.RecentVerifications(ctx, number, now.Add(-LimitDay))
	if err != nil {
		return err
	}
	var r refusal
	r.guesses(l, recent, merchantID, now)
	var all, mine []counted
	for _, v := range recent {
		all = append(all, counted{v.Created, 1})
		if v.MerchantID == merchantID {
			mine = append(mine, counted{v.Created, 1})
		}
	}
	r.consider(wait(all, l.AccountCodesShort, l.ShortWindow, now),
		"this account was sent the most codes allowed in a short time")
	r.consider(wait(all, l.AccountCodesDaily, LimitDay, now),
		"this account was sent the most codes allowed in 24 hours")
	r.consider(wait(mine, l.MerchantCodesDaily, LimitDay, now),
		"you asked for the most codes one merchant may send this account in 24 hours")
	if budgetKey != "" {
		times, err := s.Store.BudgetVerifications(ctx, budgetKey, now.Add(-l.BudgetWindow))
		if err != nil {
			return err
		}
		rows := make([]counted, len(times))
		for i, t := range times {
			rows[i] = counted{t, 1}
		}
		r.consider(wait(rows, l.BudgetCodes, l.BudgetWindow, now),
			"these keys asked for the most verification codes allowed in an hour")
	}
	return r.err()
}

// admitGuess checks, with the account row locked, that the account and
// this merchant still have wrong codes to spend before a code is compared.
func (s *Service) admitGuess(ctx context.Context, merchantID, number string, now time.Time) error {
	recent, err := s.Store.RecentVerifications(ctx, number, now.Add(-LimitDay))
	if err != nil {
		return err
	}
	var r refusal
	r.guesses(s.limits(), recent, merchantID, now)
	return r.err()
}
