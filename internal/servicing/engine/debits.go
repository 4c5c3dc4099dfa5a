package engine

import (
	"context"
	"fmt"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing"
)

// PADPayments is the engine as automatic payments (package pad) use it:
// the statement a debit is for, the debit's payment and its return.
type PADPayments struct{ S *Service }

var _ pad.Payments = PADPayments{}

// LatestStatement returns number's newest statement, what was paid since
// it and what the account owes now, or nil before its first statement.
func (p PADPayments) LatestStatement(ctx context.Context, number string) (*pad.StatementDue, error) {
	list, _, err := p.S.Store.Statements(ctx, number, openflex.ListParams{Limit: 1})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	st := list[0]
	acct, err := p.S.Store.Account(ctx, number)
	if err != nil {
		return nil, err
	}
	now, err := p.S.AccountTime(ctx, number)
	if err != nil {
		return nil, err
	}
	row, err := p.S.Store.Servicing(ctx, number)
	if err != nil {
		return nil, err
	}
	loc, err := row.Location()
	if err != nil {
		return nil, err
	}
	paid, err := p.paidAfter(ctx, number, st.PeriodEnd)
	if err != nil {
		return nil, err
	}
	return &pad.StatementDue{StatementID: st.ID, DueOn: st.DueDate, Minimum: st.Minimum, Closing: st.Closing,
		PaidSince: paid, Owed: max(0, acct.PostedBalance), Today: servicing.DayOf(now, loc).String()}, nil
}

// paidAfter sums number's succeeded payments posted after day.
func (p PADPayments) paidAfter(ctx context.Context, number, day string) (int64, error) {
	var sum int64
	after := ""
	for {
		page, more, err := p.S.Store.Payments(ctx, number, openflex.ListParams{Limit: 100, StartingAfter: after})
		if err != nil {
			return 0, err
		}
		for _, pm := range page {
			if pm.Status == PaymentSucceeded && pm.PostedOn > day {
				sum += pm.Amount
			}
			after = pm.ID
		}
		if !more || len(page) == 0 {
			return sum, nil
		}
	}
}

// PayDebit applies a debit's payment (channel debit, the debit's id as
// its reference). A payment already made for the debit is returned, not
// made again, so a run interrupted after the payment is safe to repeat.
func (p PADPayments) PayDebit(ctx context.Context, number string, amount int64, reference string) (string, error) {
	return p.PayDebitTo(ctx, number, amount, reference, "")
}

// PayDebitTo is PayDebit directed at a plan (segment ""; none): a
// one-time debit paying a plan off early.
func (p PADPayments) PayDebitTo(ctx context.Context, number string, amount int64, reference, segment string) (string, error) {
	after := ""
	for {
		page, more, err := p.S.Store.Payments(ctx, number, openflex.ListParams{Limit: 100, StartingAfter: after})
		if err != nil {
			return "", err
		}
		for _, pm := range page {
			if pm.Channel == ChannelDebit && pm.Reference == reference {
				return pm.ID, nil
			}
			after = pm.ID
		}
		if !more || len(page) == 0 {
			break
		}
	}
	r, err := p.S.Pay(ctx, PaymentRequest{AccountNumber: number, Amount: amount, Channel: ChannelDebit, Reference: reference, Segment: segment})
	if err != nil {
		return "", err
	}
	return r.Payment.ID, nil
}

// ReturnDebit reverses a returned debit's payment as returned (the NSF
// fee, the standing moved back) and returns the fee. The customer hears
// of it once, by package pad's debit_returned notice: the engine's own
// payment_reversed message is not queued.
func (p PADPayments) ReturnDebit(ctx context.Context, paymentID, reason string) (int64, error) {
	r, err := p.S.reverse(ctx, paymentID, true, reason, false)
	if err != nil {
		return 0, fmt.Errorf("reverse debit payment: %w", err)
	}
	return r.Payment.NSFFee, nil
}
